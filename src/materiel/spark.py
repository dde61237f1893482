"""Archives on Apache Spark: the extraction of `materiel extract`, run inside Spark's executors.

`extract_events(articles)` maps a DataFrame of articles (`id, title, text, url, outlet, published`)
to the events in the flat schema of `exports.flat` (one row per event, `event_id` as the ledger makes
it: the article's content hash and the event's place in it; `assessment_id` null), the articles'
results (with each article's interchange line, for a lossless `materiel ingest --events`) and the
rejections. `spark_extract(...)` is the `materiel spark-extract` job: read JSON Lines, Parquet and
WARC files, extract, write Parquet.

Each distinct text is extracted once, as the ledger stores it once (its `articles` table is keyed by
the content hash, every place the text was published is a `publications` row): the same wire story
in two WARC records or two outlets gives one set of events. Three steps:
(1) a cheap Python pass validates each record as `materiel extract` does (`article_from_record`) and
computes its content hash (`Article.content_id`); a record that fails is rejected;
(2) per hash, one record stands for the text, the smallest by (published is null, published,
article_id, url, outlet, origin): the earliest dated publication, then the smallest id; a window
(`row_number` over the hash, a shuffle and a sort: n log n) picks it, the same whatever the
partitioning, and only these records are extracted;
(3) every record is joined back (by hash) to its text's extraction: `results` keeps one row per
record (its own id, URL, outlet and date, the text's interchange line, `extracted` true for the
record that stood for it), while `events` holds the text's events once, under the record that stood
for it (as the ledger's first stored copy). If the text's extraction fails, every record of it is
rejected with that reason and message.

Why `mapInArrow`: the function sees the whole partition as one iterator of Arrow record batches, so
(1) the extractor is built once per Python worker process, lazily, in this module's global, and
Spark reuses that process for the next task (`spark.python.worker.reuse`, on by default): the spaCy
model loads once per executor core, not per task or per row; (2) the extractor's own batching
(`extract_each` parses the candidate sentences of 128 articles together) runs across the partition
as it does in `materiel extract`, the same code path, so the events are the same; (3) Arrow carries
the nested event rows (a list of structs per article) without the pandas conversion that
`mapInPandas` or a pandas UDF would add, and a UDF's one-row-in, one-row-out shape cannot give an
article's rejection and its events from one call.

This module imports pyspark; only the `spark-extract` command imports it (not the CLI at start-up).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window
from pyspark.sql.pandas.types import from_arrow_schema

from .exports.flat import (FLAT_BOOLEAN_COLUMNS, FLAT_EVENT_COLUMNS, FLAT_FLOAT_COLUMNS, FLAT_INTEGER_COLUMNS,
                           extracted_events, flat_event)
from .extract import ARTICLE_TIME_BUDGET
from .model import Article, ArticleResult, Rejection
from .service import by_reason, exit_code_for, new_extractor

# Results sent back to Spark in one Arrow batch.
OUTPUT_BATCH = 256
# Partitions per core when the command is not told how many: more than one evens out slow articles.
PARTITIONS_PER_CORE = 2


def _flat_type(column: str) -> pa.DataType:
    if column in FLAT_INTEGER_COLUMNS:
        return pa.int64()
    if column in FLAT_FLOAT_COLUMNS:
        return pa.float64()
    if column in FLAT_BOOLEAN_COLUMNS:
        return pa.bool_()
    return pa.string()


EVENT_ARROW = pa.struct([(c, _flat_type(c)) for c in FLAT_EVENT_COLUMNS])
# One row per article given: its fields, its content hash, and either its results (`interchange`: the
# line `materiel extract` writes for it; `events`: its flat event rows) or why it was rejected.
RESULT_ARROW = pa.schema([
    ("article_id", pa.string()), ("article_hash", pa.string()), ("title", pa.string()), ("text", pa.string()),
    ("url", pa.string()), ("outlet", pa.string()), ("published", pa.string()), ("origin", pa.string()),
    ("interchange", pa.string()), ("events", pa.list_(EVENT_ARROW)),
    ("line", pa.int64()), ("reason", pa.string()), ("message", pa.string()),
])
# One row per record given, validated: its fields as `article_from_record` makes them and its content
# hash, or why it was rejected.
CHECKED_ARROW = pa.schema([
    ("article_id", pa.string()), ("article_hash", pa.string()), ("title", pa.string()), ("text", pa.string()),
    ("url", pa.string()), ("outlet", pa.string()), ("published", pa.string()), ("origin", pa.string()),
    ("line", pa.int64()), ("reason", pa.string()), ("message", pa.string()),
])
# The order that picks the record standing for a text among those that carry it (the first is extracted).
FIRST_OF_TEXT = ("published", "article_id", "url", "outlet", "origin")
# The items read from input files: an article, or a rejection of a record.
ITEM_ARROW = pa.schema([
    ("id", pa.string()), ("title", pa.string()), ("text", pa.string()), ("url", pa.string()),
    ("outlet", pa.string()), ("published", pa.string()), ("origin", pa.string()),
    ("line", pa.int64()), ("reason", pa.string()), ("message", pa.string()),
])
ARTICLE_FIELDS = ("id", "title", "text", "url", "outlet", "published")
REJECTION_COLUMNS = ("article_id", "origin", "line", "reason", "message")


class Extraction(NamedTuple):
    """What `extract_events` gives: three DataFrames over cached rows (each distinct text is extracted
    once, whichever of them is computed first)."""

    events: DataFrame  # FLAT_EVENT_COLUMNS, one row per event of each distinct text
    rejections: DataFrame  # REJECTION_COLUMNS, one row per record given up
    results: DataFrame  # one row per record extracted: its fields, `article_hash`, `interchange`, `extracted`
    cached: tuple[DataFrame, ...]  # the cached rows they are read from: `unpersist()` when done

    def unpersist(self) -> None:
        for frame in self.cached:
            frame.unpersist()


def extract_events(articles: DataFrame, time_budget: float | None = ARTICLE_TIME_BUDGET,
                   partitions: int | None = None) -> Extraction:
    """The events of a DataFrame of articles (columns `id, title, text, url, outlet, published`, an
    optional `origin`; each row validated as `materiel extract` validates a JSON record), extracted in
    the executors by the code of `materiel extract`, each distinct text once (see the module's
    docstring), with the rejections (article id, origin, reason, message) of the records that could
    not be read or extracted. The texts are extracted in `partitions` tasks (default: as many as
    `articles` has partitions).

    >>> found = extract_events(spark.read.parquet("articles/"))
    >>> found.events.write.parquet("events/")"""
    present = set(articles.columns)
    columns = [F.col(c).cast("string") if c in present else F.lit(None).cast("string").alias(c)
               for c in ARTICLE_FIELDS + ("origin",)]
    count = partitions or articles.rdd.getNumPartitions()
    checked = articles.select(*columns).mapInArrow(_check_batches, from_arrow_schema(CHECKED_ARROW)).persist()
    first = Window.partitionBy("article_hash").orderBy(F.col("published").isNull(), *FIRST_OF_TEXT)
    records = (checked.where(F.col("reason").isNull()).drop("line", "reason", "message")
               .withColumn("extracted", F.row_number().over(first) == 1))
    budget = time_budget
    texts = (records.where("extracted").drop("extracted").repartition(count)
             .mapInArrow(lambda batches: _extract_batches(batches, budget), from_arrow_schema(RESULT_ARROW))
             .persist())
    extracted = texts.where(F.col("reason").isNull())
    events = extracted.select(F.explode("events").alias("e")).select("e.*")
    outcome = texts.select("article_hash", "interchange", F.col("line").alias("text_line"),
                           F.col("reason").alias("text_reason"), F.col("message").alias("text_message"))
    joined = records.join(outcome, "article_hash")
    kept = joined.where(F.col("text_reason").isNull()).select(
        "article_id", "article_hash", "title", "text", "url", "outlet", "published", "origin", "interchange",
        "extracted")
    failed = joined.where(F.col("text_reason").isNotNull()).select(
        "article_id", "origin", F.col("text_line").alias("line"), F.col("text_reason").alias("reason"),
        F.col("text_message").alias("message"))
    rejections = checked.where(F.col("reason").isNotNull()).select(*REJECTION_COLUMNS).unionByName(failed)
    return Extraction(events, rejections, kept, (checked, texts))


# The extractor of this Python worker process, built on its first partition (see the module's docstring).
_extractor: Any = None


def _worker_extractor(time_budget: float | None) -> Any:
    global _extractor
    if _extractor is None or _extractor.time_budget != time_budget:
        _extractor = new_extractor(time_budget)
    return _extractor


def _check_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow's function of the first step: each record validated as `materiel extract` validates
    it, with its content hash, or its rejection."""
    from .ingest.readers import article_from_record

    for batch in batches:
        rows: list[dict[str, Any]] = []
        for record in batch.to_pylist():
            origin = record.pop("origin") or "dataframe"
            item = article_from_record({k: v for k, v in record.items() if v is not None}, origin, None)
            if isinstance(item, Rejection):
                rows.append(_rejected_row(record.get("id"), item))  # its `events` are not in this step's schema
            else:
                rows.append({"article_id": item.id, "article_hash": item.content_id, "title": item.title,
                             "text": item.text, "url": item.url, "outlet": item.outlet,
                             "published": item.published, "origin": item.origin})
        yield pa.RecordBatch.from_pylist(rows, schema=CHECKED_ARROW)


