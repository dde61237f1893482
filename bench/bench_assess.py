#!/usr/bin/env python3
"""How the ledger scales: ingest, full and incremental assessment, and ledger queries on a large store.

Not a test: it prints numbers and asserts nothing beyond a one-line verdict per target. Run from
the repository root:

    .venv/bin/python bench/bench_assess.py              # 10,000 articles, 1 in 4 relevant
    .venv/bin/python bench/bench_assess.py --n 500      # a quick run
    .venv/bin/python bench/bench_assess.py --db /tmp/big.db --profile

The store
---------
Built from *templates*, each extracted once with the real ``Extractor`` (timed, reported as
"extraction of templates"; model loading is timed separately). Relevant templates are the dev
articles that ``shared/eval/dev/gold.jsonl`` gives at least one event and the cross-article set
``tests/assessments/articles.jsonl`` less its distractors; filler templates are the 40 ordinary
news articles of ``bench/filler/ordinary.jsonl``, the dev hard negatives and the assessment
distractors. The store then receives ``--n`` *variants* of these templates through
``Store.add`` (one transaction per article, as the CLI writes them), about ``--relevant-share``
(default 1 in 4) of them relevant, the rest filler, as in a general news stream. Each variant:

- gets a unique id and a unique appended sentence ("Reference note k."): only text appended at
  the end, so the extracted evidence offsets still slice the text and its content hash is new;
- gets a publication date drawn uniformly over 2018-2025 and an outlet from 30 outlets the
  knowledge base knows (so origins resolve as they would on real input);
- when it carries events, has their ISO-3 parties (provider, recipient, sources' country)
  relabelled through a random one-to-one mapping onto 60 state codes, so the store holds many
  distinct families (type, parties, category), not a handful of huge ones. A share of relevant
  variants (``--keep-share``, default 1 in 5) keep their parties as written: real news dwells
  on a few pairs, and this keeps the template pairs (IRN-RUS above all, the subject of the seed
  article and of many assessment-set articles) large families. Events the extractor reports on
  filler templates (spurious ones, if any) are kept and relabelled the same way.

What is measured
----------------
1. extraction of the distinct templates (once each), and the ``Store.add`` loop over N
   prepared variants ("ingest");
2. ``assess(store, full=True)`` on that store: time, assessments, families, events;
3. incremental: five times, one new relevant article (a fresh variant of the dev ``seed``
   article, parties as written, so its IRN-RUS flows land in large families) is extracted with
   the real model and stored (``Extractor.extract`` + ``Store.add``, timed together) and
   ``assess(store)`` brings the ledger up to date (timed); median and max of each and of their
   sum. Target: extract + add + incremental assess < 1 s. Also a no-op
   ``assess`` (nothing new). ``--profile`` runs a sixth, untimed round under cProfile and
   prints the hot spots;
4. ledger queries: ``store.assessment_rows(AssessmentFilter(between=(a, b)))`` for IRN-RUS and
   for 5 other pairs drawn from the store, each repeated 20 times: median and p95 in ms
   (target < 100 ms); and the dossier fetch ``store.assessment(id)`` by full id and by an
   8-character prefix (the CLI accepts prefixes), median;
5. the store's row counts and its size on disk (database plus WAL).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "eval" / "dev"
ASSESSMENTS = REPO / "tests" / "assessments"
ORDINARY = Path(__file__).resolve().parent / "filler" / "ordinary.jsonl"

SEED_ID = "seed"
ISO3 = re.compile(r"^[A-Z]{3}$")
# 60 states the relabelling maps parties onto.
CODES = ("IRN RUS UKR USA CHN PRK KOR JPN IND PAK TUR SAU ARE ISR EGY SYR IRQ YEM LBN BLR "
         "KAZ GBR FRA DEU ITA ESP POL NLD NOR DNK SWE FIN GRC CZE ROU HUN SRB AZE ARM GEO "
         "QAT KWT JOR DZA MAR NGA ETH SDN LBY VEN CUB BRA ARG IDN VNM MYS PHL MMR AUS ZAF").split()
# 30 outlets from knowledge/data/outlets.csv.
OUTLETS = ["Reuters", "Associated Press", "Agence France-Presse", "Bloomberg", "BBC", "CNN",
           "The Washington Post", "The New York Times", "The Wall Street Journal", "Financial Times",
           "The Guardian", "The Times", "The Telegraph", "The Economist", "Sky News", "Al Jazeera",
           "Al Arabiya", "TASS", "RIA Novosti", "Interfax", "Kommersant", "IRNA", "Tasnim", "Fars",
           "Xinhua", "Global Times", "Yonhap", "KCNA", "Kyodo", "Politico"]
FIRST_DAY, LAST_DAY = date(2018, 1, 1), date(2025, 12, 31)
QUERY_REPEATS = 20
INCREMENTAL_ROUNDS = 5
INCREMENTAL_TARGET_S = 1.0
QUERY_TARGET_MS = 100.0


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_templates(dev: Path, assessments: Path, ordinary: Path) -> tuple[list[dict], list[dict]]:
    """(relevant, filler) template records, each id once."""
    gold = {str(r["article_id"]): r.get("events") or [] for r in load_jsonl(dev / "gold.jsonl")}
    relevant, filler = [], []
    for r in load_jsonl(dev / "articles.jsonl"):
        (relevant if gold.get(str(r["id"])) else filler).append(r)
    distractors = set(json.loads((assessments / "distractors.json").read_text(encoding="utf-8"))["distractors"])
    for r in load_jsonl(assessments / "articles.jsonl"):
        (filler if str(r["id"]) in distractors else relevant).append(r)
    filler += load_jsonl(ordinary)
    ids = [str(r["id"]) for r in relevant + filler]
    if len(ids) != len(set(ids)):
        raise SystemExit("template ids collide across the input files")
    return relevant, filler


def to_article(r: dict):
    from materiel.model import Article

    return Article(id=str(r["id"]), text=r["text"], title=(r.get("title") or "").strip(), url=r.get("url"),
                   outlet=r.get("outlet"), published=r.get("published"))


class VariantMaker:
    """Fresh variants of extracted templates: new id, appended sentence, date, outlet, parties."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.k = 0
        self.span = (LAST_DAY - FIRST_DAY).days

    def make(self, result, relabel: bool):
        from materiel.model import ArticleResult

        self.k += 1
        k, rng = self.k, self.rng
        article = result.article
        published = (FIRST_DAY + timedelta(days=rng.randint(0, self.span))).isoformat()
        variant = replace(article, id=f"{article.id}~{k}", text=f"{article.text}\nReference note {k}.",
                          outlet=rng.choice(OUTLETS), published=published)
        events = tuple(result.events)
        if relabel and events:
            parties = sorted({p for e in events for p in (e.provider, e.recipient) if ISO3.match(p)})
            mapping = dict(zip(parties, rng.sample(CODES, len(parties))))
            events = tuple(relabelled(e, mapping) for e in events)
        return ArticleResult(variant, tuple(e.with_changes(article_id=variant.id) for e in events))


