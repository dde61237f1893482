"""The SQLite ledger on real files: idempotence, filters, grounding and atomic writes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from materiel.assess.update import assess
from materiel.errors import OutdatedLedgerError, StoreError
from materiel.model import (Article, ArticleResult, Category, Event, EventType, Evidence, Item, Money, Quantity,
                            SlotSpan, Source, SourceKind, Stance, Status)
from materiel.store.migrations import MIGRATIONS
from materiel.store.sqlite import EventFilter, ItemMatch, Store, grounded

IRAN = Article(id="iran", title="Iran to send drones",
               text="Iran agreed to send 6,000 Shahed-136 drones to Russia. Russia will pay $1 billion.",
               outlet="Wire", published="2022-10-16", origin="a.jsonl:1")
GERMANY = Article(id="germany", title="Tanks for Kyiv",
                  text="Germany will deliver 14 Leopard 2 tanks to Ukraine, the government said.",
                  outlet="Wire", published="2023-01-25", origin="a.jsonl:2")
CHINA = Article(id="china", title="Joint drills",
                text="China and Russia held joint naval drills. Officials denied that China sent shells.",
                published=None, origin="a.jsonl:3")


def span(article: Article, quote: str) -> Evidence:
    start = article.full_text.index(quote)
    return Evidence(start, start + len(quote), quote)


def event(article: Article, quote: str, type_: EventType = EventType.TRANSFER, provider: str = "IRN",
          recipient: str = "RUS", item: Item = Item(Category.UAV, "drones"), status: Status = Status.AGREED,
          **changes) -> Event:
    changes.setdefault("sources", (Source("the article", SourceKind.AUTHOR),))
    return Event(type_, provider, recipient, item, status, evidence=(span(article, quote),), article_id=article.id,
                 **changes)


def iran_result() -> ArticleResult:
    return ArticleResult(IRAN, (
        event(IRAN, "Iran agreed to send 6,000 Shahed-136 drones to Russia.",
              item=Item(Category.UAV, "Shahed-136 drones", "Shahed-136"), quantity=Quantity(6000, False, "6,000")),
        event(IRAN, "Russia will pay $1 billion.", EventType.PAYMENT, "RUS", "IRN", Item(Category.MONEY),
              value=Money(1e9, "USD", "$1 billion")),
    ))


def germany_result() -> ArticleResult:
    return ArticleResult(GERMANY, (
        event(GERMANY, "Germany will deliver 14 Leopard 2 tanks to Ukraine", provider="DEU", recipient="UKR",
              item=Item(Category.ARMOURED_VEHICLE, "Leopard 2 tanks", "Leopard 2"),
              sources=(Source("government", SourceKind.OFFICIAL, "DEU"),)),
    ))


def china_result() -> ArticleResult:
    return ArticleResult(CHINA, (
        event(CHINA, "China and Russia held joint naval drills.", EventType.COOPERATION, "CHN", "RUS",
              Item(Category.UNSPECIFIED)),
        event(CHINA, "Officials denied that China sent shells.", provider="CHN", item=Item(Category.AMMUNITION, "shells"),
              status=Status.DELIVERED, stance=Stance.DENIED),
    ))


def raw_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "events", "sources", "evidence")}


def orphans(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM events WHERE article_id NOT IN (SELECT id FROM articles))"
            " + (SELECT count(*) FROM sources WHERE event_id NOT IN (SELECT id FROM events))"
            " + (SELECT count(*) FROM evidence WHERE event_id NOT IN (SELECT id FROM events))").fetchone()[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "ledger.db"


@pytest.fixture
def filled(db: Path) -> Path:
    with Store(db) as store:
        for result in (iran_result(), germany_result(), china_result()):
            store.add(result)
    return db


def test_add_writes_all_rows(db: Path) -> None:
    with Store(db) as store:
        assert store.add(iran_result()) == 2
        assert store.counts() == {"articles": 1, "publications": 1, "events": 2, "sources": 2, "evidence": 2,
                                  "assessments": 0}
    assert db.exists()
    assert raw_counts(db) == {"articles": 1, "events": 2, "sources": 2, "evidence": 2}


def test_add_is_idempotent_by_content(db: Path) -> None:
    with Store(db) as store:
        assert store.add(iran_result()) == 2
        assert store.add(iran_result()) == 0
        # the same report under another id is the same article
        renamed = ArticleResult(Article(id="copy", title=IRAN.title, text=IRAN.text), iran_result().events)
        assert store.has_article(renamed.article)
        assert store.add(renamed) == 0
    with Store(db) as store:  # and across connections
        assert store.add(iran_result()) == 0
        assert store.counts()["articles"] == 1 and store.counts()["events"] == 2


def test_changed_text_is_a_new_article(db: Path) -> None:
    edited = Article(id=IRAN.id, title=IRAN.title, text=IRAN.text + " Tehran denied it.")
    with Store(db) as store:
        store.add(iran_result())
        assert not store.has_article(edited)
        store.add(ArticleResult(edited, ()))
        assert store.counts()["articles"] == 2


def test_stored_events_read_back_equal(db: Path) -> None:
    with Store(db) as store:
        store.add(iran_result())
        stored = list(store.events())
    # equal as the interchange format has them (Money.text is not part of it)
    assert [s.event.to_dict() for s in stored] == [e.to_dict() for e in iran_result().events]
    assert [s.event.article_id for s in stored] == ["iran", "iran"]
    assert {(s.article_key, s.published, s.outlet, s.title) for s in stored} == {
        ("iran", "2022-10-16", "Wire", "Iran to send drones")}


@pytest.mark.parametrize("flt, expected", [
    (EventFilter(), {"iran:transfer", "iran:payment", "germany:transfer", "china:cooperation", "china:transfer"}),
    (EventFilter(type="payment"), {"iran:payment"}),
    (EventFilter(provider="IRN"), {"iran:transfer"}),
    (EventFilter(provider="CHN"), {"china:cooperation", "china:transfer"}),
    (EventFilter(recipient="UKR"), {"germany:transfer"}),
    (EventFilter(recipient="RUS", type="transfer"), {"iran:transfer", "china:transfer"}),
    (EventFilter(item=ItemMatch(canonical="Shahed-136")), {"iran:transfer"}),
    (EventFilter(item=ItemMatch(canonical="shahed-136")), {"iran:transfer"}),
    (EventFilter(item=ItemMatch(category="uav")), {"iran:transfer"}),
    (EventFilter(item=ItemMatch(words="leopard")), {"germany:transfer"}),  # words of the item name
    (EventFilter(item=ItemMatch(category="armoured_vehicle")), {"germany:transfer"}),
    (EventFilter(status="delivered"), {"china:transfer"}),
    (EventFilter(status="agreed", provider="RUS"), {"iran:payment"}),
    (EventFilter(since="2023-01-01"), {"germany:transfer"}),
    (EventFilter(until="2022-12-31"), {"iran:transfer", "iran:payment"}),
    (EventFilter(since="2022-10-16", until="2023-01-25"), {"iran:transfer", "iran:payment", "germany:transfer"}),
    (EventFilter(provider="USA"), set()),
    (EventFilter(provider="IRN' OR '1'='1"), set()),  # values are parameters, never SQL
])
def test_event_filters(filled: Path, flt: EventFilter, expected: set[str]) -> None:
    with Store(filled) as store:
        got = {f"{s.article_key}:{s.event.type.value}" for s in store.events(flt)}
    assert got == expected


def test_events_order_and_limit(filled: Path) -> None:
    with Store(filled) as store:
        keys = [s.article_key for s in store.events()]
        assert keys == ["germany", "iran", "iran", "china", "china"]  # newest first, undated last
        assert [s.article_key for s in store.events(limit=2)] == ["germany", "iran"]
        china = [s.event for s in store.events(EventFilter(provider="CHN"))]
    assert [e.type for e in china] == [EventType.COOPERATION, EventType.TRANSFER]  # article order kept
    assert china[1].stance is Stance.DENIED


def test_event_with_ungrounded_evidence_is_not_stored(db: Path) -> None:
    good = event(IRAN, "Iran agreed to send 6,000 Shahed-136 drones to Russia.")
    bad_offsets = good.with_changes(provider="CHN", evidence=(Evidence(3, 20, good.evidence[0].text),))
    not_quoted = good.with_changes(provider="PRK", evidence=(Evidence(0, 4, "Tehr"),))
    past_end = good.with_changes(provider="BLR", evidence=(Evidence(0, 10_000, IRAN.full_text + "x"),))
    no_evidence = good.with_changes(provider="SYR", evidence=())
    one_bad_of_two = good.with_changes(provider="CUB", evidence=(good.evidence[0], Evidence(0, 4, "Russ")))
    result = ArticleResult(IRAN, (bad_offsets, good, not_quoted, past_end, no_evidence, one_bad_of_two))
    assert [grounded(e, IRAN) for e in result.events] == [False, True, False, False, False, False]
    with Store(db) as store:
        assert store.add(result) == 1
        assert [s.event.provider for s in store.events()] == ["IRN"]
    assert raw_counts(db) == {"articles": 1, "events": 1, "sources": 1, "evidence": 1}


def test_offsets_index_title_and_body() -> None:
    article = Article(id="x", title="Drones for Moscow", text="Iran sent drones.")
    e = event(article, "Iran sent drones.")
    body = len(article.title) + 2
    assert grounded(e.with_changes(evidence=(Evidence(body, body + 4, "Iran"),)), article)
    assert not grounded(e.with_changes(evidence=(Evidence(0, 4, "Iran"),)), article)  # offsets of the body alone
    assert grounded(e.with_changes(evidence=(Evidence(0, 6, "Drones"),)), article)
    untitled = Article(id="y", text="Iran sent drones.")
    assert grounded(e.with_changes(evidence=(Evidence(0, 4, "Iran"),)), untitled)


BOOM_TRIGGER = ("CREATE TRIGGER boom BEFORE INSERT ON evidence WHEN NEW.text = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'boom'); END")


def test_a_failed_insert_leaves_no_part_of_the_article(db: Path) -> None:
    article = Article(id="boom", title="Drones", text="Iran sent drones to Russia. Then: boom")
    first = event(article, "Iran sent drones to Russia.")
    second = event(article, "boom", provider="BLR")
    with Store(db) as store:
        store.add(germany_result())
    before = raw_counts(db)
    with sqlite3.connect(db) as conn:
        conn.execute(BOOM_TRIGGER)
    with Store(db) as store:
        with pytest.raises(StoreError, match="boom"):
            store.add(ArticleResult(article, (first, second)))
        assert not store.has_article(article)
        # the store is still usable after the failed transaction
        assert store.add(iran_result()) == 2
    after = raw_counts(db)
    assert after["articles"] == before["articles"] + 1
    assert after["events"] == before["events"] + 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE article_key = 'boom'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE provider = 'BLR' OR json LIKE '%Iran sent drones%'"
                            ).fetchone()[0] == 0
    assert orphans(db) == 0


def test_a_store_fed_from_another_thread_reads_and_writes(db: Path) -> None:
    """A pipeline that consumes its input (and so asks the store whether an article is known) in a
    worker thread failed with "SQLite objects created in a thread can only be used in that same thread"."""
    import threading

    failures: list[BaseException] = []
    with Store(db) as store:
        store.add(iran_result())

        def elsewhere() -> None:
            try:
                assert store.has_article(IRAN) and not store.has_article(GERMANY)
                assert store.add(germany_result()) == 1
            except BaseException as exc:  # reported in the test's thread
                failures.append(exc)

        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        assert not failures, failures
        assert store.has_article(GERMANY) and store.counts()["articles"] == 2
    assert raw_counts(db)["articles"] == 2  # every thread's connection closed with the store


def test_unopenable_ledger_raises_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "a-directory"
    directory.mkdir()
    with pytest.raises(StoreError, match="cannot open the ledger"):
        Store(directory)
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("this is not a database, just some text " * 100)
    with pytest.raises(StoreError, match="cannot open the ledger"):
        Store(not_a_db)


def test_deleting_an_article_cascades(filled: Path) -> None:
    with Store(filled) as store:
        store.conn.execute("DELETE FROM articles WHERE article_key = 'iran'")
        store.conn.commit()
        assert store.counts() == {"articles": 2, "publications": 2, "events": 3, "sources": 3, "evidence": 3,
                                  "assessments": 0}
    assert orphans(filled) == 0


# --- layouts of older releases, written with their own SQL ------------------------------------------

V1_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (id TEXT PRIMARY KEY, article_key TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
    url TEXT, outlet TEXT, published TEXT, origin TEXT, ingested_at TEXT NOT NULL);
CREATE TABLE events (id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type TEXT NOT NULL, provider TEXT NOT NULL, recipient TEXT NOT NULL, category TEXT NOT NULL, item_name TEXT,
    canonical TEXT, quantity_value INTEGER, quantity_approx INTEGER, quantity_text TEXT, value_amount REAL,
    value_currency TEXT, status TEXT NOT NULL, stance TEXT NOT NULL, time_text TEXT, time_iso TEXT,
    location_name TEXT, location_country TEXT, confidence_text TEXT, confidence_low REAL, confidence_high REAL,
    confidence_scale TEXT, position INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE sources (event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT, via TEXT, PRIMARY KEY (event_id, position));
CREATE TABLE evidence (event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (event_id, position));
INSERT INTO meta VALUES ('schema_version', '1');
"""
ASSESSMENTS_LAYOUT = """
CREATE TABLE assessments (id TEXT PRIMARY KEY, family TEXT NOT NULL, type TEXT NOT NULL, provider TEXT NOT NULL,
    recipient TEXT NOT NULL, category TEXT NOT NULL, canonical TEXT, item TEXT NOT NULL, max_status TEXT NOT NULL,
    latest_status TEXT NOT NULL, reliability TEXT NOT NULL, credibility INTEGER NOT NULL, grade TEXT NOT NULL,
    events INTEGER NOT NULL, articles INTEGER NOT NULL, outlets INTEGER NOT NULL, origins INTEGER NOT NULL,
    denials INTEGER NOT NULL, first_reported TEXT, last_reported TEXT, json TEXT NOT NULL);
UPDATE meta SET value = '2' WHERE key = 'schema_version';
"""
# The claims table of the first assessment release (no order, no origins), and of the next one.
V2_UNORDERED = ASSESSMENTS_LAYOUT + """
CREATE TABLE assessment_events (event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    assessment_id TEXT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE);
"""
V2_ORDERED = ASSESSMENTS_LAYOUT + """
CREATE TABLE assessment_events (event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    assessment_id TEXT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    origins TEXT NOT NULL);
"""
STEPS = [m.name for m in MIGRATIONS]


