"""`materiel review ...` on a real ledger (the bundled demo articles, ingested once): each decision changes
what `ledger`, `events`, `show` and `export` say, undo brings the ledger back, bad values and unknown ids
end with one line and exit 2, and the reviewer's name is recorded."""

from __future__ import annotations

import csv
import getpass
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from materiel import service
from support import invoke_cli


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("demo")
    done = invoke_cli("ingest", service.sample_corpus(), "--db", where / "demo.db", "-q", cwd=where)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(where / "demo.db") as conn:  # one file to copy: the write-ahead log folded in
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return where / "demo.db"


@pytest.fixture
def db(demo_ledger: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_ledger, tmp_path / "ledger.db"))


def events_of(invoke, db: Path) -> dict[str, dict]:
    return {r["event_id"]: r for r in json.loads(invoke("events", "--db", db, "-f", "json").stdout)}


def ledger_of(invoke, db: Path) -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(invoke("ledger", "--db", db, "-f", "json").stdout)}


def review(invoke, db: Path, *args: object, reviewer: str = "ann") -> str:
    done = invoke("review", *args, "--db", db, "--reviewer", reviewer)
    assert done.returncode == 0, done.stderr
    return done.stderr


def review_id(stderr: str) -> str:
    return stderr.split(":", 1)[0].removeprefix("review ").strip()


def sole_and_shared(events: dict[str, dict]) -> tuple[str, str]:
    """An event alone in its assessment, and one sharing its assessment with others."""
    sizes: dict[str, int] = {}
    for r in events.values():
        sizes[r["assessment_id"]] = sizes.get(r["assessment_id"], 0) + 1
    sole = next(e for e, r in events.items() if sizes[r["assessment_id"]] == 1)
    shared = next(e for e, r in events.items() if sizes[r["assessment_id"]] > 1)
    return sole, shared


def snapshot(invoke, db: Path) -> tuple:
    """What a reader sees: every event row and every assessment with its claims."""
    full = invoke("export", "--format", "jsonl", "--db", db)
    return events_of(invoke, db), ledger_of(invoke, db), sorted(full.stdout.splitlines())


def test_decisions_change_ledger_events_and_exports_and_undo_restores(invoke, db: Path) -> None:
    before = snapshot(invoke, db)
    events = before[0]
    sole, shared = sole_and_shared(events)
    ordered = next(e for e, r in events.items() if r["type"] == "transfer" and e not in (sole, shared))
    undo = []

    # confirm: the event and its flow say they are reviewed; the CSV export counts it
    undo.append(review_id(review(invoke, db, "confirm", shared, "--note", "checked the source")))
    now = events_of(invoke, db)
    assert now[shared]["review"] == "confirmed"
    flow = ledger_of(invoke, db)[events[shared]["assessment_id"]]
    assert flow["reviewed_events"] == 1
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(invoke("export", "-f", "csv", "--db", db).stdout))}
    assert rows[flow["id"]]["reviewed_events"] == "1"

    # reject: out of events, ledger and exports; an assessment it carried alone is gone
    undo.append(review_id(review(invoke, db, "reject", sole, "--reason", "not-an-event")))
    assert sole not in events_of(invoke, db)
    assert events[sole]["assessment_id"] not in ledger_of(invoke, db)
    assert sole not in invoke("export", "-f", "events-csv", "--db", db).stdout

    # correct the parties (provider and recipient swapped): the event moves to the other flow
    e = events[ordered]
    undo.append(review_id(review(invoke, db, "correct", ordered, "--provider", e["recipient"], "--recipient",
                                 e["provider"])))
    moved = events_of(invoke, db)[ordered]
    assert (moved["provider"], moved["recipient"], moved["review"]) == (e["recipient"], e["provider"], "corrected")
    flows = ledger_of(invoke, db)
    assert flows[moved["assessment_id"]]["provider"] == e["recipient"]
    history = json.loads(invoke("review", "history", ordered, "--db", db, "-f", "json").stdout)
    assert history[-1]["changes"] == {"provider": [e["provider"], e["recipient"]],
                                      "recipient": [e["recipient"], e["provider"]]}
    assert history[-1]["reviewer"] == "ann"

    # add a missed event, its evidence quoted: it is in events, a flow and the export
    text = e["evidence"].split(" … ")[0]
    added = review(invoke, db, "add", e["article_hash"], "--evidence", text, "--type", "training", "--provider",
                   "Iran", "--recipient", "Venezuela", "--item", "drones", "--status", "delivered")
    undo.append(review_id(added))
    new = [r for r in events_of(invoke, db).values() if r["review"] == "added"]
    assert len(new) == 1 and (new[0]["provider"], new[0]["recipient"], new[0]["evidence"]) == ("IRN", "VEN", text)
    assert new[0]["assessment_id"] in ledger_of(invoke, db)
    assert new[0]["event_id"] in invoke("export", "-f", "events-csv", "--db", db).stdout
    summary = {r["state"]: r["events"] for r in
               json.loads(invoke("review", "summary", "--db", db, "-f", "json").stdout)}
    assert (summary["confirmed"], summary["rejected"], summary["corrected"], summary["added"]) == (1, 1, 1, 1)
    queue = json.loads(invoke("review", "list", "--db", db, "--limit", "1000", "-f", "json").stdout)
    assert {q["event_id"] for q in queue}.isdisjoint({shared, sole, ordered, new[0]["event_id"]})

    # undo every decision: the ledger is as it was, to the last claim
    for rid in reversed(undo):
        review(invoke, db, "undo", rid, reviewer="bob")
    assert snapshot(invoke, db) == before
    history = json.loads(invoke("review", "history", shared, "--db", db, "-f", "json").stdout)
    assert history[0]["undone_by"] == "bob" and history[0]["note"] == "checked the source"


