"""`materiel spark-extract` and `ingest --events` on a real local Spark session (local[2], two Python
workers, Java 17): the events Spark writes are those `materiel extract` gives, WARC files (written
here with warcio: good pages, a PDF, a page with no article, a truncated and a garbled record) give
the right articles and rejections, and the ledger loaded from Spark's output is the one `ingest`
makes. One session and one spark-extract run serve the whole module (select: `pytest -m spark`)."""

from __future__ import annotations

import html
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pyarrow_dataset = pytest.importorskip("pyarrow.dataset")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17 (Debian: openjdk-17-jre-headless; .ci/run installs it)", allow_module_level=True)

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from materiel.exports.flat import FLAT_EVENT_COLUMNS, flat_event  # noqa: E402
from materiel.ingest.archives import read_archive  # noqa: E402
from materiel.model import Article  # noqa: E402
from materiel.store.sqlite import Store  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
DEV = [SHARED / "dev" / "articles.jsonl", SHARED / "dev2" / "articles.jsonl"]
PAGE_URLS = ("https://news.example/seed", "https://news.example/d101")


def _page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (f"<html><head><title>{html.escape(title)}</title>"
            '<meta property="article:published_time" content="2024-02-15T08:00:00Z"></head><body>'
            "<nav><a href='/'>Home</a></nav>"
            f"<article><h1>{html.escape(title)}</h1>{paragraphs}</article></body></html>").encode()


def _response(writer: WARCWriter, url: str, body: bytes, media_type: str = "text/html; charset=utf-8") -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", media_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"}))


def write_warcs(folder: Path) -> dict[str, Path]:
    """good.warc.gz: two article pages (dev's 'seed' and 'd101'), a PDF, a page with no article, and a
    warcinfo record; truncated.warc.gz: one good page and a second cut short; garbled.warc: noise."""
    records = {r["id"]: r for r in map(json.loads, DEV[0].read_text().splitlines()) if r["id"] in ("seed", "d101")}
    good = folder / "good.warc.gz"
    with good.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("good.warc.gz", {"software": "test"}))
        for url, key in zip(PAGE_URLS, ("seed", "d101")):
            _response(writer, url, _page(records[key]["title"], records[key]["text"]))
        _response(writer, "https://news.example/report.pdf", b"%PDF-1.4 not a page", "application/pdf")
        _response(writer, "https://news.example/", b"<html><head><title>Home</title></head><body></body></html>")
    whole = io.BytesIO()
    writer = WARCWriter(whole, gzip=True)  # one gzip member per record, as Common Crawl writes them
    _response(writer, "https://news.example/whole", _page(records["seed"]["title"], records["seed"]["text"]))
    _response(writer, "https://news.example/cut", _page(records["d101"]["title"], records["d101"]["text"]))
    truncated = folder / "truncated.warc.gz"
    truncated.write_bytes(whole.getvalue()[:-100])  # the file ends inside the second record
    garbled = folder / "garbled.warc"
    garbled.write_bytes(b"WARC/1.0\r\nthis is : not a record\r\n\r\n\x00\x01\x02")
    return {"good": good, "truncated": truncated, "garbled": garbled}


