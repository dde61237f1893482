"""Issue 13 #13: nothing from an input drives the terminal. Article ids, titles, texts, outlets and
file names holding escape sequences (OSC 52, which writes the clipboard; SGR colours; C1 CSI; a
right-to-left override) or rich markup reach the terminal escaped, in every command that prints
them: tables, `events`, `ledger`, `show`, `explain`, error lines. Data formats (JSON) keep the value
and write the controls as JSON escapes. The real CLI in-process (CliRunner): the bytes checked are the
bytes the commands write to standard output and error, as a terminal would get them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import IRAN_ARTICLE, CliResult, invoke_cli, write_jsonl

pytestmark = pytest.mark.slow

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # set the clipboard to "hello"
RED = "\x1b[31m"
C1 = "\x9b2J"  # CSI as one C1 byte: clear the screen
RLO = "\u202e"  # right-to-left override
# Anything that a terminal obeys: ESC, BEL, C1 controls, bidirectional overrides.
OBEYED = ("\x1b", "\x07", "\x9b", "\u202e")

HOSTILE = {
    **IRAN_ARTICLE,
    "id": f"[b]id{OSC52}{RED}x",
    "title": f"[bold red]Iran{RED} to send drones",
    "outlet": f"Wire{C1}{RLO}",
    "text": f"Iran agreed to send 6,000 drones{RED} to Russia{OSC52}{C1}{RLO}, an unnamed official told the Washington Post.",
}


def assert_inert(result: CliResult) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        for control in OBEYED:
            assert control not in stream, (control, stream[-2000:])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    return write_jsonl(folder / f"feed{RED}.jsonl", [HOSTILE])


@pytest.fixture(scope="module")
def ledger(corpus: Path) -> Path:
    db = corpus.parent / "ledger.db"
    result = invoke_cli("ingest", corpus, "--db", db, cwd=corpus.parent)
    assert result.returncode == 0, result.stderr
    assert_inert(result)
    return db


def test_extract_table_shows_the_id_and_text_escaped(corpus: Path) -> None:
    result = invoke_cli("extract", corpus, "-f", "table", cwd=corpus.parent)
    assert result.returncode == 0, result.stderr
    assert_inert(result)
    cells = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.count("│") > 2]
    # shown, not obeyed: the reader sees what the input held, rich markup included
    assert "".join(cells).startswith("[b]id\\x1b]52;c;aGVsbG8=\\x07\\x1b[31mx"), cells


def test_extract_jsonl_keeps_the_values_as_json_escapes(corpus: Path) -> None:
    result = invoke_cli("extract", corpus, cwd=corpus.parent)
    assert result.returncode == 0, result.stderr
    assert_inert(result)
    [row] = result.jsonl()
    assert row["article_id"] == HOSTILE["id"]  # the data itself is unchanged
    assert "\\u009b" in result.stdout and "\\u202e" in result.stdout


def test_events_ledger_and_show_print_nothing_the_terminal_obeys(ledger: Path) -> None:
    for args in (("events",), ("events", "-f", "jsonl"), ("ledger",), ("ledger", "-f", "jsonl")):
        result = invoke_cli(*args, "--db", ledger, cwd=ledger.parent)
        assert result.returncode == 0, (args, result.stderr)
        assert_inert(result)
    [flow] = invoke_cli("ledger", "--db", ledger, "-f", "jsonl", cwd=ledger.parent).jsonl()
    for fmt in ("text", "json"):
        shown = invoke_cli("show", flow["id"], "--db", ledger, "-f", fmt, cwd=ledger.parent)
        assert shown.returncode == 0, shown.stderr
        assert_inert(shown)
    assert "\\x1b[31m" in shown.stdout or "\\u001b[31m" in shown.stdout


def test_explain_prints_the_sentence_escaped(corpus: Path) -> None:
    result = invoke_cli("explain", corpus, "--all", cwd=corpus.parent)
    assert result.returncode == 0, result.stderr
    assert_inert(result)
    assert "drones\\x1b[31m to Russia" in result.stdout


def test_error_lines_escape_file_names_ids_and_field_values(tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / f"bad{OSC52}.jsonl", [{**HOSTILE, "published": f"2022{RED}"},
                                                        {"id": "x", "text": "[red]no", "url": 5}])
    missing = tmp_path / f"gone{RED}[bold].jsonl"
    result = invoke_cli("extract", bad, missing, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_inert(result)
    assert len(result.error_lines) == 3, result.stderr
    assert f"{tmp_path}/bad\\x1b]52;c;aGVsbG8=\\x07.jsonl:1: field 'published'" in result.stderr
    assert f"{tmp_path}/gone\\x1b[31m[bold].jsonl: no such file or directory" in result.stderr


def test_a_missing_ledger_and_an_unknown_assessment_are_escaped(ledger: Path, tmp_path: Path) -> None:
    missing = invoke_cli("events", "--db", tmp_path / f"no{OSC52}.db", cwd=tmp_path)
    assert missing.returncode == 2
    assert_inert(missing)
    assert "no\\x1b]52;c;aGVsbG8=\\x07.db" in missing.stderr
    unknown = invoke_cli("show", f"zz{RED}[bold]zz", "--db", ledger, cwd=tmp_path)
    assert unknown.returncode == 2
    assert_inert(unknown)
    assert "zz\\x1b[31m[bold]zz" in unknown.stderr


CAPTURED_AFTER_A_TERMINAL_IMPORT = """
import sys
import materiel.cli  # imported while standard output is a terminal (IPython, `pytest -s`)
from typer.testing import CliRunner
from materiel.cli import PIPE_WIDTH, app
run = CliRunner().invoke(app, ["events", "--db", sys.argv[1]], env={"COLUMNS": None})
lines = run.stdout.splitlines()
print("exit", run.exit_code, "escapes", sum(line.count("\\x1b") for line in lines),
      "too wide", sum(len(line) > PIPE_WIDTH for line in lines), "lines", len(lines))
"""


def test_a_run_captured_after_importing_from_a_terminal_prints_as_into_a_pipe(ledger: Path) -> None:
    """The CLI's consoles fixed their width and colours when it was imported: a program that imported
    it with a terminal on stdout and then ran a command captured (CliRunner) got colour codes and the
    terminal's width in the captured text. A pseudo-terminal, so a real process."""
    import os
    import pty
    import sys

    from support import clean_env

    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout is the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-c", CAPTURED_AFTER_A_TERMINAL_IMPORT, str(ledger)], clean_env())
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    report = seen.decode("utf-8", "replace").strip().splitlines()[-1]
    assert report.startswith("exit 0 escapes 0 too wide 0 lines "), report
    assert int(report.rsplit(" ", 1)[1]) > 4, report  # a table was printed
