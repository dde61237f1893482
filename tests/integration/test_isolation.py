"""One article never costs a batch: a bug met while extracting, storing or assessing one article
(or flow family) becomes a rejection of that item, reason `internal`, naming its id, file, line and
the exception, and the rest goes on. The failures are planted through constructor parameters
(a scanner, a spaCy pipeline, a store, an assessment builder that raise on a marker word), the
rest of the machinery is real: the installed model, SQLite files, a localhost HTTP server."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
import spacy
import uvicorn
from spacy.language import Language
from spacy.tokens import Doc
from typer.testing import CliRunner

import materiel
from materiel import service
from materiel.assess.build import AssessmentBuilder
from materiel.assess.update import assess
from materiel.cli import app
from materiel.errors import EXIT_INTERNAL
from materiel.extract.extractor import Extractor
from materiel.knowledge.base import KnowledgeBase
from materiel.model import ArticleResult, Rejection
from materiel.nlp.pipeline import load_model
from materiel.nlp.scan import Scanner
from materiel.store.sqlite import Store
from materiel.web.app import create_app
from support import GERMANY_ARTICLE, IRAN_ARTICLE, free_port, write_jsonl

pytestmark = pytest.mark.slow

MARKER = "zzplanted"  # an article whose text holds it makes the planted component fail
KILLER = "zzkiller"  # an article whose text holds it makes its worker process exit at once
PLANTED = {"id": "planted", "title": "Planted", "published": "2023-02-01",
           "text": f"Russia agreed to send 12 Su-35 fighter jets to Iran, the {MARKER} ministry said."}
KILLING = {"id": "killing", "title": "Killing", "published": "2023-02-02",
           "text": f"Belarus agreed to send 4 tanks to Russia, {KILLER} officials said."}


class PlantedScanner(Scanner):
    """The real scanner, except that it raises on the marker and kills its process on the killer."""

    def mentions(self, text: str):  # type: ignore[no-untyped-def]
        if KILLER in text:
            os._exit(3)  # as a segfault or the out-of-memory killer would end it: no exception, no result
        if MARKER in text:
            raise RuntimeError("planted failure")
        return super().mentions(text)


@Language.component("materiel_test_planted_failure")
def planted_failure(doc: Doc) -> Doc:
    if MARKER in doc.text:
        raise ValueError("planted parser failure")
    return doc


@pytest.fixture(scope="module")
def failing(kb: KnowledgeBase) -> Extractor:
    return Extractor(kb=kb, scanner=PlantedScanner(kb))


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Three articles, the middle one (line 2) planted."""
    return write_jsonl(tmp_path / "batch.jsonl", [IRAN_ARTICLE, PLANTED, GERMANY_ARTICLE])


def run(paths: list[Path], extractor: Extractor, workers: int = 1) -> tuple[list[ArticleResult], list[Rejection],
                                                                            service.RunSummary]:
    summary, rejected = service.RunSummary(), []
    results = list(service.extract_paths([str(p) for p in paths], summary, workers, rejected.append, extractor))
    return results, rejected, summary


def assert_planted(rejection: Rejection, path: Path, line: int, article_id: str, error: str) -> None:
    assert rejection.reason == "internal"
    assert (rejection.origin, rejection.line) == (str(path), line)
    assert rejection.describe().startswith(f"{path}:{line}: internal error while ")
    assert f"article {article_id!r}" in rejection.message and error in rejection.message
    assert "\n" not in rejection.describe()


def test_a_failing_article_is_rejected_and_the_batch_goes_on(failing: Extractor, batch: Path) -> None:
    results, rejected, summary = run([batch], failing)
    assert [r.article.id for r in results] == ["iran-drones", "leopards"]
    assert all(r.events for r in results)
    [rejection] = rejected
    assert_planted(rejection, batch, 2, "planted", "RuntimeError: planted failure")
    assert "Traceback" in rejection.trace and "mentions" in rejection.trace
    assert summary.rejected == {"internal": 1} and summary.exit_code == EXIT_INTERNAL
    assert "1 input(s) skipped (1 internal)" in summary.describe()


