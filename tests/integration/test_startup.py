"""Start-up: the commands that do not extract never import spaCy, so `materiel --help`, `--version`,
`ledger`, `events`, `show` and `export` start in a fraction of a second (bench/bench_startup.py
gives the times). Each check runs in a fresh interpreter: the test process itself has spaCy loaded."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from support import SAMPLE_ARTICLES, Cli, assessed_ledger, clean_env, write_jsonl

# Runs the CLI's entry point in this interpreter, then says on a last line whether spaCy was imported.
RUN_CLI_IN_PROCESS = """\
import sys
from materiel.cli import main
sys.argv = ["materiel", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    status = exit.code
else:
    status = 0
print("spacy imported:", "spacy" in sys.modules)
sys.exit(status)
"""


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=clean_env(), cwd=cwd,
                          timeout=120)


def test_importing_the_cli_does_not_import_spacy(tmp_path: Path) -> None:
    done = python("-c", "import materiel, materiel.cli, materiel.service, sys; print('spacy' in sys.modules)",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_extract_function_still_extracts_after_a_light_import(tmp_path: Path) -> None:
    """`materiel.extract` stays the function (not the subpackage) once the extractor loads on first use."""
    done = python("-c", "import materiel, sys\n"
                  "events = materiel.extract('Iran agreed to send 6,000 drones to Russia.', published='2022-11-01')\n"
                  "print(callable(materiel.extract), 'spacy' in sys.modules, [(e.provider, e.recipient) for e in events])",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    callable_, spacy, pairs = done.stdout.strip().split(" ", 2)
    assert (callable_, spacy) == ("True", "True")
    assert "IRN" in pairs and "RUS" in pairs


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real, assessed ledger of the three sample articles (extracted here, in the test process)."""
    from materiel.extract.extractor import shared_extractor
    from materiel.ingest.readers import read_inputs
    from materiel.model import Article

    folder = tmp_path_factory.mktemp("startup")
    articles = [a for a in read_inputs([str(write_jsonl(folder / "sample.jsonl", SAMPLE_ARTICLES))])
                if isinstance(a, Article)]
    return assessed_ledger(folder / "ledger.db", list(shared_extractor().extract_many(articles)))


def first_assessment_id(ledger: Path) -> str:
    from materiel.store.sqlite import AssessmentFilter, Store

    with Store.for_reading(ledger) as store:
        return store.assessment_rows(AssessmentFilter(), 1)[0]["id"]


@pytest.mark.parametrize("args", [
    ["--help"],
    ["-h"],
    ["--version"],
    ["ledger", "--limit", "1"],
    ["events", "--limit", "1", "--format", "jsonl"],
    ["export", "--format", "csv"],
    ["show", "FIRST"],
], ids=lambda args: " ".join(args))
def test_reading_commands_do_not_import_spacy(args: list[str], ledger: Path, tmp_path: Path) -> None:
    args = [first_assessment_id(ledger) if a == "FIRST" else a for a in args]
    db = ["--db", str(ledger)] if args[0] in ("ledger", "events", "export", "show") else []
    done = python("-c", RUN_CLI_IN_PROCESS, *args, *db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    output, last = done.stdout.rstrip().rsplit("\n", 1)
    assert last == "spacy imported: False"
    assert output.strip(), "the command printed nothing"


# smoke tests of the real console script (its exit code and output as a shell sees them)
def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith(f"materiel {version('materiel')} (spaCy model en_core_web_sm")
    assert result.stderr == ""


def test_h_is_help(cli: Cli) -> None:
    for args in (["-h"], ["ledger", "-h"]):
        short, long = cli(*args), cli(*args[:-1], "--help")
        assert short.returncode == long.returncode == 0, short.stderr
        assert short.stdout == long.stdout
        assert "Usage:" in short.stdout
