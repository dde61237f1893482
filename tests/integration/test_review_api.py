"""The review routes of the REST API against a real server: `materiel serve --reviewers FILE` in its own
process on loopback, over a copy of a real assessed ledger; decisions recorded under the reviewer's
name, the ledger and its exports following them, undo, and two reviewers writing at once."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from support import Server, copy_ledger

ALICE, BOB = "alice-token-0123456789abcdef", "bob-token-fedcba9876543210xyz"
OPERATOR_TOKEN = "operator-token-0123456789abcdef"
REVIEWERS = f"# who may decide\nAlice Analyst {ALICE}\n\nBob  Reviewer\t{BOB}\n"



@pytest.fixture
def served(ledger, tmp_path):
    """A writable server with two named reviewers over a fresh copy of the assessed ledger."""
    reviewers = tmp_path / "reviewers.txt"
    reviewers.write_text(REVIEWERS, encoding="utf-8")
    db = copy_ledger(ledger, tmp_path / "ledger.db")
    s = Server(db, env={"MATERIEL_TOKEN": "", "MATERIEL_REVIEWERS": str(reviewers)})
    s.db = db  # type: ignore[attr-defined]
    yield s
    s.stop()


def get(server: Server, path: str, **params) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


def post(server: Server, path: str, body: dict | None = None, token: str | None = ALICE) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(server.url + path, json=body, headers=headers, timeout=60)


def queue(server: Server, **params) -> list[dict]:
    return get(server, "/api/reviews/queue", limit=500, **params).json()["items"]


def claims(server: Server, assessment_id: str) -> list[str]:
    return [c["event_id"] for c in get(server, f"/api/assessments/{assessment_id}").json()["claims"]]


def all_assessments(server: Server) -> list[dict]:
    return get(server, "/api/assessments", limit=500).json()["items"]


def message(response: httpx.Response) -> str:
    return response.json()["error"]["message"]


def sole_and_shared(server: Server) -> tuple[dict, dict]:
    """An event that alone carries its assessment, and one that shares it with others."""
    items = queue(server)
    sole = next(i for i in items if "sole-event" in i["reasons"])
    shared = next(i for i in items if i["assessment_id"] and len(claims(server, i["assessment_id"])) > 1)
    return sole, shared


# --- reading -------------------------------------------------------------------------------------------

def test_the_queue_puts_what_the_ledger_rests_on_first(served):
    body = get(served, "/api/reviews/queue", limit=500).json()
    items = body["items"]
    assert body["total"] == len(items) == get(served, "/api/reviews/summary").json()["unreviewed"] > 20
    priorities = [i["priority"] for i in items]
    assert priorities == sorted(priorities, reverse=True)
    weighty = [n for n, i in enumerate(items) if {"sole-event", "denial"} & set(i["reasons"])]
    plain = [n for n, i in enumerate(items) if not i["reasons"]]
    assert weighty and plain and max(weighty) < min(plain)
    for item in items:  # the reason is true of the ledger as the API shows it
        if item["assessment_id"]:
            sole = claims(served, item["assessment_id"]) == [item["event_id"]]
            assert ("sole-event" in item["reasons"]) == sole, item
        assert ("denial" in item["reasons"]) == (item["event"]["stance"] == "denied")


def test_the_queue_filters_as_the_ledger_does(served):
    from materiel import query

    iran = queue(served, provider="Iran")
    assert iran and all(i["event"]["provider"] == "IRN" for i in iran)
    assert len(iran) < len(queue(served))
    delivered = queue(served, status="delivered")
    assert delivered and all(i["event"]["status"] == "delivered" for i in delivered)
    bad = get(served, "/api/reviews/queue", status="shipped")
    with pytest.raises(query.QueryError) as parser:
        query.event_filter(status="shipped")
    assert bad.status_code == 422 and message(bad) == str(parser.value)


def test_summary_and_history_follow_decisions(served):
    before = get(served, "/api/reviews/summary").json()
    assert before["reviewed"] == 0 and before["unreviewed"] == before["in_ledger"]
    first, second = queue(served)[:2]
    assert post(served, f"/api/events/{first['event_id']}/confirm", {"note": "read it"}).status_code == 200
    assert post(served, f"/api/events/{second['event_id']}/reject", {"reason": "duplicate"}, token=BOB).status_code == 200
    after = get(served, "/api/reviews/summary").json()
    assert (after["confirmed"], after["rejected"], after["reviewed"]) == (1, 1, 1)
    assert after["unreviewed"] == before["unreviewed"] - 2 and after["in_ledger"] == before["in_ledger"] - 1
    history = get(served, f"/api/events/{first['event_id']}/reviews").json()
    assert history["event"]["review"] == "confirmed"
    assert [(r["action"], r["reviewer"], r["note"]) for r in history["reviews"]] == [("confirm", "Alice Analyst", "read it")]
    rejected = get(served, f"/api/events/{second['event_id']}/reviews").json()
    assert [(r["action"], r["reviewer"], r["reason"]) for r in rejected["reviews"]] == [("reject", "Bob Reviewer", "duplicate")]
    assert {i["event_id"] for i in queue(served)}.isdisjoint({first["event_id"], second["event_id"]})


# --- deciding ------------------------------------------------------------------------------------------

def test_reject_needs_a_known_reason(served):
    event = queue(served)[0]["event_id"]
    assert post(served, f"/api/events/{event}/reject", {}).status_code == 422
    unknown = post(served, f"/api/events/{event}/reject", {"reason": "boring"})
    assert unknown.status_code == 422 and "reason" in message(unknown) and "not-an-event" in message(unknown)
    assert get(served, f"/api/events/{event}/reviews").json()["reviews"] == []


def test_a_correction_reads_words_and_refuses_what_means_nothing(served):
    item = next(i for i in queue(served) if i["event"]["provider"] != "IRN")
    event = item["event_id"]
    ok = post(served, f"/api/events/{event}/correct",
              {"changes": {"provider": "Iran", "quantity": "about 20", "item": "Geran-2"}, "note": "per the text"})
    assert ok.status_code == 200, ok.text
    corrected = ok.json()["event"]
    assert corrected["provider"] == "IRN" and corrected["review"] == "corrected"
    assert corrected["quantity"] == {"value": 20, "approx": True, "text": "about 20"} or \
        (corrected["quantity"]["value"], corrected["quantity"]["approx"]) == (20, True)
    assert corrected["item"]["canonical"] == "Shahed-136"
    assert corrected["machine"]["provider"] == item["event"]["provider"]  # the extractor's event is kept
    review = ok.json()["review"]
    assert review["changes"]["provider"] == [item["event"]["provider"], "IRN"] and review["reviewer"] == "Alice Analyst"

    typo = post(served, f"/api/events/{event}/correct", {"changes": {"recipient": "Rusia"}})
    assert typo.status_code == 422 and "Russia" in message(typo)  # a suggestion
    same = post(served, f"/api/events/{event}/correct", {"changes": {"provider": "Iran"}})
    assert same.status_code == 422 and "changes nothing" in message(same)
    slot = post(served, f"/api/events/{event}/correct", {"changes": {"colour": "red"}})
    assert slot.status_code == 422 and "colour" in message(slot)
    assert len(get(served, f"/api/events/{event}/reviews").json()["reviews"]) == 1


def test_add_takes_the_selection_as_evidence(served):
    article = next(a for a in get(served, "/api/articles", limit=500).json()["items"] if a["events"] >= 1)
    full = get(served, f"/api/articles/{article['article_hash']}").json()
    text = full["full_text"]
    start = text.index("\n\n") + 2  # the body's first sentence, leading space and all
    end = text.index(".", start) + 1
    parts = {"type": "transfer", "provider": "Belarus", "recipient": "Serbia", "item": "drones", "status": "agreed"}
    added = post(served, f"/api/articles/{article['article_hash']}/events",
                 {"start": start - 1, "end": end, "parts": parts}, token=BOB)
    assert added.status_code == 200, added.text
    event = added.json()["event"]
    assert event["evidence"] == [{"start": start, "end": end, "text": text[start:end]}]
    assert event["review"] == "added" and added.json()["review"]["reviewer"] == "Bob Reviewer"
    assert event["assessment_id"] and claims(served, event["assessment_id"]) == [event["id"]]
    flow = get(served, f"/api/assessments/{event['assessment_id']}").json()
    assert (flow["provider"], flow["recipient"], flow["events"]) == ("BLR", "SRB", 1)
    after = get(served, f"/api/articles/{article['article_hash']}").json()
    assert event["id"] in [e["id"] for e in after["events"]]

    outside = post(served, f"/api/articles/{article['article_hash']}/events",
                   {"start": 5, "end": len(text) + 1, "parts": parts})
    assert outside.status_code == 422 and "outside the article" in message(outside)
    missing = post(served, f"/api/articles/{article['article_hash']}/events", {"start": 0, "end": 5,
                   "parts": {"type": "transfer"}})
    assert missing.status_code == 422 and "provider" in message(missing)
    assert post(served, "/api/articles/0000nope/events", {"start": 0, "end": 5, "parts": parts}).status_code == 404


def test_undo_only_the_latest_and_only_once(served):
    event = queue(served)[0]["event_id"]
    first = post(served, f"/api/events/{event}/confirm").json()["review"]["id"]
    second = post(served, f"/api/events/{event}/reject", {"reason": "wrong-parties"}, token=BOB).json()["review"]["id"]
    early = post(served, f"/api/reviews/{first}/undo")
    assert early.status_code == 409 and f"undo review {second} first" in message(early)
    undone = post(served, f"/api/reviews/{second}/undo")
    assert undone.status_code == 200 and undone.json()["event"]["review"] == "confirmed"
    assert undone.json()["review"]["undone_by"] == "Alice Analyst"
    again = post(served, f"/api/reviews/{second}/undo")
    assert again.status_code == 409 and "already undone" in message(again)
    assert post(served, "/api/reviews/999999/undo").status_code == 404


@pytest.mark.parametrize("path, body", [("/api/events/{e}/confirm", None),
                                        ("/api/events/{e}/reject", {"reason": "other"}),
                                        ("/api/events/{e}/correct", {"changes": {"status": "delivered"}})])
def test_unknown_events_and_tokens(served, path, body):
    event = queue(served)[0]["event_id"]
    assert post(served, path.format(e="nosuchevent:0"), body).status_code == 404
    assert get(served, "/api/events/nosuchevent:0/reviews").status_code == 404
    assert post(served, path.format(e=event), body, token=None).status_code == 401
    assert post(served, path.format(e=event), body, token="not-a-reviewer-token-000").status_code == 401
    assert get(served, f"/api/events/{event}/reviews").json()["reviews"] == []


def test_a_read_only_server_refuses_decisions(ledger, tmp_path):
    s = Server(copy_ledger(ledger, tmp_path / "l.db"), env={"MATERIEL_TOKEN": ""})
    try:
        event = queue(s)[0]["event_id"]
        refused = post(s, f"/api/events/{event}/confirm")
        assert refused.status_code == 403 and "read-only" in message(refused)
        assert post(s, "/api/reviews/1/undo").status_code == 403
    finally:
        s.stop()


# --- the ledger follows ----------------------------------------------------------------------------------

def export_rows(server: Server, fmt: str) -> list[dict]:
    response = get(server, "/api/export", format=fmt)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


def test_reject_drops_the_event_from_the_ledger_and_exports(served):
    sole, shared = sole_and_shared(served)
    flows_before = {r["id"] for r in export_rows(served, "csv")}
    events_before = export_rows(served, "events-csv")
    event_ids = {r.get("event_id") or r.get("id") for r in events_before}
    assert sole["event_id"] in event_ids and shared["event_id"] in event_ids
    size = get(served, f"/api/assessments/{shared['assessment_id']}").json()["events"]

    assert post(served, f"/api/events/{sole['event_id']}/reject", {"reason": "not-an-event"}).status_code == 200
    assert get(served, f"/api/assessments/{sole['assessment_id']}").status_code == 404
    assert sole["assessment_id"] not in {a["id"] for a in all_assessments(served)}
    assert post(served, f"/api/events/{shared['event_id']}/reject", {"reason": "duplicate"}).status_code == 200
    dossier = get(served, f"/api/assessments/{shared['assessment_id']}").json()
    assert shared["event_id"] not in [c["event_id"] for c in dossier["claims"]] and dossier["events"] == size - 1

    assert {r["id"] for r in export_rows(served, "csv")} == flows_before - {sole["assessment_id"]}
    events_after = export_rows(served, "events-csv")
    assert len(events_after) == len(events_before) - 2
    assert {r.get("event_id") or r.get("id") for r in events_after} == event_ids - {sole["event_id"], shared["event_id"]}


def test_a_corrected_party_moves_the_event_to_its_new_flow(served):
    sole, _ = sole_and_shared(served)
    new = "Belarus" if sole["event"]["provider"] != "BLR" else "Serbia"
    ok = post(served, f"/api/events/{sole['event_id']}/correct", {"changes": {"provider": new}})
    assert ok.status_code == 200, ok.text
    moved = ok.json()["event"]
    assert moved["assessment_id"] != sole["assessment_id"]
    assert sole["event_id"] in claims(served, moved["assessment_id"])
    flow = get(served, f"/api/assessments/{moved['assessment_id']}").json()
    assert flow["provider"] == moved["provider"] and flow["recipient"] == sole["event"]["recipient"]
    assert get(served, f"/api/assessments/{sole['assessment_id']}").status_code == 404  # it was the only one
    exported = export_rows(served, "csv")
    assert moved["assessment_id"] in {r["id"] for r in exported}


def test_undo_restores_exactly_the_assessments_before(served):
    sole, shared = sole_and_shared(served)
    before = all_assessments(served)
    dossiers = {a: get(served, f"/api/assessments/{a}").json() for a in (sole["assessment_id"], shared["assessment_id"])}
    export_before = get(served, "/api/export", format="csv").text
    made = [post(served, f"/api/events/{sole['event_id']}/correct", {"changes": {"provider": "Belarus"}}),
            post(served, f"/api/events/{shared['event_id']}/reject", {"reason": "wrong-item"})]
    assert all(r.status_code == 200 for r in made)
    assert all_assessments(served) != before
    for response in reversed(made):
        assert post(served, f"/api/reviews/{response.json()['review']['id']}/undo", token=BOB).status_code == 200
    assert all_assessments(served) == before
    assert {a: get(served, f"/api/assessments/{a}").json() for a in dossiers} == dossiers
    assert get(served, "/api/export", format="csv").text == export_before


# --- two reviewers at once -------------------------------------------------------------------------------

DECISIONS_EACH = 40


def rebuilt(db: Path, tmp_path: Path) -> tuple[list, list]:
    """The assessments and their claims as a full rebuild of a copy of the ledger makes them."""
    from materiel.assess.update import assess
    from materiel.store.sqlite import Store

    copy = copy_ledger(db, tmp_path / "rebuilt.db")
    with Store(copy) as store:
        assess(store, full=True)
        return assessment_tables(store.conn)


def assessment_tables(conn: sqlite3.Connection) -> tuple[list, list]:
    return (sorted(conn.execute("SELECT id, json FROM assessments").fetchall()),
            sorted(conn.execute("SELECT * FROM assessment_events").fetchall()))


def test_two_reviewers_deciding_at_once_lose_nothing(served, tmp_path):
    items = queue(served)
    shared_event = items[0]["event_id"]
    shared_status = items[0]["event"]["status"]
    rest = [i for i in items[1:]]
    assert len(rest) >= 2 * DECISIONS_EACH
    plans = []  # (token, path, body)
    for n, item in enumerate(rest[:2 * DECISIONS_EACH]):
        token = (ALICE, BOB)[n % 2]
        kind = (n // 2) % 3
        if kind == 0:
            plans.append((token, f"/api/events/{item['event_id']}/confirm", None))
        elif kind == 1:
            plans.append((token, f"/api/events/{item['event_id']}/reject", {"reason": "other", "note": f"n{n}"}))
        else:
            plans.append((token, f"/api/events/{item['event_id']}/correct", {"changes": {"quantity": f"about {900 + n}"}}))
    new_status = "cancelled" if shared_status != "cancelled" else "offered"
    same_moment = threading.Barrier(2)
    clients = {ALICE: httpx.Client(headers={"Authorization": f"Bearer {ALICE}"}, timeout=120),
               BOB: httpx.Client(headers={"Authorization": f"Bearer {BOB}"}, timeout=120)}

    def send(plan: tuple[str, str, dict | None]) -> httpx.Response:
        token, path, body = plan
        return clients[token].post(served.url + path, json=body)

    def same_event(token: str, changes: dict) -> httpx.Response:
        same_moment.wait()
        return clients[token].post(served.url + f"/api/events/{shared_event}/correct", json={"changes": changes})

    try:
        with ThreadPoolExecutor(8) as pool:
            together = [pool.submit(same_event, ALICE, {"quantity": "about 77"}),
                        pool.submit(same_event, BOB, {"status": new_status})]
            responses = list(pool.map(send, plans)) + [f.result() for f in together]
    finally:
        for client in clients.values():
            client.close()
    assert [r.status_code for r in responses] == [200] * len(responses), [r.text for r in responses if r.status_code != 200]

    sent = len(plans) + 2
    with sqlite3.connect(served.db) as conn:  # type: ignore[attr-defined]
        recorded = conn.execute("SELECT event_id, action, reviewer FROM reviews WHERE undone_at IS NULL").fetchall()
        names = {ALICE: "Alice Analyst", BOB: "Bob Reviewer"}
        expected = sorted([(p[1].split("/")[3], p[1].split("/")[4], names[p[0]]) for p in plans]
                          + [(shared_event, "correct", "Alice Analyst"), (shared_event, "correct", "Bob Reviewer")])
        assert len(recorded) == sent == 2 * DECISIONS_EACH + 2
        assert sorted(recorded) == expected
        incremental = assessment_tables(conn)
    shared = get(served, f"/api/events/{shared_event}/reviews").json()
    assert shared["event"]["quantity"]["value"] == 77 and shared["event"]["status"] == new_status
    assert sorted(r["reviewer"] for r in shared["reviews"]) == ["Alice Analyst", "Bob Reviewer"]
    assert get(served, "/api/reviews/summary").json()["reviewed"] + \
        get(served, "/api/reviews/summary").json()["rejected"] == len(plans) + 1
    assert incremental == rebuilt(served.db, tmp_path)  # type: ignore[attr-defined]


# --- the schema ----------------------------------------------------------------------------------------

def test_the_review_routes_are_in_the_schema(served):
    schema = get(served, "/openapi.json").json()
    paths = schema["paths"]
    for path, method in [("/api/reviews/queue", "get"), ("/api/reviews/summary", "get"),
                         ("/api/events/{event_id}/reviews", "get"), ("/api/events/{event_id}/confirm", "post"),
                         ("/api/events/{event_id}/reject", "post"), ("/api/events/{event_id}/correct", "post"),
                         ("/api/articles/{article_hash}/events", "post"), ("/api/reviews/{review_id}/undo", "post")]:
        assert method in paths[path], path
        if method == "post":
            assert {"401", "403", "404", "409", "422"} <= set(paths[path][method]["responses"]), path
    bodies = {p: paths[p]["post"].get("requestBody", {}) for p in
              ("/api/events/{event_id}/reject", "/api/events/{event_id}/correct", "/api/articles/{article_hash}/events")}
    assert all(b.get("required") for b in bodies.values()), bodies
    components = schema["components"]["schemas"]
    assert {"reason"} <= set(components["RejectIn"]["properties"]) and "changes" in components["CorrectIn"]["required"]
    assert {"start", "end", "parts"} <= set(components["AddIn"]["required"])
    assert get(served, "/docs").status_code == 200


def test_the_pages_say_how_many_events_were_reviewed(served):
    def counted(path: str) -> str:
        page = httpx.get(served.url + path, timeout=60).text
        start = page.index('id="review-counts"')
        return page[start:page.index("</p>", start)]

    total = get(served, "/api/reviews/summary").json()["in_ledger"]
    assert f"0 of {total} events reviewed" in counted("/")
    assert "0 of " in counted("/network")
    sole, _ = sole_and_shared(served)
    assert post(served, f"/api/events/{sole['event_id']}/confirm").status_code == 200
    assert f"1 of {total} events reviewed" in counted("/")
    assert f"1 of {total} events of these flows reviewed" in counted("/network")


def test_a_read_only_server_offers_no_decision(ledger, tmp_path):
    """The pages of a server nobody may write to say so, instead of buttons that could only fail."""
    server = Server(copy_ledger(ledger, tmp_path / "ledger.db"), env={"MATERIEL_TOKEN": ""})
    try:
        queue_page = httpx.get(server.url + "/review", timeout=60).text
        assert 'id="read-only-note"' in queue_page and 'data-act="confirm"' not in queue_page
        event = get(server, "/api/reviews/queue", limit=1).json()["items"][0]
        article_page = httpx.get(server.url + f"/articles/{event['article_hash']}", timeout=60).text
        assert 'id="read-only-note"' in article_page and 'id="add-event"' not in article_page
    finally:
        server.stop()
