"""Extracting stored articles again keeps the reviews (issue 12): a review stays attached to its
evidence; where the new extraction reads that evidence as before the review still applies, where it
reads it differently the review is suspended (flag 'changed') and the event is back in the queue; added
events stay; an article whose extraction fails is counted and left as it was while the rest go on."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

import pytest
from typer.testing import CliRunner

from materiel import review, service
from materiel.cli import app
from materiel.extract.extractor import Extractor, shared_extractor
from materiel.model import Article, ArticleResult, Rejection, Status
from materiel.model.review import FLAG_CHANGED
from materiel.store.sqlite import Store
from support import invoke_cli


class Rereading(Extractor):
    """The real extractor, reading one event (the one on `anchor`, in article `article_hash`) with another
    status, and failing on the article `broken` (as a bug would): a newer extractor, in effect."""

    def __init__(self, base: Extractor, article_hash: str = "", anchor: str = "", broken: str = ""):
        self.__dict__.update(base.__dict__)  # the same model, knowledge and scanner, loaded once
        self.article_hash, self.anchor, self.broken = article_hash, anchor, broken

    def scan(self, article: Article):
        if article.content_id == self.broken:
            raise RuntimeError("a bug in the newer extractor")
        return super().scan(article)

    def extract_each(self, articles: Iterable[Article], *args, **kwargs) -> Iterator[ArticleResult | Rejection]:
        for outcome in super().extract_each(articles, *args, **kwargs):
            if isinstance(outcome, ArticleResult) and outcome.article.content_id == self.article_hash:
                outcome = replace(outcome, events=tuple(self._reread(e) for e in outcome.events))
            yield outcome

    def _reread(self, event):
        if review.anchor_of(event) != self.anchor:
            return event
        return event.with_changes(status=Status.REQUESTED if event.status is not Status.REQUESTED else Status.OFFERED)


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("demo")
    done = invoke_cli("ingest", service.sample_corpus(), "--db", where / "demo.db", "-q", cwd=where)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(where / "demo.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return where / "demo.db"


@pytest.fixture
def db(demo_ledger: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_ledger, tmp_path / "ledger.db"))


def reviewed(db: Path) -> dict[str, str]:
    """Review the ledger a little: confirm one event, correct one, reject one (each alone on its evidence
    in its article), add one. Returns which event got which."""
    with Store(db) as store:
        rows = store.conn.execute("SELECT id, article_id FROM events ORDER BY article_id, position").fetchall()
        anchors: dict[tuple[str, str], list[str]] = {}
        for event_id, article in rows:
            event = review.rows.event_row(store, event_id).event
            anchors.setdefault((article, review.anchor_of(event)), []).append(event_id)
        alone = [ids[0] for ids in anchors.values() if len(ids) == 1]
        confirmed, corrected, rejected = alone[0], alone[3], alone[6]
        review.confirm(store, confirmed, "ann")
        review.correct(store, corrected, "ann", review.parse_changes({"quantity": "about 40", "status": "delivered"}))
        review.reject(store, rejected, "bob", "duplicate")
        row = review.rows.event_row(store, corrected)
        article = store.article(row.article_hash)
        start, end = review.evidence_offsets(article, row.event.evidence[0].text)
        added = review.add_event(store, row.article_hash, "cy", start, end,
                                 review.parse_changes({"type": "training", "provider": "Iran", "recipient": "Russia",
                                                       "item": "drones"})).event_id
    return {"confirmed": confirmed, "corrected": corrected, "rejected": rejected, "added": added}


def state(db: Path, event_id: str) -> tuple:
    """An event as the ledger shows it and its reviews, ids and times aside."""
    with Store.for_reading(db) as store:
        row = review.rows.event_row(store, event_id)
        reviews = [(r.action.value, r.reviewer, r.changes, r.flag, r.undone_at) for r in review.history(store, event_id)]
        assessment = store.assessment_of_events([event_id]).get(event_id)
        return (row.event.to_dict() if row else None, row.state if row else None, reviews, assessment)


def flows(db: Path) -> dict[str, dict]:
    with Store.for_reading(db) as store:
        return {a.id: a.to_dict() for a in store.assessments()}


def test_a_changed_event_is_flagged_and_untouched_reviews_still_apply(db: Path) -> None:
    ids = reviewed(db)
    before = {k: state(db, v) for k, v in ids.items()}
    flows_before = flows(db)
    with Store.for_reading(db) as store:
        target = review.rows.event_row(store, ids["confirmed"])
    newer = Rereading(shared_extractor(), target.article_hash, review.anchor_of(target.event))

    summary = service.RunSummary()
    counts = service.reextract_db(db, summary, extractor=newer)

    assert (counts.reviews_kept, counts.reviews_changed, counts.reviews_gone) == (2, 1, 0), counts.describe()
    assert counts.articles == summary.read == summary.stored and not summary.rejected
    for untouched in ("corrected", "rejected", "added"):
        assert state(db, ids[untouched]) == before[untouched], untouched
    # the changed event: its review suspended, the event as the newer extractor reads it, back in the queue
    event, now, reviews, _ = state(db, ids["confirmed"])
    assert now is None and reviews[-1][3] == FLAG_CHANGED and event["status"] != before["confirmed"][0]["status"]
    with Store.for_reading(db) as store:
        _, queue = review.queue(store, limit=None)
        first = queue[0]
        assert (first.stored.event_id, first.reasons[0]) == (ids["confirmed"], "suspended")
        assert [r.event_id for r in review.suspended_reviews(store)] == [ids["confirmed"]]
        changed = {store.assessment_of_events([ids["confirmed"]])[ids["confirmed"]]}
    # every other flow is assessed as it was
    same = {k: v for k, v in flows_before.items() if k not in changed and before["confirmed"][3] != k}
    assert {k: v for k, v in flows(db).items() if k in same} == same

    # through the CLI: `review suspended` and `review list` say so
    listed = invoke_cli("review", "list", "--db", db, "-f", "json", cwd=db.parent)
    assert json.loads(listed.stdout)[0]["reasons"][0] == "suspended"
    flagged = invoke_cli("review", "suspended", "--db", db, "-f", "json", cwd=db.parent)
    assert [r["flag"] for r in json.loads(flagged.stdout)] == [FLAG_CHANGED]

    # deciding again puts the event back in the reviewed ledger
    done = invoke_cli("review", "confirm", ids["confirmed"], "--db", db, "--reviewer", "ann", cwd=db.parent)
    assert done.returncode == 0, done.stderr
    assert state(db, ids["confirmed"])[1] == "confirmed"


def test_reextracting_with_the_same_extractor_keeps_every_review(db: Path) -> None:
    ids = reviewed(db)
    before = {k: state(db, v) for k, v in ids.items()}
    flows_before = flows(db)
    done = CliRunner().invoke(app, ["reextract", "--db", str(db)], obj=shared_extractor(), catch_exceptions=False)
    assert done.exit_code == 0, done.stderr
    assert "reviews: 3 kept, 0 suspended because their event changed, 0 suspended because their event is gone" \
        in done.stderr
    assert {k: state(db, v) for k, v in ids.items()} == before
    assert flows(db) == flows_before


def test_an_article_that_fails_is_counted_and_left_as_it_was(db: Path) -> None:
    ids = reviewed(db)
    with Store.for_reading(db) as store:
        broken = review.rows.event_row(store, ids["corrected"]).article_hash
        articles = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY rowid")]
    before = state(db, ids["corrected"]), state(db, ids["added"])
    newer = Rereading(shared_extractor(), broken=broken)
    done = CliRunner().invoke(app, ["reextract", "--db", str(db)], obj=newer, catch_exceptions=False)
    assert done.exit_code == 3, done.stderr  # an internal error cost an article: as ingest says it
    assert "a bug in the newer extractor" in done.stderr and "1 article(s) failed (1 internal)" in done.stderr
    assert f"{len(articles) - 1} article(s) extracted again" in done.stderr
    assert (state(db, ids["corrected"]), state(db, ids["added"])) == before

    # --article names the articles to extract again; an unknown one is one line, exit 2
    only = CliRunner().invoke(app, ["reextract", "--db", str(db), "--article", articles[0]], obj=shared_extractor(),
                              catch_exceptions=False)
    assert only.exit_code == 0 and "1 article(s) extracted again" in only.stderr
    unknown = CliRunner().invoke(app, ["reextract", "--db", str(db), "--article", "feedface"], obj=shared_extractor(),
                                 catch_exceptions=False)
    assert unknown.exit_code == 2 and "no article 'feedface'" in unknown.stderr


def test_worker_processes_give_the_same_result(db: Path, cli) -> None:
    """`reextract --workers 2` extracts in worker processes (the real console script, the model loaded in
    each) and stores in the main one: every review is kept, the ledger is as before."""
    ids = reviewed(db)
    before = {k: state(db, v) for k, v in ids.items()}
    flows_before = flows(db)
    done = cli("reextract", "--db", db, "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "reviews: 3 kept, 0 suspended" in done.stderr
    assert {k: state(db, v) for k, v in ids.items()} == before
    assert flows(db) == flows_before