def relabelled(event, mapping: dict[str, str]):
    sources = tuple(replace(s, country=mapping.get(s.country, s.country)) if s.country else s
                    for s in event.sources)
    return event.with_changes(provider=mapping.get(event.provider, event.provider),
                              recipient=mapping.get(event.recipient, event.recipient), sources=sources)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def repeat_ms(fn, times: int) -> tuple[list[float], object]:
    samples, out = [], None
    for _ in range(times):
        out, seconds = timed(fn)
        samples.append(seconds * 1000)
    return samples, out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank


def file_sizes(path: Path) -> tuple[int, int]:
    """Bytes of the database file and of its write-ahead log (with the shared-memory index)."""
    def size(p: Path) -> int:
        return p.stat().st_size if p.exists() else 0
    return size(path), size(Path(f"{path}-wal")) + size(Path(f"{path}-shm"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="articles written to the store (default 10000)")
    ap.add_argument("--relevant-share", type=float, default=0.25,
                    help="share of variants made from relevant templates (default 0.25)")
    ap.add_argument("--keep-share", type=float, default=0.2,
                    help="share of relevant variants that keep their parties as written (default 0.2)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", type=Path, default=None,
                    help="store file to create and keep (must not exist); default: a temporary file")
    ap.add_argument("--dev", type=Path, default=DEV, help=f"dev set folder ({DEV})")
    ap.add_argument("--assessments", type=Path, default=ASSESSMENTS, help=f"assessment set folder ({ASSESSMENTS})")
    ap.add_argument("--ordinary", type=Path, default=ORDINARY, help=f"ordinary filler ({ORDINARY})")
    ap.add_argument("--profile", action="store_true",
                    help="profile one extra (untimed) incremental round with cProfile and print the hot spots")
    args = ap.parse_args(argv)
    for need in (args.dev / "articles.jsonl", args.dev / "gold.jsonl", args.assessments / "articles.jsonl",
                 args.assessments / "distractors.json", args.ordinary):
        if not need.exists():
            raise SystemExit(f"missing input {need}")
    if args.db is not None and args.db.exists():
        raise SystemExit(f"{args.db} exists; the bench builds a new store, choose a new path")

    relevant_records, filler_records = load_templates(args.dev, args.assessments, args.ordinary)
    if not any(str(r["id"]) == SEED_ID for r in relevant_records):
        raise SystemExit(f"no relevant article {SEED_ID!r} in {args.dev}")

    t0 = time.perf_counter()
    from materiel.assess.update import assess
    from materiel.extract.extractor import Extractor
    from materiel.store.sqlite import AssessmentFilter, Store, grounded

    extractor = Extractor()
    load_seconds = time.perf_counter() - t0

    templates = [to_article(r) for r in relevant_records + filler_records]
    results, extract_seconds = timed(lambda: list(extractor.extract_many(templates)))
    by_id = {r.article.id: r for r in results}
    relevant = [by_id[str(r["id"])] for r in relevant_records]
    filler = [by_id[str(r["id"])] for r in filler_records]
    seed_result = by_id[SEED_ID]
    template_events = sum(len(r.events) for r in relevant)
    filler_events = sum(len(r.events) for r in filler)
    ungrounded = sum(1 for r in results for e in r.events if not grounded(e, r.article))

    # the stream: a relevant variant in the slots the RNG picks, filler elsewhere, templates cycled
    maker = VariantMaker(args.seed)
    pick = random.Random(args.seed + 1)
    stream = []
    r_i = f_i = 0
    for _ in range(args.n):
        if pick.random() < args.relevant_share:
            base = relevant[r_i % len(relevant)]
            r_i += 1
            stream.append(maker.make(base, relabel=pick.random() >= args.keep_share))
        else:
            base = filler[f_i % len(filler)]
            f_i += 1
            stream.append(maker.make(base, relabel=True))

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="materiel-bench-assess-")
        db = Path(tmp.name) / "ledger.db"
    else:
        db = args.db
    store = Store(db)
    try:
        def ingest():
            return sum(store.add(result) for result in stream)

        written, ingest_seconds = timed(ingest)

        full, full_seconds = timed(assess, store, full=True)
        families = store.conn.execute("SELECT count(DISTINCT family) FROM assessments").fetchone()[0]
        biggest = store.conn.execute("SELECT family, sum(events) FROM assessments GROUP BY family "
                                     "ORDER BY 2 DESC, 1 LIMIT 1").fetchone()

        noop, noop_seconds = timed(assess, store)

        add_s, inc_s, inc_families, inc_events = [], [], [], []
        for _ in range(INCREMENTAL_ROUNDS):
            fresh = maker.make(seed_result, relabel=False)
            # the new article goes through real extraction, as `materiel ingest` would do it
            extracted, extract_s = timed(extractor.extract, fresh.article)
            _, seconds = timed(store.add, extracted)
            add_s.append(extract_s + seconds)
            summary, seconds = timed(assess, store)
            inc_s.append(seconds)
            inc_families.append(summary.families)
            inc_events.append(summary.events)
        total_s = [a + b for a, b in zip(add_s, inc_s)]

        profile_text = None
        if args.profile:
            fresh = maker.make(seed_result, relabel=False)
            profiler = cProfile.Profile()
            profiler.enable()
            store.add(fresh)
            assess(store)
            profiler.disable()
            buf = io.StringIO()
            stats = pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("cumulative")
            stats.print_stats(25)
            buf.write("\n--- by own time ---\n")
            stats.sort_stats("tottime").print_stats(15)
            profile_text = buf.getvalue()

        # ledger queries
        pairs_in_store = sorted({tuple(sorted(p)) for p in store.conn.execute(
            "SELECT DISTINCT provider, recipient FROM assessments")})
        others = [p for p in pairs_in_store if set(p) != {"IRN", "RUS"}]
        pairs = [("IRN", "RUS")] + random.Random(args.seed + 2).sample(others, min(5, len(others)))
        query_rows = []
        dossier_ids = []
        for a, b in pairs:
            flt = AssessmentFilter(between=(a, b))
            samples, rows = repeat_ms(lambda: store.assessment_rows(flt), QUERY_REPEATS)
            query_rows.append((f"{a}-{b}", len(rows), statistics.median(samples), p95(samples)))
            if rows:
                dossier_ids.append(max(rows, key=lambda r: (r["events"], r["id"]))["id"])
        by_id_ms, by_prefix_ms, dossier_claims = [], [], []
        for aid in dossier_ids:
            samples, found = repeat_ms(lambda: store.assessment(aid), QUERY_REPEATS)
            by_id_ms += samples
            dossier_claims.append(len(found.claims) if found else 0)
            samples, _ = repeat_ms(lambda: store.assessment(aid[:8]), QUERY_REPEATS)
            by_prefix_ms += samples

        counts = store.counts()
        db_bytes, wal_bytes = file_sizes(db)
    finally:
        store.close()
        if tmp is not None:
            tmp.cleanup()

    # --- report -----------------------------------------------------------------------------
    relevant_variants = r_i
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} cpu(s); model and knowledge load {load_seconds:.1f}s "
          f"(excluded); store {'temporary' if args.db is None else db}")
    print(f"templates: {len(relevant)} relevant ({template_events} events), {len(filler)} filler "
          f"({filler_events} events); {ungrounded} extracted events not grounded (the store drops them)")
    print(f"stream: {args.n} articles, {relevant_variants} relevant variants "
          f"(share {args.relevant_share}, {args.keep_share} of them with parties as written), "
          f"{args.n - relevant_variants} filler; seed {args.seed}")
    print()
    print("| step | measure | value |")
    print("|---|---|---|")
    print(f"| extraction of templates | {len(templates)} articles, once each | {extract_seconds:.1f} s "
          f"({len(templates) / extract_seconds:.1f} art/s) |")
    print(f"| ingest (store) of {args.n} articles | `Store.add` each, {written} events written | "
          f"{ingest_seconds:.1f} s ({args.n / ingest_seconds:,.0f} art/s, "
          f"{ingest_seconds / args.n * 1000:.2f} ms/article) |")
    print(f"| full assessment | `assess(store, full=True)`: {full.assessments} assessments, {families} families "
          f"with assessments ({full.families} rebuilt), {full.events} events | {full_seconds:.1f} s |")
    if biggest:
        print(f"| largest family | `{biggest[0]}` | {biggest[1]} events |")
    print(f"| no-op assessment | `assess(store)` with nothing new | {noop_seconds * 1000:.1f} ms |")
    print(f"| incremental: extract + add | extraction and `Store.add` of 1 new seed variant, x{INCREMENTAL_ROUNDS} | median "
          f"{statistics.median(add_s) * 1000:.1f} ms, max {max(add_s) * 1000:.1f} ms |")
    print(f"| incremental: assess | `assess(store)`: {statistics.median(inc_families):.0f} families, "
          f"{statistics.median(inc_events):.0f} events rebuilt (median) | median {statistics.median(inc_s):.3f} s, "
          f"max {max(inc_s):.3f} s |")
    print(f"| incremental: extract + add + assess | target < {INCREMENTAL_TARGET_S:.0f} s | median "
          f"{statistics.median(total_s):.3f} s, max {max(total_s):.3f} s |")
    for label, n_rows, median, high in query_rows:
        print(f"| ledger query {label} | `assessment_rows(between=...)`, {n_rows} rows, x{QUERY_REPEATS} | "
              f"median {median:.2f} ms, p95 {high:.2f} ms |")
    if by_id_ms:
        print(f"| dossier by id | `store.assessment(id)`, {len(dossier_ids)} ids ({min(dossier_claims)}-"
              f"{max(dossier_claims)} claims), x{QUERY_REPEATS} | median {statistics.median(by_id_ms):.2f} ms, "
              f"p95 {p95(by_id_ms):.2f} ms |")
        print(f"| dossier by 8-char prefix | `store.assessment(id[:8])` | median "
              f"{statistics.median(by_prefix_ms):.2f} ms, p95 {p95(by_prefix_ms):.2f} ms |")
    print(f"| store | articles / events / assessments | {counts['articles']:,} / {counts['events']:,} / "
          f"{counts['assessments']:,} |")
    print(f"| store | sources / evidence rows | {counts['sources']:,} / {counts['evidence']:,} |")
    print(f"| store | size on disk: db + WAL | {db_bytes / 2**20:.1f} MiB + {wal_bytes / 2**20:.1f} MiB |")
    print()
    worst_total = max(total_s)
    print(f"verdict incremental (extract + add + assess < {INCREMENTAL_TARGET_S:.0f} s): "
          f"{'MET' if worst_total < INCREMENTAL_TARGET_S else 'MISSED'} - max {worst_total:.3f} s, "
          f"median {statistics.median(total_s):.3f} s over {INCREMENTAL_ROUNDS} new articles")
    worst_query = max(high for *_, high in query_rows) if query_rows else float("nan")
    print(f"verdict ledger query (< {QUERY_TARGET_MS:.0f} ms): "
          f"{'MET' if worst_query < QUERY_TARGET_MS else 'MISSED'} - worst p95 {worst_query:.2f} ms over "
          f"{len(query_rows)} pairs")
    if by_id_ms:
        worst_dossier = max(p95(by_id_ms), p95(by_prefix_ms))
        print(f"verdict dossier fetch (< {QUERY_TARGET_MS:.0f} ms): "
              f"{'MET' if worst_dossier < QUERY_TARGET_MS else 'MISSED'} - worst p95 {worst_dossier:.2f} ms "
              f"(by id or prefix)")
    if profile_text:
        print()
        print("cProfile of one extra incremental round (Store.add + assess):")
        print(profile_text)


if __name__ == "__main__":
    main()
