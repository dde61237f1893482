"""What a careful tester broke (issue 8): outputs that would destroy inputs or the ledger, write errors,
closed pipes, paths that cannot be used, odd input, reading without write access, and the server's
banner. In-process CliRunner where the OS does not matter; a subprocess where it does (/dev/full,
pipes, permissions, a listening port)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from materiel.cli import PIPE_CLOSED_EXIT, app
from materiel.model import Article, ArticleResult, Category, Event, EventType, Evidence, Item, Source, SourceKind, Status
from support import MATERIEL, IRAN_ARTICLE, assessed_ledger, clean_env, write_jsonl

ARTICLE = Article(id="iran", title="Iran to send drones", text="Iran agreed to send 6,000 drones to Russia.",
                  outlet="Wire", published="2022-10-16", origin="a.jsonl:1")
QUOTE = "Iran agreed to send 6,000 drones to Russia."


def result() -> ArticleResult:
    start = ARTICLE.full_text.index(QUOTE)
    event = Event(EventType.TRANSFER, "IRN", "RUS", Item(Category.UAV, "drones"), Status.AGREED,
                  evidence=(Evidence(start, start + len(QUOTE), QUOTE),), article_id=ARTICLE.id,
                  sources=(Source("the article", SourceKind.AUTHOR),))
    return ArticleResult(ARTICLE, (event,))


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return assessed_ledger(tmp_path / "ledger.db", [result()])


def invoke(*args: object, input: bytes | str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env={"MATERIEL_DB": None, **(env or {})})


def one_error_line(output: str) -> str:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error ")]
    assert len(errors) == 1, output
    return errors[0]


def ledger_intact(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM assessments").fetchone()[0]


# --- outputs that are inputs or the ledger ------------------------------------------------------

def test_export_onto_its_own_ledger_is_refused(ledger: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(ledger)
    before = ledger.read_bytes()
    for args, env in ((["--db", ledger, "-o", ledger], None), (["-o", ledger], {"MATERIEL_DB": str(ledger)}),
                      (["--db", ledger, "-o", link], None)):
        run = invoke("export", "--format", "csv", *args, env=env)
        assert run.exit_code == 2, run.output
        assert "refusing to write" in one_error_line(run.output)
        assert "assessment(s) written" not in run.output
    assert ledger.read_bytes() == before and ledger_intact(ledger) == 1
    assert not list(tmp_path.glob("*.part"))


def test_extract_onto_its_own_input_is_refused(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "input.jsonl", [IRAN_ARTICLE])
    before = source.read_bytes()
    link = tmp_path / "alias.jsonl"
    link.symlink_to(source)
    for target in (source, link, tmp_path / "inside.jsonl"):
        inputs = [tmp_path] if target.name == "inside.jsonl" else [source]
        run = invoke("extract", *inputs, "-o", target)
        assert run.exit_code == 2, run.output
        assert "refusing to write" in one_error_line(run.output)
    assert source.read_bytes() == before
    assert not (tmp_path / "inside.jsonl").exists()


@pytest.mark.parametrize("where", ["missing", "directory"])
def test_output_into_a_missing_directory_or_onto_a_directory(ledger: Path, tmp_path: Path, where: str) -> None:
    target = tmp_path / "no" / "such" / "out.csv" if where == "missing" else tmp_path
    run = invoke("export", "--format", "csv", "--db", ledger, "-o", target)
    assert run.exit_code == 2
    assert f"cannot write {target}" in one_error_line(run.output)


# --- write errors -------------------------------------------------------------------------------

# The real console script, for what needs a process of its own: stdout on a real file descriptor
# (/dev/full, a closed pipe), a resource limit, dropped privileges, a listening server.
def run_materiel(*args: object, stdout=subprocess.PIPE, input: bytes | None = None, preexec_fn=None,
                 prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, str(MATERIEL), *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          input=input, env=clean_env(), timeout=300, preexec_fn=preexec_fn)


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full (a character device)")
@pytest.mark.slow
def test_a_full_device_is_an_error_not_a_success(ledger: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "input.jsonl", [IRAN_ARTICLE])
    with open("/dev/full", "wb") as full:  # (`-o /dev/full` is refused as a device: see below)
        runs = [run_materiel("export", "-f", "csv", "--db", ledger, stdout=full),
                run_materiel("extract", source, "-q", stdout=full)]
    for run in runs:
        stderr = run.stderr.decode()
        assert run.returncode == 2, stderr
        assert "No space left on device" in one_error_line(stderr)
        assert "assessment(s) written" not in stderr and "article(s) read" not in stderr
    assert Path("/dev/full").is_char_device()


def test_a_part_symlink_planted_beside_the_output_is_never_followed(ledger: Path, tmp_path: Path) -> None:
    """`export -o out.csv` used to open `out.csv.part` by name, writing through a symlink planted there."""
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours\n")
    target = tmp_path / "out.csv"
    planted = tmp_path / "out.csv.part"
    planted.symlink_to(victim)
    run = invoke("export", "--format", "csv", "--db", ledger, "-o", target)
    assert run.exit_code == 0, run.output
    assert victim.read_text() == "not yours\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)  # left alone, not renamed over the output
    assert not target.is_symlink() and target.read_text().startswith("id,")
    assert sorted(p.name for p in tmp_path.glob("*.part")) == ["out.csv.part"]  # no part file of ours left


def test_an_output_keeps_the_permissions_a_new_file_gets_or_the_old_one_had(ledger: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.csv"
    assert invoke("export", "--format", "csv", "--db", ledger, "-o", fresh).exit_code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    old = tmp_path / "old.csv"
    old.write_text("previous\n")
    old.chmod(0o640)
    assert invoke("export", "--format", "csv", "--db", ledger, "-o", old).exit_code == 0
    assert old.stat().st_mode & 0o777 == 0o640 and old.read_text().startswith("id,")


@pytest.mark.parametrize("kind", ["fifo", "device", "symlink to a device"])
def test_special_files_are_refused_as_outputs(ledger: Path, tmp_path: Path, kind: str) -> None:
    """A device node or a FIFO given to -o was replaced by a regular file (renamed over) or written to."""
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    else:
        device = Path("/dev/null")
        if not device.is_char_device():
            pytest.skip("needs /dev/null")
        target = device if kind == "device" else tmp_path / "null-link"
        if kind != "device":
            target.symlink_to(device)
    run = invoke("export", "--format", "csv", "--db", ledger, "-o", target)  # a FIFO would block a writer
    assert run.exit_code == 2, run.output
    line = one_error_line(run.output)
    assert "refusing to write" in line and ("FIFO" in line or "device" in line)
    assert "assessment(s) written" not in run.output
    if kind == "fifo":
        assert target.is_fifo()
    assert Path("/dev/null").is_char_device()
    assert not list(tmp_path.glob("*.part")) and not list(Path("/dev").glob("null.*.part"))
    extract = invoke("extract", write_jsonl(tmp_path / "in.jsonl", [IRAN_ARTICLE]), "-q", "-o", target)
    assert extract.exit_code == 2 and "refusing to write" in one_error_line(extract.output)


def test_a_failed_write_leaves_the_old_file_and_no_part(ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n")

    def small_files() -> None:  # no file may pass 64 KiB: the export of a longer brief fails half-way (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    run = run_materiel("export", "-f", "brief-md", "--title", "long " * 20_000, "--db", ledger, "-o", target,
                       preexec_fn=small_files)
    stderr = run.stderr.decode()
    assert run.returncode == 2, stderr
    assert f"cannot write {target}" in one_error_line(stderr)
    assert target.read_text() == "the previous export\n"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(ledger: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "input.jsonl", [IRAN_ARTICLE] * 3)
    for args in (["extract", source, "-q"], ["events", "--db", ledger, "-f", "jsonl"],
                 ["export", "-f", "jsonl", "--db", ledger]):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader is gone before the first byte: every write meets a closed pipe
        try:
            run = run_materiel(*args, stdout=write_end)
        finally:
            os.close(write_end)
        stderr = run.stderr.decode()
        assert run.returncode == PIPE_CLOSED_EXIT, stderr
        assert stderr == "", stderr


# --- paths and inputs that used to end in a traceback -----------------------------------------------

def test_unusable_ledger_paths_are_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    source = write_jsonl(tmp_path / "input.jsonl", [IRAN_ARTICLE])
    for db in (afile / "x.db", tmp_path / ("a" * 5000), tmp_path / ("d" * 300) / "x.db"):
        run = invoke("ingest", source, "--db", db, "-q")
        assert run.exit_code == 2, run.output
        assert "cannot open the ledger" in one_error_line(run.output)
    assert afile.read_text() == "not a directory"


@pytest.mark.slow
def test_odd_file_names_on_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "new\nline.jsonl", [IRAN_ARTICLE])
    bad = os.fsencode(folder) + b"/bad\xff name.txt"
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write("Tanks for Kyiv\nGermany will deliver 14 Leopard 2 tanks to Ukraine, the government said.\n")
    (folder / "empty\x1b[31m.txt").write_text("")
    run = invoke("ingest", folder, "--db", tmp_path / "l.db")
    assert run.exit_code == 1, run.output  # the empty file is rejected, the two others stored
    assert "Traceback" not in run.output
    assert "empty\\x1b[31m.txt: file is empty" in run.output
    with sqlite3.connect(tmp_path / "l.db") as conn:
        origins = sorted(row[0] for row in conn.execute("SELECT origin FROM articles"))
    assert origins == [f"{folder}/bad\\xff name.txt", f"{folder}/new\\nline.jsonl:1"]


def test_too_deep_json_on_standard_input_is_one_error_line() -> None:
    run = invoke("extract", "-", input=b"[" * 100_000)
    assert run.exit_code == 2, run.output
    assert "nested too deeply" in one_error_line(run.output)


def test_a_lone_surrogate_on_standard_input_is_read_as_a_replacement_character() -> None:
    run = invoke("extract", "-", "-q", input=b'{"id": "x", "text": "Iran sent \\ud800 200 drones to Russia."}\n')
    assert run.exit_code == 0, run.output
    [line] = run.stdout.splitlines()
    [event] = json.loads(line)["events"]
    assert (event["provider"], event["recipient"]) == ("IRN", "RUS")
    assert "\ufffd" in event["evidence"][0]["text"] and "Traceback" not in run.output


def without_privileges() -> tuple[str, ...]:
    """A command prefix under which file permissions apply, even for root (no capabilities)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to apply")
    prefix = (setpriv, "--bounding-set=-all", "--inh-caps=-all")
    if subprocess.run([*prefix, "true"]).returncode != 0:
        pytest.skip("cannot drop capabilities here (setpriv refused): permissions cannot be made to apply")
    return prefix


