"""What no request may do to the server (issue 13): hold the event loop with an extraction, make it
read a body before its token is checked, send a client elsewhere through the Host header, cost a
keep-alive connection with an error, or guard a public server with a guessable token. Real
servers on loopback (`materiel serve` in its own process, or uvicorn in a thread where a limit is
set smaller), real ledgers, real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from materiel.web.app import create_app
from materiel.web.security import write_token
from materiel.web.work import Extractions
from support import IRAN_ARTICLE, MATERIEL, Server, assessed_ledger, free_port

TOKEN = "limits-Token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLAUSE = "Iran delivered 300 Shahed-136 drones to Russia, officials said, and Germany will send tanks to Ukraine, "


def sentence(chars: int) -> str:
    return (CLAUSE * (chars // len(CLAUSE) + 1))[:chars] + "."


@pytest.fixture(scope="module")
def writable(tmp_path_factory, results):
    db = assessed_ledger(tmp_path_factory.mktemp("limits") / "ledger.db", results)
    server = Server(db, env={"MATERIEL_TOKEN": TOKEN})
    yield server, db
    server.stop()


def test_the_preview_needs_the_token(writable):
    server, _ = writable
    form = {"text": IRAN_ARTICLE["text"], "action": "preview"}
    refused = httpx.post(server.url + "/ingest", data=form, timeout=60)
    assert refused.status_code == 400 and "write token" in refused.text and "events-table" not in refused.text
    wrong = httpx.post(server.url + "/ingest", data={**form, "token": "not-the-token"}, timeout=60)
    assert wrong.status_code == 400 and "events-table" not in wrong.text
    shown = httpx.post(server.url + "/ingest", data={**form, "token": TOKEN}, timeout=120)
    assert shown.status_code == 200 and "IRN → RUS" in shown.text


def test_health_answers_while_a_long_sentence_is_previewed(writable):
    """On the event loop, the preview of a 20 KB sentence held every other request for seconds."""
    server, _ = writable
    outcome: list[httpx.Response] = []
    preview = threading.Thread(target=lambda: outcome.append(httpx.post(
        server.url + "/ingest", data={"text": sentence(20_000), "action": "preview", "token": TOKEN}, timeout=300)))
    preview.start()
    time.sleep(0.3)  # the preview is being read
    worst, probes = 0.0, 0
    while preview.is_alive() or probes < 3:
        started = time.perf_counter()
        assert httpx.get(server.url + "/api/health", timeout=30).status_code == 200
        worst, probes = max(worst, time.perf_counter() - started), probes + 1
        time.sleep(0.05)
    preview.join()
    assert outcome[0].status_code == 200, outcome[0].text[-500:]
    assert worst < 1.0, f"/api/health took {worst:.2f} s while a preview ran"


def headers_only(port: int, head: bytes, first_body: bytes = b"") -> str:
    """Send a request's headers (and maybe a first piece of its body), then read the answer
    without sending the rest: a server that waited for the body before answering times out."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head + first_body)
        reply = b""
        try:
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pytest.fail(f"no answer before the body was sent; got {reply[:200]!r}")
    return reply.decode("utf-8", "replace")


@pytest.mark.parametrize("head", [
    b"POST /api/ingest HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: 5000000\r\n\r\n",
    b"POST /api/ingest HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n",
    b"POST /api/ingest/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
    b"Authorization: Bearer wrong\r\nContent-Length: 4000000\r\n\r\n",
], ids=["declared", "chunked", "upload-wrong-token"])
def test_a_write_without_the_token_is_refused_before_its_body_is_read(writable, head):
    server, _ = writable
    first = b"10000\r\n" + b"a" * 0x10000 + b"\r\n" if b"chunked" in head else b"{" * 1000
    reply = headers_only(server.port, head, first)
    assert reply.startswith("HTTP/1.1 401") and "Authorization: Bearer" in reply


