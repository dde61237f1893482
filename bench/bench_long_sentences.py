#!/usr/bin/env python3
"""Time per 1,000 characters for one over-long sentence, by its length: it must stay flat.

Not a test: it prints numbers and asserts nothing. Run from the repository root:

    .venv/bin/python bench/bench_long_sentences.py                  # 1, 10, 40 and 80 KB
    .venv/bin/python bench/bench_long_sentences.py --kb 1 10 40 80 160 --shapes run-on

What is measured
----------------
One article per size and shape, extracted with `Extractor().extract_each` (model loading excluded,
both paths warmed up first), with no time budget so that the whole text is read:

``run-on``
    Relevant clauses joined by commas with no full stop ("Iran sent 200 Shahed-136 drones ... to
    Russia, while Poland bought K2 tanks from South Korea, ..."): one sentence as long as the text,
    the shape that made time grow with the square of a sentence's length (a 20 KB sentence took
    9 s, 40 KB 35 s, 80 KB 144 s before sentences were read in windows).
``parentheses``
    The same clauses nested in ever deeper brackets.
``trigger-soup``
    Trigger words, states and weapons with no syntax at all.

The windows that bound the parser's work are `materiel.nlp.scan.MAX_SENTENCE_CHARS` long; the
per-article time budget is `materiel.extract.extractor.ARTICLE_TIME_BUDGET` (switched off here).
"""

from __future__ import annotations

import argparse
import time

CLAUSE = ("Iran sent 200 Shahed-136 drones and ammunition to Russia in 2023 according to officials, "
          "while Poland bought K2 tanks from South Korea, ")
SOUP = "sent supplied delivered bought sold transferred drones tanks Iran Russia "


def text_of(shape: str, chars: int) -> str:
    if shape == "run-on":
        body = CLAUSE * (chars // len(CLAUSE) + 1)
    elif shape == "parentheses":
        depth = chars // (len(CLAUSE) + 2) + 1
        body = "(" * depth + CLAUSE * depth + ")" * depth
    else:
        body = SOUP * (chars // len(SOUP) + 1)
    return body[:chars].rstrip() + "."


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, nargs="+", default=[1, 10, 40, 80], help="sentence lengths in KB")
    ap.add_argument("--shapes", nargs="+", choices=("run-on", "parentheses", "trigger-soup"),
                    default=["run-on", "parentheses", "trigger-soup"])
    args = ap.parse_args(argv)

    from materiel.extract.extractor import Extractor
    from materiel.model import Article, ArticleResult
    from materiel.nlp.scan import MAX_SENTENCE_CHARS

    extractor = Extractor(time_budget=None)
    list(extractor.extract_each([Article(id="warm", text=text_of("run-on", 3000))]))
    print(f"windows of at most {MAX_SENTENCE_CHARS:,} characters; no time budget")
    print(f"{'shape':14} {'KB':>5} {'seconds':>9} {'ms per 1,000 chars':>20} {'events':>7}")
    for shape in args.shapes:
        for kb in args.kb:
            text = text_of(shape, kb * 1000)
            start = time.perf_counter()
            outcome = next(extractor.extract_each([Article(id=f"{shape}-{kb}", text=text)]))
            seconds = time.perf_counter() - start
            events = len(outcome.events) if isinstance(outcome, ArticleResult) else outcome.reason
            print(f"{shape:14} {kb:>5} {seconds:>9.2f} {seconds / len(text) * 1e6:>20.1f} {events!s:>7}")


if __name__ == "__main__":
    main()
