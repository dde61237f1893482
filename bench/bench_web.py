"""How fast the web pages render at the server with a large ledger.

Builds (or reuses, with ``--db``) a ledger of N articles with ``bench_assess.py``'s stream (one in
four relevant, parties relabelled so there are thousands of flows), then renders every page through
the ASGI app in this process (no network, so the figure is the server's own time): the ledger
(default, filtered, sorted, with a full-text search), the dossier of the largest flow and of a
typical one, the article with the most events, the network of all flows, the ingest form, and the
JSON twins of the ledger and the dossier. Each page is rendered once to warm up, then ``--repeat``
times; median and p95 are reported against the 300 ms target.

    python bench/bench_web.py            # 10,000 articles
    python bench/bench_web.py --n 500    # quick
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300.0


def build(db: Path, n: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_assess

    with contextlib.redirect_stdout(io.StringIO()):
        bench_assess.main(["--n", str(n), "--db", str(db)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="articles in the ledger (default 10,000)")
    parser.add_argument("--db", type=Path, help="reuse this ledger if it exists, else build it there")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore")
    from fastapi.testclient import TestClient

    from materiel.store.sqlite import Store
    from materiel.web.app import create_app

    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="materiel-bench-web-")
        db = Path(tmp.name) / "ledger.db"
    if not db.exists():
        started = time.perf_counter()
        build(db, args.n)
        print(f"built a ledger of {args.n:,} articles in {time.perf_counter() - started:.1f}s: {db}")
    with Store(db) as store:
        counts = store.counts()
        largest = store.assessment_rows(limit=1, sort="events")[0]
        typical = store.assessment_rows(limit=1, offset=counts["assessments"] // 2, sort="events")[0]
        article = store.conn.execute("SELECT article_id FROM events GROUP BY article_id ORDER BY count(*) DESC"
                                     " LIMIT 1").fetchone()[0]
    client = TestClient(create_app(db))
    pages = [
        ("ledger", "/"),
        ("ledger filtered IRN-RUS", "/?between=IRN,RUS"),
        ("ledger sorted by grade, page 20", "/?sort=grade&dir=asc&page=20"),
        ("ledger + full-text search", "/?q=drones+Russia"),
        (f"dossier, largest flow ({largest['events']} claims)", f"/assessments/{largest['id']}"),
        (f"dossier, typical flow ({typical['events']} claims)", f"/assessments/{typical['id']}"),
        ("article with most events", f"/articles/{article}"),
        (f"network ({counts['assessments']:,} flows)", "/network"),
        ("ingest form", "/ingest"),
        ("JSON: /api/assessments", "/api/assessments"),
        ("JSON: dossier of the largest flow", f"/api/assessments/{largest['id']}"),
    ]
    print(f"ledger: {counts['articles']:,} articles, {counts['events']:,} events, {counts['assessments']:,} "
          f"assessments; {args.repeat} renders per page after one warm-up, in-process (server time)\n")
    print("| page | median ms | p95 ms | bytes | < 300 ms |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for name, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
        worst = max(worst, p95)
        print(f"| {name} | {statistics.median(samples):.1f} | {p95:.1f} | {len(response.content):,} | "
              f"{'yes' if p95 < TARGET_MS else 'NO'} |")
    print(f"\nverdict (every page < {TARGET_MS:.0f} ms at the server): {'MET' if worst < TARGET_MS else 'MISSED'}"
          f" - worst p95 {worst:.1f} ms")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
