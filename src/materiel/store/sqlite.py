"""The SQLite ledger: articles, events, their sources and evidence.

An article is keyed by a hash of its content, so ingesting the same input twice changes
nothing; each article and all its rows are written in one transaction, so a failure leaves no
half-written article behind. Queries take parameters only, never formatted SQL values.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import StoreError
from ..model import Article, ArticleResult, Event

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,              -- content hash of title + text
    article_key TEXT NOT NULL,        -- the id the input gave
    title TEXT NOT NULL, text TEXT NOT NULL,
    url TEXT, outlet TEXT, published TEXT, origin TEXT,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type TEXT NOT NULL, provider TEXT NOT NULL, recipient TEXT NOT NULL,
    category TEXT NOT NULL, item_name TEXT, canonical TEXT,
    quantity_value INTEGER, quantity_approx INTEGER, quantity_text TEXT,
    value_amount REAL, value_currency TEXT,
    status TEXT NOT NULL, stance TEXT NOT NULL,
    time_text TEXT, time_iso TEXT, location_name TEXT, location_country TEXT,
    confidence_text TEXT, confidence_low REAL, confidence_high REAL, confidence_scale TEXT,
    position INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT, via TEXT,
    PRIMARY KEY (event_id, position)
);
CREATE TABLE IF NOT EXISTS evidence (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX IF NOT EXISTS events_parties ON events(provider, recipient);
CREATE INDEX IF NOT EXISTS events_type ON events(type, status);
CREATE INDEX IF NOT EXISTS events_canonical ON events(canonical);
CREATE INDEX IF NOT EXISTS events_article ON events(article_id);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
"""


@dataclass(frozen=True)
class EventFilter:
    type: str | None = None
    provider: str | None = None
    recipient: str | None = None
    item: str | None = None  # canonical name, category or words of the item name
    status: str | None = None
    since: str | None = None  # publication date bounds, ISO
    until: str | None = None


@dataclass(frozen=True)
class StoredEvent:
    event: Event
    article_key: str
    published: str | None
    outlet: str | None
    title: str


def grounded(event: Event, article: Article) -> bool:
    """Every evidence span slices the article text to its quoted text."""
    text = article.full_text
    return bool(event.evidence) and all(text[e.start:e.end] == e.text for e in event.evidence)


class Store:
    """A ledger in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)
            with self.conn:
                self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                                  (str(SCHEMA_VERSION),))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the ledger {self.path}: {exc}; check the path and its permissions "
                             "or choose another file with --db / MATERIEL_DB") from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has_article(self, article: Article) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.content_id,)).fetchone()
        return row is not None

    def add(self, result: ArticleResult) -> int:
        """Store one article and its grounded events atomically; returns events written (0 if known)."""
        article = result.article
        events = [e for e in result.events if grounded(e, article)]
        try:
            with self.conn:  # one transaction: all rows of the article, or none
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO articles(id, article_key, title, text, url, outlet, published, origin,"
                    " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (article.content_id, article.id, article.title, article.text, article.url, article.outlet,
                     article.published, article.origin, datetime.now(timezone.utc).isoformat(timespec="seconds")))
                if cur.rowcount == 0:
                    return 0
                for position, event in enumerate(events):
                    self._insert_event(article.content_id, position, event)
        except sqlite3.Error as exc:
            raise StoreError(f"could not store article {article.id}: {exc}") from exc
        return len(events)

    def _insert_event(self, content_id: str, position: int, event: Event) -> None:
        event_id = f"{content_id}:{position}"
        q, v, t, loc, c = event.quantity, event.value, event.time, event.location, event.confidence
        self.conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, content_id, event.type.value, event.provider, event.recipient, event.item.category.value,
             event.item.name, event.item.canonical, q.value if q else None, int(q.approx) if q else None,
             q.text if q else None, v.amount if v else None, v.currency if v else None, event.status.value,
             event.stance.value, t.text if t else None, t.iso if t else None, loc.name if loc else None,
             loc.country if loc else None, c.text if c else None, c.low if c else None, c.high if c else None,
             c.scale if c else None, position, json.dumps(event.to_dict(), ensure_ascii=False)))
        self.conn.executemany(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
            [(event_id, i, s.name, s.kind.value, s.country, s.via) for i, s in enumerate(event.sources)])
        self.conn.executemany(
            'INSERT INTO evidence VALUES (?, ?, ?, ?, ?)',
            [(event_id, i, e.start, e.end, e.text) for i, e in enumerate(event.evidence)])

    def events(self, flt: EventFilter = EventFilter(), limit: int | None = None) -> Iterator[StoredEvent]:
        """Stored events matching the filter, newest article first, in article order within one."""
        where, params = [], []
        for column, value in (("e.type", flt.type), ("e.provider", flt.provider),
                              ("e.recipient", flt.recipient), ("e.status", flt.status)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if flt.item:
            where.append("(lower(e.canonical) = lower(?) OR e.category = ? OR lower(e.item_name) LIKE ?)")
            params += [flt.item, flt.item, f"%{flt.item.lower()}%"]
        if flt.since:
            where.append("a.published >= ?")
            params.append(flt.since)
        if flt.until:
            where.append("a.published <= ?")
            params.append(flt.until)
        sql = ("SELECT e.json, a.article_key, a.published, a.outlet, a.title FROM events e "
               "JOIN articles a ON a.id = e.article_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, e.article_id, e.position"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self.conn.execute(sql, params):
            event = Event.from_dict(json.loads(row[0]), row[1])
            yield StoredEvent(event, row[1], row[2], row[3], row[4])

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("articles", "events", "sources", "evidence"):
            out[table] = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are fixed
        return out
