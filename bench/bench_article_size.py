#!/usr/bin/env python3
"""Time per 1,000 characters for one article, by its length: it must stay flat (issue 11, part 2).

Not a test: it prints numbers and asserts nothing. Run from the repository root:

    .venv/bin/python bench/bench_article_size.py                       # 50k, 200k, 1M and 2M characters
    .venv/bin/python bench/bench_article_size.py --chars 50000 200000 --profile

One article is made of the relevant articles of the dev set (those with gold events), repeated and
cut to the size asked: every paragraph is news prose that the cascade parses, so this is the
worst case for the text's length, not a long page of filler. Each size is extracted once with
`Extractor(time_budget=None).extract_each` after a warm-up, model loading excluded; the stages are
timed apart (scan, parse, assemble) from the extractor's own clock where it keeps one.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"


def relevant_text() -> str:
    gold = {g["article_id"]: g for g in map(json.loads, (DEV / "gold.jsonl").open(encoding="utf-8"))}
    texts = []
    for line in (DEV / "articles.jsonl").open(encoding="utf-8"):
        article = json.loads(line)
        if gold.get(article["id"], {}).get("events"):
            texts.append(article["text"].strip())
    return "\n\n".join(texts)


def article_of(chars: int, base: str) -> str:
    body = (base + "\n\n") * (chars // (len(base) + 2) + 1)
    cut = body.rfind("\n\n", 0, chars)
    return body[:cut if cut > 0 else chars]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, nargs="+", default=[50_000, 200_000, 1_000_000, 2_000_000])
    ap.add_argument("--profile", action="store_true", help="print the 25 costliest functions of the largest size")
    args = ap.parse_args(argv)

    from materiel.extract.extractor import Extractor
    from materiel.model import Article

    extractor = Extractor(time_budget=None)
    base = relevant_text()
    list(extractor.extract_each([Article(id="warm", title="", text=base[:5000])]))
    print(f"base text: {len(base):,} characters of relevant dev articles")
    print(f"{'characters':>12} {'seconds':>9} {'ms / 1,000 ch':>14} {'events':>8}")
    for chars in args.chars:
        text = article_of(chars, base)
        article = Article(id=f"size-{chars}", title="", text=text)
        profiler = None
        if args.profile and chars == max(args.chars):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.perf_counter()
        results = list(extractor.extract_each([article]))
        seconds = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        events = sum(len(getattr(r, "events", ()) or ()) for r in results)
        print(f"{len(text):>12,} {seconds:>9.2f} {seconds * 1000 / (len(text) / 1000):>14.1f} {events:>8,}", flush=True)
        if profiler is not None:
            import pstats

            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
