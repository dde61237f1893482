"""The review service on a real ledger of the assessment set: every decision keeps the assessments
equal to a full rebuild, undo brings back exactly what was there, and a new extraction that reads
the article as before keeps every review."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from materiel import review, service
from materiel.assess.update import assess
from materiel.extract.extractor import shared_extractor
from materiel.store.sqlite import Store
from support import ASSESSMENT_SET


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("review-core") / "ledger.db"
    with Store(db) as store:
        service.ingest_into(store, [str(ASSESSMENT_SET / "articles.jsonl")], service.RunSummary(),
                            extractor=shared_extractor())
        assess(store)
    return db


@pytest.fixture
def store(built: Path, tmp_path: Path):
    copy = tmp_path / "ledger.db"
    shutil.copy(built, copy)
    with Store(copy) as opened:
        yield opened


def assessments_now(store: Store) -> tuple[list[tuple], list[tuple]]:
    return (store.conn.execute("SELECT id, family, grade, events, articles, origins, denials, max_status"
                               " FROM assessments ORDER BY id").fetchall(),
            store.conn.execute("SELECT event_id, assessment_id, position, origins FROM assessment_events"
                               " ORDER BY event_id").fetchall())


def rebuilt(store: Store, tmp_path: Path) -> tuple[list[tuple], list[tuple]]:
    copy = tmp_path / "rebuilt.db"
    store.conn.execute("VACUUM INTO ?", (str(copy),))
    with Store(copy) as other:
        assess(other, full=True)
        return assessments_now(other)


def test_a_party_correction_moves_the_event_and_undo_moves_it_back(store: Store, tmp_path: Path) -> None:
    before = assessments_now(store)
    _, waiting = review.queue(store, limit=None)
    target = next(item.stored for item in waiting if item.stored.event.provider != "IRN")
    made = review.correct(store, target.event_id, "tester", review.parse_changes({"provider": "Iran"}))
    assert made.delta["provider"] == [target.event.provider, "IRN"]
    moved = {row[0]: row[1] for row in assessments_now(store)[1]}
    assert moved[target.event_id] != target.assessment_id
    assert assessments_now(store) == rebuilt(store, tmp_path)
    review.undo(store, made.id, "tester")
    assert assessments_now(store) == before


def test_a_series_of_decisions_equals_a_full_rebuild(store: Store, tmp_path: Path) -> None:
    _, waiting = review.queue(store, limit=None)
    events = [item.stored for item in waiting]
    review.confirm(store, events[0].event_id, "a")
    review.reject(store, events[1].event_id, "b", "not-an-event")
    review.correct(store, events[2].event_id, "a", review.parse_changes({"quantity": "about 30", "status": "agreed"}))
    review.correct(store, events[2].event_id, "b", review.parse_changes({"recipient": "Syria"}))
    article = store.article(events[3].article_hash)
    assert article is not None
    start = article.full_text.index(article.text[:40])
    review.add_event(store, events[3].article_hash, "a", start, start + 40,
                     review.parse_changes({"type": "transfer", "provider": "Russia", "recipient": "Belarus",
                                           "item": "Iskander"}))
    assert assessments_now(store) == rebuilt(store, tmp_path)
    row = store.conn.execute("SELECT review_state, quantity_value, recipient, status FROM events WHERE id = ?",
                             (events[2].event_id,)).fetchone()
    assert row == ("corrected", 30, "SYR", "agreed")  # the second correction kept the first one's parts
    assert store.conn.execute("SELECT count(*) FROM assessment_events WHERE event_id = ?",
                              (events[1].event_id,)).fetchone()[0] == 0


def test_extracting_again_as_before_keeps_every_review(store: Store) -> None:
    _, waiting = review.queue(store, limit=None)
    events = [item.stored for item in waiting]
    review.confirm(store, events[0].event_id, "a")
    review.correct(store, events[1].event_id, "a", review.parse_changes({"quantity": "12"}))
    review.reject(store, events[2].event_id, "a", "duplicate")
    states = store.conn.execute("SELECT id, review_state, json FROM events ORDER BY id").fetchall()
    before = assessments_now(store)
    touched = {e.article_hash for e in events[:3]}
    counts = review.ReextractCounts()
    for result in shared_extractor().extract_many(review.stored_articles(store, sorted(touched))):
        review.replace_extraction(store, result, counts)
    assert counts.reviews_kept == 3 and counts.reviews_changed == counts.reviews_gone == 0
    assert store.conn.execute("SELECT id, review_state, json FROM events ORDER BY id").fetchall() == states
    assert assessments_now(store) == before
