"""The reviews table (migration 0009_reviews) and the event rows reviews act on. Pure SQL: what a
review means for an event is decided in `materiel.review`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..model import Event
from ..model.review import RejectReason, Review, ReviewAction
from .sqlite import IN_LEDGER, SQL_VARIABLES, Store, utc_now

REVIEW_COLUMNS = ("id, event_id, article_id, action, reviewer, created_at, changes, delta, reason, note, undone_at,"
                  " undone_by, flag, anchor, machine")


def _review(row: tuple) -> Review:
    return Review(id=row[0], event_id=row[1], article_hash=row[2], action=ReviewAction(row[3]), reviewer=row[4],
                  created_at=row[5], changes=json.loads(row[6]), delta=json.loads(row[7]),
                  reason=RejectReason(row[8]) if row[8] else None, note=row[9], undone_at=row[10],
                  undone_by=row[11], flag=row[12], anchor=row[13], machine=row[14])


def family_of(event: Event) -> tuple[str, str, str, str]:
    """The flow family an event is assessed in, as its row stores it (type, provider, recipient, category)."""
    return event.type.value, event.provider, event.recipient, event.item.category.value


@dataclass(frozen=True)
class EventRow:
    """A stored event row as reviews see it."""

    event_id: str
    article_hash: str
    article_key: str
    position: int
    event: Event  # as the ledger shows it now
    machine: Event | None  # the extractor's own event (None for one a reviewer added)
    state: str | None

    @property
    def family(self) -> tuple[str, str, str, str]:
        return family_of(self.event)


EVENT_ROW_SQL = ("SELECT e.id, e.article_id, a.article_key, e.position, e.json, e.machine_json, e.review_state"
                 " FROM events e JOIN articles a ON a.id = e.article_id")


def event_row(store: Store, event_id: str) -> EventRow | None:
    row = store.conn.execute(EVENT_ROW_SQL + " WHERE e.id = ?", (event_id,)).fetchone()
    return _event_row(row) if row is not None else None


def _event_row(row: tuple) -> EventRow:
    event = Event.from_dict(json.loads(row[4]), row[2])
    if row[6] == "added":
        machine = None
    else:
        machine = Event.from_dict(json.loads(row[5]), row[2]) if row[5] else event
    return EventRow(row[0], row[1], row[2], row[3], event, machine, row[6])


def event_ids_like(store: Store, prefix: str, limit: int = 5) -> list[str]:
    """Stored event ids starting with `prefix` (a user may type the start of one)."""
    rows = store.conn.execute("SELECT id FROM events WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                              (prefix, prefix + "\uffff", limit))
    return [r[0] for r in rows]


def reviews_of(store: Store, event_id: str) -> list[Review]:
    """Every review of one event, oldest first (undone and suspended ones too: they are its history)."""
    rows = store.conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE event_id = ? ORDER BY id", (event_id,))
    return [_review(r) for r in rows]


def reviews_of_article(store: Store, article_hash: str) -> list[Review]:
    rows = store.conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE article_id = ? ORDER BY id",
                              (article_hash,))
    return [_review(r) for r in rows]


def review(store: Store, review_id: int) -> Review | None:
    row = store.conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,)).fetchone()
    return _review(row) if row else None


def insert(store: Store, event_id: str, article_hash: str, action: ReviewAction, reviewer: str,
           changes: dict[str, Any], delta: dict[str, Any], anchor: str, machine: str | None,
           reason: RejectReason | None = None, note: str | None = None) -> int:
    cur = store.conn.execute(
        "INSERT INTO reviews(event_id, article_id, anchor, machine, action, changes, delta, reason, note, reviewer,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (event_id, article_hash, anchor, machine, action.value, json.dumps(changes, ensure_ascii=False),
         json.dumps(delta, ensure_ascii=False), reason.value if reason else None, note, reviewer, utc_now()))
    return int(cur.lastrowid or 0)


def mark_undone(store: Store, review_id: int, reviewer: str) -> None:
    store.conn.execute("UPDATE reviews SET undone_at = ?, undone_by = ? WHERE id = ?", (utc_now(), reviewer, review_id))


def repoint(store: Store, review_ids: Iterable[int], event_id: str, flag: str | None) -> None:
    """Attach reviews to the event a new extraction gave their evidence, suspended with `flag` or not."""
    store.conn.executemany("UPDATE reviews SET event_id = ?, flag = coalesce(?, flag) WHERE id = ?",
                           [(event_id, flag, rid) for rid in review_ids])


def added_count(store: Store, article_hash: str) -> int:
    """How many events reviewers have added to an article so far (undone ones included: ids are not reused)."""
    return store.conn.execute("SELECT count(*) FROM reviews WHERE article_id = ? AND action = 'add'",
                              (article_hash,)).fetchone()[0]


def delete_event(store: Store, event_id: str) -> None:
    store.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


def machine_rows(store: Store, article_hash: str) -> list[EventRow]:
    """The rows of one article the extractor made (every row but those reviewers added)."""
    found = store.conn.execute(EVENT_ROW_SQL + " WHERE e.article_id = ? AND e.review_state IS NOT 'added'"
                               " ORDER BY e.position", (article_hash,))
    return [_event_row(row) for row in found]


def delete_machine_rows(store: Store, article_hash: str) -> None:
    """Remove the extractor's events of one article (a new extraction replaces them); reviewers' own stay."""
    store.conn.execute("DELETE FROM events WHERE article_id = ? AND review_state IS NOT 'added'", (article_hash,))


def suspended(store: Store) -> list[Review]:
    """Reviews a new extraction suspended and nobody has undone, oldest first."""
    found = store.conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE flag IS NOT NULL AND undone_at IS NULL"
                               " ORDER BY id")
    return [_review(r) for r in found]


def claim_origins(store: Store, assessment_ids: list[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(event id, assessment id, origin keys the claim rests on) of every claim of the assessments."""
    for start in range(0, len(assessment_ids), SQL_VARIABLES):
        chunk = assessment_ids[start:start + SQL_VARIABLES]
        for event_id, assessment_id, origins in store.conn.execute(
                "SELECT event_id, assessment_id, origins FROM assessment_events WHERE assessment_id IN"
                f" ({', '.join('?' * len(chunk))})", chunk):
            yield event_id, assessment_id, json.loads(origins)