@pytest.mark.slow
def test_unreadable_files_and_sub_directories_are_reported(tmp_path: Path) -> None:
    prefix = without_privileges()
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    write_jsonl(folder / "good.jsonl", [IRAN_ARTICLE])
    write_jsonl(folder / "locked" / "hidden.jsonl", [IRAN_ARTICLE])
    write_jsonl(folder / "secret.jsonl", [IRAN_ARTICLE])
    (folder / "secret.jsonl").chmod(0)
    (folder / "locked").chmod(0)
    try:
        run = run_materiel("extract", folder, prefix=prefix)
    finally:
        (folder / "locked").chmod(0o755)
    stderr = run.stderr.decode()
    assert run.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert f"{folder}/locked: cannot list directory: Permission denied" in stderr
    assert f"{folder}/secret.jsonl: cannot read: Permission denied" in stderr
    assert len(run.stdout.decode().splitlines()) == 1


# --- reading without write access ---------------------------------------------------------------

@pytest.fixture
def read_only_ledger(ledger: Path, tmp_path: Path):
    """The ledger as a read-only file in a read-only directory (restored afterwards for cleanup)."""
    ledger.chmod(0o444)
    tmp_path.chmod(0o555)
    yield ledger
    tmp_path.chmod(0o755)
    ledger.chmod(0o644)


