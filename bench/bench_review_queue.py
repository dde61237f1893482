#!/usr/bin/env python3
"""How fast the review queue's first page comes on a ledger of about 2,000 unreviewed events.

Not a test: it prints timings. Run from the repository root:

    PYTHONPATH=src .venv/bin/python bench/bench_review_queue.py            # ~2,000 events
    PYTHONPATH=src .venv/bin/python bench/bench_review_queue.py --copies 5 --db /tmp/q.db

The ledger: the assessment set's 44 reports (tests/assessments/articles.jsonl), extracted once
with the real model, stored `--copies` times as variants (a unique sentence appended, so the text
and its hash are new and every evidence offset still slices it; provider and recipient relabelled
through a seeded one-to-one mapping onto 40 state codes, so the ledger holds many flow families),
then assessed in full. Timed: `review.queue(store, limit=50)` (the page the web queue and
`GET /api/reviews/queue` show), cold (first call on a fresh connection) and warm (median of 5),
and the same for a later page (offset 1,000) and one filtered by provider.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODES = ("AFG ARM AUS AZE BLR BRA CAN CHN DEU EGY ESP FRA GBR GRC IND IRN IRQ ISR ITA JPN KAZ KOR LBY MMR NGA "
         "NLD NOR PAK POL PRK ROU RUS SAU SRB SYR TUR UKR USA VEN YEM").split()


def build(db: Path, copies: int) -> None:
    from materiel.assess.update import assess
    from materiel.extract.extractor import shared_extractor
    from materiel.ingest.readers import read_inputs
    from materiel.model import Article
    from materiel.model.core import ArticleResult
    from materiel.store.sqlite import Store

    articles = [a for a in read_inputs([str(ROOT / "tests/assessments/articles.jsonl")]) if isinstance(a, Article)]
    results = list(shared_extractor().extract_many(articles))
    rng = random.Random(12)
    with Store(db) as store:
        for k in range(copies):
            mapping = dict(zip(CODES, rng.sample(CODES, len(CODES)))) if k else {}
            for result in results:
                article = replace(result.article, id=f"{result.article.id}-v{k}",
                                  text=result.article.text + f" Reference note {k}.")
                events = tuple(replace(e, provider=mapping.get(e.provider, e.provider),
                                       recipient=mapping.get(e.recipient, e.recipient)) for e in result.events)
                store.add(ArticleResult(article, events))
        assess(store, full=True)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=21, help="variants of each report (21 x 96 events ~ 2,000)")
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_review_queue.db"))
    args = parser.parse_args()
    from materiel import review
    from materiel.query import event_filter
    from materiel.store.sqlite import Store

    if args.db.exists():
        args.db.unlink()
    build(args.db, args.copies)
    with Store(args.db) as store:
        cold = timed(lambda: review.queue(store, limit=50))
        total, first = review.queue(store, limit=50)
        warm = statistics.median(timed(lambda: review.queue(store, limit=50)) for _ in range(5))
        later = statistics.median(timed(lambda: review.queue(store, limit=50, offset=1000)) for _ in range(3))
        flt = event_filter(provider="Russia")
        filtered = statistics.median(timed(lambda: review.queue(store, flt, limit=50)) for _ in range(3))
        print(f"ledger: {store.counts()['events']} events, {store.count_assessments()} assessments; "
              f"{total} waiting in the queue", file=sys.stderr)
        print(f"first page of 50: cold {cold:.0f} ms, warm {warm:.0f} ms (median of 5)")
        print(f"page at offset 1,000: {later:.0f} ms; filtered (provider Russia): {filtered:.0f} ms")
        print(f"first page's priorities: {[i.priority for i in first[:10]]} ...")


if __name__ == "__main__":
    main()
