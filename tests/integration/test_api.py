"""The REST API against a real server: `materiel serve` in its own process on a free localhost
port, a real SQLite ledger, real HTTP. Includes schemathesis over the served OpenAPI schema."""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from support import ASSESSMENT_SET as SET
from support import MATERIEL, Server, assessed_ledger
TOKEN = "test-token-0123456789abcdef"




@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    db = tmp_path_factory.mktemp("api-write") / "ledger.db"
    s = Server(db, "--writable", env={"MATERIEL_TOKEN": TOKEN})
    yield s
    s.stop()


def get(server: Server, path: str, **params) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


def test_health_and_read_only_mode(server):
    body = get(server, "/api/health").json()
    assert body["status"] == "ok" and body["writable"] is False and body["counts"]["assessments"] > 10


def test_assessments_paginate_without_gaps_or_repeats(server):
    first = get(server, "/api/assessments", limit=7).json()
    seen, page = [], first
    while True:
        seen += [row["id"] for row in page["items"]]
        if not page["next"]:
            break
        assert page["next"].startswith("/api/assessments?")  # relative: never built from the Host header
        page = httpx.get(server.url + page["next"], timeout=30).json()
    assert len(seen) == len(set(seen)) == first["total"]
    dates = [row["last_reported"] for row in get(server, "/api/assessments", limit=500).json()["items"]]
    assert dates == sorted(dates, reverse=True)


def test_assessment_filters_and_dossier(server):
    pair = get(server, "/api/assessments", between="RUS,IRN").json()["items"]
    assert pair and all({r["provider"], r["recipient"]} == {"IRN", "RUS"} for r in pair)
    dossier = get(server, f"/api/assessments/{pair[0]['id']}").json()
    assert dossier["id"] == pair[0]["id"] and dossier["claims"] and dossier["grade"]["explanation"]


@pytest.mark.parametrize("path, params, status, fragment", [
    ("/api/assessments/0000000000000000", {}, 404, "list them at /api/assessments"),
    ("/api/assessments", {"limit": 0}, 422, "limit"),
    ("/api/assessments", {"limit": 501}, 422, "limit"),
    ("/api/assessments", {"between": "IRN"}, 422, "two party codes"),
    ("/api/assessments", {"status": "shipped"}, 422, "status"),
    ("/api/assessments", {"since": "yesterday"}, 422, "since"),
    ("/api/articles/nope", {}, 404, "article_hash"),
    ("/api/nowhere", {}, 404, "/openapi.json"),
    ("/api/export", {"format": "pdf"}, 422, "brief-html"),
])
def test_errors_are_json_and_say_what_to_fix(server, path, params, status, fragment):
    response = get(server, path, **params)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and fragment in error["message"]


