"""Peak memory of `materiel extract -` while a large standard input streams in (issue 13 #14).

    python bench/stdin_memory.py [--mb 200] [--kind jsonl|text|bad]

Writes MB megabytes into the command's standard input from a thread, the command's output going to
/dev/null, and prints the child's peak resident set size (ru_maxrss from wait4) and the time taken.
Kinds: `jsonl` short irrelevant articles, one per line (each read, scanned and dropped); `bad`
lines that are not JSON (each rejected; stderr shows the first 10 and a count); `text` one plain
text document (rejected once it passes the 50 MB limit for a document). Which materiel runs is
whatever `python -m materiel` imports: set PYTHONPATH to compare two checkouts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

FILLER = ("The council met on Tuesday to discuss the new bus timetable and the repairs to the bridge over "
          "the river, which residents said had been delayed for months by the rain. ")


def chunks(kind: str, total: int, size: int = 1 << 20):
    if kind == "text":
        block = (FILLER * (size // len(FILLER) + 1))[:size].encode()
    else:
        lines = []
        n = 0
        while sum(map(len, lines)) < size:
            record = json.dumps({"id": f"a{n}", "title": "Council", "text": FILLER * 4}) if kind == "jsonl" \
                else "{not json " + "x" * 200
            lines.append((record + "\n").encode())
            n += 1
        block = b"".join(lines)
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--kind", choices=("jsonl", "text", "bad"), default="jsonl")
    args = parser.parse_args()
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "materiel", "extract", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def feed() -> None:
        try:
            for block in chunks(args.kind, args.mb << 20):
                proc.stdin.write(block)
        except BrokenPipeError:
            pass  # the command stopped reading (a document over its limit)
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    writer.join()
    lines = stderr.splitlines()
    print(f"kind={args.kind} input={args.mb} MB exit={proc.returncode} peak RSS={usage.ru_maxrss / 1024:.0f} MB "
          f"time={time.monotonic() - start:.1f}s stderr lines={len(lines)}")
    for line in lines[-3:]:
        print("   ", line[:200])


if __name__ == "__main__":
    main()