def test_reading_needs_no_write_access(read_only_ledger: Path) -> None:
    prefix = without_privileges()
    assessment = json.loads(run_materiel("ledger", "--db", read_only_ledger, "-f", "jsonl", prefix=prefix).stdout)
    for args in (["ledger"], ["events", "-f", "jsonl"], ["show", assessment["id"]], ["export", "-f", "csv"]):
        run = run_materiel(*args, "--db", read_only_ledger, prefix=prefix)
        assert run.returncode == 0, run.stderr.decode()
        assert run.stdout.strip()
        assert "IRN" in run.stdout.decode() or "Iran" in run.stdout.decode()


def test_an_outdated_ledger_read_without_write_access_says_what_to_do(ledger: Path, tmp_path: Path) -> None:
    prefix = without_privileges()
    with sqlite3.connect(ledger) as conn:  # back to the layout before the search index
        conn.execute("DROP TABLE migrations")
        conn.execute("DELETE FROM meta WHERE key = 'search_index'")
    ledger.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        run = run_materiel("ledger", "--db", ledger, prefix=prefix)
    finally:
        tmp_path.chmod(0o755)
    stderr = run.stderr.decode()
    assert run.returncode == 2, stderr
    assert "open it writable once" in one_error_line(stderr)


# --- serve ----------------------------------------------------------------------------------------

def test_serve_on_a_busy_port_prints_no_banner(ledger: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = run_materiel("serve", "--db", ledger, "--port", busy.getsockname()[1])
    stderr = run.stderr.decode()
    assert run.returncode == 2, stderr
    assert "Address already in use" in one_error_line(stderr)
    assert "serving" not in stderr


def test_serve_read_only_on_port_0_names_the_real_port(read_only_ledger: Path) -> None:
    prefix = without_privileges()
    proc = subprocess.Popen([*prefix, str(MATERIEL), "serve", "--db", str(read_only_ledger), "--port", "0",
                             "--read-only"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=clean_env())
    try:
        banner = proc.stderr.readline() if proc.stderr else ""
        assert "serving" in banner, banner
        port = int(banner.split("http://127.0.0.1:")[1].split(" ")[0])
        assert port != 0
        response = httpx.get(f"http://127.0.0.1:{port}/api/assessments", timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
