"""Reviews in the store: a ledger from before reviews (migration 0009) upgrades untouched, the flat
view and the event filters know about reviews, and a full rebuild after reviews gives exactly what
the incremental updates gave. Real ledgers of the assessment set's 44 reports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from materiel import review
from materiel.assess.update import assess
from materiel.store.migrations import MIGRATIONS
from materiel.store.sqlite import EventFilter, Store
from support import copy_ledger

REVIEW_OBJECTS = ("DROP VIEW events_flat", "DROP INDEX events_review", "DROP INDEX reviews_event",
                  "DROP INDEX articles_key", "DROP INDEX publications_key", "DROP INDEX reviews_article", "DROP TABLE reviews", "ALTER TABLE events DROP COLUMN review_state",
                  "ALTER TABLE events DROP COLUMN machine_json")



def tables(conn: sqlite3.Connection) -> tuple[list, list]:
    return (sorted(conn.execute("SELECT id, json FROM assessments").fetchall()),
            sorted(conn.execute("SELECT * FROM assessment_events").fetchall()))


def rebuilt(db: Path, tmp_path: Path) -> tuple[list, list]:
    with Store(copy_ledger(db, tmp_path / "rebuilt.db")) as store:
        assess(store, full=True)
        return tables(store.conn)


def test_a_ledger_from_before_reviews_upgrades_with_nothing_reviewed(ledger, tmp_path):
    db = copy_ledger(ledger, tmp_path / "old.db")
    with sqlite3.connect(db) as conn:
        before = tables(conn)
        events = conn.execute("SELECT id, json FROM events ORDER BY id").fetchall()
    conn = sqlite3.connect(db)
    for statement in REVIEW_OBJECTS:  # the layout as 0008 left it
        conn.execute(statement)
    conn.execute("DELETE FROM migrations WHERE name = '0009_reviews'")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY rowid")] == \
            [m.name for m in MIGRATIONS]
        assert store.conn.execute("SELECT count(*) FROM events WHERE review_state IS NOT NULL").fetchone()[0] == 0
        assert store.conn.execute("SELECT id, json FROM events ORDER BY id").fetchall() == events
        assert tables(store.conn) == before
        total, waiting = review.queue(store, limit=None)
        assert total == len(events) == len(waiting)
        assert store.conn.execute("SELECT count(*), count(review) FROM events_flat").fetchone() == (len(events), 0)
        first = waiting[0].stored.event_id
        review.confirm(store, first, "Alice")  # and reviews work on it
        assert store.conn.execute("SELECT review FROM events_flat WHERE event_id = ?", (first,)).fetchone() == \
            ("confirmed",)


def test_the_flat_view_and_the_filters_follow_reviews(ledger, tmp_path):
    with Store(copy_ledger(ledger, tmp_path / "l.db")) as store:
        _, items = review.queue(store, limit=3)
        kept, dropped, fixed = (i.stored.event_id for i in items)
        review.confirm(store, kept, "Alice")
        review.reject(store, dropped, "Bob", "duplicate")
        review.correct(store, fixed, "Alice", review.parse_changes({"quantity": "about 12"}))
        flat = dict(store.conn.execute("SELECT event_id, review FROM events_flat").fetchall())
        assert dropped not in flat and flat[kept] == "confirmed" and flat[fixed] == "corrected"
        assert {s.event_id for s in store.events(EventFilter(reviewed=True))} == {kept, fixed}
        unreviewed = {s.event_id for s in store.events(EventFilter(reviewed=False))}
        assert unreviewed.isdisjoint({kept, dropped, fixed})
        assert len(unreviewed) + 2 == len(list(store.events(EventFilter())))


def test_a_correction_into_a_family_that_sorts_first(ledger, tmp_path):
    """Moving an event to a flow family that sorts before its old one failed: the new family was written
    while the old one still held the event's claim (UNIQUE constraint on assessment_events.event_id)."""
    with Store(copy_ledger(ledger, tmp_path / "l.db")) as store:
        _, items = review.queue(store, limit=None)
        item = next(i for i in items if i.stored.event.provider > "AFG" and i.stored.assessment_id
                    and i.stored.event.type.value == "transfer")
        review.correct(store, item.stored.event_id, "Alice", review.parse_changes({"provider": "Afghanistan"}))
        moved = store.assessment_of_events([item.stored.event_id])[item.stored.event_id]
        assert store.conn.execute("SELECT provider FROM assessments WHERE id = ?", (moved,)).fetchone() == ("AFG",)


def test_a_full_rebuild_after_reviews_gives_the_incremental_state(ledger, tmp_path):
    db = copy_ledger(ledger, tmp_path / "l.db")
    with Store(db) as store:
        _, items = review.queue(store, limit=None)
        ids = [i.stored.event_id for i in items]
        review.confirm(store, ids[0], "Alice")
        review.reject(store, ids[1], "Bob", "not-an-event")
        review.correct(store, ids[2], "Alice", review.parse_changes({"provider": "Belarus"}))
        review.correct(store, ids[2], "Bob", review.parse_changes({"recipient": "Serbia", "item": "drones"}))
        review.correct(store, ids[3], "Bob", review.parse_changes({"type": "training", "status": "delivered"}))
        undone = review.reject(store, ids[4], "Alice", "wrong-item")
        review.undo(store, undone.id, "Alice")
        article = items[5].stored.article_hash
        text = store.article(article).full_text
        review.add_event(store, article, "Bob", 0, min(len(text), 60),
                         review.parse_changes({"type": "transfer", "provider": "Iran", "recipient": "Russia",
                                               "item": "Shahed-136"}))
        review.reject(store, items[6].stored.event_id, "Bob", "wrong-parties")
        incremental = tables(store.conn)
    assert incremental == rebuilt(db, tmp_path)


def test_the_queue_ranks_undecoded_rows_as_it_would_the_events(ledger, tmp_path):
    """The queue reads its priorities off the stored JSON and decodes only the page: the same reasons as
    the decoded events give, and within one priority the events list's own order."""
    from materiel.model import Stance

    with Store(copy_ledger(ledger, tmp_path / "l.db")) as store:
        total, items = review.queue(store, limit=None)
        listed = [s.event_id for s in store.events(EventFilter(reviewed=False))]
        assert total == len(items) == len(listed)
        for item in items:
            assert ("denial" in item.reasons) == (item.stored.event.stance is Stance.DENIED)
            assert ("role-from-context" in item.reasons) == review._roles_from_context(item.stored.event.to_dict())
        assert any("role-from-context" in i.reasons for i in items) and any("denial" in i.reasons for i in items)
        keys = [(-i.priority, listed.index(i.stored.event_id)) for i in items]
        assert keys == sorted(keys)
        _, page = review.queue(store, limit=7, offset=5)
        assert [i.stored.event_id for i in page] == [i.stored.event_id for i in items[5:12]]
        assert [i.stored for i in page] == [i.stored for i in items[5:12]]
