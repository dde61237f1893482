"""A person's decision on an event: confirm, reject, correct, or add one the extractor missed.

Reviews never overwrite the extraction: each is a row of its own (who, when, what changed, why),
kept in order, and an event is as its latest review that is neither undone nor suspended says.
A correction is stored as the event's parts in the interchange format (docs/format.md) that
differ from the extractor's, carried forward by every later review of the same event, so that
undoing the latest review brings back the one before it whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .core import Event, content_hash


class ReviewAction(str, Enum):
    CONFIRM = "confirm"
    REJECT = "reject"
    CORRECT = "correct"
    ADD = "add"  # an event the extractor missed, with the reviewer's selection as its evidence


class RejectReason(str, Enum):
    NOT_AN_EVENT = "not-an-event"
    WRONG_PARTIES = "wrong-parties"
    WRONG_ITEM = "wrong-item"
    DUPLICATE = "duplicate"
    OTHER = "other"


class ReviewState(str, Enum):
    """Where a stored event stands with its reviewers (no state: nobody has decided on it)."""

    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"  # out of the ledger: no assessment, export or page counts it
    ADDED = "added"  # made by a reviewer, not by the extractor


# The parts a reviewer may correct: keys of the interchange format's event object.
CORRECTABLE = ("type", "provider", "recipient", "item", "quantity", "value", "status", "stance", "sources", "time")

# Why a review is suspended after the articles were extracted again (see `materiel.review`).
FLAG_CHANGED = "changed"  # the extractor now reads the same evidence differently
FLAG_GONE = "gone"  # the extractor no longer reports an event on that evidence
FLAG_TEXT = {FLAG_CHANGED: "the extractor now reads this evidence differently; decide again",
             FLAG_GONE: "the extractor no longer reports an event on this evidence"}


def anchor_of(event: Event) -> str:
    """What a review stays attached to when the article is extracted again: the event's evidence spans."""
    return ",".join(f"{e.start}:{e.end}" for e in event.evidence)


def fingerprint(event: Event) -> str:
    """The extractor's reading of an event, to tell whether a newer extractor still reads it the same
    way (where its parts are written is left out: a newer extractor may point elsewhere for the same words)."""
    data = event.to_dict()
    data.pop("spans", None)
    return content_hash(json.dumps(data, sort_keys=True, ensure_ascii=False))


def apply_changes(event: Event, changes: dict[str, Any]) -> Event:
    """The event with the corrected parts in place; where the reviewer changed a part, where the
    extractor found the old one (its span) no longer applies and is left out."""
    if not changes:
        return event
    data = event.to_dict()
    data.update(changes)
    spans = data.pop("spans", None)
    corrected = Event.from_dict(data, event.article_id)
    if spans is None:
        return corrected
    changed = set(changes) | ({"source"} if "sources" in changes else set())
    kept = tuple(s for s in event.spans or () if s.slot not in changed)
    return corrected.with_changes(spans=kept)


@dataclass(frozen=True)
class Review:
    """One decision, as stored."""

    id: int
    event_id: str  # the stored event it is about (for `add`, the one it made)
    article_hash: str
    action: ReviewAction
    reviewer: str
    created_at: str
    changes: dict[str, Any] = field(default_factory=dict)  # the parts corrected so far (add: the whole event)
    delta: dict[str, Any] = field(default_factory=dict)  # what this review changed: part -> [before, after]
    reason: RejectReason | None = None
    note: str | None = None
    undone_at: str | None = None
    undone_by: str | None = None
    flag: str | None = None  # FLAG_CHANGED / FLAG_GONE: suspended until someone decides again
    anchor: str = ""
    machine: str | None = None  # fingerprint of the extractor's event it was made on

    @property
    def active(self) -> bool:
        return self.undone_at is None and self.flag is None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "event_id": self.event_id, "article_hash": self.article_hash,
                "action": self.action.value, "reviewer": self.reviewer, "created_at": self.created_at,
                "changes": self.delta if self.action is not ReviewAction.ADD else self.changes,
                "reason": self.reason.value if self.reason else None, "note": self.note,
                "undone_at": self.undone_at, "undone_by": self.undone_by, "flag": self.flag,
                "flag_text": FLAG_TEXT.get(self.flag or "")}


def state_after(review: Review | None) -> ReviewState | None:
    """The state an event's current review puts it in."""
    if review is None:
        return None
    if review.action is ReviewAction.ADD:
        return ReviewState.ADDED
    if review.action is ReviewAction.REJECT:
        return ReviewState.REJECTED
    if review.changes and review.action in (ReviewAction.CORRECT, ReviewAction.CONFIRM):
        return ReviewState.CORRECTED
    return ReviewState.CONFIRMED
