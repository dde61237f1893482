#!/usr/bin/env python3
"""How fast the CLI starts: wall time of `materiel --help`, `materiel ledger --limit 1 --db DB`
and `python -c pass`, side by side, best of N runs each (each run a fresh process).

Not a test: it prints numbers. Run from the repository root, with PYTHONPATH=src or the package
installed:

    .venv/bin/python bench/bench_startup.py                 # builds a small ledger from the demo articles
    .venv/bin/python bench/bench_startup.py --db ledger.db --runs 10

A command that does not extract (help, ledger, events, show, export) should start in a fraction of
a second: it must not import spaCy. The last column says whether it did.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs the CLI's entry point in-process, then reports whether spaCy was imported on the way.
CLI = ("import sys, atexit\n"
       "atexit.register(lambda: sys.stderr.write('\\nspacy imported: %s\\n' % ('spacy' in sys.modules)))\n"
       "from materiel.cli import main\n"
       "sys.argv = ['materiel'] + sys.argv[1:]\n"
       "main()\n")


def best_of(argv: list[str], runs: int) -> tuple[float, str]:
    best, spacy = float("inf"), "-"
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]}")
        if "spacy imported: " in done.stderr:
            spacy = done.stderr.rsplit("spacy imported: ", 1)[1].strip()
    return best, spacy


def demo_ledger(folder: Path) -> Path:
    """A small ledger built from the demo articles shipped with the package (extraction: seconds)."""
    db = folder / "bench_startup.db"
    samples = Path(__file__).resolve().parents[1] / "src" / "materiel" / "samples" / "demo.jsonl"
    subprocess.run([sys.executable, "-m", "materiel", "ingest", str(samples), "--db", str(db), "-q"],
                   check=True, capture_output=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a ledger to list (default: one built from the demo articles)")
    parser.add_argument("--runs", type=int, default=5, help="runs per command; the best is shown (default 5)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1] / "src"))
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or demo_ledger(Path(folder))
        cli = [sys.executable, "-c", CLI]
        commands = [("python -c pass", [sys.executable, "-c", "pass"]),
                    ("materiel --help", cli + ["--help"]),
                    ("materiel ledger --limit 1 --db DB", cli + ["ledger", "--limit", "1", "--db", str(db)])]
        print(f"{'command':<36} {'best of ' + str(args.runs):>10}  spacy imported")
        for label, argv in commands:
            seconds, spacy = best_of(argv, args.runs)
            print(f"{label:<36} {seconds:>9.3f}s  {spacy}")


if __name__ == "__main__":
    main()
