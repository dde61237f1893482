"""The SQLite ledger: articles, events, their sources and evidence.

An article is keyed by a hash of its content, so ingesting the same input twice changes
nothing; each article and all its rows are written in one transaction, so a failure leaves no
half-written article behind. Queries take parameters only, never formatted SQL values.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ContextManager, Iterable, Iterator
from urllib.parse import quote

from ..errors import OutdatedLedgerError, StoreError
from ..model import (UNORDERED_TYPES, Article, ArticleResult, Assessment, Claim, Event, EventType, Publication,
                     SlotSpan)
from . import migrations

# Characters of an article's opening read when assessing (its dateline says whose ministry speaks).
OPENING_CHARS = 400
# How long a writer waits for another process's write transaction to end before giving up (sqlite3's
# default is 5 s; a concurrent ingest or a large assessment batch may hold the lock longer).
BUSY_TIMEOUT_S = 60.0
# The meta key of the last publication the assessments reflect (see `Store.assessed_through`).
ASSESSED_MARK = "assessed_publications"


@dataclass(frozen=True)
class ItemMatch:
    """What an item filter selects, as `materiel.query.parse_item` resolved the user's words: one
    catalogued system, one category, or words of the item's name (lower case)."""

    canonical: str | None = None
    category: str | None = None
    words: str | None = None

    def condition(self, canonical: str, category: str, name: str) -> tuple[str, list[object]]:
        """SQL matching this on the given columns, the same for events and assessments."""
        if self.canonical is not None:
            return f"lower({canonical}) = lower(?)", [self.canonical]
        if self.category is not None:
            return f"{category} = ?", [self.category]
        pattern = "%" + (self.words or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return (f"(lower({name}) LIKE ? ESCAPE '\\' OR lower(coalesce({canonical}, '')) LIKE ? ESCAPE '\\')",
                [pattern, pattern])


@dataclass(frozen=True)
class EventFilter:
    """Which stored events to read; build it from user input with `materiel.query.event_filter`."""

    type: str | None = None
    provider: str | None = None
    recipient: str | None = None
    item: ItemMatch | None = None
    status: str | None = None
    since: str | None = None  # publication date bounds, ISO
    until: str | None = None
    reviewed: bool | None = None  # only events a person has decided on (True) or not yet (False)


@dataclass(frozen=True)
class AssessmentFilter:
    """Which assessments to read; build it from user input with `materiel.query.assessment_filter`."""

    type: str | None = None
    provider: str | None = None
    recipient: str | None = None
    between: tuple[str, str] | None = None  # the two parties, either direction
    party: str | None = None  # either side
    item: ItemMatch | None = None
    status: str | None = None  # most advanced stage reached
    min_origins: int | None = None
    max_credibility: int | None = None  # 2 keeps grades x1 and x2
    contested: bool | None = None  # only flows someone denies (True) or nobody denies (False)
    since: str | None = None  # last reported on or after
    until: str | None = None  # first reported on or before
    text: str | None = None  # words every one of which an article of the flow contains (full-text search)

    def where(self) -> tuple[str, list[object]]:
        """SQL conditions with their parameters (values never formatted into the SQL)."""
        a, b = self.between or (None, None)
        return _where([
            *_equals((("type", self.type), ("provider", self.provider), ("recipient", self.recipient),
                      ("max_status", self.status))),
            ("((provider = ? AND recipient = ?) OR (provider = ? AND recipient = ?))", [a, b, b, a], self.between),
            ("(provider = ? OR recipient = ?)", [self.party, self.party], self.party),
            (*(self.item.condition("canonical", "category", "item") if self.item else ("", [])), self.item),
            ("origins >= ?", [self.min_origins], self.min_origins is not None),
            ("credibility <= ?", [self.max_credibility], self.max_credibility is not None),
            ("denials > 0" if self.contested else "denials = 0", [], self.contested is not None),
            ("last_reported >= ?", [self.since], self.since),
            ("first_reported <= ?", [self.until], self.until),
            ("id IN (SELECT ae.assessment_id FROM assessment_events ae JOIN events e ON e.id = ae.event_id"
             " JOIN articles a ON a.id = e.article_id JOIN articles_fts f ON f.rowid = a.rowid"
             " WHERE articles_fts MATCH ?)", [fts_query(self.text or "")], self.text is not None)])


def fts_query(query: str) -> str:
    """A full-text match for articles holding every word of `query`: each word quoted, so no query
    syntax reaches SQLite; a query with no word matches nothing."""
    words = [w for w in query.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'


@dataclass(frozen=True)
class StoredEvent:
    """A stored event with the article that carries it and where it stands in the ledger."""

    event: Event
    article_key: str  # the id the input gave the article
    published: str | None
    outlet: str | None
    title: str
    event_id: str = ""  # the store's id: the article's content hash and the event's place in it
    article_hash: str = ""  # the store's content id of the article
    url: str | None = None
    assessment_id: str | None = None  # the assessment holding the event (None: not yet assessed)
    review: str | None = None  # its `ReviewState` value (None: nobody has decided on it)


# Where a row of `Store.event_rows` holds the event's id and its assessment's.
EVENT_ROW_ID, EVENT_ROW_ASSESSMENT = 5, 8


def stored_event(row: tuple, data: dict[str, Any] | None = None) -> StoredEvent:
    """A row of `Store.event_rows` as a StoredEvent (`data`: its JSON already decoded)."""
    return StoredEvent(Event.from_dict(data if data is not None else json.loads(row[0]), row[1]), *row[1:])


# The shortest prefix of an assessment id that names it (shorter ones are too often shared).
ID_PREFIX_MIN = 6


def stored_event_id(content_id: str, position: int) -> str:
    """The id the store gives an event: its article's content id and its place among the article's events."""
    return f"{content_id}:{position}"


# The columns of an event row that hold the event itself (beside its id, article, place and review).
EVENT_COLUMNS = ("type", "provider", "recipient", "category", "item_name", "canonical", "quantity_value",
                 "quantity_approx", "quantity_text", "value_amount", "value_currency", "status", "stance",
                 "time_text", "time_iso", "location_name", "location_country", "confidence_text", "confidence_low",
                 "confidence_high", "confidence_scale", "json")
# The events the ledger counts: a rejected event stays stored (with its reviews) but leaves the ledger.
IN_LEDGER = "e.review_state IS NOT 'rejected'"


def _event_values(event: Event) -> tuple[object, ...]:
    """An event's values for `EVENT_COLUMNS`."""
    q, v, t, loc, c = event.quantity, event.value, event.time, event.location, event.confidence
    return (event.type.value, event.provider, event.recipient, event.item.category.value, event.item.name,
            event.item.canonical, q.value if q else None, int(q.approx) if q else None, q.text if q else None,
            v.amount if v else None, v.currency if v else None, event.status.value, event.stance.value,
            t.text if t else None, t.iso if t else None, loc.name if loc else None, loc.country if loc else None,
            c.text if c else None, c.low if c else None, c.high if c else None, c.scale if c else None,
            json.dumps(event.to_dict(), ensure_ascii=False))


# What the ledger can be sorted by: a whitelist of SQL order terms (user input never reaches SQL).
LADDER_ORDER = ("CASE max_status WHEN 'requested' THEN 0 WHEN 'discussed' THEN 1 WHEN 'offered' THEN 2"
                " WHEN 'agreed' THEN 3 WHEN 'delivered' THEN 4 ELSE -1 END")
SORTABLE = {"last_reported": ("last_reported",), "first_reported": ("first_reported",), "type": ("type",),
            "provider": ("provider",), "recipient": ("recipient",), "item": ("item",),
            "max_status": (LADDER_ORDER,), "grade": ("reliability", "credibility"),
            "origins": ("origins",), "articles": ("articles",), "events": ("events",), "denials": ("denials",)}

# The tables a full rebuild of the assessments stages beside the live ones (see `Store.start_rebuild`).
STAGED = ("assessments", "assessment_events")

# The columns a claim is read from (events e joined with articles a), and how many ids one query binds.
CLAIM_COLUMNS = "e.id, e.json, a.article_key, a.id, a.title, a.outlet, a.published, a.url, e.review_state"
SQL_VARIABLES = 500


def _claim(row: tuple, origins: tuple[str, ...] = ()) -> Claim:
    event = Event.from_dict(json.loads(row[1]), row[2])
    return Claim(row[0], event, row[2], row[3], row[4], row[5], row[6], row[7], origins, review=row[8])


def _event_where(flt: EventFilter) -> tuple[str, list[object]]:
    return _where([
        *_equals((("e.type", flt.type), ("e.provider", flt.provider), ("e.recipient", flt.recipient),
                  ("e.status", flt.status))),
        (*(flt.item.condition("e.canonical", "e.category", "e.item_name") if flt.item else ("", [])), flt.item),
        ("a.published >= ?", [flt.since], flt.since),
        ("a.published <= ?", [flt.until], flt.until),
        ("e.review_state IS NOT NULL" if flt.reviewed else "e.review_state IS NULL", [], flt.reviewed is not None),
        (IN_LEDGER, [], True)])


Condition = tuple[str, list[object], object]  # SQL, its parameters, and whether the filter asks for it


def _equals(pairs: tuple[tuple[str, object], ...]) -> list[Condition]:
    return [(f"{column} = ?", [value], value) for column, value in pairs]


def _where(conditions: list[Condition]) -> tuple[str, list[object]]:
    """' WHERE ...' joining the conditions a filter asks for, with their parameters in order."""
    used = [(sql, params) for sql, params, wanted in conditions if wanted]
    clauses = " AND ".join(sql for sql, _ in used)
    return (f" WHERE {clauses}" if used else ""), [p for _, params in used for p in params]


def grounded(event: Event, article: Article) -> bool:
    """Every evidence span slices the article text to its quoted text."""
    text = article.full_text
    return bool(event.evidence) and all(text[e.start:e.end] == e.text for e in event.evidence)


def true_spans(event: Event, article: Article) -> Event:
    """The event with only those spans of its parts that slice the article text to their words."""
    if event.spans is None:
        return event
    text = article.full_text
    return event.with_changes(spans=tuple(s for s in event.spans if text[s.start:s.end] == s.text))


def kept_events(result: ArticleResult) -> list[Event]:
    """The events of a result as the ledger keeps them, in the order that numbers their ids: those
    whose evidence slices the text, with only the part spans that do."""
    article = result.article
    return [true_spans(e, article) for e in result.events if grounded(e, article)]


def utc_now() -> str:
    """The time stamps the ledger writes (ingested, seen, reviewed): UTC, to the second, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _checked_connection(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails here if it is not a database
    except sqlite3.Error:
        conn.close()
        raise
    return conn


class Store:
    """A ledger in one SQLite file."""

    def __init__(self, path: str | Path, read_only: bool = False):
        """Open (or, unless `read_only`, create) the ledger and bring its layout up to date.

        `read_only` opens the file without write access, so a ledger on read-only storage can be
        read; one that still needs an upgrade is then refused with a `StoreError` saying so."""
        self.path = str(path)
        self.read_only = read_only
        self._local = threading.local()  # each thread's own connection (see `conn`)
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        try:
            self._local.conn = self._first = self._connect()
            self._opened.append(self._first)
        except (sqlite3.Error, OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"cannot open the ledger {self.path}: {reason}; check the path and its permissions "
                             "or choose another file with --db / MATERIEL_DB") from exc
        try:
            self._upgrade()
        except BaseException:
            self.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection to the ledger, opened on its first use in the thread: an sqlite3
        connection may only be used in the thread that made it, and a store handed to another thread
        (an extraction pipeline feeding it from a worker thread) must still read and write. Each
        thread's transactions are its own; SQLite's locks order them as between processes."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path == ":memory:":
                return self._first  # a private in-memory database exists on one connection only
            try:
                conn = self._connect()
            except (sqlite3.Error, OSError, ValueError) as exc:
                raise StoreError(f"cannot open the ledger {self.path}: {exc}") from exc
            with self._opened_lock:
                self._opened.append(conn)
            self._local.conn = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: every transaction is an explicit `transaction()`, so DDL and DML of one
        # upgrade commit together.
        if self.read_only:
            uri = "file:" + quote(os.fsencode(os.path.abspath(self.path))) + "?mode=ro"
            try:
                return _checked_connection(uri)
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc):
                    raise
                # A WAL ledger in a directory nobody may write: SQLite cannot create its shared-memory
                # file, and since no writer can create a write-ahead log there either, the file is read as is.
                return _checked_connection(uri + "&immutable=1")
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Not checked for its thread: `close` closes every thread's connection; each is used only by its own.
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    def _upgrade(self) -> None:
        """Apply the layout steps the file lacks in one transaction, rebuilding the assessments when a
        step replaced them (see `migrations`)."""
        try:
            newer = migrations.unknown(self.conn)
            if newer:
                raise StoreError(f"the ledger {self.path} was written by a newer materiel (layout step "
                                 f"{newer[-1]!r}); upgrade materiel to open it")
            steps = migrations.pending(self.conn)
            if not steps and (self.read_only or migrations.recorded(self.conn)):
                return
            if steps and self.read_only:
                raise OutdatedLedgerError(
                    f"the ledger {self.path} has an older layout ({len(steps)} upgrade step(s) pending) and is "
                    "opened read-only; open it writable once (e.g. `materiel assess --db FILE`) to upgrade it")
            with self.transaction():  # re-read inside: another process may have upgraded it meanwhile
                applied = migrations.apply(self.conn)
                if any(step.fills_party_names for step in applied):
                    from ..exports import party_labels  # display names come from the knowledge base

                    self.refresh_party_names(party_labels())
                if any(step.rebuilds_assessments for step in applied) and self.last_event_rowid():
                    from ..assess.update import assess  # the assessments are built from the store's events

                    try:
                        assess(self, full=True)
                    except StoreError as exc:  # the rebuilt assessments could not be written
                        raise sqlite3.OperationalError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise StoreError(f"cannot upgrade the ledger {self.path}: {exc}; check the file and its permissions "
                             "or choose another file with --db / MATERIEL_DB") from exc

    def refresh_party_names(self, labels: dict[str, str]) -> bool:
        """Make the `party_names` table (the names the SQL views show) hold `labels` (code -> display name);
        written only when they differ, so a ledger that is up to date takes no write lock. True if written."""
        stored = dict(self.conn.execute("SELECT code, name FROM party_names").fetchall())
        if stored == labels:
            return False
        try:
            with self.transaction():
                self.conn.execute("DELETE FROM party_names")
                self.conn.executemany("INSERT INTO party_names(code, name) VALUES (?, ?)", sorted(labels.items()))
        except sqlite3.Error as exc:
            raise StoreError(f"could not store the party names: {exc}") from exc
        return True

    def transaction(self) -> ContextManager[None]:
        """One write transaction; nested uses join the outer one, which commits or rolls back all."""
        return self._transaction("BEGIN IMMEDIATE")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        """A transaction opened with `begin`, joined by nested uses, committed or rolled back whole."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute(begin)
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def close(self) -> None:
        """Close the connection of every thread that used the store."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    @classmethod
    def for_reading(cls, path: str | Path) -> "Store":
        """The ledger opened read-only, so that reading needs no write access; a ledger of an older
        layout is upgraded first when the file and its directory can be written."""
        try:
            return cls(path, read_only=True)
        except OutdatedLedgerError:
            directory = os.path.dirname(os.path.abspath(path))
            if not (os.access(path, os.W_OK) and os.access(directory, os.W_OK)):
                raise
            return cls(path)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has_article(self, article: Article) -> bool:
        """Whether the article's text (title and body) is stored, from whichever outlet."""
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.content_id,)).fetchone()
        return row is not None

    def add(self, result: ArticleResult) -> int:
        """Store one article, its grounded events and its publication atomically; returns events written
        (0 when the text was stored before: then only the publication is added, if new)."""
        article = result.article
        events = kept_events(result)
        try:
            with self.transaction():  # one transaction: all rows of the article, or none
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO articles(id, article_key, title, text, url, outlet, published, origin,"
                    " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (article.content_id, article.id, article.title, article.text, article.url, article.outlet,
                     article.published, article.origin, utc_now()))
                self._insert_publication(article)
                if cur.rowcount == 0:
                    return 0
                for position, event in enumerate(events):
                    self.insert_event(article.content_id, position, event)
        except sqlite3.Error as exc:
            raise StoreError(f"could not store article {article.id}: {exc}") from exc
        return len(events)

    def add_publication(self, article: Article) -> bool:
        """Record another publication of a stored text (a syndicated copy: its own outlet, URL, date and
        id); False when the text is not stored or this publication already is."""
        try:
            with self.transaction():
                if not self.has_article(article):
                    return False
                return self._insert_publication(article)
        except sqlite3.Error as exc:
            raise StoreError(f"could not store article {article.id}: {exc}") from exc

    def _insert_publication(self, article: Article) -> bool:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO publications(article_id, article_key, url, outlet, published, origin,"
            " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article.content_id, article.id, article.url, article.outlet, article.published, article.origin,
             utc_now()))
        return cur.rowcount > 0

    def insert_event(self, content_id: str, position: int, event: Event, event_id: str | None = None,
                     review_state: str | None = None) -> str:
        """Write one event row of a stored article with its parts, in the caller's transaction; returns its id
        (by default the article's content id and the event's place in it)."""
        event_id = event_id or stored_event_id(content_id, position)
        self.conn.execute(
            f"INSERT INTO events(id, article_id, position, review_state, {', '.join(EVENT_COLUMNS)})"
            f" VALUES (?, ?, ?, ?, {', '.join('?' * len(EVENT_COLUMNS))})",
            (event_id, content_id, position, review_state, *_event_values(event)))
        self._insert_event_parts(event_id, event)
        return event_id

    def _insert_event_parts(self, event_id: str, event: Event) -> None:
        self.conn.executemany(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
            [(event_id, i, s.name, s.kind.value, s.country, s.via) for i, s in enumerate(event.sources)])
        self.conn.executemany(
            'INSERT INTO evidence VALUES (?, ?, ?, ?, ?)',
            [(event_id, i, e.start, e.end, e.text) for i, e in enumerate(event.evidence)])
        self.conn.executemany(
            'INSERT INTO slot_spans VALUES (?, ?, ?, ?, ?, ?)',
            [(event_id, i, s.slot, s.start, s.end, s.text) for i, s in enumerate(event.spans or ())])

    def rewrite_event(self, event_id: str, event: Event, review_state: str | None, machine_json: str | None) -> None:
        """Make a stored event row show `event` (the ledger's current view of it after its reviews), in
        the caller's transaction; `machine_json` keeps the extractor's own event where they differ."""
        self.conn.execute(
            f"UPDATE events SET {', '.join(c + ' = ?' for c in EVENT_COLUMNS)}, review_state = ?, machine_json = ?"
            " WHERE id = ?", (*_event_values(event), review_state, machine_json, event_id))
        for table in ("sources", "evidence", "slot_spans"):
            self.conn.execute(f"DELETE FROM {table} WHERE event_id = ?", (event_id,))  # table names are fixed
        self._insert_event_parts(event_id, event)

    def slot_spans(self, event_id: str) -> list[SlotSpan]:
        """Where the stored event's parts are written, in the order extraction found them."""
        rows = self.conn.execute('SELECT slot, start, "end", text FROM slot_spans WHERE event_id = ? ORDER BY position',
                                 (event_id,))
        return [SlotSpan(*row) for row in rows]

    def events(self, flt: EventFilter = EventFilter(), limit: int | None = None,
               offset: int = 0) -> Iterator[StoredEvent]:
        """Stored events matching the filter, newest article first, in article order within one."""
        for row in self.event_rows(flt, limit, offset):
            yield stored_event(row)

    def event_rows(self, flt: EventFilter = EventFilter(), limit: int | None = None,
                   offset: int = 0) -> Iterator[tuple]:
        """The rows `events` reads, undecoded (the event's JSON text first, then `StoredEvent`'s other
        fields, the event id at EVENT_ROW_ID and its assessment's at EVENT_ROW_ASSESSMENT): for a reader that
        looks at a few parts of many events and decodes only those it keeps."""
        where, params = _event_where(flt)
        sql = ("SELECT e.json, a.article_key, a.published, a.outlet, a.title, e.id, a.id, a.url, ae.assessment_id,"
               " e.review_state FROM events e JOIN articles a ON a.id = e.article_id"
               " LEFT JOIN assessment_events ae ON ae.event_id = e.id" + where +
               " ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, e.article_id, e.position")
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        yield from self.conn.execute(sql, params)

    def flat_view(self, view: str, flt: EventFilter | AssessmentFilter) -> tuple[str, list[object]]:
        """SQL reading the rows of the view `events_flat` or `assessments_flat` that `flt` selects, in
        the order of `events` and `assessments`, with its parameters (for `pandas.read_sql`)."""
        if view == "events_flat" and isinstance(flt, EventFilter):
            where, params = _event_where(flt)
            return ("SELECT f.* FROM events_flat f JOIN events e ON e.id = f.event_id"
                    " JOIN articles a ON a.id = e.article_id" + where +
                    " ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, e.article_id, e.position",
                    params)
        if view == "assessments_flat" and isinstance(flt, AssessmentFilter):
            where, params = flt.where()
            return ("SELECT * FROM assessments_flat WHERE assessment_id IN (SELECT id FROM assessments" + where +
                    ") ORDER BY last_reported IS NULL, last_reported DESC, assessment_id", params)
        raise StoreError(f"no flat view {view!r} for a {type(flt).__name__}")

    def count_events(self, flt: EventFilter = EventFilter()) -> int:
        where, params = _event_where(flt)
        return self.conn.execute("SELECT count(*) FROM events e JOIN articles a ON a.id = e.article_id" + where,
                                 params).fetchone()[0]

    # --- assessments ------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def assessed_through(self) -> int:
        """The last publication (by insertion order) already reflected in the assessments. A new article
        is stored with its first publication, so the mark covers its events too; a new copy of a known
        text changes the counts of the flows its events are in."""
        return int(self._meta(ASSESSED_MARK) or 0)

    def last_event_rowid(self) -> int:
        return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]

    def last_publication_rowid(self) -> int:
        return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM publications").fetchone()[0]

    def unassessed(self) -> bool:
        """Whether anything stored is not yet reflected in the assessments (a run stopped before assessing)."""
        return self.last_publication_rowid() > self.assessed_through()

    def families_since(self, rowid: int) -> set[tuple[str, str, str, str]]:
        """(type, provider, recipient, category) of the events of texts published after publication `rowid`."""
        rows = self.conn.execute(
            "SELECT DISTINCT type, provider, recipient, category FROM events WHERE article_id IN"
            " (SELECT article_id FROM publications WHERE rowid > ?)", (rowid,))
        return {tuple(r) for r in rows}  # type: ignore[misc]

    def family_claims(self, kind: str, a: str, b: str, category: str) -> tuple[list[Claim], dict[str, str]]:
        """Every stored event of one family, as claims, with the opening of each article's text."""
        pairs = [(a, b), (b, a)] if EventType(kind) in UNORDERED_TYPES and a != b else [(a, b)]
        sql = (f"SELECT {CLAIM_COLUMNS}, substr(a.text, 1, ?) FROM events e JOIN articles a ON a.id = e.article_id"
               f" WHERE e.type = ? AND e.category = ? AND e.provider = ? AND e.recipient = ? AND {IN_LEDGER}")
        claims, openings = [], {}
        for provider, recipient in pairs:
            for row in self.conn.execute(sql, (OPENING_CHARS, kind, category, provider, recipient)):
                claims.append(_claim(row))
                openings[row[3]] = row[-1]
        return self._published(claims), openings

    def _published(self, claims: list[Claim]) -> list[Claim]:
        """The claims with every publication of their texts, first stored first."""
        hashes = list(dict.fromkeys(c.article_hash for c in claims))
        found: dict[str, list[Publication]] = {}
        for chunk in range(0, len(hashes), SQL_VARIABLES):
            ids = hashes[chunk:chunk + SQL_VARIABLES]
            rows = self.conn.execute("SELECT article_id, article_key, outlet, url, published FROM publications"
                                     f" WHERE article_id IN ({', '.join('?' * len(ids))}) ORDER BY rowid", ids)
            for row in rows:
                found.setdefault(row[0], []).append(Publication(*row[1:]))
        return [replace(c, publications=tuple(found.get(c.article_hash, ()))) for c in claims]

    def replace_families(self, families: dict[str, list[Assessment]], through: int) -> None:
        """Several families and the assessed-through mark in one transaction."""
        try:
            with self.transaction():
                for family in families:  # first: a reviewed event may move from one family to another
                    self._clear_family(family)
                for family, assessments in families.items():
                    self._insert_family(family, assessments)
                self._set_meta(ASSESSED_MARK, str(through))
        except sqlite3.Error as exc:
            raise StoreError(f"could not store assessments: {exc}") from exc

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                          (key, value, value))

    def _write_family(self, family: str, assessments: list[Assessment], schema: str = "main",
                      prefix: str = "") -> None:
        """A family's assessments in place of its former ones, in the live tables or (schema `temp`,
        prefix `rebuilt_`) in a full rebuild's staging copies."""
        self._clear_family(family, schema, prefix)
        self._insert_family(family, assessments, schema, prefix)

    def _clear_family(self, family: str, schema: str = "main", prefix: str = "") -> None:
        table, claims = f"{schema}.{prefix}assessments", f"{schema}.{prefix}assessment_events"
        self.conn.execute(f"DELETE FROM {claims} WHERE assessment_id IN "
                          f"(SELECT id FROM {table} WHERE family = ?)", (family,))
        self.conn.execute(f"DELETE FROM {table} WHERE family = ?", (family,))

    def _insert_family(self, family: str, assessments: list[Assessment], schema: str = "main",
                       prefix: str = "") -> None:
        table, claims = f"{schema}.{prefix}assessments", f"{schema}.{prefix}assessment_events"
        for a in assessments:
            s = a.summary()
            self.conn.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.id, family, a.type.value, a.provider, a.recipient, a.category.value, a.canonical, a.item_label,
                 a.max_status.value, a.latest_status.value, a.grade.reliability, a.grade.credibility, a.grade.code,
                 s["events"], s["articles"], s["outlets"], s["independent_origins"], s["denials"],
                 a.first_reported, a.last_reported, json.dumps(a.to_dict(claims=False), ensure_ascii=False)))
            self.conn.executemany(f"INSERT INTO {claims} VALUES (?, ?, ?, ?)",
                                  [(c.event_id, a.id, i, json.dumps(list(c.origins))) for i, c in enumerate(a.claims)])

    # A full rebuild writes beside the live assessments, into temporary tables of this connection (gone
    # with it: a killed rebuild leaves nothing behind), and swaps them in with one transaction, so that
    # readers see the old assessments or the new ones, never none or half.

    def start_rebuild(self) -> None:
        """Empty staging tables for a full rebuild, on this thread's connection."""
        with self._staging():
            for table in STAGED:
                self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS rebuilt_{table} AS SELECT * FROM main.{table}"
                                  " WHERE 0")
                self.conn.execute(f"DELETE FROM temp.rebuilt_{table}")
            self.conn.execute("CREATE INDEX IF NOT EXISTS temp.rebuilt_by_family ON rebuilt_assessments(family)")
            self.conn.execute("CREATE INDEX IF NOT EXISTS temp.rebuilt_claims ON rebuilt_assessment_events(assessment_id)")

    def stage_families(self, families: dict[str, list[Assessment]]) -> None:
        """Write rebuilt families to the staging tables; no reader sees them until `swap_rebuild`."""
        try:
            with self._staging():
                for family, assessments in families.items():
                    self._write_family(family, assessments, "temp", "rebuilt_")
        except sqlite3.Error as exc:
            raise StoreError(f"could not store assessments: {exc}") from exc

    def swap_rebuild(self, kept: set[str], through: int) -> None:
        """In one transaction: the staged assessments replace the live ones, except the families in `kept`
        (their rebuilding failed: they keep what they had), and the mark moves to `through`."""
        try:
            with self.transaction():
                self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS rebuild_kept (family TEXT PRIMARY KEY)")
                self.conn.execute("DELETE FROM temp.rebuild_kept")
                self.conn.executemany("INSERT INTO temp.rebuild_kept VALUES (?)", [(f,) for f in sorted(kept)])
                self.conn.execute("DELETE FROM main.assessment_events WHERE assessment_id IN (SELECT id FROM"
                                  " main.assessments WHERE family NOT IN (SELECT family FROM temp.rebuild_kept))")
                self.conn.execute("DELETE FROM main.assessments WHERE family NOT IN"
                                  " (SELECT family FROM temp.rebuild_kept)")
                self.conn.execute("INSERT INTO main.assessments SELECT * FROM temp.rebuilt_assessments"
                                  " WHERE family NOT IN (SELECT family FROM temp.rebuild_kept)")
                self.conn.execute("INSERT INTO main.assessment_events SELECT * FROM temp.rebuilt_assessment_events"
                                  " WHERE assessment_id IN (SELECT id FROM temp.rebuilt_assessments"
                                  " WHERE family NOT IN (SELECT family FROM temp.rebuild_kept))")
                self._set_meta(ASSESSED_MARK, str(through))
                self._set_meta("assessments_rebuilt_at", datetime.now(timezone.utc).isoformat())
        except sqlite3.Error as exc:
            raise StoreError(f"could not store assessments: {exc}") from exc
        self.end_rebuild()

    def end_rebuild(self) -> None:
        """Drop the staging tables (a rebuild that stopped early leaves the live assessments as they were)."""
        if self.conn.in_transaction:
            return  # inside an upgrade's transaction: they go with the connection
        for table in (*(f"rebuilt_{t}" for t in STAGED), "rebuild_kept"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def _staging(self) -> ContextManager[None]:
        """A transaction that writes temporary tables only: it takes no lock on the ledger."""
        return self._transaction("BEGIN")

    def assessment_rows(self, flt: AssessmentFilter = AssessmentFilter(), limit: int | None = None,
                        offset: int = 0, sort: str = "last_reported", descending: bool = True) -> list[dict[str, object]]:
        """Ledger lines (no claims), most recently reported first unless `sort` names another column."""
        where, params = flt.where()
        if sort not in SORTABLE:
            raise StoreError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTABLE)}")
        direction = "DESC" if descending else "ASC"
        order = ", ".join(f"{term} {direction}" for term in SORTABLE[sort])
        sql = ("SELECT id, type, provider, recipient, item, category, canonical, max_status, latest_status, grade,"
               " events, articles, outlets, origins, denials, first_reported, last_reported FROM assessments"
               + where + f" ORDER BY {sort} IS NULL, {order}, id LIMIT ? OFFSET ?")
        keys = ("id", "type", "provider", "recipient", "item", "category", "canonical", "max_status",
                "latest_status", "grade", "events", "articles", "outlets", "independent_origins", "denials",
                "first_reported", "last_reported")
        rows = self.conn.execute(sql, [*params, -1 if limit is None else limit, offset])
        return [dict(zip(keys, row)) for row in rows]

    def count_assessments(self, flt: AssessmentFilter = AssessmentFilter()) -> int:
        where, params = flt.where()
        return self.conn.execute("SELECT count(*) FROM assessments" + where, params).fetchone()[0]

    def assessments(self, flt: AssessmentFilter = AssessmentFilter(), limit: int | None = None,
                    offset: int = 0) -> list[Assessment]:
        where, params = flt.where()
        sql = ("SELECT id, json FROM assessments" + where +
               " ORDER BY last_reported IS NULL, last_reported DESC, id LIMIT ? OFFSET ?")
        rows = self.conn.execute(sql, [*params, -1 if limit is None else limit, offset]).fetchall()
        return self._with_claims(rows)

    def assessment(self, assessment_id: str) -> Assessment | None:
        """One assessment by id, or by a unique prefix of at least `ID_PREFIX_MIN` characters."""
        row = self.conn.execute("SELECT id, json FROM assessments WHERE id = ?", (assessment_id,)).fetchone()
        if row is None and len(assessment_id) >= ID_PREFIX_MIN and assessment_id.isalnum():
            # a range on the primary key uses its index (LIKE would scan the table)
            rows = self.conn.execute("SELECT id, json FROM assessments WHERE id >= ? AND id < ? LIMIT 2",
                                     (assessment_id, assessment_id + "\uffff")).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return self._with_claims([row])[0] if row else None

    def _with_claims(self, rows: list[tuple[str, str]]) -> list[Assessment]:
        """Assessments from their stored JSON, each with its claims read from the events it holds."""
        claims: dict[str, list[Claim]] = {aid: [] for aid, _ in rows}
        for chunk in range(0, len(rows), SQL_VARIABLES):
            ids = [aid for aid, _ in rows[chunk:chunk + SQL_VARIABLES]]
            sql = (f"SELECT ae.assessment_id, ae.origins, {CLAIM_COLUMNS} FROM assessment_events ae"
                   " JOIN events e ON e.id = ae.event_id JOIN articles a ON a.id = e.article_id"
                   f" WHERE ae.assessment_id IN ({', '.join('?' * len(ids))}) ORDER BY ae.assessment_id, ae.position")
            for row in self.conn.execute(sql, ids):
                claims[row[0]].append(_claim(row[2:], tuple(json.loads(row[1]))))
        published = iter(self._published([c for aid, _ in rows for c in claims[aid]]))
        return [Assessment.from_dict(json.loads(data), [next(published) for _ in claims[aid]]) for aid, data in rows]

    def article_hashes(self) -> list[str]:
        """The content ids of every stored text, first stored first."""
        return [row[0] for row in self.conn.execute("SELECT id FROM articles ORDER BY rowid")]

    def content_ids(self, article_keys: Iterable[str]) -> dict[str, str]:
        """article key (the id an input gave) -> the content id of the text stored under it, first stored
        first, or published under it (a syndicated copy); keys the ledger does not hold are left out."""
        found: dict[str, str] = {}
        for key in dict.fromkeys(article_keys):
            row = self.conn.execute("SELECT id FROM articles WHERE article_key = ? ORDER BY rowid LIMIT 1",
                                    (key,)).fetchone() or self.conn.execute(
                "SELECT article_id FROM publications WHERE article_key = ? ORDER BY rowid LIMIT 1", (key,)).fetchone()
            if row is not None:
                found[key] = row[0]
        return found

    def article(self, article_hash: str) -> Article | None:
        row = self.conn.execute("SELECT article_key, title, text, url, outlet, published, origin FROM articles"
                                " WHERE id = ?", (article_hash,)).fetchone()
        if row is None:
            return None
        return Article(id=row[0], title=row[1], text=row[2], url=row[3], outlet=row[4], published=row[5],
                       origin=row[6])

    def search(self, query: str, limit: int = 20, offset: int = 0) -> tuple[int, list[dict[str, object]]]:
        """Articles whose title or text contain every word of `query` (full-text index), best first,
        each with a highlighted snippet. The words are quoted, so no query syntax reaches SQLite."""
        if not any(any(ch.isalnum() for ch in w) for w in query.split()):
            return 0, []
        match = fts_query(query)
        total = self.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)).fetchone()[0]
        rows = self.conn.execute(
            "SELECT a.id, a.article_key, a.title, a.outlet, a.published,"
            " snippet(articles_fts, 1, '\x02', '\x03', ' … ', 24),"
            f" (SELECT count(*) FROM events e WHERE e.article_id = a.id AND {IN_LEDGER})"
            " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?", (match, limit, offset))
        keys = ("article_hash", "article_id", "title", "outlet", "published", "snippet", "events")
        return total, [dict(zip(keys, row)) for row in rows]

    def article_rows(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, object]]]:
        """Stored articles, newest first, with their event counts."""
        total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        rows = self.conn.execute(
            "SELECT a.id, a.article_key, a.title, a.outlet, a.published, a.url,"
            f" (SELECT count(*) FROM events e WHERE e.article_id = a.id AND {IN_LEDGER}) FROM articles a"
            " ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, a.id LIMIT ? OFFSET ?",
            (limit, offset))
        keys = ("article_hash", "article_id", "title", "outlet", "published", "url", "events")
        return total, [dict(zip(keys, row)) for row in rows]

    def article_events(self, article_hash: str) -> list[tuple[str, Event]]:
        """(event id, event) of one article, in article order."""
        rows = self.conn.execute("SELECT e.id, e.json, a.article_key FROM events e JOIN articles a ON a.id ="
                                 f" e.article_id WHERE e.article_id = ? AND {IN_LEDGER} ORDER BY e.position",
                                 (article_hash,))
        return [(row[0], Event.from_dict(json.loads(row[1]), row[2])) for row in rows]

    def assessment_of_events(self, event_ids: list[str]) -> dict[str, str]:
        """event id -> the assessment holding it."""
        out: dict[str, str] = {}
        for chunk in range(0, len(event_ids), SQL_VARIABLES):
            ids = event_ids[chunk:chunk + SQL_VARIABLES]
            rows = self.conn.execute("SELECT event_id, assessment_id FROM assessment_events WHERE event_id IN"
                                     f" ({', '.join('?' * len(ids))})", ids)
            out.update(dict(rows))
        return out

    def party_rows(self) -> list[dict[str, object]]:
        """Every party in the ledger with how many assessments it provides and receives in."""
        rows = self.conn.execute(
            "SELECT party, sum(provides), sum(receives) FROM ("
            " SELECT provider AS party, count(*) AS provides, 0 AS receives FROM assessments GROUP BY provider"
            " UNION ALL SELECT recipient, 0, count(*) FROM assessments GROUP BY recipient)"
            " GROUP BY party ORDER BY sum(provides) + sum(receives) DESC, party")
        return [{"party": r[0], "provides": r[1], "receives": r[2]} for r in rows]

    def system_rows(self) -> list[dict[str, object]]:
        """Every catalogued system the ledger holds, with its category and counts."""
        rows = self.conn.execute(
            "SELECT canonical, category, count(*), sum(events) FROM assessments WHERE canonical IS NOT NULL"
            " GROUP BY canonical, category ORDER BY count(*) DESC, canonical")
        return [{"canonical": r[0], "category": r[1], "assessments": r[2], "events": r[3]} for r in rows]

    def data_version(self) -> int:
        """A number that changes when another connection (another thread or process) has committed
        to the ledger since this connection last asked; this connection's own commits leave it as is."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("articles", "publications", "events", "sources", "evidence", "assessments"):
            out[table] = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are fixed
        return out
