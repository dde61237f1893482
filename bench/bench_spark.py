#!/usr/bin/env python3
"""Articles per second of `materiel spark-extract` on local[1] and local[2], side by side with the
single-process extraction of `materiel extract`, on the same input.

Not a test: it prints numbers and asserts nothing. Run from the repository root (needs Java 17 and
the spark extra):

    PYTHONPATH=src .venv/bin/python bench/bench_spark.py            # dev + dev2 cycled to 320 articles
    PYTHONPATH=src .venv/bin/python bench/bench_spark.py --n 640 --masters 'local[1]' 'local[2]' 'local[4]'

Input: the dev and dev2 articles (../shared/eval) cycled to --n, each copy with an id of its own and
a text of its own (a last line "Copy N."): spark-extract extracts a text carried by several records
once, so verbatim copies would cost it nothing and the comparison would not be like for like.

What is timed, start-up excluded:
- `extract`: `service.extract_paths` over the file in this process, after the model is loaded (the
  process start and model load, about 3-5 s, are left out); `extract --workers 2` the same with two
  forked worker processes, the ceiling two cores give on this machine without Spark.
- each Spark master: a fresh session, then a warm-up job over a few articles with one partition per
  core, so that the JVM has started and every Python worker has loaded the model (Spark reuses the
  workers); then the whole `spark_extract` job is timed: reading the file, extracting in
  2 partitions per core, writing the three Parquet directories and counting them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT / ".." / "shared" / "eval"
INPUTS = [SHARED / "dev" / "articles.jsonl", SHARED / "dev2" / "articles.jsonl"]


def cycled(n: int) -> list[dict]:
    records = [json.loads(line) for path in INPUTS for line in path.read_text().splitlines() if line.strip()]
    out = []
    for i in range(n):
        record, copy = records[i % len(records)], i // len(records)
        text = record["text"] + (f"\n\nCopy {copy}." if copy else "")
        out.append({**record, "id": f"{record['id']}~{copy}", "text": text})
    return out


def write(records: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def bench_extract(path: Path, workers: int = 1) -> tuple[float, int]:
    from materiel import service

    extractor = service.new_extractor()  # the model loads here, outside the timing
    summary = service.RunSummary()
    begun = time.perf_counter()
    events = sum(len(r.events) for r in service.extract_paths([str(path)], summary, workers, extractor=extractor))
    return time.perf_counter() - begun, events


def cores_of(master: str) -> int:
    found = re.fullmatch(r"local\[(\d+)\]", master)
    return int(found.group(1)) if found else 1


def bench_spark(master: str, path: Path, warmup: Path, folder: Path) -> tuple[float, int]:
    from materiel.spark import session, spark_extract

    cores = cores_of(master)
    spark = session(master, "materiel-bench")
    try:
        spark_extract([str(warmup)], str(folder / "warmup"), partitions=cores, spark=spark)
        begun = time.perf_counter()
        summary = spark_extract([str(path)], str(folder / master.replace("[", "").replace("]", "")),
                                partitions=2 * cores, spark=spark)
        return time.perf_counter() - begun, summary.events
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=320, help="articles in the stream")
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write(cycled(args.n), folder / "stream.jsonl")
        warmup = write(cycled(8), folder / "warmup.jsonl")
        rows = []
        seconds, events = bench_extract(path)
        rows.append(("extract (1 process)", seconds, events))
        seconds, events = bench_extract(path, 2)  # forked workers: what one machine gives without Spark
        rows.append(("extract --workers 2", seconds, events))
        for master in args.masters:
            seconds, events = bench_spark(master, path, warmup, folder)
            rows.append((f"spark-extract {master}", seconds, events))
    base = rows[0][1]
    print(f"{args.n} articles (dev + dev2 cycled), start-up and model load excluded")
    print(f"{'run':<26}{'seconds':>9}{'articles/s':>12}{'events':>8}{'vs extract':>12}")
    for name, seconds, events in rows:
        print(f"{name:<26}{seconds:>9.1f}{args.n / seconds:>12.2f}{events:>8}{base / seconds:>11.2f}x")
    spark_rows = {name.split()[-1]: seconds for name, seconds, _ in rows[2:]}
    if "local[1]" in spark_rows and "local[2]" in spark_rows:
        print(f"local[2] / local[1]: {spark_rows['local[1]'] / spark_rows['local[2]']:.2f}x")


if __name__ == "__main__":
    main()