def test_a_read_only_server_refuses_the_ingest_form_unread(tmp_path, results):
    server = Server(assessed_ledger(tmp_path / "ledger.db", results), env={"MATERIEL_TOKEN": ""})
    try:
        reply = headers_only(server.port, b"POST /ingest HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                                          b"multipart/form-data; boundary=b\r\nContent-Length: 3000000\r\n\r\n")
        assert reply.startswith("HTTP/1.1 403") and "read-only" in reply
        assert "read-only" in httpx.get(server.url + "/ingest").text
    finally:
        server.stop()


def test_too_much_text_for_one_request_is_a_413(writable):
    server, _ = writable
    filler = "The weather was mild and the market quiet. " * 4_600  # about 200,000 characters each
    body = {"articles": [{"id": f"long-{n}", "text": filler[:199_000]} for n in range(6)], "store": False}
    response = httpx.post(server.url + "/api/ingest", json=body, headers=AUTH, timeout=120)
    assert response.status_code == 413 and "1,000,000" in response.json()["error"]["message"]


def test_what_is_cached_follows_every_write(writable):
    """Exports and counts are kept between writes: a write through the API, or by another process
    into the same file, is seen at once."""
    server, db = writable
    before = httpx.get(server.url + "/api/export", params={"format": "jsonl"}, timeout=60).text
    assert httpx.get(server.url + "/api/export", params={"format": "jsonl"}, timeout=60).text == before
    article = {"id": "cached-1", "published": "2024-06-01", "outlet": "Reuters",
               "text": "Belarus has delivered 12 Su-30SM fighter jets to Mali, the defence ministry said."}
    posted = httpx.post(server.url + "/api/ingest", json={"articles": [article]}, headers=AUTH, timeout=120)
    assert posted.status_code == 200 and posted.json()["stored"] == 1
    after = httpx.get(server.url + "/api/export", params={"format": "jsonl"}, timeout=60).text
    assert after != before and '"BLR"' in after
    counts = httpx.get(server.url + "/api/health").json()["counts"]
    with sqlite3.connect(db) as conn:  # another writer: the counts must not be the cached ones
        conn.execute("DELETE FROM assessments WHERE rowid = (SELECT min(rowid) FROM assessments)")
    assert httpx.get(server.url + "/api/health").json()["counts"]["assessments"] == counts["assessments"] - 1


def test_redirects_never_follow_the_host_header(writable):
    server, _ = writable
    response = httpx.get(server.url + "/?provider=&type=transfer", headers={"Host": "evil.example"})
    assert response.status_code == 303 and response.headers["location"] == "/?type=transfer"
    assert httpx.get(server.url + "//evil.example/?provider=").headers.get("location", "").startswith("/evil.example")
    listed = httpx.get(server.url + "/api/assessments", params={"limit": 1}, headers={"Host": "evil.example"}).json()
    assert listed["next"].startswith("/api/assessments?") and "evil" not in listed["next"]


def test_a_keep_alive_connection_survives_error_answers(tmp_path, results):
    db = assessed_ledger(tmp_path / "ledger.db", results)
    server = Server(db, env={"MATERIEL_TOKEN": TOKEN})
    try:
        with sqlite3.connect(db) as conn:  # the ledger loses a table under the running server: a 500
            conn.execute("DROP TABLE assessments")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        answers = []
        for method, path, body, headers in [
                ("GET", "/api/assessments", None, {}), ("GET", "/api/articles?limit=1", None, {}),
                ("GET", "/api/nowhere", None, {}), ("POST", "/api/ingest", b"{}", {}),
                ("GET", "/api/articles?limit=0", None, {}), ("GET", "/api/articles?limit=1", b"x" * 20_000, {}),
                ("GET", "/api/articles?limit=1", None, {})]:
            conn.request(method, path, body=body, headers=headers)
            if not answers:
                local = conn.sock.getsockname()
            assert conn.sock.getsockname() == local, f"{method} {path} needed a new connection"
            response = conn.getresponse()
            answers.append(response.status)
            assert response.getheader("connection") != "close"
            json.loads(response.read())
        assert answers == [500, 200, 404, 401, 422, 413, 200]
        conn.close()
    finally:
        server.stop()


@pytest.fixture
def impatient(tmp_path):
    """A writable server in this process whose extraction pool has one worker, no waiting room and
    a 0.3 s limit (the limits are set smaller, nothing else is changed)."""
    app = create_app(tmp_path / "ledger.db", TOKEN)
    app.state.extractions = Extractions(workers=1, waiting=0, seconds=0.3)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


def test_an_extraction_over_the_time_limit_or_beyond_the_pool_is_a_503(impatient):
    body = {"articles": [{"id": "slow", "text": sentence(100_000)}], "store": False}  # seconds of work
    first = httpx.post(impatient + "/api/ingest", json=body, headers=AUTH, timeout=120)
    assert first.status_code == 503 and "longer than 0.3 s" in first.text
    assert "took longer than" in first.json()["error"]["message"] and first.headers["retry-after"]
    busy = httpx.post(impatient + "/api/ingest", json=body, headers=AUTH, timeout=120)  # the first still runs
    assert busy.status_code == 503 and "busy" in busy.json()["error"]["message"]
    assert httpx.get(impatient + "/api/health", timeout=5).status_code == 200


@pytest.mark.parametrize("weak", [" " * 16, "a" * 24, "abababab12121212", "0000111122223333"])
def test_a_public_server_refuses_a_weak_token(tmp_path, weak):
    result = subprocess.run([str(MATERIEL), "serve", "--db", str(tmp_path / "l.db"), "--host", "0.0.0.0",
                             "--port", "0", "--writable"], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "MATERIEL_TOKEN": weak})
    assert result.returncode == 2 and "weak write token" in result.stderr
    assert "secrets.token_urlsafe(32)" in result.stderr


def test_a_generated_token_is_accepted_beyond_loopback():
    token = secrets.token_urlsafe(32)
    assert write_token("0.0.0.0", token, writable=True) == token
    assert write_token("127.0.0.1", "abababab12121212", writable=True) == "abababab12121212"  # loopback: length only