def old_ledger(path: Path, layout: str, stale_assessments: bool = False) -> Path:
    """A ledger in an older release's layout holding the three articles (rows copied from a current one)."""
    current = path.with_name("current.db")
    with Store(current) as store:
        for result in (iran_result(), germany_result(), china_result()):
            store.add(result)
    conn = sqlite3.connect(path)
    conn.executescript(V1_LAYOUT + layout)
    conn.execute("ATTACH DATABASE ? AS current", (str(current),))
    for table in ("articles", "events", "sources", "evidence"):  # the columns the old layout has
        columns = ", ".join(f'"{row[1]}"' for row in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO {table} SELECT {columns} FROM current.{table}")
    if stale_assessments:  # what an older release had assessed: derived data that a newer one rebuilds
        conn.execute("INSERT INTO assessments SELECT 'stale', 'f', 'transfer', 'IRN', 'RUS', 'uav', NULL, 'x',"
                     " 'agreed', 'agreed', 'C', 3, 'C3', 9, 9, 9, 9, 0, NULL, NULL, '{}'")
        conn.execute("INSERT INTO meta VALUES ('assessed_through', '99')")
    conn.commit()
    conn.close()
    current.unlink()
    return path


def fresh_assessments() -> list[str]:
    """The assessment ids a current ledger holding the same articles gets."""
    with Store(":memory:") as store:
        for result in (iran_result(), germany_result(), china_result()):
            store.add(result)
        assess(store)
        return sorted(a.id for a in store.assessments())


@pytest.mark.parametrize("layout, stale", [("", False), (V2_UNORDERED, True),
                                           (V2_ORDERED, True)], ids=["v1", "v2-unordered-claims", "v2-no-search"])
def test_an_older_ledger_is_upgraded_with_its_assessments_rebuilt(tmp_path: Path, layout: str, stale: bool) -> None:
    db = old_ledger(tmp_path / "old.db", layout, stale)
    with Store(db) as store:
        assert sorted(a.id for a in store.assessments()) == fresh_assessments() != []
        assert store.assessed_through() == store.last_publication_rowid()
        assert [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY rowid")] == STEPS
        assert store.search("Leopard")[0] == 1  # the search index was built over the old articles
        assert store.counts()["events"] == 5
        assert store.counts()["publications"] == 3  # each article its own first publication


def test_the_ledger_command_shows_an_upgraded_ledger(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from materiel.cli import app

    db = old_ledger(tmp_path / "old.db", V2_UNORDERED, stale_assessments=True)
    run = CliRunner().invoke(app, ["ledger", "--db", str(db), "--format", "jsonl"])
    assert run.exit_code == 0, run.output
    assert sorted(json.loads(line)["id"] for line in run.output.splitlines()) == fresh_assessments()


def test_a_ledger_of_the_last_unrecorded_layout_has_its_steps_recorded_not_rerun(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    with Store(db) as store:
        store.add(iran_result())
        store.conn.execute("DROP TABLE migrations")  # as the release before recorded steps left it
        store.conn.execute("DROP TABLE slot_spans")  # later steps
        for statement in ("DROP VIEW events_flat", "DROP INDEX events_review", "DROP INDEX articles_key",
                          "DROP INDEX publications_key", "DROP TABLE reviews",
                          "ALTER TABLE events DROP COLUMN review_state", "ALTER TABLE events DROP COLUMN machine_json"):
            store.conn.execute(statement)
        store.conn.execute("DELETE FROM articles_fts")  # step 0003 rebuilds this index: it must not run again
        store.conn.commit()
    with pytest.raises(OutdatedLedgerError, match="open it writable once"):  # it lacks the later steps
        Store(db, read_only=True)
    with Store(db) as store:
        assert [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY rowid")] == STEPS
        assert store.search("Shahed")[0] == 0
        assert store.counts()["events"] == 2


def test_a_failed_upgrade_leaves_the_old_layout_whole(tmp_path: Path) -> None:
    db = old_ledger(tmp_path / "old.db", V2_UNORDERED, stale_assessments=True)
    with sqlite3.connect(db) as conn:  # the rebuild's last write fails, as a full disk would
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON meta WHEN NEW.key = 'assessed_publications'"
                     " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    with pytest.raises(StoreError, match="cannot upgrade the ledger .*disk trouble"):
        Store(db)
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "migrations" not in tables and "articles_fts" not in tables
        assert {r[1] for r in conn.execute("PRAGMA table_info(assessment_events)")} == {"event_id", "assessment_id"}
        assert conn.execute("SELECT id FROM assessments").fetchall() == [("stale",)]


def test_an_outdated_ledger_opened_read_only_says_how_to_upgrade(tmp_path: Path) -> None:
    db = old_ledger(tmp_path / "old.db", V2_ORDERED)
    with pytest.raises(OutdatedLedgerError, match="open it writable once"):
        Store(db, read_only=True)
    with sqlite3.connect(db) as conn:
        assert "migrations" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_a_ledger_from_a_newer_materiel_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO migrations VALUES ('9999_from_the_future', '2030-01-01')")
    with pytest.raises(StoreError, match="newer materiel"):
        Store(db)


def slot(article: Article, name: str, quote: str) -> SlotSpan:
    start = article.full_text.index(quote)
    return SlotSpan(name, start, start + len(quote), quote)


def grounded_iran() -> ArticleResult:
    """The Iran article with the spans of its first event's parts, as extraction records them."""
    first, second = iran_result().events
    spans = (slot(IRAN, "provider", "Iran"), slot(IRAN, "recipient", "Russia"),
             slot(IRAN, "item", "Shahed-136 drones"), slot(IRAN, "quantity", "6,000"))
    return ArticleResult(IRAN, (first.with_changes(spans=spans), second.with_changes(spans=())))


def test_slot_spans_round_trip_through_a_ledger_file(db: Path) -> None:
    result = grounded_iran()
    with Store(db) as store:
        store.add(result)
    with Store(db, read_only=True) as store:
        (first_id, first), (_, second) = store.article_events(IRAN.content_id)
        assert first.spans == result.events[0].spans and second.spans == ()
        assert store.slot_spans(first_id) == list(result.events[0].spans or ())
        text = store.article(IRAN.content_id).full_text  # type: ignore[union-attr]
        assert [text[s.start:s.end] for s in first.spans or ()] == ["Iran", "Russia", "Shahed-136 drones", "6,000"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM slot_spans").fetchone()[0] == 4


def test_a_span_that_does_not_slice_the_text_is_not_stored(db: Path) -> None:
    first, second = grounded_iran().events
    wrong = first.with_changes(spans=(*(first.spans or ()), SlotSpan("source", 0, 4, "Reuters")))
    with Store(db) as store:
        store.add(ArticleResult(IRAN, (wrong, second)))
        assert store.article_events(IRAN.content_id)[0][1].spans == first.spans


def test_a_ledger_from_before_slot_spans_is_upgraded_and_keeps_its_events(tmp_path: Path) -> None:
    """A ledger at layout 0003 (recorded steps, no slot_spans table, event JSON without spans)."""
    db = tmp_path / "0003.db"
    with Store(db) as store:
        store.add(grounded_iran())
        assess(store)
        store.conn.execute("DROP TABLE slot_spans")
        store.conn.execute("DELETE FROM migrations WHERE name = '0004_event_slot_spans'")
        for event_id, data in store.conn.execute("SELECT id, json FROM events").fetchall():
            old = {k: v for k, v in json.loads(data).items() if k != "spans"}
            store.conn.execute("UPDATE events SET json = ? WHERE id = ?", (json.dumps(old), event_id))
        ids = sorted(a.id for a in store.assessments())
    with pytest.raises(OutdatedLedgerError, match="open it writable once"):
        Store(db, read_only=True)
    with Store(db) as store:
        assert sorted(r[0] for r in store.conn.execute("SELECT name FROM migrations")) == sorted(STEPS)
        assert sorted(a.id for a in store.assessments()) == ids
        old_events = store.article_events(IRAN.content_id)
        assert [e.spans for _, e in old_events] == [None, None]  # never grounded: not made up
        assert store.slot_spans(old_events[0][0]) == []
        store.add(ArticleResult(GERMANY, (germany_result().events[0].with_changes(
            spans=(slot(GERMANY, "provider", "Germany"),)),)))
        (new_id, new), = store.article_events(GERMANY.content_id)
        assert new.spans == (slot(GERMANY, "provider", "Germany"),) == tuple(store.slot_spans(new_id))


def test_a_group_stored_under_its_acronym_slug_is_renamed_on_upgrade(tmp_path: Path) -> None:
    """ONTOLOGY §3 names groups by their common English name: an older ledger's `org:lna` is moved."""
    db = tmp_path / "groups.db"
    with Store(db) as store:
        store.add(ArticleResult(GERMANY, (event(GERMANY, "Germany will deliver 14 Leopard 2 tanks to Ukraine",
                                                provider="ARE", recipient="org:lna"),)))
        store.conn.execute("DELETE FROM migrations WHERE name = '0005_group_slugs_from_common_names'")
        store.conn.commit()
    with Store(db) as store:
        stored = store.conn.execute("SELECT recipient, json FROM events").fetchall()
        assert [row[0] for row in stored] == ["org:libyan-national-army"]
        assert json.loads(stored[0][1])["recipient"] == "org:libyan-national-army"
        assess(store)
        assert [a.recipient for a in store.assessments()] == ["org:libyan-national-army"]
