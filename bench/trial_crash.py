"""Kill -9 and concurrency trials: does the ledger survive a writer killed at any moment, and do
concurrent writers lose or duplicate anything?

The corpus (dev, dev2 and the assessment set) is repeated C times with distinct ids and texts, so that
an ingest stores its articles over several extraction batches and `assess --full` has work to do.
Builds a clean reference ledger once and times when it writes, then runs `materiel ingest`, each run
watched until its first article shows in the ledger and killed with SIGKILL at a random moment (seeded)
within the write phase of the clean run, until K kills have landed mid-write (2K runs at most); each
ledger is checked (integrity, duplicates, orphans, half-stored articles) and the ingest run again, which
must give exactly the reference. Then `materiel assess --full` on copies of the reference, each watched
until it opens the ledger and killed at a random moment between then and its swap (a little past it
for some), while a reader polls the number of assessments: the ledger must still hold exactly the
reference's assessments, and the reader must never see fewer; also R ordinary rebuilds run to the end
under the polling reader. Then 2 and 4 concurrent ingests,
each assessing what it stored, over overlapping and over disjoint inputs into one file, which must give
exactly the reference, assessments included. Prints where the kills landed and the figures; every count but
trials and kills must be zero (exit 1 otherwise).

    python bench/trial_crash.py                      # 50 ingest kills, 20 assess kills, 2 and 4 writers
    python bench/trial_crash.py --ingest 5 --assess 2 --seed 7 --copies 2
    python bench/trial_crash.py --ingest 0 --assess 25 --writers   # assess --full alone
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import crash_trials as trials  # noqa: E402

CORPUS = (ROOT.parent / "shared" / "eval" / "dev" / "articles.jsonl",
          ROOT.parent / "shared" / "eval" / "dev2" / "articles.jsonl",
          ROOT / "tests" / "assessments" / "articles.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingest", type=int, default=50, help="ingest kills to land mid-write (default 50)")
    parser.add_argument("--assess", type=int, default=20, help="assess --full kills to land mid-rebuild (default 20)")
    parser.add_argument("--rebuilds", type=int, default=5,
                        help="complete assess --full runs watched by a polling reader (default 5)")
    parser.add_argument("--writers", type=int, nargs="*", default=[2, 4], help="concurrent ingests (default 2 4)")
    parser.add_argument("--copies", type=int, default=3, help="times the corpus is repeated (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inputs", type=Path, nargs="*", default=list(CORPUS), help="the corpus (JSONL files)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.inputs if not p.is_file()]
    if missing:
        parser.error(f"no such input: {', '.join(missing)}")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="materiel-trials-") as tmp:
        work = Path(tmp)
        ref = trials.Reference.build(trials.repeated(args.inputs, args.copies, work), work)
        counts = {t: sum(c.values()) for t, c in ref.snap.items()}
        print(f"reference: {counts}; ingest {ref.ingest_s:.1f}s (writes from {ref.ingest_first_write_s:.1f}s to "
              f"{ref.ingest_last_write_s:.1f}s), assess --full {ref.assess_s:.1f}s (ledger open at "
              f"{ref.assess_opened_s:.2f}s, swap at {ref.assess_first_write_s:.2f}s)", flush=True)
        results = []
        ingest = trials.Tally()
        trials.kill_ingest(ref, work, args.ingest, rng, ingest)
        results.append(("kill -9 during ingest", ingest))
        print(f"kill -9 during ingest: {ingest.describe()}", flush=True)
        assess = trials.Tally()
        trials.kill_assess(ref, work, args.assess, rng, assess)
        results.append(("kill -9 during assess --full", assess))
        print(f"kill -9 during assess --full: {assess.describe()}", flush=True)
        rebuilds = trials.Tally()
        for n in range(args.rebuilds):
            trials.rebuild_watched(ref, work / f"rebuild-{n}.db", rebuilds, f"rebuild {n}")
        if args.rebuilds:
            results.append(("assess --full run to the end, read meanwhile", rebuilds))
        for writers in args.writers:
            for split in (trials.overlapping, trials.disjoint):
                tally = trials.Tally()
                label = f"{writers} concurrent ingests, {split.__name__} inputs"
                trials.concurrent_ingest(ref, work, split(ref.inputs, writers), tally, label)
                results.append((label, tally))
                print(f"{label}: {tally.describe()}", flush=True)
    for label, tally in results:
        print(f"{label}: {tally.describe()}")
        for note in tally.notes[:20]:
            print(f"  {note}")
    return 0 if all(t.clean for _, t in results) else 1


if __name__ == "__main__":
    sys.exit(main())