def _extract_batches(batches: Iterable[pa.RecordBatch], time_budget: float | None) -> Iterator[pa.RecordBatch]:
    """mapInArrow's function of the extraction: one partition's texts (validated records, one per
    distinct text) in, one result row per text out."""
    rows: list[dict[str, Any]] = []  # results not yet sent
    fed: deque[Article] = deque()  # articles given to the extractor, in order, whose outcome is awaited

    def articles() -> Iterator[Article]:
        for batch in batches:
            for r in batch.to_pylist():
                article = Article(id=r["article_id"], text=r["text"], title=r["title"] or "", url=r["url"],
                                  outlet=r["outlet"], published=r["published"], origin=r["origin"])
                fed.append(article)
                yield article

    for outcome in _worker_extractor(time_budget).extract_each(articles()):
        article = fed.popleft()
        if isinstance(outcome, Rejection):
            rows.append({**_rejected_row(article.id, outcome), "article_hash": article.content_id})
        else:
            rows.append(_result_row(outcome))
        if len(rows) >= OUTPUT_BATCH:
            yield pa.RecordBatch.from_pylist(rows, schema=RESULT_ARROW)
            rows.clear()
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=RESULT_ARROW)


def _result_row(result: ArticleResult) -> dict[str, Any]:
    a = result.article
    flat = [flat_event(row) for row in extracted_events(result)]  # what the ledger keeps, with its ids
    return {"article_id": a.id, "article_hash": a.content_id, "title": a.title, "text": a.text, "url": a.url,
            "outlet": a.outlet, "published": a.published, "origin": a.origin, "interchange": result.to_json(),
            "events": flat, "line": None, "reason": None, "message": None}