def graded_assessments(store: Store, assessment_ids: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(assessment id, grade code, the assessment's stored JSON: origins, denials, ...) of each."""
    for start in range(0, len(assessment_ids), SQL_VARIABLES):
        chunk = assessment_ids[start:start + SQL_VARIABLES]
        for assessment_id, code, data in store.conn.execute(
                f"SELECT id, grade, json FROM assessments WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
            yield assessment_id, code, json.loads(data)


def review_counts(store: Store) -> dict[str, int]:
    """How many of the ledger's events people have decided on, by state, and how many wait."""
    rows = store.conn.execute(f"SELECT coalesce(e.review_state, 'unreviewed'), count(*) FROM events e"
                              " GROUP BY 1").fetchall()
    counts = {"unreviewed": 0, "confirmed": 0, "corrected": 0, "added": 0, "rejected": 0, **dict(rows)}
    counts["in_ledger"] = sum(v for k, v in counts.items() if k != "rejected")
    counts["reviewed"] = counts["in_ledger"] - counts["unreviewed"]
    counts["suspended"] = store.conn.execute(
        "SELECT count(DISTINCT event_id) FROM reviews WHERE flag IS NOT NULL AND undone_at IS NULL").fetchone()[0]
    return counts


def assessment_review_counts(store: Store, assessment_ids: list[str]) -> dict[str, tuple[int, int]]:
    """assessment id -> (events reviewed, events) over the assessments' claims."""
    out: dict[str, tuple[int, int]] = {}
    for start in range(0, len(assessment_ids), SQL_VARIABLES):
        chunk = assessment_ids[start:start + SQL_VARIABLES]
        rows = store.conn.execute(
            "SELECT ae.assessment_id, count(e.review_state), count(*) FROM assessment_events ae"
            f" JOIN events e ON e.id = ae.event_id WHERE {IN_LEDGER} AND ae.assessment_id IN"
            f" ({', '.join('?' * len(chunk))}) GROUP BY ae.assessment_id", chunk)
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def reviewed_articles(store: Store) -> list[tuple[str, str, int, int]]:
    """(content id, article key, events in the ledger not yet decided on, events decided on) of every article
    a person has reviewed, first reviewed first."""
    rows = store.conn.execute(
        "SELECT a.id, a.article_key,"
        " (SELECT count(*) FROM events e WHERE e.article_id = a.id AND e.review_state IS NULL),"
        " (SELECT count(*) FROM events e WHERE e.article_id = a.id AND e.review_state IS NOT NULL)"
        " FROM articles a WHERE a.id IN (SELECT article_id FROM reviews WHERE undone_at IS NULL)"
        " ORDER BY (SELECT min(id) FROM reviews r WHERE r.article_id = a.id)")
    return [tuple(r) for r in rows]  # type: ignore[misc]


def states_of(store: Store, event_ids: list[str]) -> dict[str, str | None]:
    """event id -> its review state (None: nobody has decided on it), for the events that exist."""
    out: dict[str, str | None] = {}
    for start in range(0, len(event_ids), SQL_VARIABLES):
        chunk = event_ids[start:start + SQL_VARIABLES]
        rows = store.conn.execute(f"SELECT id, review_state FROM events WHERE id IN ({', '.join('?' * len(chunk))})",
                                  chunk)
        out.update({r[0]: r[1] for r in rows})
    return out