def test_a_parser_failure_costs_only_its_article(kb: KnowledgeBase, batch: Path) -> None:
    nlp = spacy.load(load_model().path)  # a pipeline of our own: the shared one stays as it is
    nlp.add_pipe("materiel_test_planted_failure", last=True)
    results, rejected, _ = run([batch], Extractor(nlp=nlp, kb=kb))
    assert [r.article.id for r in results] == ["iran-drones", "leopards"]
    assert all(r.events for r in results)  # parsed again one by one after the batch failed
    [rejection] = rejected
    assert_planted(rejection, batch, 2, "planted", "ValueError: planted parser failure")
    assert "while parsing" in rejection.message


def test_the_strict_api_still_raises(failing: Extractor) -> None:
    with pytest.raises(RuntimeError, match="planted failure"):
        failing.extract(materiel.Article(id="x", text=PLANTED["text"]))


def test_workers_reject_the_failing_article_in_order(failing: Extractor, batch: Path, tmp_path: Path) -> None:
    many = write_jsonl(tmp_path / "many.jsonl", [{**IRAN_ARTICLE, "id": f"a{n}"} for n in range(20)])
    results, rejected, _ = run([batch, many], failing, workers=2)
    assert [r.article.id for r in results] == ["iran-drones", "leopards", *(f"a{n}" for n in range(20))]
    [rejection] = rejected
    assert_planted(rejection, batch, 2, "planted", "RuntimeError: planted failure")


def test_a_worker_that_dies_is_reported_and_replaced(failing: Extractor, tmp_path: Path) -> None:
    rows = [{**IRAN_ARTICLE, "id": f"a{n}"} for n in range(20)]
    rows[11] = KILLING
    rows[17] = {**KILLING, "id": "killing-again"}
    path = write_jsonl(tmp_path / "deadly.jsonl", rows)
    results, rejected, summary = run([path], failing, workers=2)
    assert [r.article.id for r in results] == [r["id"] for r in rows if KILLER not in r["text"]]
    assert all(r.events for r in results)
    assert [(r.line, r.reason) for r in rejected] == [(12, "internal"), (18, "internal")]
    assert_planted(rejected[0], path, 12, "killing", "WorkerDiedError")
    assert "died" in rejected[0].message
    assert summary.exit_code == EXIT_INTERNAL


def test_cli_reports_the_failure_and_exits_3(failing: Extractor, batch: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(batch)], obj=failing)
    assert result.exit_code == EXIT_INTERNAL, result.output  # a bug, not bad input (exit 1)
    assert [json.loads(line)["article_id"] for line in result.stdout.splitlines()] == ["iran-drones", "leopards"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and errors[0].startswith(f"error {batch}:2: internal error while scanning article "
                                                     "'planted': RuntimeError: planted failure")
    assert "--debug" in errors[0] and "Traceback" not in result.stderr
    assert "1 input(s) skipped (1 internal)" in result.stderr

    debug = runner.invoke(app, ["extract", str(batch), "--debug"], obj=failing)
    assert debug.exit_code == EXIT_INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr and "planted failure" in debug.stderr


def test_eval_scores_the_rest_and_exits_3_when_an_article_fails(failing: Extractor, batch: Path,
                                                                      tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", [{"article_id": a["id"], "events": []}
                                                 for a in (IRAN_ARTICLE, PLANTED, GERMANY_ARTICLE)])
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(app, ["eval", str(gold), str(batch), *extra], obj=failing)
        assert result.exit_code == EXIT_INTERNAL, result.output
        assert f"error {batch}:2: internal error" in result.stderr