def test_event_ids_and_review_states_are_shown_where_events_are_found(invoke, db: Path) -> None:
    events = events_of(invoke, db)
    _, shared = sole_and_shared(events)
    review(invoke, db, "confirm", shared)
    table = invoke("events", "--db", db, "--limit", "100", env={"COLUMNS": "400"}).stdout
    assert shared in table and "confirmed" in table
    dossier = invoke("show", events[shared]["assessment_id"], "--db", db, env={"COLUMNS": "400"}).stdout
    assert shared in dossier and "confirmed" in dossier and "unreviewed" in dossier
    flows = ledger_of(invoke, db)
    ledger = invoke("ledger", "--db", db, env={"COLUMNS": "400"}).stdout
    assert f"1/{flows[events[shared]['assessment_id']]['events']}" in ledger
    brief = invoke("export", "-f", "brief-md", "--db", db).stdout
    assert f"1 of {len(events)} events reviewed" in brief
    assert f"**Reviewed:** 1 of {flows[events[shared]['assessment_id']]['events']} events reviewed" in brief
    sipri = list(csv.DictReader(io.StringIO(invoke("export", "-f", "sipri", "--db", db).stdout)))
    assert sipri and all(r["Reviewed"].endswith("reviewed") for r in sipri)


def test_a_unique_start_of_an_event_id_is_enough(invoke, db: Path) -> None:
    events = events_of(invoke, db)
    by_article: dict[str, list[str]] = {}
    for e in events:
        by_article.setdefault(e.split(":")[0], []).append(e)
    several = next(a for a, ids in by_article.items() if len(ids) > 1)
    done = invoke("review", "confirm", several + ":", "--db", db, "--reviewer", "ann")
    assert done.returncode == 2 and "did you mean" in done.error_lines[0]
    first = events[by_article[several][0]]
    review(invoke, db, "add", several, "--evidence", first["evidence"].split(" … ")[0], "--type", "training",
           "--provider", "Iran", "--recipient", "Russia", "--item", "drones")
    done = invoke("review", "correct", several + ":add", "--status", "agreed", "--db", db, "--reviewer", "ann")
    assert done.returncode == 0, done.stderr
    assert events_of(invoke, db)[several + ":added-1"]["status"] == "agreed"


