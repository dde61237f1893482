"""Keeping assessments in step with the events in the store, recomputing only what changed.

Each event stored after the last run marks its family (type, parties, category) dirty; only
dirty families are rebuilt, each from all of its events, so the result equals a full rebuild.
A family whose building fails (a bug) is reported and keeps its former assessments; the others
are written, and the mark stays put so that the next run tries the failed family again.

A full rebuild (`assess --full`, an upgrade) builds every family beside the live assessments and swaps
them in with one transaction at the end: a reader sees the old assessments or the new ones, never none,
and a rebuild killed at any moment leaves the old ones as they were.

Another process may store events (and assess them) while a run builds: each write re-checks, under
the write lock, which families gained events since the run read the store, and builds those again
before writing, so that no family is ever written from a stale read and the mark never goes back.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import EXIT_INTERNAL, MaterielError, StoreError
from ..exports import party_labels
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
        return EXIT_INTERNAL if self.failures else 0  # a family fails only through a bug

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


class _Run:
    """One run's families in hand and what it has written, against one store."""

    def __init__(self, store: Store, builder: AssessmentBuilder, summary: AssessSummary, full: bool = False):
        self.store, self.builder, self.summary, self.full = store, builder, summary, full
        self.seen = store.last_publication_rowid()  # every publication up to here is in what this run reads
        self.events: dict[str, int] = {}  # per family built: its events
        self.assessments: dict[str, int] = {}  # per family written: its assessments
        self.failed: set[str] = set()  # families whose building failed (a full rebuild keeps their old ones)

    def build(self, key: tuple[str, str, str, str]) -> tuple[str, list[Assessment] | None]:
        """A family's assessments from all of its stored events; None when building fails (a bug)."""
        family = "|".join(key)
        try:
            claims, openings = self.store.family_claims(*key)
            built = self.builder.build_family(family, claims, openings)
        except MaterielError:
            raise  # the ledger itself cannot be read: no use going on
        except Exception as exc:
            self.summary.failures.append(Rejection.internal(exc, f"assessing the flow family {family}",
                                                            f"flow family {family}"))
            self.failed.add(family)
            return family, None
        self.failed.discard(family)
        self.events[family] = len(claims)
        return family, built

    def write(self, batch: dict[str, list[Assessment]], start_mark: int | None = None) -> None:
        """Write built families in one transaction. Families in `batch` that gained events since this run
        read the store are built again first; the last write (`start_mark`: the mark the run started
        from) builds every such family and moves the mark to the last event, unless a family failed or
        another run moved the mark below `start_mark` meanwhile (a full rebuild): then it stays.
        A full rebuild stages its batches beside the live assessments and swaps them all in at its last
        write, with the mark at the last publication (at 0 when a family failed: the next run tries all)."""
        if self.full and start_mark is None:
            self.store.stage_families(batch)  # no reader sees these until the swap
            self.assessments.update((family, len(assessments)) for family, assessments in batch.items())
            return
        try:
            with self.store.transaction():
                last = self.store.last_publication_rowid()
                changed = {_family(*f) for f in self.store.families_since(self.seen)} if last > self.seen else set()
                for key in sorted(changed):
                    if start_mark is not None or "|".join(key) in batch:
                        family, built = self.build(key)
                        batch.pop(family, None)
                        if built is not None:
                            batch[family] = built
                if self.full:
                    self.store.stage_families(batch)
                    self.store.swap_rebuild(self.failed, 0 if self.failed else last)
                else:
                    mark = self.store.assessed_through()
                    if start_mark is not None and not self.summary.failures and mark >= start_mark:
                        mark = last
                    self.store.replace_families(batch, mark)
        except sqlite3.Error as exc:
            raise StoreError(f"could not store assessments: {exc}") from exc
        self.assessments.update((family, len(assessments)) for family, assessments in batch.items())


def assess(store: Store, full: bool = False, builder: AssessmentBuilder | None = None,
           on_family: Callable[[int, int], None] | None = None) -> AssessSummary:
    """Bring the store's assessments up to date; `full` rebuilds everything from the events.
    The party names the ledger's SQL views show are brought up to date with the knowledge base too."""
    started = time.perf_counter()
    store.refresh_party_names(party_labels())
    start_mark = 0 if full else store.assessed_through()
    summary = AssessSummary(full=full)
    run = _Run(store, builder or AssessmentBuilder(), summary, full)
    if full:
        store.start_rebuild()
    try:
        dirty = sorted({_family(*f) for f in store.families_since(start_mark)})
        batch: dict[str, list[Assessment]] = {}
        for n, key in enumerate(dirty, 1):
            family, built = run.build(key)
            if built is not None:
                batch[family] = built
                if len(batch) >= FAMILIES_PER_COMMIT and n < len(dirty):
                    run.write(batch)  # the mark moves only at the end
                    batch = {}
            if on_family:
                on_family(n, len(dirty))
        run.write(batch, start_mark)
    finally:
        if full:
            store.end_rebuild()
    summary.families = len(run.assessments)
    summary.events = sum(run.events[family] for family in run.assessments)
    summary.assessments = sum(run.assessments.values())
    summary.seconds = time.perf_counter() - started
    return summary


def assess_families(store: Store, keys: "set[tuple[str, str, str, str]]",
                    builder: AssessmentBuilder | None = None) -> AssessSummary:
    """Rebuild the named families from their events now, inside the caller's transaction: a review or a
    new extraction of one article touches a few flows, and the ledger follows at once (the assessed-through
    mark stays where it is). A family that fails to build raises, so the caller's change is rolled back."""
    started = time.perf_counter()
    summary = AssessSummary()
    run = _Run(store, builder or AssessmentBuilder(), summary)
    batch: dict[str, list[Assessment]] = {}
    for key in sorted({_family(*k) for k in keys}):
        family, built = run.build(key)
        if built is None:
            raise MaterielError(summary.failures[-1].describe())
        batch[family] = built
    store.replace_families(batch, store.assessed_through())
    summary.families = len(batch)
    summary.assessments = sum(len(v) for v in batch.values())
    summary.events = sum(run.events.values())
    summary.seconds = time.perf_counter() - started
    return summary
