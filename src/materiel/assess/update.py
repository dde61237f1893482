"""Keeping assessments in step with the events in the store, recomputing only what changed.

Each event stored after the last run marks its family (type, parties, category) dirty; only
dirty families are rebuilt, each from all of its events, so the result equals a full rebuild.
A family whose building fails (a bug) is reported and keeps its former assessments; the others
are written, and the mark stays put so that the next run tries the failed family again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import MaterielError
from ..model import UNORDERED_TYPES, Assessment, EventType, Rejection
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
    failures: list[Rejection] = field(default_factory=list)  # families whose building raised

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def describe(self) -> str:
        what = "rebuilt" if self.full else "updated"
        failed = f"; {len(self.failures)} flow famil{'y' if len(self.failures) == 1 else 'ies'} failed " \
                 "(internal error)" if self.failures else ""
        if not self.families and not failed:
            return "assessments are up to date (no new events)"
        return (f"{self.assessments} assessment(s) {what} from {self.events} event(s) in {self.families} "
                f"famil{'y' if self.families == 1 else 'ies'} ({self.seconds:.2f}s){failed}")


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
        try:
            claims, openings = store.family_claims(kind, a, b, category)
            batch[family] = builder.build_family(family, claims, openings)
        except MaterielError:
            raise  # the ledger itself cannot be read: no use going on
        except Exception as exc:
            summary.failures.append(Rejection.internal(exc, f"assessing the flow family {family}",
                                                       f"flow family {family}"))
        else:
            summary.families += 1
            summary.events += len(claims)
            summary.assessments += len(batch[family])
            if len(batch) >= FAMILIES_PER_COMMIT and n < len(dirty):
                store.replace_families(batch, store.assessed_through())  # the mark moves only at the end
                batch = {}
        if on_family:
            on_family(n, len(dirty))
    store.replace_families(batch, store.assessed_through() if summary.failures else through)
    summary.seconds = time.perf_counter() - started
    return summary