@pytest.mark.parametrize("args, message", [
    (["confirm", "feedfacefeedfacefeedface:0"], "no event"),
    (["undo", "999"], "no review 999"),
    (["correct", "EVENT", "--quantity", "many"], "quantity: 'many' holds no number"),
    (["correct", "EVENT", "--provider", "Atlantis"], "provider"),
    (["correct", "EVENT", "--value", "12"], "names no currency"),
    (["correct", "EVENT"], "nothing to correct"),
    (["add", "ARTICLE", "--evidence", "no such words in it", "--type", "transfer", "--provider", "Iran",
      "--recipient", "Russia", "--item", "drones"], "is not in article"),
    (["add", "ARTICLE", "--evidence", "the", "--type", "transfer", "--provider", "Iran",
      "--recipient", "Russia", "--item", "drones"], "occurs more than once"),
    (["add", "ARTICLE", "--start", "0", "--end", "999999", "--type", "transfer", "--provider", "Iran",
      "--recipient", "Russia", "--item", "drones"], "outside the article's text"),
    (["add", "ARTICLE", "--type", "transfer", "--provider", "Iran", "--recipient", "Russia", "--item", "drones"],
     "needs its evidence"),
    (["add", "ARTICLE", "--evidence", "Iran", "--start", "0", "--end", "4", "--type", "transfer", "--provider",
      "Iran", "--recipient", "Russia", "--item", "drones"], "not both"),
    (["add", "feedfacefeedfacefeedface", "--start", "0", "--end", "4", "--type", "transfer", "--provider", "Iran",
      "--recipient", "Russia", "--item", "drones"], "no article"),
])
def test_bad_values_and_unknown_ids_end_with_one_line_and_exit_2(invoke, db: Path, args: list[str],
                                                                   message: str) -> None:
    event = next(iter(events_of(invoke, db).values()))
    args = [event["event_id"] if a == "EVENT" else event["article_hash"] if a == "ARTICLE" else a for a in args]
    done = invoke("review", *args, "--db", db, "--reviewer", "ann")
    assert done.returncode == 2, done.stderr
    assert len(done.error_lines) == 1 and message in done.error_lines[0], done.stderr
    assert json.loads(invoke("review", "summary", "--db", db, "-f", "json").stdout)[-1]["events"] == 0


def test_undo_refuses_what_is_not_the_latest_decision(invoke, db: Path) -> None:
    event = next(iter(events_of(invoke, db)))
    first = review_id(review(invoke, db, "confirm", event))
    review(invoke, db, "correct", event, "--status", "delivered", "--quantity", "3")
    done = invoke("review", "undo", first, "--db", db, "--reviewer", "ann")
    assert done.returncode == 2 and "not the latest" in done.error_lines[0]
    latest = json.loads(invoke("review", "history", event, "--db", db, "-f", "json").stdout)[-1]["id"]
    review(invoke, db, "undo", latest)
    again = invoke("review", "undo", latest, "--db", db, "--reviewer", "ann")
    assert again.returncode == 2 and "already undone" in again.error_lines[0]
    # --quantity '' clears a quantity
    review(invoke, db, "correct", event, "--quantity", "7")
    review(invoke, db, "correct", event, "--quantity", "")
    assert events_of(invoke, db)[event]["quantity"] is None


def test_the_reviewer_is_named_by_option_environment_or_login(invoke, db: Path) -> None:
    a, b, c = list(events_of(invoke, db))[:3]
    assert invoke("review", "confirm", a, "--db", db, "--reviewer", "Ann Analyst").returncode == 0
    assert invoke("review", "confirm", b, "--db", db, env={"MATERIEL_REVIEWER": "Env Reviewer"}).returncode == 0
    assert invoke("review", "confirm", c, "--db", db).returncode == 0
    names = [json.loads(invoke("review", "history", e, "--db", db, "-f", "json").stdout)[0]["reviewer"]
             for e in (a, b, c)]
    assert names == ["Ann Analyst", "Env Reviewer", getpass.getuser()]