def _rejected_row(article_id: Any, rejection: Rejection) -> dict[str, Any]:
    return {"article_id": None if article_id is None else str(article_id), "origin": rejection.origin,
            "line": rejection.line, "reason": rejection.reason, "message": rejection.message, "events": []}


# --- the spark-extract job ---------------------------------------------------------------------------


@dataclass
class SparkSummary:
    """What a spark-extract run wrote: articles (records) extracted, the distinct texts among them
    (each extracted once), events, rejections by reason."""

    articles: int = 0
    events: int = 0
    texts: int = 0
    rejected: Counter = field(default_factory=Counter)

    @property
    def exit_code(self) -> int:
        """As `extract`'s, counting articles extracted."""
        return exit_code_for(self.rejected, self.articles)

    def describe(self) -> str:
        parts = [f"{self.articles} article(s) extracted", f"{self.texts} distinct text(s)",
                 f"{self.events} event(s)"]
        if self.rejected:
            parts.append(f"{sum(self.rejected.values())} rejection(s) ({by_reason(self.rejected)})")
        return "; ".join(parts)


def session(master: str | None = None, name: str = "materiel") -> SparkSession:
    """The Spark session of a run: `master` from the command line, else the one spark-submit set, else
    every local core. A local run's Python workers run this interpreter (unless PYSPARK_PYTHON names
    another); on a cluster the executors' Python is the cluster's setting."""
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # started by spark-submit: its --master stands
    master = master or (None if submitted else "local[*]")
    if master and master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # pyspark warns that it has not been tried with pandas 3; mapInArrow uses no pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    builder = (SparkSession.builder.appName(name).config("spark.ui.showConsoleProgress", "false")
               .config("spark.log.level", "ERROR"))
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def input_files(paths: Iterable[str]) -> list[str]:
    """The files named, a local directory standing for the files under it (sorted, hidden ones left out)."""
    files: list[str] = []
    for raw in paths:
        local = Path(raw)
        if "://" not in raw and local.is_dir():
            files.extend(str(p) for p in sorted(local.rglob("*"))
                         if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(local).parts))
        elif "://" in raw:
            files.extend(_remote_files(raw))
        else:
            files.append(raw)
    return files


