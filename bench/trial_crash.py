"""Kill -9 and concurrency trials: does the ledger survive a writer killed at any moment, and do
concurrent writers lose or duplicate anything?

Builds a clean reference ledger once from the corpus (dev, dev2 and the assessment set), then:
K `materiel ingest` runs killed with SIGKILL at a random moment (seeded) between start-up and the
end of a clean run, each ledger checked (integrity, duplicates, orphans, half-stored articles) and
the ingest run again, which must give exactly the reference; the same for `materiel assess --full`;
and 2 and 4 concurrent ingests over overlapping inputs into one file, which must give exactly the
reference. Prints the figures; every count but trials must be zero (exit 1 otherwise).

    python bench/trial_crash.py                      # 50 ingest kills, 10 assess kills, 2 and 4 writers
    python bench/trial_crash.py --ingest 5 --assess 2 --seed 7
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
    parser.add_argument("--ingest", type=int, default=50, help="ingest runs to kill (default 50)")
    parser.add_argument("--assess", type=int, default=10, help="assess --full runs to kill (default 10)")
    parser.add_argument("--writers", type=int, nargs="*", default=[2, 4], help="concurrent ingests (default 2 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inputs", type=Path, nargs="*", default=list(CORPUS), help="the corpus (JSONL files)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.inputs if not p.is_file()]
    if missing:
        parser.error(f"no such input: {', '.join(missing)}")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="materiel-trials-") as tmp:
        work = Path(tmp)
        ref = trials.Reference.build(args.inputs, work)
        counts = {t: sum(c.values()) for t, c in ref.snap.items()}
        print(f"reference: {counts}; ingest {ref.ingest_s:.1f}s (start-up {ref.startup_s:.1f}s), "
              f"assess --full {ref.assess_s:.1f}s (start-up {ref.assess_startup_s:.1f}s)", flush=True)
        results = []
        ingest = trials.Tally()
        trials.kill_ingest(ref, work, args.ingest, rng, ingest)
        results.append(("kill -9 during ingest", ingest))
        assess = trials.Tally()
        trials.kill_assess(ref, work, args.assess, rng, assess)
        results.append(("kill -9 during assess --full", assess))
        for writers in args.writers:
            tally = trials.Tally()
            trials.concurrent_ingest(ref, work, trials.overlapping(args.inputs, writers), tally, f"{writers} writers")
            results.append((f"{writers} concurrent ingests", tally))
    for label, tally in results:
        print(f"{label}: {tally.describe()}")
        for note in tally.notes[:20]:
            print(f"  {note}")
    return 0 if all(t.clean for _, t in results) else 1


if __name__ == "__main__":
    sys.exit(main())
