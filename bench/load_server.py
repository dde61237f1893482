#!/usr/bin/env python3
"""The server under load, on loopback: N clients, a fixed number of requests, one large preview.

Starts `materiel serve` (the code on PYTHONPATH, so the same script measures any checkout) on a
free 127.0.0.1 port over a ledger (built with ``bench_assess.py`` when missing), then:

- ``--clients`` threads, each on its own keep-alive connection (stdlib ``http.client``), share
  ``--requests`` GETs spread over the routes below (round robin);
- one more client posts a ``--preview-kb`` KB one-sentence article to the ingest page's preview
  (``POST /ingest``, with the write token) again and again until the load is over;
- a probe asks ``/api/health`` on its own connection every 100 ms and keeps its worst time.

With ``--distinct`` every request is new to the server's cache (a worst case: each answer is built).
Prints p50 / p99 / max per route, the preview outcomes and the worst health time. Bounded: every
request has a timeout and the whole run a deadline; nothing leaves the machine.

    PYTHONPATH=src python bench/load_server.py --db /tmp/load.db            # this checkout
    PYTHONPATH=/other/src python bench/load_server.py --db /tmp/load.db     # another one
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

TOKEN = "load-Bench-token-7f3a9c1e5b2d8046"
REQUEST_TIMEOUT_S = 120
CLAUSE = "Iran delivered 300 Shahed-136 drones to Russia, officials said, and Germany will send tanks to Ukraine, "


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(db: Path, n: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_assess

    with contextlib.redirect_stdout(io.StringIO()):
        bench_assess.main(["--n", str(n), "--db", str(db)])


def request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def routes(port: int) -> list[tuple[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    conn.request("GET", "/api/assessments?limit=1")
    flow = json.loads(conn.getresponse().read())["items"][0]["id"]
    conn.request("GET", "/api/articles?limit=1")
    article = json.loads(conn.getresponse().read())["items"][0]["article_hash"]
    conn.close()
    return [("health", "/api/health"), ("ledger page", "/"), ("ledger page IRN-RUS", "/?between=IRN,RUS"),
            ("api assessments", "/api/assessments"), ("api export csv", "/api/export?format=csv"),
            ("network page", "/network"), ("api network", "/api/network"), ("dossier page", f"/assessments/{flow}"),
            ("api search", "/api/search?q=drones"), ("article page", f"/articles/{article}"),
            ("api parties", "/api/parties")]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="ledger to serve (built with bench_assess.py if missing)")
    parser.add_argument("--n", type=int, default=3000, help="articles when building the ledger (default 3,000)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--preview-kb", type=int, default=31, help="size of the previewed sentence (0: none)")
    parser.add_argument("--deadline", type=float, default=900, help="seconds before the run is abandoned")
    parser.add_argument("--distinct", action="store_true",
                        help="give every request a query of its own (an ignored `n=` parameter), so that no "
                             "answer is ever served twice from the server's cache")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="materiel-load-")
    db = args.db or Path(tmp.name) / "ledger.db"
    if not db.exists():
        build(db, args.n)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "materiel", "serve", "--db", str(db), "--port", str(port)],
                              env={**os.environ, "MATERIEL_TOKEN": TOKEN}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        return run(args, port, server)
    finally:
        server.terminate()
        server.wait(30)


def run(args: argparse.Namespace, port: int, server: subprocess.Popen) -> int:
    started = time.monotonic()
    while True:
        try:
            request(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/api/health")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() - started > 120:
                print("the server did not start:", server.stderr.read() if server.stderr else "", file=sys.stderr)
                return 2
            time.sleep(0.2)
    paths = routes(port)
    deadline = time.monotonic() + args.deadline
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    next_index = iter(range(args.requests))
    done = threading.Event()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            name, path = paths[index % len(paths)]
            if args.distinct:
                path += ("&" if "?" in path else "?") + f"n={index}"
            try:
                status, seconds = request(conn, "GET", path)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
                with lock:
                    failures[name].append(type(exc).__name__)
                continue
            with lock:
                latencies[name].append(seconds)
                if status != 200:
                    failures[name].append(str(status))

    previews: list[tuple[int, float]] = []

    def previewer() -> None:
        text = (CLAUSE * (args.preview_kb * 1024 // len(CLAUSE) + 1))[: args.preview_kb * 1024] + "."
        body = urlencode({"title": "", "text": text, "token": TOKEN, "action": "preview"}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S * 5)
        while not done.is_set() and time.monotonic() < deadline:
            try:
                previews.append(request(conn, "POST", "/ingest", body, headers))
            except (OSError, http.client.HTTPException) as exc:
                previews.append((-1, 0.0))
                print("preview failed:", type(exc).__name__, exc, file=sys.stderr)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S * 5)

    probe: list[float] = []

    def prober() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        while not done.is_set() and time.monotonic() < deadline:
            try:
                probe.append(request(conn, "GET", "/api/health")[1])
            except (OSError, http.client.HTTPException):
                probe.append(float("inf"))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
            time.sleep(0.1)

    helpers = [threading.Thread(target=prober, daemon=True)]
    if args.preview_kb:
        helpers.append(threading.Thread(target=previewer, daemon=True))
    for thread in helpers:
        thread.start()
    time.sleep(1.0 if args.preview_kb else 0)  # the preview is running when the load starts
    load_started = time.monotonic()
    clients = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - load_started
    done.set()
    for thread in helpers:
        thread.join(REQUEST_TIMEOUT_S * 5)

    total = sum(len(v) for v in latencies.values())
    everything = [s for v in latencies.values() for s in v]
    print(f"{args.clients} clients, {total:,} requests answered in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s); p50 {statistics.median(everything) * 1000:.0f} ms, "
          f"p99 {percentile(everything, 0.99) * 1000:.0f} ms")
    print(f"{'route':<22}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}  errors")
    for name, _ in paths:
        values = latencies.get(name) or [float("nan")]
        errors = failures.get(name, [])
        shown = ", ".join(f"{e} x{errors.count(e)}" for e in sorted(set(errors))) if errors else ""
        print(f"{name:<22}{len(latencies.get(name, [])):>6}{statistics.median(values) * 1000:>10.0f}"
              f"{percentile(values, 0.99) * 1000:>10.0f}{max(values) * 1000:>10.0f}  {shown}")
    if previews:
        statuses = sorted({s for s, _ in previews})
        print(f"previews of {args.preview_kb} KB: {len(previews)} answered, statuses {statuses}, "
              f"times {', '.join(f'{t:.1f}' for _, t in previews)} s")
    print(f"/api/health probe: {len(probe)} probes, p50 {statistics.median(probe) * 1000:.0f} ms, "
          f"max {max(probe) * 1000:.0f} ms ({'under' if max(probe) < 1 else 'OVER'} 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