def _remote_files(uri: str) -> list[str]:
    """The files under a remote folder (s3://bucket/prefix/), or the URI itself when it names a file."""
    from pyarrow import fs

    filesystem, inner = fs.FileSystem.from_uri(uri)
    if filesystem.get_file_info(inner).type != fs.FileType.Directory:
        return [uri]
    base = inner.rstrip("/")
    found = filesystem.get_file_info(fs.FileSelector(base, recursive=True))
    names = sorted(info.path[len(base):].lstrip("/") for info in found if info.type == fs.FileType.File)
    return [f"{uri.rstrip('/')}/{name}" for name in names
            if not any(part.startswith((".", "_")) for part in name.split("/"))]


def read_articles(spark: SparkSession, paths: list[str]) -> DataFrame:
    """The items of the input files, read in the executors (one task per file): articles, and the
    rejections of the records that could not be read (their `reason` set)."""
    one_per_task = spark.sparkContext.parallelize([(p,) for p in paths], max(1, len(paths)))
    return spark.createDataFrame(one_per_task, "path string").mapInArrow(_read_files, from_arrow_schema(ITEM_ARROW))


def _read_files(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from .ingest.archives import read_archive

    for batch in batches:
        for path in batch.column("path").to_pylist():
            rows: list[dict[str, Any]] = []
            for item in read_archive(path):
                if isinstance(item, Rejection):
                    rows.append({"origin": item.origin, "line": item.line, "reason": item.reason,
                                 "message": item.message})
                else:
                    rows.append({"id": item.id, "title": item.title, "text": item.text, "url": item.url,
                                 "outlet": item.outlet, "published": item.published, "origin": item.origin})
                if len(rows) >= OUTPUT_BATCH:
                    yield pa.RecordBatch.from_pylist(rows, schema=ITEM_ARROW)
                    rows = []
            if rows:
                yield pa.RecordBatch.from_pylist(rows, schema=ITEM_ARROW)


def spark_extract(paths: Iterable[str], output: str, master: str | None = None, partitions: int | None = None,
                  time_budget: float | None = ARTICLE_TIME_BUDGET, spark: SparkSession | None = None) -> SparkSummary:
    """`materiel spark-extract`: read the files, extract their events in the executors, and write
    Parquet directories `output/articles` (one row per record, with its text's interchange line),
    `output/events` (the flat event rows, each distinct text's once) and `output/rejections`; returns
    the counts."""
    from .errors import MaterielError

    files = input_files(paths)
    if not files:
        raise MaterielError("no input files: name JSON Lines, Parquet or WARC files, or directories holding them")
    spark = spark or session(master)
    items = read_articles(spark, files).persist()
    try:
        articles = items.where(F.col("reason").isNull()).drop("line", "reason", "message")
        count = partitions or spark.sparkContext.defaultParallelism * PARTITIONS_PER_CORE
        found = extract_events(articles, time_budget, count)
        try:  # the texts are extracted once, into the cache, when the first output is written
            read_rejections = items.where(F.col("reason").isNotNull()).select(
                F.lit(None).cast("string").alias("article_id"), "origin", "line", "reason", "message")
            rejections = read_rejections.unionByName(found.rejections)
            out = output.rstrip("/")
            found.results.write.mode("overwrite").parquet(f"{out}/articles")
            found.events.write.mode("overwrite").parquet(f"{out}/events")
            rejections.write.mode("overwrite").parquet(f"{out}/rejections")
            summary = SparkSummary(articles=found.results.count(), events=found.events.count(),
                                   texts=found.results.where("extracted").count())
            for row in rejections.groupBy("reason").count().collect():
                summary.rejected[row["reason"]] = row["count"]
            return summary
        finally:
            found.unpersist()
    finally:
        items.unpersist()