def test_ingest_stores_the_good_articles_only(failing: Extractor, batch: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    result = CliRunner().invoke(app, ["ingest", str(batch), "--db", str(db)], obj=failing)
    assert result.exit_code == EXIT_INTERNAL, result.output
    assert f"error {batch}:2: internal error" in result.stderr
    with sqlite3.connect(db) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT article_key FROM articles")) == ["iran-drones", "leopards"]
        assert conn.execute("SELECT count(*) FROM assessments").fetchone()[0] > 0


class PlantedStore(Store):
    """A real ledger whose writing of the planted article fails half-way through."""

    def add(self, result: ArticleResult) -> int:
        if MARKER in result.article.text:
            with self.transaction():
                self.conn.execute("INSERT INTO articles(id, article_key, title, text, ingested_at)"
                                  " VALUES ('half', 'half', '', 'half-written', 'now')")
                raise KeyError("planted storing failure")
        return super().add(result)


def test_a_storing_failure_rejects_the_article_and_writes_nothing_of_it(kb: KnowledgeBase, batch: Path,
                                                                        tmp_path: Path) -> None:
    summary, rejected = service.RunSummary(), []
    with PlantedStore(tmp_path / "ledger.db") as store:
        service.ingest_into(store, [str(batch)], summary, on_rejection=rejected.append)
        keys = sorted(r[0] for r in store.conn.execute("SELECT article_key FROM articles"))
    assert keys == ["iran-drones", "leopards"]
    [rejection] = rejected
    assert_planted(rejection, batch, 2, "planted", "KeyError")
    assert "while storing" in rejection.message
    assert (summary.stored, summary.exit_code) == (2, EXIT_INTERNAL)


class PlantedBuilder(AssessmentBuilder):
    def build_family(self, family, claims, texts=None):  # type: ignore[no-untyped-def]
        if "DEU" in family:
            raise ZeroDivisionError("planted assessing failure")
        return super().build_family(family, claims, texts)


def test_an_assessing_failure_costs_only_its_family(batch: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    service.ingest_paths([str(batch)], db, service.RunSummary())
    with Store(db) as store:
        summary = assess(store, builder=PlantedBuilder())
        providers = {r["provider"] for r in store.assessment_rows(service.AssessmentFilter())}
        assert "DEU" not in providers and "IRN" in providers
        assert assess(store).failures == []  # the failed family is tried again by the next run
        assert "DEU" in {r["provider"] for r in store.assessment_rows(service.AssessmentFilter())}
    [failure] = summary.failures
    assert failure.reason == "internal" and "ZeroDivisionError: planted assessing failure" in failure.message
    assert "DEU" in failure.describe() and summary.exit_code == EXIT_INTERNAL
    assert "1 flow family failed (internal error)" in summary.describe()


@pytest.fixture
def api(failing: Extractor, tmp_path: Path):
    """A writable API over a fresh ledger, its ingest using the failing extractor, on a localhost port."""
    token = "isolation-token-0123456789"
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(tmp_path / "ledger.db", token, extractor=failing),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    server.should_exit = True
    thread.join()


def test_api_ingest_lists_the_failure_with_200(api, tmp_path: Path) -> None:
    url, auth = api
    body = {"articles": [IRAN_ARTICLE, PLANTED, GERMANY_ARTICLE]}
    response = httpx.post(url + "/api/ingest", json=body, headers=auth, timeout=120)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [r["article_id"] for r in data["results"]] == ["iran-drones", "leopards"]
    assert data["stored"] == 2
    [rejected] = data["rejected"]
    assert rejected["reason"] == "internal" and "'planted'" in rejected["where"] and "RuntimeError" in rejected["where"]

    upload = tmp_path / "upload.jsonl"
    write_jsonl(upload, [PLANTED, {**GERMANY_ARTICLE, "id": "other", "text": GERMANY_ARTICLE["text"] + " Again."}])
    with upload.open("rb") as fh:
        response = httpx.post(url + "/api/ingest/upload", files={"file": ("news.jsonl", fh)}, headers=auth,
                              timeout=120)
    assert response.status_code == 200, response.text
    assert [r["reason"] for r in response.json()["rejected"]] == ["internal"]


def test_money_symbols_in_any_case_extract_without_error() -> None:
    for text in ("It cost RS 150 and rs 3 more.", "Iran sold Russia drones for RS 150 million and rs 3 more.",
                 "India bought 12 guns from Israel for Rs 150 crore."):
        materiel.extract(text)
