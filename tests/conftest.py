"""Shared fixtures: the real `materiel` console script run as a subprocess, the real spaCy model
and knowledge base, and small corpora.

Nothing here is mocked: the CLI runs in its own process with the installed spaCy model, and
every ledger is a real SQLite file under pytest's tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from materiel.knowledge.base import KnowledgeBase, load_knowledge
from materiel.nlp.pipeline import load_model
from materiel.nlp.scan import Scanner
from support import (ASSESSMENT_SET, MATERIEL, SAMPLE_ARTICLES, SHARED, Cli, CliResult, Server, assessed_ledger,
                     headless_chromium, invoke_cli, run_cli, write_jsonl)


@pytest.fixture(scope="session")
def materiel_exe() -> Path:
    if not MATERIEL.exists():
        pytest.fail(f"console script {MATERIEL} is missing; install the project with pip install -e .")
    return MATERIEL


@pytest.fixture
def cli(materiel_exe: Path, tmp_path: Path) -> Cli:
    """Run `materiel ARGS...` in a subprocess (cwd: tmp_path, MATERIEL_DB unset unless given)."""

    def run(*args: object, input: str | bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 300) -> CliResult:
        return run_cli(*args, cwd=cwd or tmp_path, input=input, env=env, timeout=timeout)

    return run


@pytest.fixture
def sample_articles(tmp_path: Path) -> Path:
    """Three articles: two reporting a transfer, one about football."""
    return write_jsonl(tmp_path / "sample.jsonl", SAMPLE_ARTICLES)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared/ not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The real installed English pipeline (loaded once per test session)."""
    return load_model()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def scanner(kb: KnowledgeBase) -> Scanner:
    return Scanner(kb)


@pytest.fixture(scope="session")
def results() -> list:
    """The 44 cross-article reports (tests/assessments/) extracted once with the real model."""
    from materiel.extract.extractor import shared_extractor
    from materiel.ingest.readers import read_inputs
    from materiel.model import Article

    articles = [a for a in read_inputs([str(ASSESSMENT_SET / "articles.jsonl")]) if isinstance(a, Article)]
    return list(shared_extractor().extract_many(articles))


@pytest.fixture(scope="session")
def flows() -> list[dict]:
    from materiel.assess.scoring import load_flows

    return load_flows(ASSESSMENT_SET / "gold.jsonl")


@pytest.fixture
def invoke(tmp_path: Path) -> Cli:
    """Run `materiel ARGS...` in this process with Typer's CliRunner (cwd: tmp_path, MATERIEL_DB
    unset unless given): the same commands and real SQLite files as `cli`, without a process start
    per call. Commands that extract get the session's shared extractor (the real model)."""

    def run(*args: object, input: str | bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 300) -> CliResult:
        return invoke_cli(*args, cwd=cwd or tmp_path, input=input, env=env)

    return run


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium at 1400 px that records every Content-Security-Policy violation
    (`window.__csp`), one per test module."""
    driver = headless_chromium(1400)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory, results) -> Path:
    """An assessed ledger of the 44 cross-article reports, one per test module (a module that writes to
    it works on a copy, `support.copy_ledger`)."""
    return assessed_ledger(tmp_path_factory.mktemp("ledger") / "ledger.db", results)


@pytest.fixture(scope="module")
def server(ledger):
    """A read-only server over the module's ledger."""
    s = Server(ledger, env={"MATERIEL_TOKEN": ""})
    yield s
    s.stop()
