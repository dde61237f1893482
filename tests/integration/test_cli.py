"""The `materiel` command end to end: real model, real SQLite files; in-process (CliRunner) but for what
needs its own process (worker processes, TMPDIR, Ctrl-C) and the demo run as the real console script."""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import (FOOTBALL_ARTICLE, GERMANY_ARTICLE, IRAN_ARTICLE, SAMPLE_ARTICLES, Cli, clean_env, full_text,
                     invoke_cli, write_jsonl)

pytestmark = pytest.mark.slow

SAMPLE_IDS = [a["id"] for a in SAMPLE_ARTICLES]
WIDE = {"COLUMNS": "320"}  # rich tables at full width, so cells are not folded


def assert_grounded(rows: list[dict], articles: dict[str, dict]) -> None:
    for row in rows:
        text = full_text(articles[row["article_id"]])
        for event in row["events"]:
            assert event["evidence"], event
            for ev in event["evidence"]:
                assert text[ev["start"]:ev["end"]] == ev["text"], (row["article_id"], ev)


def parties(row: dict) -> set[tuple[str, str, str]]:
    return {(e["type"], e["provider"], e["recipient"]) for e in row["events"]}


# --- extract ----------------------------------------------------------------------------------

def test_extract_jsonl_one_line_per_article_in_order(invoke: Cli, sample_articles: Path) -> None:
    result = invoke("extract", sample_articles, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = result.jsonl()
    assert len(result.stdout.splitlines()) == 3
    assert [r["article_id"] for r in rows] == SAMPLE_IDS
    assert rows[2] == {"article_id": "derby", "events": []}
    assert ("transfer", "IRN", "RUS") in parties(rows[0])
    assert ("transfer", "DEU", "UKR") in parties(rows[1])
    drones = [e for e in rows[0]["events"] if e["item"]["category"] == "uav"]
    assert drones and drones[0]["quantity"]["value"] == 6000
    tanks = [e for e in rows[1]["events"] if e["item"]["canonical"] == "Leopard 2"]
    assert tanks and tanks[0]["item"]["category"] == "armoured_vehicle"
    assert_grounded(rows, {a["id"]: a for a in SAMPLE_ARTICLES})


def test_extract_is_the_default_format_and_summary_counts_events(invoke: Cli, sample_articles: Path) -> None:
    result = invoke("extract", sample_articles)
    rows = result.jsonl()
    n_events = sum(len(r["events"]) for r in rows)
    assert result.summary == f"3 article(s) read; {n_events} event(s) found"
    quiet = invoke("extract", sample_articles, "-q")
    assert quiet.stdout == result.stdout
    assert quiet.stderr == ""


def test_extract_json_is_a_list(invoke: Cli, sample_articles: Path) -> None:
    jsonl = invoke("extract", sample_articles, "-q").jsonl()
    result = invoke("extract", sample_articles, "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    assert data == jsonl


def test_extract_table(invoke: Cli, sample_articles: Path) -> None:
    result = invoke("extract", sample_articles, "--format", "table", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "Extracted events" in result.stdout
    assert "IRN → RUS" in result.stdout and "DEU → UKR" in result.stdout
    assert "derby" not in result.stdout  # no events, no rows
    narrow = invoke("extract", sample_articles, "-f", "table")
    assert narrow.returncode == 0, narrow.stderr


def test_extract_table_shows_article_text_verbatim(invoke: Cli, tmp_path: Path) -> None:
    """Article text is data, never console markup ('[/i]' once crashed the table, '[sic]' vanished)."""
    # untitled, so the first evidence (the one the table shows) is this sentence
    article = dict(IRAN_ARTICLE, title="", text="Iran agreed to send 6,000 drones [sic] to Russia [/i], an unnamed "
                                                "official told the Washington Post.")
    source = write_jsonl(tmp_path / "brackets.jsonl", [article])
    assert invoke("extract", source, "-q").jsonl()[0]["events"], "precondition: the article has events"
    result = invoke("extract", source, "--format", "table", env=WIDE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "drones [sic] to Russia [/i]" in result.stdout


def test_extract_output_file(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "events.jsonl"
    target.parent.mkdir()
    result = invoke("extract", sample_articles, "-o", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert [json.loads(line)["article_id"] for line in target.read_text().splitlines()] == SAMPLE_IDS
    table = tmp_path / "events.txt"
    assert invoke("extract", sample_articles, "-f", "table", "--output", table).returncode == 0
    assert "IRN → RUS" in table.read_text()


def test_extract_stdin_jsonl(invoke: Cli, sample_articles: Path) -> None:
    from_file = invoke("extract", sample_articles, "-q")
    result = invoke("extract", "-", input=sample_articles.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stdout == from_file.stdout


def test_extract_stdin_plain_text(invoke: Cli) -> None:
    title = "Iran to send drones to Russia"
    body = IRAN_ARTICLE["text"]
    result = invoke("extract", "-", input=f"{title}\n{body}\n")
    assert result.returncode == 0, result.stderr
    [row] = result.jsonl()
    assert ("transfer", "IRN", "RUS") in parties(row)
    assert_grounded([row], {row["article_id"]: {"title": title, "text": body}})


def test_extract_txt_file_first_line_is_the_title(invoke: Cli, tmp_path: Path) -> None:
    path = tmp_path / "leopards-report.txt"
    title = "Tanks for Kyiv"
    body = GERMANY_ARTICLE["text"] + "\n\nThe first tanks are expected in March."
    path.write_text(f"\n{title}\n{body}\n", encoding="utf-8")
    result = invoke("extract", path)
    assert result.returncode == 0, result.stderr
    [row] = result.jsonl()
    assert row["article_id"] == "leopards-report"
    assert ("transfer", "DEU", "UKR") in parties(row)
    assert_grounded([row], {row["article_id"]: {"title": title, "text": body}})


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Germany to send Leopard tanks to Ukraine</title>
<script>var tracking = "SCRIPTMARKER Russia supplied 500 tanks to Iran";</script>
<style>.nav { color: red }</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<header><div class="logo">Daily Example</div><div class="cookie">We use cookies NAVMARKER</div></header>
<article>
<h1>Germany to send Leopard tanks to Ukraine</h1>
<p>Germany will deliver 14 Leopard 2 tanks to Ukraine, the government said on Wednesday, after weeks of
pressure from allies.</p>
<p>The decision follows a long debate in Berlin about the risks of escalation and the readiness of the
German army's own stocks, which officials described as thin.</p>
<p>Officials said the first tanks could arrive within three months.</p>
</article>
<footer><p>Copyright 2023 Daily Example. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
<script>console.log("SCRIPTMARKER2 North Korea shipped shells to Russia");</script>
</body></html>
"""


def test_extract_html_file(invoke: Cli, tmp_path: Path) -> None:
    path = tmp_path / "leopards.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    result = invoke("extract", path)
    assert result.returncode == 0, result.stderr
    [row] = result.jsonl()
    assert row["article_id"] == "leopards"
    assert ("transfer", "DEU", "UKR") in parties(row)
    assert "SCRIPTMARKER" not in result.stdout
    assert not {("transfer", "RUS", "IRN"), ("transfer", "PRK", "RUS")} & parties(row)
    for event in row["events"]:
        for ev in event["evidence"]:
            assert "tracking" not in ev["text"] and "console.log" not in ev["text"]
    # and the ledger keeps the cleaned text the evidence slices
    db = tmp_path / "html.db"
    assert invoke("ingest", path, "--db", db).returncode == 0
    with sqlite3.connect(db) as conn:
        [(title, text)] = conn.execute("SELECT title, text FROM articles").fetchall()
        assert "SCRIPTMARKER" not in text and "<p>" not in text and "Germany will deliver" in text
        for start, end, quote in conn.execute("SELECT start, \"end\", text FROM evidence"):
            assert (f"{title}\n\n{text}" if title else text)[start:end] == quote


def test_extract_directory(invoke: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", [IRAN_ARTICLE, FOOTBALL_ARTICLE])
    (folder / "sub" / "c.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "b.txt").write_text("Tanks for Kyiv\n" + GERMANY_ARTICLE["text"], encoding="utf-8")
    (folder / ".hidden.jsonl").write_text("this is not read", encoding="utf-8")
    result = invoke("extract", folder)
    assert result.returncode == 0, result.stderr  # the hidden file is left out on purpose, and says so
    assert [r["article_id"] for r in result.jsonl()] == ["iran-drones", "derby", "b", "c"]  # sorted paths
    assert result.error_lines == []
    assert f"note {folder}/.hidden.jsonl: hidden file skipped (its name starts with '.'); pass it by name to " \
           "read it" in result.stderr.splitlines()
    assert result.summary.startswith("4 article(s) read") and result.summary.endswith("1 directory entr(ies) left out (1 hidden)")


def test_extract_directory_with_an_unsupported_file(invoke: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [IRAN_ARTICLE])
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("extract", folder)
    assert result.returncode == 1
    assert [r["article_id"] for r in result.jsonl()] == ["iran-drones"]
    assert any("notes.csv" in line and "unsupported" in line for line in result.error_lines), result.stderr
    assert "1 input(s) skipped (1 unsupported_type)" in result.summary


def test_extract_missing_path(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    result = invoke("extract", tmp_path / "nope.jsonl", sample_articles)
    assert result.returncode == 1
    assert len(result.jsonl()) == 3
    assert any("nope.jsonl" in line for line in result.error_lines)
    assert "(1 not_found)" in result.summary


# --workers forks worker processes: a real process, not the test runner, is forked
def test_workers_give_the_same_output(cli: Cli, tmp_path: Path, shared_dir: Path) -> None:
    articles = shared_dir / "eval" / "dev" / "articles.jsonl"
    if not articles.exists():
        pytest.skip(f"{articles} missing")
    one = cli("extract", articles, "-q")
    two = cli("extract", articles, "-q", "--workers", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert len(one.lines) == len(articles.read_text().splitlines())
    assert two.stdout == one.stdout


# --workers forks worker processes (see above)
def test_workers_on_the_sample(cli: Cli, sample_articles: Path) -> None:
    one = cli("extract", sample_articles)
    two = cli("extract", sample_articles, "-w", "2")
    assert two.stdout == one.stdout
    assert two.summary == one.summary


# --- ingest and events ------------------------------------------------------------------------

def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "events", "sources", "evidence")}


def test_ingest_twice_stores_nothing_new(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    first = invoke("ingest", sample_articles, "--db", db)
    assert first.returncode == 0, first.stderr
    stored = counts(db)
    extracted = sum(len(r["events"]) for r in invoke("extract", sample_articles, "-q").jsonl())
    assert stored["articles"] == 3
    assert stored["events"] == extracted > 0
    assert "3 stored, 0 already in the ledger" in first.summary
    second = invoke("ingest", sample_articles, "--db", db)
    assert second.returncode == 0, second.stderr
    assert counts(db) == stored
    assert "0 stored, 3 already in the ledger" in second.summary


# --workers forks worker processes (see above)
def test_ingest_with_workers_stores_what_one_process_stores(cli: Cli, sample_articles: Path, tmp_path: Path) -> None:
    """`ingest --workers 2` failed ("SQLite objects created in a thread can only be used in that same
    thread") and stored nothing, while `extract --workers 2` worked."""
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert cli("ingest", sample_articles, "--db", one, "-q").returncode == 0
    result = cli("ingest", sample_articles, "--db", two, "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "3 stored, 0 already in the ledger" in result.summary
    assert counts(two) == counts(one) and counts(two)["events"] > 0

    def rows(db: Path) -> list[tuple]:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT e.id, e.json FROM events e ORDER BY e.id").fetchall() + \
                conn.execute("SELECT id, json FROM assessments ORDER BY id").fetchall()
    assert rows(two) == rows(one)


def test_syndicated_copies_are_one_text_and_three_publications(invoke: Cli, tmp_path: Path) -> None:
    """The same wire story carried by three outlets kept one row and its copies were dropped, while the
    summary said "3 stored". The text is kept once, each publication beside it; articles and outlets
    count publications, and independent origins stay those of one copy (a copy is not an origin)."""
    copies = [{**IRAN_ARTICLE, "id": f"iran-{n}", "outlet": outlet, "url": f"https://{n}.example/iran",
               "published": f"2022-10-1{6 + n}"} for n, outlet in enumerate(["Example Wire", "Reuters", "Al Jazeera"])]
    one, three = tmp_path / "one.db", tmp_path / "three.db"
    assert invoke("ingest", write_jsonl(tmp_path / "one.jsonl", copies[:1]), "--db", one, "-q").returncode == 0
    first = invoke("ingest", write_jsonl(tmp_path / "three.jsonl", copies), "--db", three)
    assert first.returncode == 0, first.stderr
    assert "3 stored (1 new text(s), 2 more publication(s) of a text already stored), 0 already in the ledger" \
        in first.summary
    with sqlite3.connect(three) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert conn.execute("SELECT outlet FROM publications ORDER BY rowid").fetchall() == \
            [("Example Wire",), ("Reuters",), ("Al Jazeera",)]
        assert counts(three)["events"] == counts(one)["events"] > 0

    def ledger(db: Path) -> dict:
        rows = invoke("ledger", "--db", db, "--format", "jsonl", "--type", "transfer").jsonl()
        return next(r for r in rows if (r["provider"], r["recipient"]) == ("IRN", "RUS"))
    alone, syndicated = ledger(one), ledger(three)
    assert (syndicated["articles"], syndicated["outlets"]) == (3, 3)
    assert syndicated["independent_origins"] == alone["independent_origins"] == 1
    assert syndicated["events"] == alone["events"]
    assert (syndicated["first_reported"], syndicated["last_reported"]) == ("2022-10-16", "2022-10-18")
    again = invoke("ingest", tmp_path / "three.jsonl", "--db", three)  # the same input again: nothing new
    assert "0 stored, 3 already in the ledger" in again.summary
    assert ledger(three) == syndicated
    dossier = json.loads(invoke("show", syndicated["id"], "--db", three, "--format", "json").stdout)
    assert [p["outlet"] for c in dossier["claims"] for p in c["publications"]] == \
        ["Example Wire", "Reuters", "Al Jazeera"]


def test_ingest_honours_materiel_db(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "from-env" / "ledger.db"
    result = invoke("ingest", sample_articles, env={"MATERIEL_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert counts(db)["articles"] == 3
    assert not (tmp_path / "materiel.db").exists()
    listed = invoke("events", "--format", "jsonl", env={"MATERIEL_DB": str(db)})
    assert listed.returncode == 0, listed.stderr
    assert len(listed.lines) == counts(db)["events"]
    # --db wins over the variable
    other = tmp_path / "other.db"
    assert invoke("ingest", sample_articles, "--db", other, env={"MATERIEL_DB": str(db)}).returncode == 0
    assert counts(other)["articles"] == 3


def test_ingest_default_ledger_in_working_directory(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = invoke("ingest", sample_articles, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert counts(workdir / "materiel.db")["articles"] == 3


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ledger of the three sample articles, shared by the read-only `events` tests."""
    folder = tmp_path_factory.mktemp("ledger")
    db = folder / "ledger.db"
    result = invoke_cli("ingest", write_jsonl(folder / "sample.jsonl", SAMPLE_ARTICLES), "--db", db, "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    return db


def test_events_jsonl_filters_by_provider(invoke: Cli, ledger: Path) -> None:
    result = invoke("events", "--db", ledger, "--provider", "IRN", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = result.jsonl()
    assert rows and all(r["provider"] == "IRN" for r in rows)
    assert {r["article_id"] for r in rows} == {"iran-drones"}
    assert all(r["published"] == "2022-10-16" and r["outlet"] == "Example Wire" for r in rows)
    everything = invoke("events", "--db", ledger, "-f", "jsonl").jsonl()
    assert len(everything) > len(rows)
    assert {r["provider"] for r in everything} >= {"IRN", "DEU"}
    assert invoke("events", "--db", ledger, "--provider", " IRN ", "-f", "jsonl").jsonl() == rows


def test_events_csv(invoke: Cli, ledger: Path) -> None:
    result = invoke("events", "--db", ledger, "--provider", "DEU", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["provider"] == "DEU" and r["recipient"] == "UKR" for r in rows)
    assert any(r["system"] == "Leopard 2" for r in rows)
    assert all(r["article_id"] == "leopards" and r["evidence"] for r in rows)


def test_events_table(invoke: Cli, ledger: Path) -> None:
    result = invoke("events", "--db", ledger, "--provider", "IRN", env=WIDE)
    assert result.returncode == 0, result.stderr
    n = len(invoke("events", "--db", ledger, "--provider", "IRN", "-f", "jsonl").lines)
    assert f"Events: {n} event(s)" in result.stdout
    assert "IRN → RUS" in result.stdout and "DEU" not in result.stdout


@pytest.mark.parametrize("args, expected", [
    (["--since", "2023-01-01"], {"leopards"}),
    (["--until", "2022-12-31"], {"iran-drones"}),
    (["--since", "2022-10-16", "--until", "2023-01-25"], {"iran-drones", "leopards"}),
    (["--since", "2024-01-01"], set()),
    (["--recipient", "UKR"], {"leopards"}),
    (["--type", "transfer", "--item", "Leopard 2"], {"leopards"}),
    (["--item", "uav"], {"iran-drones"}),
    (["--status", "cancelled"], set()),
])
def test_events_filters(invoke: Cli, ledger: Path, args: list[str], expected: set[str]) -> None:
    result = invoke("events", "--db", ledger, "-f", "jsonl", *args)
    assert result.returncode == 0, result.stderr
    assert {r["article_id"] for r in result.jsonl()} == expected


def test_events_limit(invoke: Cli, ledger: Path) -> None:
    assert len(invoke("events", "--db", ledger, "-f", "jsonl", "--limit", "1").lines) == 1


def test_events_without_a_ledger(invoke: Cli, tmp_path: Path) -> None:
    result = invoke("events", "--db", tmp_path / "missing.db")
    assert result.returncode == 2
    assert "no ledger" in result.stderr and "missing.db" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_ledger_paths_are_reported_verbatim(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    """Paths in error messages are data, not console markup.

    Regression: cli.fail() and the 'no ledger' message of `events` once printed the path inside a
    rich markup string unescaped, so a ledger path holding '[/red]' crashed the command with
    rich.errors.MarkupError (a traceback) and one holding '[bold]' lost that part of its name.
    """
    folder = tmp_path / "runs["
    folder.mkdir()
    missing = folder / "red].db"  # the path reads '.../runs[/red].db'
    result = invoke("events", "--db", missing)
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2
    assert str(missing) in result.stderr.replace("\n", "")

    not_a_db = folder / "notes].db"
    not_a_db.write_text("plain text, not SQLite " * 200, encoding="utf-8")
    result = invoke("ingest", sample_articles, "--db", not_a_db)
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2
    assert "cannot open the ledger" in result.stderr

    bold = tmp_path / "ledger[bold].db"
    bold.write_text("plain text, not SQLite " * 200, encoding="utf-8")
    result = invoke("ingest", sample_articles, "--db", bold)
    assert result.returncode == 2
    assert str(bold) in result.stderr.replace("\n", "")


# --- demo and eval ----------------------------------------------------------------------------

DEMO = Path(__file__).resolve().parents[2] / "src" / "materiel" / "samples" / "demo.jsonl"


# smoke test of the real console script: the demo end to end, in its own process
def test_demo(cli: Cli, tmp_path: Path) -> None:
    if not DEMO.exists():
        pytest.skip(f"the demo corpus {DEMO} is not written yet")
    db = tmp_path / "demo.db"
    result = cli("demo", "--db", db, env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "Events:" in result.stdout and "event(s)" in result.stdout
    assert "┃" in result.stdout or "|" in result.stdout  # a table was drawn
    assert f"ledger written to {db}" in result.stderr.replace("\n", "")
    n_demo = len([line for line in DEMO.read_text().splitlines() if line.strip()])
    assert counts(db)["articles"] == n_demo
    assert counts(db)["events"] > 0
    assert "assessment(s)" in result.stdout and "materiel show" in result.stderr  # the demo assesses too
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM assessments").fetchone()[0] > 0
    again = cli("demo", "--db", db, "--force")  # asked to: a fresh ledger, not an append
    assert again.returncode == 0 and counts(db)["articles"] == n_demo


def test_demo_refuses_an_existing_ledger_unless_forced(invoke: Cli, sample_articles: Path, tmp_path: Path) -> None:
    """`demo --db FILE` once replaced a 518-article ledger with the demo's articles, silently."""
    db = tmp_path / "mine.db"
    assert invoke("ingest", sample_articles, "--db", db, "-q").returncode == 0
    before = counts(db)
    refused = invoke("demo", "--db", db)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert counts(db) == before  # untouched
    other = tmp_path / "not-a-ledger.txt"
    other.write_text("my notes\n")
    assert invoke("demo", "--db", other).returncode == 2 and other.read_text() == "my notes\n"
    forced = invoke("demo", "--db", db, "--force")
    assert forced.returncode == 0, forced.stderr
    assert counts(db)["articles"] == len([line for line in DEMO.read_text().splitlines() if line.strip()])


# a subprocess: tempfile reads TMPDIR once per process, so only a fresh process sees the test's folder
def test_demo_without_db_leaves_no_temporary_folder(cli: Cli, tmp_path: Path) -> None:
    """`demo` once left a materiel-demo-* folder in the temp directory after every run."""
    if not DEMO.exists():
        pytest.skip(f"the demo corpus {DEMO} is not written yet")
    temp = tmp_path / "tmp"
    temp.mkdir()
    result = cli("demo", env={"TMPDIR": str(temp)})
    assert result.returncode == 0, result.stderr
    assert "assessment(s)" in result.stdout
    assert not (tmp_path / "materiel.db").exists()
    assert list(temp.iterdir()) == []
    assert "materiel demo --db demo.db" in result.stderr and "materiel ledger --db demo.db" in result.stderr


def test_demo_interrupted_leaves_no_temporary_folder(materiel_exe: Path, tmp_path: Path) -> None:
    """Ctrl-C while the demo runs ends it, and its temporary folder goes with it. On a busy machine the
    demo may finish before the signal lands (exit 0, its closing lines printed): then it is tried again."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    interrupted = False
    for _ in range(3):
        proc = subprocess.Popen([str(materiel_exe), "demo"], cwd=tmp_path, env=clean_env(TMPDIR=str(temp)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not list(temp.glob("materiel-demo-*")) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert list(temp.glob("materiel-demo-*")), "the demo made no temporary folder"
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert list(temp.iterdir()) == []
        finished = proc.returncode == 0 and b"materiel serve" in stderr
        if not finished:
            assert proc.returncode != 0
            interrupted = True
            break
    assert interrupted, "the demo finished before Ctrl-C three times"


def test_eval_matches_the_shared_scorer(invoke: Cli, tmp_path: Path, shared_dir: Path) -> None:
    gold = shared_dir / "eval" / "dev" / "gold.jsonl"
    articles = shared_dir / "eval" / "dev" / "articles.jsonl"
    scorer = shared_dir / "tools" / "score.py"
    for path in (gold, articles, scorer):
        if not path.exists():
            pytest.skip(f"{path} missing")
    ours = invoke("eval", gold, articles, "--json")
    assert ours.returncode == 0, ours.stderr
    ours_data = json.loads(ours.stdout)
    pred = tmp_path / "pred.jsonl"
    assert invoke("extract", articles, "-q", "-o", pred).returncode == 0
    theirs = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json"], capture_output=True,
                            text=True, check=True)
    theirs_data = json.loads(theirs.stdout)
    assert ours_data["articles"] == theirs_data["articles"]
    assert ours_data["events"] == theirs_data["events"]
    assert ours_data["by_type"] == theirs_data["by_type"]
    assert ours_data["slots"] == theirs_data["slots"]
    assert ours_data["events"]["tp"] > 0
    negatives = sum(1 for line in gold.read_text().splitlines() if line.strip() and not json.loads(line)["events"])
    assert ours_data["negative_articles"] == negatives


def test_eval_table(invoke: Cli, shared_dir: Path) -> None:
    gold = shared_dir / "eval" / "dev" / "gold.jsonl"
    articles = shared_dir / "eval" / "dev" / "articles.jsonl"
    result = invoke("eval", gold, articles, "--show-errors", "3", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "Events by type" in result.stdout and "Slot accuracy" in result.stdout
    assert "negative articles:" in result.stdout
