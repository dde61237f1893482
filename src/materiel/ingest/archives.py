"""Readers for archive files, the inputs of `materiel spark-extract`: JSON Lines, Parquet, and WARC
(Common Crawl's CC-NEWS layout: one `response` record per fetched page, its HTTP headers and HTML).

Each reader yields `Article` or `Rejection` like those of `readers`, never raises for bad input:
a WARC record that is not an HTML page, a page without an article, and a truncated or garbled record
are rejections naming the file and the record's number; a broken record ends its file (no reader can
find the next record's start in a damaged stream), the rest of the batch goes on. A file is opened
through pyarrow's file systems, so `s3://`, `gs://` and `hdfs://` paths read as local ones do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from ..model import Article, ArticleResult, Event, Rejection
from .readers import JSONL_SUFFIXES, article_from_record, html_article, read_stream

Item = Article | Rejection

WARC_SUFFIXES = (".warc", ".warc.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
# The media types of a WARC response read as a web page (CC-NEWS also holds a few PDFs and feeds).
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Columns of a Parquet file of articles; any other column is ignored, a missing one is null.
ARTICLE_COLUMNS = ("id", "title", "text", "url", "outlet", "published")
PARQUET_BATCH_ROWS = 1024


def archive_kind(path: str) -> str | None:
    """'jsonl', 'parquet' or 'warc' by the file's name, None for a name of none of these kinds."""
    name = path.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if any(name.endswith(s) for s in JSONL_SUFFIXES) or name.endswith((".jsonl.gz", ".json")):
        return "jsonl"
    return None


@contextmanager
def open_archive(path: str) -> Iterator[IO[bytes]]:
    """A binary stream of a local path or of a URI that pyarrow's file systems know (s3://, hdfs://)."""
    if "://" in path and not path.startswith("file://"):
        from pyarrow import fs

        filesystem, inner = fs.FileSystem.from_uri(path)
        with filesystem.open_input_stream(inner) as fh:
            yield fh
    else:
        with open(path.removeprefix("file://"), "rb") as fh:
            yield fh


def read_archive(path: str) -> Iterator[Item]:
    """The articles of one archive file (kind by its name); a file that cannot be opened, or of no
    known kind, is one rejection."""
    kind = archive_kind(path)
    if kind is None:
        yield Rejection(path, "unsupported", "not a JSON Lines (.jsonl), Parquet (.parquet) or WARC (.warc, "
                                             ".warc.gz) file")
        return
    try:
        with open_archive(path) as fh:
            if kind == "warc":
                yield from read_warc(fh, path)
            elif kind == "parquet":
                yield from read_parquet(fh, path)
            else:
                yield from read_stream(fh, path, ".jsonl")
    except OSError as exc:
        yield Rejection(path, "unreadable", f"cannot read: {exc.strerror or exc}")


def read_parquet(fh: IO[bytes], origin: str) -> Iterator[Item]:
    """Articles from a Parquet file's rows (columns `ARTICLE_COLUMNS`), each validated as a JSON record is."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(fh)
    except Exception as exc:  # pyarrow raises ArrowInvalid and others on a file that is no Parquet
        yield Rejection(origin, "malformed_parquet", f"not a Parquet file ({type(exc).__name__})")
        return
    columns = [c for c in ARTICLE_COLUMNS if c in parquet.schema_arrow.names]
    row = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        for record in batch.to_pylist():
            row += 1
            yield article_from_record({k: _plain(v) for k, v in record.items()}, origin, row)


def _plain(value: Any) -> Any:
    """A Parquet date or timestamp as the ISO text a JSON record would carry."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def read_warc(fh: IO[bytes], origin: str) -> Iterator[Item]:
    """Articles from the HTML `response` records of a WARC file (gzipped or not), the article's id its
    URL; other record types (warcinfo, request, metadata) are passed over. A response that is no HTML
    page is `not_html`, a page without an article's text `not_article`, a truncated or garbled record
    `broken_record` (and the end of the file's reading)."""
    from warcio.archiveiterator import ArchiveIterator

    number = 0
    try:
        for record in ArchiveIterator(fh):
            number += 1
            if record.rec_type is None:  # no WARC-Type: not a record's header, the stream is garbled
                raise ValueError("a record without a WARC-Type header")
            if record.rec_type != "response":
                continue
            item = _response_article(record, origin, number)
            if item is not None:
                yield item
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib.error, EOFError, ValueError ...
        detail = " ".join(str(exc).split())[:200]
        yield Rejection(origin, "broken_record", f"truncated or garbled WARC record after record {number} "
                                                 f"({type(exc).__name__}{': ' + detail if detail else ''}); the rest "
                                                 "of this file is not read", number + 1)


def _response_article(record: Any, origin: str, number: int) -> Item | None:
    url = record.rec_headers.get_header("WARC-Target-URI") or f"{origin}#{number}"
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else None) or ""
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() not in HTML_TYPES:
        return Rejection(origin, "not_html", f"{url}: the record holds {media_type.strip() or 'no media type'}, "
                                             "not a web page", number)
    body = record.content_stream().read()
    if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended before the record's Content-Length
        return Rejection(origin, "broken_record", f"{url}: truncated WARC record ({record.raw_stream.limit:,} "
                                                  "bytes missing)", number)
    html = _decoded(body, params)
    item = html_article(html, f"{origin}:{number}", article_id=url, url=url)
    if isinstance(item, Rejection):
        if item.reason == "no_text":
            return Rejection(origin, "not_article", f"{url}: no article text on the page", number)
        return dataclasses.replace(item, origin=origin, line=number, message=f"{url}: {item.message}")
    if item.published is None:  # the page names no date: the day it was fetched
        fetched = record.rec_headers.get_header("WARC-Date") or ""
        item = dataclasses.replace(item, published=fetched[:10] or None)
    return item


def _decoded(body: bytes, params: str) -> str:
    """The body by its declared charset, else by trafilatura's guess."""
    for part in params.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return body.decode(value.strip("\"' "))
            except (LookupError, UnicodeDecodeError):
                break
    from trafilatura.utils import decode_file

    return decode_file(body)


def read_results(directory: str | Path) -> Iterator[ArticleResult]:
    """The articles and their events as spark-extract wrote them (`directory/articles`), rebuilt from
    each article's interchange line: the events exactly as `materiel extract` gives them. The records
    whose text was extracted under them (`extracted`) come first, so a ledger stores each text under
    that record and the others as its publications. Needs only pyarrow, not Spark (`materiel ingest
    --events`)."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(Path(directory) / "articles"), format="parquet")
    columns = ["article_id", "title", "text", "url", "outlet", "published", "origin", "interchange"]
    if "extracted" in dataset.schema.names:
        passes = [ds.field("extracted"), ~ds.field("extracted")]
    else:  # written before texts were extracted once: each row is its own extraction
        passes = [None]
    for only in passes:
        for batch in dataset.to_batches(columns=columns, filter=only):
            for row in batch.to_pylist():
                article = Article(id=row["article_id"], text=row["text"], title=row["title"] or "", url=row["url"],
                                  outlet=row["outlet"], published=row["published"], origin=row["origin"])
                events = json.loads(row["interchange"]).get("events") or ()
                yield ArticleResult(article, tuple(Event.from_dict(e, article.id) for e in events))