@pytest.fixture(scope="module")
def spark():
    from materiel import spark as materiel_spark

    session = materiel_spark.session("local[2]", "materiel-tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    """One spark-extract over dev, dev2 and the WARC files; its output folder and summary."""
    from materiel.spark import spark_extract

    folder = tmp_path_factory.mktemp("spark")
    warcs = write_warcs(folder)
    output = folder / "out"
    summary = spark_extract([*map(str, DEV), *(str(p) for p in warcs.values())], str(output), spark=spark)
    return {"output": output, "summary": summary, "warcs": warcs, "folder": folder}


def _table(output: Path, name: str) -> list[dict]:
    return pyarrow_dataset.dataset(str(output / name), format="parquet").to_table().to_pylist()


def test_spark_events_are_those_of_extract(run, invoke):
    """Per article, the interchange events Spark wrote equal `materiel extract`'s, and the flat rows
    carry the store's event ids (content hash:position) and no assessment."""
    result = invoke("extract", *map(str, DEV), "-q")
    assert result.returncode == 0, result.stderr
    expected = {row["article_id"]: row for row in map(json.loads, result.stdout.splitlines())}
    articles = {row["article_id"]: row for row in _table(run["output"], "articles")}
    written = {key: json.loads(articles[key]["interchange"]) for key in expected}
    assert written == expected
    assert sum(len(r["events"]) for r in expected.values()) > 100

    events = [e for e in _table(run["output"], "events") if e["article_id"] in expected]
    assert list(_table(run["output"], "events")[0]) == list(FLAT_EVENT_COLUMNS)
    assert all(e["assessment_id"] is None for e in events)
    by_article = Counter(e["article_id"] for e in events)
    for key, row in articles.items():
        if key in expected:
            ids = sorted((e["event_id"] for e in events if e["article_id"] == key), key=lambda i: int(i.split(":")[1]))
            assert ids == [f"{row['article_hash']}:{i}" for i in range(by_article[key])]


def test_warc_records_give_articles_and_rejections(run):
    articles = {row["article_id"]: row for row in _table(run["output"], "articles")}
    for url in (*PAGE_URLS, "https://news.example/whole"):
        assert url in articles and articles[url]["url"] == url
        assert articles[url]["published"] == "2024-02-15"  # the page's own date, not the day it was fetched
    assert json.loads(articles[PAGE_URLS[0]]["interchange"])["events"]  # the seed page reports events
    assert "https://news.example/cut" not in articles

    rejections = _table(run["output"], "rejections")
    reasons = Counter(r["reason"] for r in rejections)
    assert reasons == {"not_html": 1, "not_article": 1, "broken_record": 2}, rejections
    cut = next(r for r in rejections if str(run["warcs"]["truncated"]) == r["origin"])
    assert cut["reason"] == "broken_record" and "news.example/cut" in cut["message"] and cut["line"] == 2
    assert any(r["origin"] == str(run["warcs"]["garbled"]) and r["reason"] == "broken_record" for r in rejections)
    summary = run["summary"]
    assert summary.articles == len(articles) == 37 + 42 + 3
    assert summary.texts == 81  # /seed and /whole carry one text
    assert summary.rejected == reasons and summary.exit_code == 1


def _ledger(db: Path) -> tuple[list[dict], list[tuple]]:
    """The ledger's flat event rows (with their assessments), its texts and their publications."""
    with Store.for_reading(db) as store:
        events = sorted((flat_event(e) for e in store.events()), key=lambda e: e["event_id"])
        articles = sorted(store.conn.execute(
            "SELECT id, article_key, title, text, url, outlet, published FROM articles").fetchall())
        articles += sorted(store.conn.execute(
            "SELECT article_id, article_key, url, outlet, published FROM publications").fetchall())
    return events, articles


def test_ingest_events_loads_once_and_makes_the_ledger_of_ingest(run, invoke, tmp_path):
    spark_db, plain_db = tmp_path / "spark.db", tmp_path / "plain.db"
    first = invoke("ingest", "--events", str(run["output"]), "--db", str(spark_db))
    assert first.returncode == 0, first.stderr
    assert "82 article(s) read" in first.stderr and "82 stored" in first.stderr
    again = invoke("ingest", "--events", str(run["output"]), "--db", str(spark_db))
    assert again.returncode == 0, again.stderr
    assert "82 already in the ledger" in again.stderr

    # The same articles through `materiel ingest`: the WARC pages as the archive reader gives them.
    pages = tmp_path / "pages.jsonl"
    with pages.open("w") as fh:
        for warc in ("good", "truncated"):
            for item in read_archive(str(run["warcs"][warc])):
                if isinstance(item, Article):
                    fh.write(json.dumps(item.to_dict()) + "\n")
    plain = invoke("ingest", *map(str, DEV), str(pages), "--db", str(plain_db))
    assert plain.returncode == 0, plain.stderr

    spark_events, spark_articles = _ledger(spark_db)
    plain_events, plain_articles = _ledger(plain_db)
    # 81 texts (two WARC records hold one) and 82 publications
    assert spark_articles == plain_articles and len(spark_articles) == 81 + 82
    assert spark_events == plain_events  # the same events, ids and assessments
    assert all(e["assessment_id"] for e in spark_events)
    # Spark writes the events of each text once, under the record the ledger stores it under: the
    # WARC pages /seed and /whole (one text, the same date) give the events of /seed only.
    flat_written = sorted(_table(run["output"], "events"), key=lambda e: e["event_id"])
    assert len({e["event_id"] for e in flat_written}) == len(flat_written)
    assert "https://news.example/whole" not in {e["article_id"] for e in flat_written}
    assert [{**e, "assessment_id": None} for e in spark_events] == flat_written


def test_ingest_events_rejects_a_folder_that_is_no_output(invoke, tmp_path):
    result = invoke("ingest", "--events", str(tmp_path), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "no articles/ directory" in result.stderr


def test_spark_extract_command_reports_and_sets_the_exit_code(run, invoke, tmp_path):
    """The command on the module's running session, over WARC and Parquet files: one summary line,
    rejections counted, exit 1; a Parquet date column is read as the article's date."""
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [r for r in map(json.loads, DEV[0].read_text().splitlines()) if r["id"] in ("d101", "d102")]
    table = pa.table({"id": ["p1", "p2", "p3"], "title": [r["title"] for r in records] + ["no text"],
                      "text": [r["text"] for r in records] + [None],
                      "published": [datetime.date(2024, 5, 2)] * 3})
    pq.write_table(table, tmp_path / "articles.parquet")
    output = tmp_path / "out"
    result = invoke("spark-extract", str(run["warcs"]["good"]), str(run["warcs"]["garbled"]),
                    str(tmp_path / "articles.parquet"), "--output", str(output), "--master", "local[2]",
                    "--partitions", "2")
    assert result.returncode == 1, result.stderr
    assert ("4 article(s) extracted" in result.stderr and "4 rejection(s) (1 broken_record, 1 missing_text, "
            "1 not_article, 1 not_html)" in result.stderr), result.stderr
    articles = {row["article_id"]: row for row in _table(output, "articles")}
    assert set(articles) == {*PAGE_URLS, "p1", "p2"} and articles["p1"]["published"] == "2024-05-02"
    expected = invoke("extract", str(DEV[0]), "-q").stdout.splitlines()
    events = {row["article_id"]: row["events"] for row in map(json.loads, expected)}
    assert json.loads(articles["p1"]["interchange"])["events"] == events["d101"]
    (tmp_path / "empty").mkdir()
    nothing = invoke("spark-extract", str(tmp_path / "empty"), "--output", str(tmp_path / "o"))
    assert nothing.returncode == 2 and "no input files" in nothing.stderr


def test_input_files_lists_folders_by_path_and_by_uri(tmp_path):
    """A folder stands for the files under it, sorted, leaving out hidden ones and Spark's markers
    (`_SUCCESS`), whether named by path or by URI (s3:// and hdfs:// go the same way as file://)."""
    from materiel.spark import input_files

    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "sub/a.warc.gz", "_SUCCESS", ".hidden.jsonl"):
        (tmp_path / name).write_text("")
    assert input_files([str(tmp_path)]) == [str(tmp_path / "b.jsonl"), str(tmp_path / "sub" / "a.warc.gz")]
    assert input_files([f"file://{tmp_path}/"]) == [f"file://{tmp_path}/b.jsonl", f"file://{tmp_path}/sub/a.warc.gz"]


def _copies(spec: list[tuple[str, str, str | None, str | None, str | None]]) -> list[dict]:
    """dev's records under other ids, URLs, outlets and dates: (dev id, id, url, outlet, published)."""
    dev = {r["id"]: r for r in map(json.loads, DEV[0].read_text().splitlines())}
    return [{**dev[key], "id": new, "url": url, "outlet": outlet, "published": published}
            for key, new, url, outlet, published in spec]


# Three texts in seven records: d101's in three (the dated ones first by date, the undated last
# although its id is the smallest), d102's in two (no dates: the smaller id), d104's once; and a
# copy of d101's whose date is no date (rejected before anything is extracted). Each text's first
# record by the rule is also its first in the file, so `ingest` stores the text under it too.
SYNDICATED = [("d102", "a-3", "https://a.example/3", "A", None),
              ("d101", "wire-1", "https://a.example/1", "A", "2024-03-01"),
              ("d101", "wire-2", "https://b.example/2", "B", "2024-03-02"),
              ("d104", "solo", None, None, "2023-11-29"),
              ("d102", "b-7", "https://b.example/7", "B", None),
              ("d101", "bad-date", "https://c.example/x", "C", "last week"),
              ("d101", "wire-0", "https://c.example/0", "C", None)]
FIRST_OF_TEXT = {"wire-1", "a-3", "solo"}


def test_a_text_in_several_records_is_extracted_once(spark, invoke, tmp_path):
    """The same text in several records (a wire story in two outlets) is extracted once, under the
    record the rule picks; every record is a row of `articles` and a publication in the ledger, and
    the ledger `ingest --events` makes is the one `ingest` makes of the same records."""
    from materiel.spark import spark_extract

    records = _copies(SYNDICATED)
    source = tmp_path / "syndicated.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = spark_extract([str(source)], str(tmp_path / "out"), partitions=3, spark=spark)
    assert (summary.articles, summary.texts) == (6, 3) and summary.rejected == {"bad_field": 1}, summary

    articles = {row["article_id"]: row for row in _table(tmp_path / "out", "articles")}
    assert set(articles) == {r["id"] for r in records} - {"bad-date"}  # one row per record
    for r in records[:-2] + records[-1:]:
        row = articles[r["id"]]
        assert (row["url"], row["outlet"], row["published"]) == (r["url"], r["outlet"], r["published"])
    assert {key for key, row in articles.items() if row["extracted"]} == FIRST_OF_TEXT
    [bad] = _table(tmp_path / "out", "rejections")  # read from the file: rejected with its line
    assert (bad["origin"], bad["line"], bad["reason"]) == (str(source), 6, "bad_field")

    # The events are those `materiel extract` gives of the first record of each text, once.
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records if r["id"] in FIRST_OF_TEXT))
    lines = invoke("extract", str(first), "-q").stdout.splitlines()
    expected = {row["article_id"]: row for row in map(json.loads, lines)}
    assert sum(len(row["events"]) for row in expected.values()) > 3
    for row in articles.values():  # each record carries its text's line
        text_first = next(k for k in FIRST_OF_TEXT if articles[k]["article_hash"] == row["article_hash"])
        assert json.loads(row["interchange"]) == expected[text_first]
    events = _table(tmp_path / "out", "events")
    assert len({e["event_id"] for e in events}) == len(events)
    assert Counter(e["article_id"] for e in events) == {k: len(v["events"]) for k, v in expected.items() if v["events"]}
    assert all((e["url"], e["published"]) == (articles[e["article_id"]]["url"], articles[e["article_id"]]["published"])
               for e in events)

    # The ledger: three texts, six publications, the same events and assessments as `ingest` makes;
    # `ingest --events` reads the records the texts were extracted under first, to store them under.
    from materiel.ingest.archives import read_results

    assert {r.article.id for r in list(read_results(tmp_path / "out"))[:3]} == FIRST_OF_TEXT
    spark_db, plain_db = tmp_path / "spark.db", tmp_path / "plain.db"
    loaded = invoke("ingest", "--events", str(tmp_path / "out"), "--db", str(spark_db))
    assert loaded.returncode == 0, loaded.stderr
    plain = invoke("ingest", str(source), "--db", str(plain_db))
    assert plain.returncode == 1, plain.stderr  # the record with no date is rejected
    spark_events, spark_rows = _ledger(spark_db)
    plain_events, plain_rows = _ledger(plain_db)
    assert spark_rows == plain_rows and len(spark_rows) == 3 + 6
    assert spark_events == plain_events and len(spark_events) == len(events)
    assert {e["assessment_id"] for e in spark_events} == {e["assessment_id"] for e in plain_events} != {None}
    assert [{**e, "assessment_id": None} for e in spark_events] == sorted(events, key=lambda e: e["event_id"])


def test_a_text_whose_extraction_fails_rejects_each_of_its_records(spark):
    """`extract_events` on a DataFrame: a text that times out is extracted once and each record that
    carries it is rejected with the reason, under its own id; a record that is no article is rejected
    before anything is extracted."""
    from materiel.spark import extract_events

    records = _copies(SYNDICATED[:3] + SYNDICATED[5:6])
    found = extract_events(spark.createDataFrame(records, "id string, title string, text string, url string, "
                                                          "outlet string, published string"), time_budget=1e-9)
    try:
        rejected = {r["article_id"]: r["reason"] for r in found.rejections.collect()}
        assert rejected == {"a-3": "timeout", "wire-1": "timeout", "wire-2": "timeout", "bad-date": "bad_field"}
        assert found.results.count() == 0 and found.events.count() == 0
    finally:
        found.unpersist()
