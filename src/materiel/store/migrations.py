"""The ledger's layout as named, ordered steps, each recorded in the `migrations` table once applied.

Opening a ledger applies the steps it lacks, all in one transaction, so a file is at its old layout or
at the new one, never between. A step that changes the assessment tables says so, and the store
rebuilds the assessments inside that same transaction: an upgraded ledger is never silently empty.
A new step is appended at the end with a new name; a step is never edited once released.

Ledgers written before the steps were recorded (a `meta` table, no `migrations` table) are placed
once by their meta keys, never by sniffing columns: the search index's key marks the last layout
of that era, which equals the first three steps below; anything older goes through every step (the first
creates only what is missing: articles and events kept one layout throughout).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

# ONTOLOGY §3: a group outside the listed slugs is named by a slug of its common English name,
# not of its acronym. Fixed once released: ledgers written before carry the old slugs.
RENAMED_GROUP_SLUGS: tuple[tuple[str, str], ...] = (
    ("org:pflp", "org:popular-front-for-the-liberation-of-palestine"),
    ("org:ttp", "org:tehrik-i-taliban-pakistan"),
    ("org:is-k", "org:islamic-state-khorasan"),
    ("org:iswap", "org:islamic-state-west-africa-province"),
    ("org:is-sahel", "org:islamic-state-sahel-province"),
    ("org:aqap", "org:al-qaeda-in-the-arabian-peninsula"),
    ("org:aqim", "org:al-qaeda-in-the-islamic-maghreb"),
    ("org:pmf", "org:popular-mobilization-forces"),
    ("org:nujaba", "org:harakat-al-nujaba"),
    ("org:hts", "org:hayat-tahrir-al-sham"),
    ("org:fsa", "org:free-syrian-army"),
    ("org:adf", "org:allied-democratic-forces"),
    ("org:tplf", "org:tigray-peoples-liberation-front"),
    ("org:ola", "org:oromo-liberation-army"),
    ("org:lna", "org:libyan-national-army"),
    ("org:kia", "org:kachin-independence-army"),
    ("org:pdf-myanmar", "org:peoples-defence-force"),
    ("org:mndaa", "org:myanmar-national-democratic-alliance-army"),
    ("org:tnla", "org:taang-national-liberation-army"),
    ("org:uwsa", "org:united-wa-state-army"),
    ("org:knu", "org:karen-national-union"),
    ("org:bla", "org:baloch-liberation-army"),
    ("org:let", "org:lashkar-e-taiba"),
    ("org:jem", "org:jaish-e-mohammed"),
    ("org:npa-philippines", "org:new-peoples-army"),
)


def _rename_party(old: str, new: str) -> tuple[str, ...]:
    """Rename a party in the stored events; event ids keep the value they were given when stored."""
    return (
        f"UPDATE events SET provider = '{new}' WHERE provider = '{old}'",
        f"UPDATE events SET recipient = '{new}' WHERE recipient = '{old}'",
        f"""UPDATE events SET json = replace(json, '"{old}"', '"{new}"') WHERE json LIKE '%"{old}"%'""",
    )


# The columns and joins of the view `events_flat`, as step 0007 made it; step 0009 adds a column and a
# condition. Kept once here, character for character what 0007 was released with.
EVENTS_FLAT_COLUMNS = """
            e.id AS event_id, ae.assessment_id, a.article_key AS article_id, a.id AS article_hash, a.url, a.outlet,
            a.published, e.time_iso AS event_date, e.time_text AS event_date_text, e.location_name AS location,
            e.location_country, e.type, e.provider, coalesce(pp.name, e.provider) AS provider_name, e.recipient,
            coalesce(pr.name, e.recipient) AS recipient_name, e.category, e.item_name, e.canonical AS system,
            e.quantity_value AS quantity, e.quantity_approx, e.quantity_text, e.value_amount AS value,
            e.value_currency AS currency, e.status, e.stance,
            (SELECT group_concat(name || ' (' || kind || ')', '; ')
             FROM (SELECT name, kind FROM sources s WHERE s.event_id = e.id ORDER BY s.position)) AS sources,
            e.confidence_text AS confidence, e.confidence_low, e.confidence_high,
            (SELECT group_concat(text, ' … ')
             FROM (SELECT text FROM evidence v WHERE v.event_id = e.id ORDER BY v.position)) AS evidence,
            (SELECT min(start) FROM evidence v WHERE v.event_id = e.id) AS evidence_start,
            (SELECT max("end") FROM evidence v WHERE v.event_id = e.id) AS evidence_end"""
EVENTS_FLAT_JOINS = """
        FROM events e JOIN articles a ON a.id = e.article_id
        LEFT JOIN assessment_events ae ON ae.event_id = e.id
        LEFT JOIN party_names pp ON pp.code = e.provider LEFT JOIN party_names pr ON pr.code = e.recipient"""


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]
    rebuilds_assessments: bool = False  # the assessments are rebuilt from the events in the same transaction
    fills_party_names: bool = False  # the store fills `party_names` from the knowledge base in the same transaction


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_articles_and_events", (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY,              -- content hash of title + text
            article_key TEXT NOT NULL,        -- the id the input gave
            title TEXT NOT NULL, text TEXT NOT NULL,
            url TEXT, outlet TEXT, published TEXT, origin TEXT,
            ingested_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS events (
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
            json TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS sources (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT, via TEXT,
            PRIMARY KEY (event_id, position))""",
        """CREATE TABLE IF NOT EXISTS evidence (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
            PRIMARY KEY (event_id, position))""",
        "CREATE INDEX IF NOT EXISTS events_parties ON events(provider, recipient)",
        "CREATE INDEX IF NOT EXISTS events_type ON events(type, status)",
        "CREATE INDEX IF NOT EXISTS events_canonical ON events(canonical)",
        "CREATE INDEX IF NOT EXISTS events_article ON events(article_id)",
        "CREATE INDEX IF NOT EXISTS articles_published ON articles(published)",
    )),
    # Derived data: whatever assessment tables an older ledger has are replaced, then rebuilt.
    Migration("0002_assessments_with_ordered_claims", (
        "DROP TABLE IF EXISTS assessment_events",
        "DROP TABLE IF EXISTS assessments",
        "DELETE FROM meta WHERE key = 'assessed_through'",
        """CREATE TABLE assessments (
            id TEXT PRIMARY KEY,
            family TEXT NOT NULL,             -- type|party|party|category: the unit of recomputation
            type TEXT NOT NULL, provider TEXT NOT NULL, recipient TEXT NOT NULL, category TEXT NOT NULL,
            canonical TEXT, item TEXT NOT NULL,
            max_status TEXT NOT NULL, latest_status TEXT NOT NULL,
            reliability TEXT NOT NULL, credibility INTEGER NOT NULL, grade TEXT NOT NULL,
            events INTEGER NOT NULL, articles INTEGER NOT NULL, outlets INTEGER NOT NULL,
            origins INTEGER NOT NULL, denials INTEGER NOT NULL,
            first_reported TEXT, last_reported TEXT,
            json TEXT NOT NULL)               -- the assessment without its claims (those are events)""",
        """CREATE TABLE assessment_events (   -- the claims of an assessment, in order
            event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
            assessment_id TEXT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            origins TEXT NOT NULL)            -- JSON list of the origin keys the claim rests on""",
        "CREATE INDEX assessments_parties ON assessments(provider, recipient)",
        "CREATE INDEX assessments_recipient ON assessments(recipient)",
        "CREATE INDEX assessments_recent ON assessments(last_reported)",
        "CREATE INDEX assessments_family ON assessments(family)",
        "CREATE INDEX assessments_canonical ON assessments(canonical)",
        "CREATE INDEX assessment_events_by_assessment ON assessment_events(assessment_id)",
        "CREATE INDEX IF NOT EXISTS events_family ON events(type, category, provider, recipient)",
    ), rebuilds_assessments=True),
    Migration("0003_article_search", (
        "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, content='articles',"
        " content_rowid='rowid')",
        """CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END""",
        """CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        END""",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        "INSERT INTO meta(key, value) VALUES ('search_index', 'fts5') ON CONFLICT(key) DO UPDATE SET value = 'fts5'",
    )),
    # Where each part of an event is written (`Event.spans`). Events stored before have no rows here
    # and no "spans" in their JSON: they were never grounded, and the pages find their parts as before.
    Migration("0004_event_slot_spans", (
        """CREATE TABLE IF NOT EXISTS slot_spans (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, slot TEXT NOT NULL,   -- provider, recipient, item, quantity, value, source
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
            PRIMARY KEY (event_id, position))""",
        "CREATE INDEX IF NOT EXISTS slot_spans_slot ON slot_spans(slot)",
    )),
    Migration("0005_group_slugs_from_common_names",
              tuple(s for old, new in RENAMED_GROUP_SLUGS for s in _rename_party(old, new)),
              rebuilds_assessments=True),
    # A text is kept once (articles, keyed by its content) and every place it was published beside it: the
    # same wire story from three outlets is one article row, its events once, and three publications, which
    # are what assessments count as articles and outlets. Each stored article becomes its own first
    # publication. The assessments are marked up to date by publication (a new copy of a known text changes
    # the counts of its flows), so the mark by event is dropped and they are rebuilt.
    Migration("0006_publications", (
        """CREATE TABLE IF NOT EXISTS publications (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,  -- the stored text
            article_key TEXT NOT NULL,        -- the id the input gave
            url TEXT, outlet TEXT, published TEXT, origin TEXT,
            ingested_at TEXT NOT NULL)""",
        # one row per distinct (text, id, url, outlet, date): ingesting the same input again adds nothing
        "CREATE UNIQUE INDEX IF NOT EXISTS publications_identity ON publications(article_id, article_key,"
        " ifnull(url, ''), ifnull(outlet, ''), ifnull(published, ''))",
        "INSERT OR IGNORE INTO publications(article_id, article_key, url, outlet, published, origin, ingested_at)"
        " SELECT id, article_key, url, outlet, published, origin, ingested_at FROM articles ORDER BY rowid",
        "DELETE FROM meta WHERE key = 'assessed_through'",
    ), rebuilds_assessments=True),
    # Readable tables for sqlite3, Datasette and pandas users: one row per event and per assessment, with
    # party names (from `party_names`, which the store fills from the knowledge base: see
    # `Store.refresh_party_names`) and the article's URL and outlet. The columns of `events_flat` are those
    # of the flat event export (`materiel.exports.flat.FLAT_EVENT_COLUMNS`).
    Migration("0007_flat_views", (
        """CREATE TABLE IF NOT EXISTS party_names (
            code TEXT PRIMARY KEY, name TEXT NOT NULL)""",
        "CREATE VIEW IF NOT EXISTS events_flat AS SELECT" + EVENTS_FLAT_COLUMNS + EVENTS_FLAT_JOINS,
        """CREATE VIEW IF NOT EXISTS assessments_flat AS SELECT
            s.id AS assessment_id, s.type, s.provider, coalesce(pp.name, s.provider) AS provider_name, s.recipient,
            coalesce(pr.name, s.recipient) AS recipient_name, s.item, s.category, s.canonical AS system,
            s.max_status, s.latest_status, s.grade, s.reliability, s.credibility, s.events, s.articles, s.outlets,
            s.origins AS independent_origins, s.denials, s.first_reported, s.last_reported
        FROM assessments s
        LEFT JOIN party_names pp ON pp.code = s.provider LEFT JOIN party_names pr ON pr.code = s.recipient""",
    ), fills_party_names=True),
    # What `materiel watch` has seen: each feed's validators for conditional requests and when it was
    # last polled, and each entry fetched (by URL) with the content id of the article it gave (none when
    # the page was no article), so a restart neither fetches an entry again nor misses one.
    Migration("0008_feeds", (
        """CREATE TABLE IF NOT EXISTS feeds (
            url TEXT PRIMARY KEY,
            etag TEXT, last_modified TEXT,    -- sent back as If-None-Match / If-Modified-Since
            last_polled TEXT, last_status TEXT)""",
        """CREATE TABLE IF NOT EXISTS feed_entries (
            url TEXT PRIMARY KEY,             -- the entry's link, the page fetched
            feed_url TEXT NOT NULL,           -- the feed it was first seen in
            content_id TEXT,                  -- articles.id of the article it gave; NULL: no article
            seen_at TEXT NOT NULL)""",
    )),
    # Analysts' decisions (`materiel.review`). Each review is a row of its own and is never rewritten
    # except to mark it undone or suspended; an event row shows the ledger's current view of the event
    # (`review_state`), and when a correction changed it, `machine_json` keeps the extractor's own event.
    # Rejected events stay stored but leave the ledger: `events_flat` no longer shows them, and says of
    # the others whether and how they were reviewed.
    Migration("0009_reviews", (
        "ALTER TABLE events ADD COLUMN review_state TEXT",     # NULL: not reviewed; confirmed|corrected|rejected|added
        "ALTER TABLE events ADD COLUMN machine_json TEXT",     # the extractor's event, where a correction changed it
        """CREATE TABLE IF NOT EXISTS reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            event_id TEXT NOT NULL,           -- the event decided on; for 'add', the event it made
            anchor TEXT NOT NULL,             -- the event's evidence spans: what the review stays attached to
            machine TEXT,                     -- fingerprint of the extractor's event it was made on
            action TEXT NOT NULL,             -- confirm|reject|correct|add
            changes TEXT NOT NULL,            -- JSON: the parts corrected so far (add: the whole event)
            delta TEXT NOT NULL,              -- JSON: what this review changed, part -> [before, after]
            reason TEXT, note TEXT,
            reviewer TEXT NOT NULL, created_at TEXT NOT NULL,
            undone_at TEXT, undone_by TEXT,
            flag TEXT)                        -- changed|gone: suspended by a new extraction until decided again""",
        "CREATE INDEX IF NOT EXISTS reviews_event ON reviews(event_id)",
        "CREATE INDEX IF NOT EXISTS reviews_article ON reviews(article_id)",
        "CREATE INDEX IF NOT EXISTS events_review ON events(review_state)",
        # gold files name articles by the ids their inputs gave them (`eval GOLD --db`)
        "CREATE INDEX IF NOT EXISTS articles_key ON articles(article_key)",
        "CREATE INDEX IF NOT EXISTS publications_key ON publications(article_key)",
        "DROP VIEW IF EXISTS events_flat",
        "CREATE VIEW events_flat AS SELECT" + EVENTS_FLAT_COLUMNS + ",\n            e.review_state AS review"
        + EVENTS_FLAT_JOINS + "\n        WHERE e.review_state IS NOT 'rejected'",
    )),
)
KNOWN = {m.name for m in MIGRATIONS}
# Before steps were recorded, the last layout (the one the steps through 0003 build) set this meta key.
UNRECORDED_LAST_LAYOUT = ("search_index", "fts5")
UNRECORDED_LAST_STEP = "0003_article_search"


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def recorded(conn: sqlite3.Connection) -> bool:
    """Whether the ledger keeps its steps in a `migrations` table (an unrecorded one gets it on upgrade)."""
    return "migrations" in _tables(conn)


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the steps this ledger has been through, recorded or (for an unrecorded ledger) implied."""
    tables = _tables(conn)
    if "migrations" in tables:
        return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    if "meta" not in tables:
        return []  # a new file
    key, value = UNRECORDED_LAST_LAYOUT
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is not None and row[0] == value:
        names = [m.name for m in MIGRATIONS]
        return names[:names.index(UNRECORDED_LAST_STEP) + 1]
    return []  # older: every step runs (the first one only adds what is missing, the others rebuild)


def pending(conn: sqlite3.Connection) -> list[Migration]:
    """The steps still to apply, in order; a ledger from a newer materiel is refused by the caller."""
    done = set(applied(conn))
    return [m for m in MIGRATIONS if m.name not in done]


def unknown(conn: sqlite3.Connection) -> list[str]:
    """Recorded steps this version does not know: the ledger was written by a newer materiel."""
    return [name for name in applied(conn) if name not in KNOWN]


def apply(conn: sqlite3.Connection) -> list[Migration]:
    """Apply the pending steps inside the caller's transaction and record every step; returns the
    steps applied (the caller rebuilds the assessments or fills tables where a step says so)."""
    done = applied(conn)
    steps = [m for m in MIGRATIONS if m.name not in set(done)]
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    # An unrecorded ledger's implied steps are written down first, so the record is complete.
    conn.executemany("INSERT OR IGNORE INTO migrations(name, applied_at) VALUES (?, ?)", [(n, now) for n in done])
    for step in steps:
        for statement in step.statements:
            conn.execute(statement)
        conn.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (step.name, now))
    return steps
