"""Issue 13 #14 and #15: no input is lost without a word, and the words stay readable.

Inside a directory, every entry that is not read (hidden, a broken or looping link, a link to a
directory, a FIFO) is one error line naming it and why, counted in the summary, exit 1. A FIFO or
/dev/stdin given by name is read as a stream; standard input is read line by line, a line over
the limit rejected and the rest read. A file with thousands of bad lines prints ten and one line
saying how many more. A bug exits 3, not 1 like bad input. Real files, FIFOs and subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from materiel.cli import MAX_ERRORS_PER_FILE, app
from materiel.errors import EXIT_INTERNAL
from materiel.ingest.readers import MAX_LINE_BYTES
from support import GERMANY_ARTICLE, IRAN_ARTICLE, clean_env, run_cli, write_jsonl

pytestmark = pytest.mark.slow


def invoke(*args: object, input: bytes | str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env={"MATERIEL_DB": None})


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error ")]


def test_every_directory_entry_not_read_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / "sub").mkdir()
    write_jsonl(folder / "good.jsonl", [IRAN_ARTICLE])
    write_jsonl(folder / "sub" / "more.jsonl", [GERMANY_ARTICLE])
    write_jsonl(folder / ".draft.jsonl", [GERMANY_ARTICLE])
    write_jsonl(folder / ".git" / "config.jsonl", [GERMANY_ARTICLE])
    (folder / "dangling.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    (folder / "loop-a.jsonl").symlink_to(folder / "loop-b.jsonl")
    (folder / "loop-b.jsonl").symlink_to(folder / "loop-a.jsonl")
    (folder / "parent").symlink_to(tmp_path)
    os.mkfifo(folder / "feed.jsonl")
    run = invoke("extract", folder)
    assert run.exit_code == 1, run.output
    assert [json.loads(line)["article_id"] for line in run.stdout.splitlines()] == ["iran-drones", "leopards"]
    assert [line for line in run.stderr.splitlines() if line.startswith(("error ", "note "))] == [
        f"note {folder}/.draft.jsonl: hidden file skipped (its name starts with '.'); pass it by name to read it",
        f"note {folder}/.git: hidden directory skipped (its name starts with '.'); pass it by name to read it",
        f"error {folder}/dangling.jsonl: broken symbolic link (its target does not exist)",
        f"error {folder}/feed.jsonl: not a regular file (a FIFO); pass it by name to read it as a stream",
        f"error {folder}/loop-a.jsonl: symbolic link loop (following it never reaches a file)",
        f"error {folder}/loop-b.jsonl: symbolic link loop (following it never reaches a file)",
        f"note {folder}/parent: symbolic link to a directory, not followed; pass the directory it points to "
        "by name to read it",
    ]
    assert run.stderr.splitlines()[-1].endswith(
        "4 input(s) skipped (1 broken_link, 2 link_loop, 1 special_file); "
        "3 directory entr(ies) left out (1 directory_link, 2 hidden)")


def test_a_fifo_given_by_name_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:  # blocks until the command opens it to read
            fh.write(json.dumps(IRAN_ARTICLE) + "\n" + json.dumps(GERMANY_ARTICLE) + "\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    run = invoke("extract", fifo)
    writer.join(timeout=10)
    assert run.exit_code == 0, run.output
    assert [json.loads(line)["article_id"] for line in run.stdout.splitlines()] == ["iran-drones", "leopards"]


def test_dev_stdin_given_by_name_is_read(tmp_path: Path) -> None:
    if not Path("/dev/stdin").exists():
        pytest.skip("no /dev/stdin here")
    # a subprocess: /dev/stdin names file descriptor 0, which only a real process can be given as a pipe
    result = run_cli("extract", "/dev/stdin", cwd=tmp_path, input=json.dumps(IRAN_ARTICLE) + "\n")
    assert result.returncode == 0, result.stderr
    assert [row["article_id"] for row in result.jsonl()] == ["iran-drones"]


def test_a_line_over_the_limit_on_standard_input_is_rejected_and_the_rest_read() -> None:
    long_line = json.dumps({"id": "long", "text": "x" * (MAX_LINE_BYTES + 10)})
    data = "\n".join([json.dumps(IRAN_ARTICLE), long_line, json.dumps(GERMANY_ARTICLE)]) + "\n"
    run = invoke("extract", "-", input=data.encode())
    assert run.exit_code == 1, run.output[-2000:]
    assert [json.loads(line)["article_id"] for line in run.stdout.splitlines()] == ["iran-drones", "leopards"]
    assert error_lines(run.stderr) == [f"error <stdin>:2: line is {len(long_line) + 1:,} bytes; the limit is "
                                       f"{MAX_LINE_BYTES:,}"]


def test_blank_lines_before_standard_input_keep_line_numbers() -> None:
    run = invoke("extract", "-", input=b"\n \n\n{broken\n" + json.dumps(IRAN_ARTICLE).encode() + b"\n")
    assert run.exit_code == 1, run.output
    assert error_lines(run.stderr)[0].startswith("error <stdin>:4: not valid JSON")


def test_bad_lines_are_summed_up_after_ten_per_file(tmp_path: Path) -> None:
    noisy = tmp_path / "noisy.jsonl"
    noisy.write_text(json.dumps(IRAN_ARTICLE) + "\n" + "{not json\n" * 500 + json.dumps(GERMANY_ARTICLE) + "\n",
                     encoding="utf-8")
    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text("{not json\n" * 3, encoding="utf-8")
    run = invoke("extract", noisy, quiet)
    assert run.exit_code == 1, run.output[-2000:]
    errors = error_lines(run.stderr)
    assert len(errors) == MAX_ERRORS_PER_FILE + 3
    assert all(e.startswith(f"error {noisy}:") for e in errors[:MAX_ERRORS_PER_FILE])
    lines = run.stderr.splitlines()
    assert lines[-2] == f"... and {500 - MAX_ERRORS_PER_FILE:,} more rejected line(s) in {noisy}"
    assert lines[-1].endswith("503 input(s) skipped (503 malformed_json)")


CRASHING = """
import sys
from materiel.cli import main
from materiel.extract.extractor import Extractor

class Crashing(Extractor):  # a bug outside the per-article guard: the whole stream of results fails
    def extract_each(self, articles, batch_size=0):
        for article in articles:
            raise ZeroDivisionError(f"planted crash at {article.id}")
            yield

sys.argv = ["materiel", *sys.argv[1:]]
main(obj=Crashing())
"""


def test_a_crash_exits_3_with_one_line(tmp_path: Path) -> None:
    # a subprocess: the guard is main(), the console script's entry, which ends the process with sys.exit
    source = write_jsonl(tmp_path / "in.jsonl", [IRAN_ARTICLE])
    run = subprocess.run([sys.executable, "-c", CRASHING, "extract", str(source)], capture_output=True, text=True,
                         env=clean_env(), timeout=300)
    assert run.returncode == EXIT_INTERNAL, run.stderr
    assert "Traceback" not in run.stderr
    assert error_lines(run.stderr) == ["error internal error: ZeroDivisionError: planted crash at iran-drones (a bug "
                                       "in materiel; rerun with --debug for the traceback and please report it)"]
    debug = subprocess.run([sys.executable, "-c", CRASHING, "extract", str(source), "--debug"], capture_output=True,
                           text=True, env=clean_env(), timeout=300)
    assert debug.returncode == EXIT_INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr and "planted crash" in debug.stderr