def test_article_view_spans_slice_the_stored_text(server):
    articles = get(server, "/api/articles", limit=500).json()["items"]
    with_events = next(a for a in articles if a["events"] >= 2)
    article = get(server, f"/api/articles/{with_events['article_hash']}").json()
    text = article["full_text"]
    kinds = set()
    for event in article["events"]:
        for span in event["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
            kinds.add(span["kind"])
        evidence = [s for s in event["spans"] if s["kind"] == "evidence"]
        assert [text[s["start"]:s["end"]] for s in evidence] == [e["text"] for e in event["evidence"]]
    assert {"evidence", "party", "item"} <= kinds


def test_search_parties_systems(server):
    found = get(server, "/api/search", q="Crimea trainers").json()
    assert found["total"] >= 1 and any("Crimea" in m or "trainers" in m for r in found["items"] for m in r["matches"])
    assert get(server, "/api/search", q='"); DROP TABLE articles; --').status_code == 200
    assert get(server, "/api/health").json()["counts"]["articles"] == 44  # still there
    parties = {p["party"]: p for p in get(server, "/api/parties", limit=500).json()["items"]}
    assert parties["RUS"]["label"] == "Russia" and parties["RUS"]["receives"] > 0
    systems = {s["canonical"]: s for s in get(server, "/api/systems", limit=500).json()["items"]}
    assert "Geran-2" in systems["Shahed-136"]["aliases"]


@pytest.mark.parametrize("fmt, media", [("csv", "text/csv"), ("jsonl", "application/x-ndjson"),
                                        ("sipri", "text/csv"), ("graphml", "application/xml"),
                                        ("brief-md", "text/markdown"), ("brief-html", "text/html")])
def test_exports(server, fmt, media):
    response = get(server, "/api/export", format=fmt, between="IRN,RUS")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert "attachment" in response.headers["content-disposition"] and response.text
    if fmt == "jsonl":
        ids = {json.loads(line)["id"] for line in response.text.splitlines()}
        assert ids == {r["id"] for r in get(server, "/api/assessments", between="IRN,RUS").json()["items"]}


def test_a_read_only_server_refuses_writes(server):
    response = httpx.post(server.url + "/api/ingest", json={"articles": [{"text": "x"}]},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]


ARTICLE = {"id": "posted", "title": "Iran ships drones", "published": "2024-05-01", "outlet": "Reuters",
           "text": "Iran has delivered 300 Shahed-136 drones to Russia, U.S. officials told Reuters."}


def test_writes_need_the_token(writable):
    url = writable.url + "/api/ingest"
    assert httpx.post(url, json={"articles": [ARTICLE]}).status_code == 401
    assert httpx.post(url, json={"articles": [ARTICLE]}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = httpx.post(url, json={"articles": [ARTICLE], "store": False}, headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=120)
    assert ok.status_code == 200, ok.text
    events = ok.json()["results"][0]["events"]
    assert any(e["provider"] == "IRN" and e["item"]["canonical"] == "Shahed-136" for e in events)
    assert ok.json()["stored"] == 0 and get(writable, "/api/health").json()["counts"]["articles"] == 0


def test_posting_articles_stored_but_never_assessed_assesses_them(tmp_path, results):
    """A crash between storing the last article and assessing left the assessments stale for good: a
    rerun stored nothing new and so skipped assessing. Whatever is unassessed is assessed."""
    from support import filled

    stored = [r for r in results if r.events][:3]
    with filled(tmp_path / "ledger.db", stored) as store:  # stored, then the writer "died" before assessing
        assert store.count_assessments() == 0
    server = Server(tmp_path / "ledger.db", "--writable", env={"MATERIEL_TOKEN": TOKEN})
    try:
        a = stored[0].article
        body = {"articles": [{"id": a.id, "title": a.title, "text": a.text, "url": a.url, "outlet": a.outlet,
                              "published": a.published}]}
        response = httpx.post(server.url + "/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"},
                              timeout=120)
        assert response.status_code == 200, response.text
        assert response.json()["stored"] == 0 and response.json()["assessments_updated"] > 0
        assert get(server, "/api/assessments").json()["total"] > 0
    finally:
        server.stop()
    from materiel.assess.update import assess
    from materiel.store.sqlite import Store

    with Store(tmp_path / "ledger.db") as store:  # up to date: what a full rebuild gives
        assert not store.unassessed()
        brought = sorted(store.conn.execute("SELECT id, json FROM assessments").fetchall())
        assess(store, full=True)
        assert sorted(store.conn.execute("SELECT id, json FROM assessments").fetchall()) == brought


def test_ingest_stores_and_assesses(writable):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = httpx.post(writable.url + "/api/ingest", json={"articles": [ARTICLE]}, headers=headers, timeout=120)
    assert response.status_code == 200 and response.json()["stored"] == 1
    assert response.json()["assessments_updated"] >= 1
    rows = get(writable, "/api/assessments", between="IRN,RUS").json()["items"]
    assert any(r["item"] == "Shahed-136" for r in rows)


def test_uploads_are_type_checked_and_size_limited(writable):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = writable.url + "/api/ingest/upload"
    good = (SET / "articles.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    response = httpx.post(url, params={"store": "false"}, headers=headers, timeout=120,
                          files={"file": ("two.jsonl", "\n".join(good + ["{not json"]), "application/x-ndjson")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["results"]) == 2 and body["rejected"][0]["where"].startswith("two.jsonl:3")
    exe = httpx.post(url, headers=headers, files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert exe.status_code == 415
    binary = httpx.post(url, headers=headers, files={"file": ("x.txt", b"\x00\x01\x02" * 100, "text/plain")})
    assert binary.status_code == 422 and "x.txt" in binary.json()["error"]["message"]
    big = io.BytesIO(b"a" * 5_000_001)
    assert httpx.post(url, headers=headers, files={"file": ("big.txt", big, "text/plain")}).status_code == 413


def test_serve_refuses_a_missing_ledger_unless_writable(tmp_path):
    """`serve --db typo.db` once served a new, empty ledger it had just created; only a writable
    server, which can fill it, starts one, and on --port 0 it names the port it really took."""
    typo = tmp_path / "typo.db"
    refused = subprocess.run([str(MATERIEL), "serve", "--db", str(typo), "--port", "0"], capture_output=True,
                             text=True, timeout=60, env={**os.environ, "MATERIEL_TOKEN": ""})
    assert refused.returncode == 2, refused.stderr
    assert f"no ledger at {typo}; create one with `materiel ingest" in refused.stderr
    assert "serving" not in refused.stderr and not typo.exists()

    fresh = tmp_path / "fresh.db"
    proc = subprocess.Popen([str(MATERIEL), "serve", "--db", str(fresh), "--port", "0", "--writable"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MATERIEL_TOKEN": TOKEN})
    try:
        banner = proc.stderr.readline() if proc.stderr else ""
        assert "serving" in banner and "writable" in banner, banner
        port = int(banner.split("http://127.0.0.1:")[1].split(" ")[0])
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/api/assessments", timeout=30).json()["total"] == 0
        assert fresh.exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_refuses_to_serve_writable_beyond_loopback_without_a_token(tmp_path):
    result = subprocess.run([str(MATERIEL), "serve", "--db", str(tmp_path / "l.db"), "--host", "0.0.0.0",
                             "--writable"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "MATERIEL_TOKEN": ""})
    assert result.returncode == 2 and "refusing to serve writable" in result.stderr


def test_a_declared_oversized_body_is_refused_before_it_is_read(writable):
    """Only the headers are sent: a server that waited for the body would never answer."""
    with socket.create_connection(("127.0.0.1", writable.port), timeout=30) as conn:
        conn.sendall(b"POST /api/ingest HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        reply = b""
        while not reply.endswith(b"}"):  # the headers, then the JSON error
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
    reply = reply.decode("utf-8", "replace")
    assert reply.startswith("HTTP/1.1 413") and "larger than 6,000,000 bytes" in reply


def test_a_streamed_body_is_cut_off_at_the_limit(writable):
    def chunks():  # no Content-Length: sent chunked
        yield b'{"articles": [{"text": "'
        for _ in range(700):
            yield b"a" * 10_000
        yield b'"}]}'

    try:
        response = httpx.post(writable.url + "/api/ingest", content=chunks(), timeout=60,
                              headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    except httpx.WriteError:  # the server answered and closed before the client finished sending
        pytest.fail("the server closed the connection without a 413")
    assert response.status_code == 413 and "larger than" in response.json()["error"]["message"]


def test_a_read_with_a_large_body_is_refused(server):
    response = httpx.request("GET", server.url + "/api/health", content=b"x" * 20_000, timeout=30)
    assert response.status_code == 413 and "GET /api/health" in response.json()["error"]["message"]


@pytest.mark.parametrize("body, status, fragment", [
    (b"not json", 422, "not valid JSON"),
    (b"[" * 100_000, 400, "cannot be read"),
    (b'{"articles": [{"text": "\\ud800 drones"}]}', 422, "articles.0.text"),
])
def test_unreadable_json_bodies_say_what_to_send(writable, body, status, fragment):
    response = httpx.post(writable.url + "/api/ingest", content=body, timeout=60,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert response.status_code == status and fragment in response.json()["error"]["message"]


@pytest.mark.parametrize("name, data, fragment", [
    ("deep.json", b"[" * 100_000, "nested too deeply"),
    ("deep.jsonl", b"[" * 100_000 + b"\n", "nested too deeply"),
])
def test_hostile_uploads_are_rejections_not_server_errors(writable, name, data, fragment):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = httpx.post(writable.url + "/api/ingest/upload", headers=headers, timeout=60,
                          files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 422 and fragment in response.json()["error"]["message"]
    page = httpx.post(writable.url + "/ingest", timeout=60, data={"token": TOKEN},
                      files={"file": (name, data, "application/octet-stream")})
    assert page.status_code == 400 and fragment in page.text


def test_two_clients_writing_at_once_lose_nothing(writable):
    articles = [{"id": "client-a", "published": "2024-03-01", "outlet": "Reuters",
                 "text": "Germany will deliver 14 Leopard 2 tanks to Ukraine, the government said."},
                {"id": "client-b", "published": "2024-03-02", "outlet": "AP",
                 "text": "Iran has delivered 300 Shahed-136 drones to Russia, U.S. officials said on Tuesday."}]
    start = threading.Barrier(len(articles))

    def post(article: dict) -> httpx.Response:
        start.wait()
        return httpx.post(writable.url + "/api/ingest", json={"articles": [article]}, timeout=120,
                          headers={"Authorization": f"Bearer {TOKEN}"})

    with ThreadPoolExecutor(len(articles)) as pool:
        responses = list(pool.map(post, articles))
    for response in responses:
        assert response.status_code == 200 and response.json()["stored"] == 1, response.text
        result = response.json()["results"][0]
        stored = get(writable, f"/api/articles/{result['article_hash']}").json()
        assert result["events"] and [e["id"] for e in stored["events"]] == \
            [f"{result['article_hash']}:{n}" for n in range(len(result["events"]))]
    providers = {r["provider"] for r in get(writable, "/api/assessments", limit=500).json()["items"]}
    assert {"DEU", "IRN"} <= providers


def test_schemathesis_finds_no_server_error(ledger, tmp_path):
    """Property-based requests generated from the served OpenAPI schema, every operation, writes
    with the token, on a writable server over a copy of the assessed ledger: no 5xx, responses conform."""
    db = tmp_path / "ledger.db"
    with sqlite3.connect(ledger) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    served = Server(db, "--writable", env={"MATERIEL_TOKEN": TOKEN})
    try:
        schema = httpx.get(served.url + "/openapi.json", timeout=30).json()
        operations = sum(method in ("get", "post", "put", "patch", "delete") for path in schema["paths"].values()
                         for method in path)
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", served.url + "/openapi.json",
             "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
             "--max-examples", "15", "--phases", "examples,coverage,fuzzing", "--seed", "1",
             "--header", f"Authorization: Bearer {TOKEN}"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    finally:
        served.stop()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert operations >= 22  # reads, the two ingest routes and the review routes
    assert f"Tested: {operations}" in result.stdout  # every operation of the schema was exercised


def test_a_posted_lone_surrogate_is_a_clear_422(writable):
    body = b'{"articles": [{"id": "lone", "text": "Iran sent \\ud800 200 drones to Russia."}], "store": false}'
    response = httpx.post(writable.url + "/api/ingest", content=body, timeout=60,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert "articles.0.text" in response.json()["error"]["message"]
