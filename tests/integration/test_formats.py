"""Issue 10 #5: one format choice wherever a list is printed, the same rows in every format, and
tables that fit a terminal but are not cut at 80 columns when piped.

In-process (`invoke`, whose stdout is not a terminal) on real SQLite ledgers; the terminal case in a
real pseudo-terminal with COLUMNS set, since only a real tty makes the CLI draw to its width."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

from materiel.exports.flat import EVIDENCE_JOINER
from materiel.exports.tables import safe_cell
from support import ASSESSMENT_SET, MATERIEL, SAMPLE_ARTICLES, Cli, clean_env, write_jsonl

FORMATS = ("table", "json", "jsonl", "csv")
EVIDENCE_SHOWN = 137  # the events table cuts evidence past 140 characters, with "..."
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def parsed(fmt: str, stdout: str) -> list[dict]:
    if fmt == "json":
        data = json.loads(stdout)
        assert isinstance(data, list)
        return data
    if fmt == "jsonl":
        return [json.loads(line) for line in stdout.splitlines()]
    return list(csv.DictReader(io.StringIO(stdout)))


def column_text(table: str, index: int) -> str:
    """Everything column `index` of a drawn table shows, its folded pieces joined, spaces dropped:
    a value is in the column when its text without spaces is in this."""
    pieces = []
    for line in table.splitlines():
        cells = re.split("[│┃]", line)
        if len(cells) > index + 2:
            pieces.append(cells[index + 1].strip())
    return "".join(pieces).replace(" ", "")


def shown(value: object) -> str:
    return str(value).replace(" ", "")


def as_text(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("command", ["events", "ledger"])
def test_stored_lists_give_the_same_rows_in_every_format(invoke: Cli, ledger: Path, command: str) -> None:
    out = {}
    for fmt in FORMATS:
        result = invoke(command, "--db", ledger, "--format", fmt)
        assert result.returncode == 0, (fmt, result.stderr)
        out[fmt] = result.stdout
    records = parsed("json", out["json"])
    assert len(records) > 10
    assert parsed("jsonl", out["jsonl"]) == records
    rows = parsed("csv", out["csv"])
    assert len(rows) == len(records)
    assert rows == [{k: as_text(safe_cell(v)) for k, v in r.items()} for r in records]
    if command == "ledger":
        assert f"Ledger: {len(records)} assessment(s)" in out["table"]
        ids = column_text(out["table"], 0)
        assert all(str(r["id"])[:10] in ids for r in records)
    else:
        assert f"Events: {len(records)} event(s)" in out["table"] and "Ledger:" not in out["table"]
        ids = column_text(out["table"], 0)  # the event id first: the review commands take it
        assert all(shown(r["event_id"]) in ids for r in records)
        evidence = column_text(out["table"], 9)
        assert all(shown(r["evidence"].split(EVIDENCE_JOINER)[0][:EVIDENCE_SHOWN]) in evidence for r in records)


def test_extract_gives_the_same_articles_and_events_in_every_format(invoke: Cli, tmp_path: Path) -> None:
    articles = write_jsonl(tmp_path / "in.jsonl", SAMPLE_ARTICLES)
    out = {}
    for fmt in FORMATS:
        result = invoke("extract", articles, "-q", "--format", fmt)
        assert result.returncode == 0, (fmt, result.stderr)
        out[fmt] = result.stdout
    results = parsed("json", out["json"])
    assert [r["article_id"] for r in results] == [a["id"] for a in SAMPLE_ARTICLES]
    assert parsed("jsonl", out["jsonl"]) == results
    events = [(r["article_id"], e) for r in results for e in r["events"]]
    assert events
    rows = parsed("csv", out["csv"])
    assert [(r["article_id"], r["type"], r["provider"], r["recipient"], r["status"]) for r in rows] == \
        [(a, e["type"], e["provider"], e["recipient"], e["status"]) for a, e in events]
    evidence = column_text(out["table"], 9)
    assert all(shown(e["evidence"][0]["text"][:EVIDENCE_SHOWN]) in evidence for _, e in events)
    # the event ids are those the ledger gives the same events, so an extracted row joins a stored one
    db = tmp_path / "ledger.db"
    assert invoke("ingest", articles, "--db", db, "-q").returncode == 0
    stored = parsed("jsonl", invoke("events", "--db", db, "-f", "jsonl").stdout)
    assert sorted(r["event_id"] for r in rows) == sorted(r["event_id"] for r in stored)


def test_a_piped_table_is_not_cut_at_80_columns(invoke: Cli, tmp_path: Path) -> None:
    """`extract --format table > file` was cut at 80 columns: the columns past the 80th were lost."""
    articles = write_jsonl(tmp_path / "in.jsonl", SAMPLE_ARTICLES)
    result = invoke("extract", articles, "-q", "--format", "table")
    assert result.returncode == 0, result.stderr
    widths = {cell_len(line) for line in result.stdout.splitlines() if "│" in line}
    assert len(widths) == 1 and widths.pop() > 80
    assert "evidence" in result.stdout and "confidence" in result.stdout


def test_show_prints_one_dossier_as_json_or_one_jsonl_line(invoke: Cli, ledger: Path) -> None:
    first = parsed("jsonl", invoke("ledger", "--db", ledger, "-f", "jsonl", "--limit", "1").stdout)[0]
    as_json = invoke("show", first["id"], "--db", ledger, "--format", "json")
    as_line = invoke("show", first["id"], "--db", ledger, "--format", "jsonl")
    assert as_json.returncode == 0 and as_line.returncode == 0, (as_json.stderr, as_line.stderr)
    assert len(as_line.stdout.splitlines()) == 1
    assert json.loads(as_line.stdout) == json.loads(as_json.stdout)
    assert json.loads(as_line.stdout)["id"] == first["id"]


def test_eval_takes_format_and_keeps_json_as_an_alias(invoke: Cli, tmp_path: Path) -> None:
    articles = write_jsonl(tmp_path / "in.jsonl", SAMPLE_ARTICLES)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(invoke("extract", articles, "-q").stdout, encoding="utf-8")
    new = invoke("eval", gold, articles, "--format", "json")
    old = invoke("eval", gold, articles, "--json")
    table = invoke("eval", gold, articles, "-f", "table")
    assert new.returncode == old.returncode == table.returncode == 0, (new.stderr, old.stderr, table.stderr)
    assert json.loads(new.stdout) == json.loads(old.stdout)
    assert json.loads(new.stdout)["events"]["f1"] == 1.0
    assert "--format json" in old.stderr  # the old flag works and says what replaces it
    assert "Events by type" in table.stdout
    assert "--json" not in invoke("eval", "--help").stdout


def test_eval_assess_takes_format_json(invoke: Cli) -> None:
    result = invoke("eval-assess", ASSESSMENT_SET / "gold.jsonl", ASSESSMENT_SET / "articles.jsonl", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) >= {"pairwise", "per_flow"}


def on_terminal(cwd: Path, columns: int, *args: object) -> str:
    """`materiel ARGS` with its stdout on a real pseudo-terminal `columns` wide; what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen([str(MATERIEL), *map(str, args)], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, cwd=cwd, env=clean_env(COLUMNS=str(columns), TERM="xterm"))
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr.decode()
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [60, 100])
def test_a_table_on_a_terminal_fits_its_width_and_loses_nothing(ledger: Path, columns: int) -> None:
    """At any width every line fits, and folded cells still hold each value whole (no '…')."""
    listed = subprocess.run([str(MATERIEL), "ledger", "--db", str(ledger), "-f", "jsonl"], check=True,
                            capture_output=True, env=clean_env(), cwd=ledger.parent).stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    text = on_terminal(ledger.parent, columns, "ledger", "--db", ledger)
    assert max(cell_len(line) for line in text.splitlines()) <= columns
    assert "…" not in text
    items = column_text(text, 3)
    assert all(shown(r["item"]) in items for r in rows), text
    events = on_terminal(ledger.parent, columns, "events", "--db", ledger, "--limit", "3")
    assert max(cell_len(line) for line in events.splitlines()) <= columns
