"""Keeping assessments in step with the events in the store, recomputing only what changed.

Each event stored after the last run marks its family (type, parties, category) dirty; only
dirty families are rebuilt, each from all of its events, so the result equals a full rebuild.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ..model import UNORDERED_TYPES, Assessment, EventType
from ..store.sqlite import Store
from .build import AssessmentBuilder

# Families written per transaction during a large rebuild.
FAMILIES_PER_COMMIT = 200


@dataclass
class AssessSummary:
    families: int = 0
    assessments: int = 0
    events: int = 0
    seconds: float = 0.0
    full: bool = False

    def describe(self) -> str:
        what = "rebuilt" if self.full else "updated"
        if not self.families:
            return "assessments are up to date (no new events)"
        return (f"{self.assessments} assessment(s) {what} from {self.events} event(s) in {self.families} "
                f"famil{'y' if self.families == 1 else 'ies'} ({self.seconds:.2f}s)")


def _family(kind: str, provider: str, recipient: str, category: str) -> tuple[str, str, str, str]:
    a, b = provider, recipient
    if EventType(kind) in UNORDERED_TYPES:
        a, b = sorted((a, b))
    return kind, a, b, category


def assess(store: Store, full: bool = False, builder: AssessmentBuilder | None = None,
           on_family: Callable[[int, int], None] | None = None) -> AssessSummary:
    """Bring the store's assessments up to date; `full` rebuilds everything from the events."""
    started = time.perf_counter()
    builder = builder or AssessmentBuilder()
    through = store.last_event_rowid()
    if full:
        store.clear_assessments()
    dirty = sorted({_family(*f) for f in store.families_since(0 if full else store.assessed_through())})
    summary = AssessSummary(full=full)
    batch: dict[str, list[Assessment]] = {}
    for n, (kind, a, b, category) in enumerate(dirty, 1):
        family = "|".join((kind, a, b, category))
        claims, openings = store.family_claims(kind, a, b, category)
        batch[family] = builder.build_family(family, claims, openings)
        summary.families += 1
        summary.events += len(claims)
        summary.assessments += len(batch[family])
        if len(batch) >= FAMILIES_PER_COMMIT and n < len(dirty):
            store.replace_families(batch, store.assessed_through())  # the mark moves only at the end
            batch = {}
        if on_family:
            on_family(n, len(dirty))
    store.replace_families(batch, through)
    summary.seconds = time.perf_counter() - started
    return summary
