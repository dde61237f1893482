"""The Python face of a ledger file: `materiel.open(path)` gives the same operations as the CLI
(ingest, assess, query, export, review) on one SQLite store, for notebooks and scripts.

    >>> import materiel
    >>> with materiel.open("ledger.db") as ledger:                       # doctest: +SKIP
    ...     flows = ledger.assessments_frame(between=("IRN", "RUS"))     # a pandas DataFrame
    ...     events = ledger.events_frame(provider="IRN")

The frames have the columns of the flat exports and of the SQL views `events_flat` and
`assessments_flat`, which sqlite3, Datasette and `pandas.read_sql` can read without materiel.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from . import query, service
from .errors import LedgerNotFoundError, MaterielError
from .model import Assessment
from .store.sqlite import AssessmentFilter, EventFilter, Store, StoredEvent

if TYPE_CHECKING:
    from .assess.update import AssessSummary
    from .model.review import Review
    from .review import QueueItem


def assessment_filter(**criteria: Any) -> AssessmentFilter:
    """Keyword criteria as a filter, read by `materiel.query` as the CLI and the API read them: a value
    that means nothing raises `QueryError` (a `MaterielError` and a `ValueError`) saying what was meant;
    an unknown keyword is a `TypeError`, not silently ignored."""
    return query.assessment_filter(**criteria)


class Ledger:
    """An open ledger. Use as a context manager, or call `close()`.

    The file must exist (a mistyped path raises `LedgerNotFoundError`, a `FileNotFoundError`, rather
    than silently giving a new, empty ledger); `create=True` starts an empty one where none is."""

    def __init__(self, path: str | Path, create: bool = False):
        self.path = str(path)
        if not create and self.path != ":memory:" and not Path(self.path).exists():
            raise LedgerNotFoundError(self.path, "pass create=True to start an empty one, or build one with "
                                      f"`materiel ingest ARTICLES --db {self.path}`")
        self.store = Store(self.path)

    def close(self) -> None:
        """Close the ledger file."""
        self.store.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(self, paths: Iterable[str], workers: int = 1, update: bool = True) -> service.RunSummary:
        """Extract and store the articles at `paths`; then bring the assessments up to date."""
        summary = service.RunSummary()
        service.ingest_into(self.store, [str(p) for p in paths], summary, workers)
        if update:
            self.assess()
        return summary

    def assess(self, full: bool = False) -> AssessSummary:
        """Bring the assessments up to date with the stored events (`full`: rebuild them all)."""
        from .assess.update import assess

        return assess(self.store, full=full)

    def assessments(self, limit: int | None = None, offset: int = 0, **criteria: Any) -> list[Assessment]:
        """Assessments, most recently reported first: `between=("Iran", "RUS")`, `type=`, `provider=`,
        `recipient=`, `party=`, `item=`, `status=`, `min_origins=`, `max_credibility=`, `contested=`,
        `since=`, `until=`."""
        return self.store.assessments(assessment_filter(**criteria), limit, offset)

    def ledger(self, limit: int | None = None, offset: int = 0, **criteria: Any) -> list[dict[str, Any]]:
        """The ledger lines (summaries without claims), with the same criteria as `assessments`."""
        return self.store.assessment_rows(assessment_filter(**criteria), limit, offset)

    def assessment(self, assessment_id: str) -> Assessment | None:
        """The assessment with this id or a unique prefix of 6+ characters (`QueryError` if shorter)."""
        return self.store.assessment(query.parse_assessment_id(assessment_id))

    def events(self, limit: int | None = None, **criteria: Any) -> list[StoredEvent]:
        """Stored events, newest article first: `type=`, `provider=`, `recipient=`, `item=`, `status=`,
        `since=`, `until=` (publication dates), read as `assessments` reads them."""
        return list(self.store.events(query.event_filter(**criteria), limit))

    def events_frame(self, **criteria: Any) -> Any:
        """The events as a pandas DataFrame, one row per event with the columns of the flat event export
        (`materiel.exports.flat.FLAT_EVENT_COLUMNS`: event, assessment and article ids, URL, outlet,
        dates, parties and their names, item, figures, stance, sources, evidence). Criteria as `events`.
        Needs the `pandas` extra (`pip install materiel[pandas]`)."""
        return self._frame("events_flat", query.event_filter(**criteria))

    def assessments_frame(self, **criteria: Any) -> Any:
        """The assessments as a pandas DataFrame, one row per flow with the columns of the SQL view
        `assessments_flat` (ids, parties and their names, item, stages, grade, counts, first and last
        reported). Criteria as `assessments`. Needs the `pandas` extra (`pip install materiel[pandas]`)."""
        return self._frame("assessments_flat", assessment_filter(**criteria))

    def _frame(self, view: str, flt: EventFilter | AssessmentFilter) -> Any:
        try:
            import pandas
        except ImportError as exc:
            raise MaterielError("DataFrames need pandas: install materiel[pandas]") from exc
        sql, params = self.store.flat_view(view, flt)
        return pandas.read_sql_query(sql, self.store.conn, params=params)

    def export(self, fmt: str, out: TextIO | None = None, subject: str | None = None, **criteria: Any) -> str | None:
        """Write the selected assessments in `fmt` to `out`, or return the text when `out` is None."""
        from .exports import export

        sink = out or io.StringIO()
        export(self.assessments(**criteria), fmt, sink, subject=subject)
        return sink.getvalue() if out is None else None

    # --- review: the same decisions as `materiel review ...` and the API's review routes -----------------

    def review_queue(self, limit: int | None = 50, offset: int = 0, **criteria: Any) -> list[QueueItem]:
        """Events nobody has decided on, those the ledger rests on most first (see `materiel.review.PRIORITY`);
        criteria as `events`."""
        from .review import queue

        return queue(self.store, query.event_filter(**criteria), limit, offset)[1]

    def confirm(self, event_id: str, reviewer: str, note: str | None = None) -> Review:
        """Confirm an event as extracted (an id or a unique start of one)."""
        from .review import confirm

        return confirm(self.store, event_id, reviewer, note)

    def reject(self, event_id: str, reviewer: str, reason: str, note: str | None = None) -> Review:
        """Take an event out of the ledger: `reason` one of not-an-event, wrong-parties, wrong-item,
        duplicate, other. The extraction and the decision stay stored; `undo` brings it back."""
        from .review import reject

        return reject(self.store, event_id, reviewer, reason, note)

    def correct(self, event_id: str, reviewer: str, note: str | None = None, **parts: str | None) -> Review:
        """Correct parts of an event as a user types them: `provider="Iran"`, `quantity="about 20"`,
        `item="uav: Mohajer-6"`, `quantity=None` clears it."""
        from .review import correct, parse_changes

        return correct(self.store, event_id, reviewer, parse_changes(parts), note)

    def add_event(self, article_hash: str, reviewer: str, start: int, end: int, note: str | None = None,
                  **parts: str | None) -> Review:
        """Add an event the extractor missed, with the article's full text from `start` to `end` as its
        evidence; `type`, `provider`, `recipient` and `item` are required, the other parts as `correct`."""
        from .review import add_event, parse_changes

        return add_event(self.store, article_hash, reviewer, start, end, parse_changes(parts), note)

    def undo(self, review_id: int, reviewer: str) -> Review:
        """Undo an event's latest decision; the review stays in its history, marked undone."""
        from .review import undo

        return undo(self.store, review_id, reviewer)

    def history(self, event_id: str) -> list[Review]:
        """Every decision on an event, oldest first."""
        from .review import history

        return history(self.store, event_id)



def open_ledger(path: str | Path, create: bool = False) -> Ledger:
    """`materiel.open(path)`: the ledger at `path`, which must exist unless `create` (see `Ledger`)."""
    return Ledger(path, create=create)