def test_assess_full_after_reviews_gives_the_assessments_the_decisions_left(invoke, db: Path) -> None:
    events = events_of(invoke, db)
    sole, shared = sole_and_shared(events)
    others = [e for e in events if e not in (sole, shared)]
    review(invoke, db, "confirm", shared)
    review(invoke, db, "reject", sole, "--reason", "duplicate")
    e = events[others[0]]
    review(invoke, db, "correct", others[0], "--provider", e["recipient"], "--recipient", e["provider"],
           "--status", "delivered")
    review(invoke, db, "correct", others[1], "--item", "uav: Shahed-136", "--quantity", "about 40")
    review(invoke, db, "add", e["article_hash"], "--evidence", e["evidence"].split(" … ")[0], "--type", "payment",
           "--provider", "Russia", "--recipient", "Iran", "--item", "drones", "--value", "USD 2bn")
    incremental = snapshot(invoke, db)
    assert invoke("assess", "--full", "--db", db, "-q").returncode == 0
    assert snapshot(invoke, db) == incremental


def test_export_leaves_out_articles_still_undecided_unless_partial(invoke, db: Path, tmp_path: Path) -> None:
    events = events_of(invoke, db)
    first = next(iter(events.values()))
    ours = [e for e, r in events.items() if r["article_hash"] == first["article_hash"]]
    review(invoke, db, "confirm", ours[0])
    held = invoke("review", "export", "-o", tmp_path / "gold.jsonl", "--db", db)
    assert held.returncode == 0 and (tmp_path / "gold.jsonl").read_text() == ""
    assert "0 reviewed article(s)" in held.stderr and first["article_id"] in held.stderr
    partial = invoke("review", "export", "--partial", "--db", db)
    assert [json.loads(line)["article_id"] for line in partial.lines] == [first["article_id"]]
    review(invoke, db, "confirm", *ours[1:])
    whole = invoke("review", "export", "--db", db)
    line = json.loads(whole.stdout)
    assert len(line["events"]) == len(ours) and "1 reviewed article(s) with" in whole.stderr


def test_eval_db_names_the_gold_articles_the_ledger_lacks(invoke, db: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"article_id": "demo-1", "events": []}\n{"article_id": "nowhere-7", "events": []}\n')
    done = invoke("eval", gold, "--db", db)
    assert done.returncode == 2 and "nowhere-7" in done.error_lines[0] and "demo-1" not in done.error_lines[0]
    neither = invoke("eval", gold)
    assert neither.returncode == 2 and "--db" in neither.error_lines[0]


def test_several_events_in_one_command_each_decided_until_a_bad_id(invoke, db: Path) -> None:
    a, b = list(events_of(invoke, db))[:2]
    done = invoke("review", "confirm", a, "feedfacefeedfacefeedface:9", b, "--db", db, "--reviewer", "ann")
    assert done.returncode == 2 and "no event" in done.error_lines[0]
    assert f"confirm {a} by ann" in done.stderr
    now = events_of(invoke, db)
    assert (now[a]["review"], now[b]["review"]) == ("confirmed", None)


def test_a_correction_that_moves_an_event_to_another_flow_is_stored(db: Path) -> None:
    """The corrected event's new flow was written before its old flow let go of it: the correction
    failed with 'UNIQUE constraint failed: assessment_events.event_id' (core of issue 12)."""
    from materiel import review as reviews
    from materiel.store.sqlite import Store

    with Store(db) as store:
        event_id, = next(r for r in store.conn.execute("SELECT id FROM events WHERE type = 'transfer'"))
        event = reviews.rows.event_row(store, event_id).event
        reviews.correct(store, event_id, "ann", {"provider": event.recipient, "recipient": event.provider})
        moved = store.assessment_of_events([event_id])[event_id]
        flow = store.assessment(moved)
        assert (flow.provider, flow.recipient) == (event.recipient, event.provider)
