"""Kill -9 and concurrency trials on a real ledger, shared by tests/integration/test_crash_safety.py
(a few trials) and bench/trial_crash.py (many).

A trial runs the real `materiel` command in its own process, kills it with SIGKILL at a random
moment (seeded) between its start-up and the end a clean run takes, and checks the ledger it left:
SQLite's integrity check, no duplicate or orphan rows, no half-stored article (each stored article
has exactly the events a clean ingest gives it), and that running the same command again gives
exactly the clean ledger. Concurrent ingests over overlapping inputs must give the clean ledger too.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

SRC = Path(__file__).resolve().parents[1] / "src"
# How long one materiel command may run before a trial gives up on it.
COMMAND_TIMEOUT_S = 600

# What a ledger holds, row by row, without what differs between two clean runs (ingestion times,
# rowids, the assessed-through mark).
CONTENT = {
    "articles": "SELECT id, article_key, title, text, url, outlet, published, origin FROM articles",
    "events": "SELECT id, article_id, position, json FROM events",
    "sources": "SELECT event_id, position, name, kind, country, via FROM sources",
    "evidence": 'SELECT event_id, position, start, "end", text FROM evidence',
    "assessments": "SELECT id, family, json FROM assessments",
    "assessment_events": "SELECT event_id, assessment_id, position, origins FROM assessment_events",
}
KEYS = {"articles": "id", "events": "id", "sources": "event_id, position", "evidence": "event_id, position",
        "assessments": "id", "assessment_events": "event_id"}
ORPHANS = {
    "event without its article": "SELECT count(*) FROM events WHERE article_id NOT IN (SELECT id FROM articles)",
    "source without its event": "SELECT count(*) FROM sources WHERE event_id NOT IN (SELECT id FROM events)",
    "evidence without its event": "SELECT count(*) FROM evidence WHERE event_id NOT IN (SELECT id FROM events)",
    "claim without its assessment": "SELECT count(*) FROM assessment_events"
                                    " WHERE assessment_id NOT IN (SELECT id FROM assessments)",
    "claim without its event": "SELECT count(*) FROM assessment_events WHERE event_id NOT IN (SELECT id FROM events)",
    "assessment without claims": "SELECT count(*) FROM assessments"
                                 " WHERE id NOT IN (SELECT assessment_id FROM assessment_events)",
}

Snapshot = dict[str, Counter]


def materiel(*args: object) -> list[str]:
    return [sys.executable, "-m", "materiel", *map(str, args)]


def environment() -> dict[str, str]:
    """This checkout's sources first, and no setting that would change the command's behaviour."""
    env = {k: v for k, v in os.environ.items() if k not in ("MATERIEL_DB", "FORCE_COLOR", "COLUMNS")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def run(args: Sequence[object]) -> subprocess.CompletedProcess:
    return subprocess.run(materiel(*args), env=environment(), capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT_S)


def run_killed(args: Sequence[object], after_s: float) -> bool:
    """Run a command and SIGKILL it after `after_s` seconds; False when it finished first."""
    proc = subprocess.Popen(materiel(*args), env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=after_s)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def timed(args: Sequence[object]) -> float:
    started = time.perf_counter()
    done = run(args)
    if done.returncode not in (0, 2):
        raise RuntimeError(f"materiel {' '.join(map(str, args))} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def snapshot(db: Path) -> Snapshot:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {table: Counter(conn.execute(sql)) for table, sql in CONTENT.items()}


def problems(db: Path) -> dict[str, list[str]]:
    """What is wrong with a ledger, by kind: integrity, duplicates, orphans."""
    found: dict[str, list[str]] = {"integrity": [], "duplicates": [], "orphans": []}
    with sqlite3.connect(db) as conn:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            found["integrity"] += [f"integrity_check: {line}" for line in result]
        found["integrity"] += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        try:
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            found["integrity"].append(f"search index: {exc}")
        for table, key in KEYS.items():
            n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {key} HAVING count(*) > 1)"
                             ).fetchone()[0]
            if n:
                found["duplicates"].append(f"{n} duplicated {table} rows")
        for what, sql in ORPHANS.items():
            n = conn.execute(sql).fetchone()[0]
            if n:
                found["orphans"].append(f"{n} {what}")
    return found


def difference(got: Snapshot, want: Snapshot) -> tuple[int, int, list[str]]:
    """(rows lost, rows extra or duplicated, a line per table that differs)."""
    lost = extra = 0
    lines = []
    for table in CONTENT:
        missing, surplus = want[table] - got[table], got[table] - want[table]
        lost += sum(missing.values())
        extra += sum(surplus.values())
        if missing or surplus:
            lines.append(f"{table}: {sum(missing.values())} lost, {sum(surplus.values())} extra")
    return lost, extra, lines


def half_stored(got: Snapshot, want: Snapshot) -> list[str]:
    """Articles stored without exactly the events (and their rows) a clean ingest gives them."""
    def by_article(snap: Snapshot) -> dict[str, set]:
        events: dict[str, set] = {}
        for event_id, article_id, position, data in snap["events"]:
            events.setdefault(article_id, set()).add((event_id, position, data))
        return events

    got_events, want_events = by_article(got), by_article(want)
    bad = []
    for article in got["articles"]:
        article_id = article[0]
        if article not in want["articles"]:
            bad.append(f"article {article[1]} is not one a clean ingest stores")
        elif got_events.get(article_id, set()) != want_events.get(article_id, set()):
            bad.append(f"article {article[1]} has {len(got_events.get(article_id, ()))} of "
                       f"{len(want_events.get(article_id, ()))} events")
    stored_events = {row[0] for row in got["events"]}
    for table in ("sources", "evidence"):
        want_rows = Counter(row for row in want[table] if row[0] in stored_events)
        if got[table] != want_rows:
            bad.append(f"{table} of the stored events differ from a clean ingest's")
    return bad


@dataclass
class Tally:
    """The figures of a series of trials; all but `trials` and `mid_write` must stay zero."""

    trials: int = 0
    mid_write: int = 0  # kills that left a partly written ledger (not before the first or after the last write)
    lost: int = 0
    duplicated: int = 0
    integrity_failures: int = 0
    orphans: int = 0
    half_stored: int = 0
    failed_commands: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.integrity_failures or self.orphans or self.half_stored
                    or self.failed_commands)

    def check(self, db: Path, label: str) -> Snapshot:
        found = problems(db)
        self.integrity_failures += len(found["integrity"])
        self.duplicated += len(found["duplicates"])
        self.orphans += len(found["orphans"])
        self.notes += [f"{label}: {line}" for lines in found.values() for line in lines]
        return snapshot(db)

    def compare(self, got: Snapshot, want: Snapshot, label: str) -> None:
        lost, extra, lines = difference(got, want)
        self.lost += lost
        self.duplicated += extra
        self.notes += [f"{label}: {line}" for line in lines]

    def command(self, args: Sequence[object], label: str) -> None:
        done = run(args)
        if done.returncode != 0:
            self.failed_commands += 1
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            self.notes.append(f"{label}: exit {done.returncode}: {last}")

    def describe(self) -> str:
        return (f"{self.trials} trial(s) ({self.mid_write} killed mid-write): {self.lost} row(s) lost, "
                f"{self.duplicated} duplicated, {self.integrity_failures} integrity failure(s), "
                f"{self.orphans} orphan finding(s), {self.half_stored} half-stored article(s), "
                f"{self.failed_commands} failed command(s)")


def copy_ledger(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@dataclass
class Reference:
    """A clean ingest of the corpus, built once: what every trial's ledger is compared with."""

    inputs: list[Path]
    db: Path
    snap: Snapshot
    startup_s: float  # the same command over no article
    ingest_s: float
    assess_startup_s: float
    assess_s: float

    @classmethod
    def build(cls, inputs: Sequence[Path], workdir: Path) -> "Reference":
        db = workdir / "reference.db"
        empty = workdir / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        startup = timed(["ingest", empty, "--db", workdir / "startup.db", "-q"])
        ingest_s = timed(["ingest", *inputs, "--db", db, "-q"])
        assess_startup = timed(["assess", "--full", "--db", workdir / "startup.db", "-q"])
        assess_s = timed(["assess", "--full", "--db", db, "-q"])
        tally = Tally()
        snap = tally.check(db, "reference")
        if not tally.clean:
            raise RuntimeError("the clean reference ledger has problems: " + "; ".join(tally.notes))
        return cls(list(inputs), db, snap, startup, ingest_s, assess_startup, assess_s)


def kill_ingest(ref: Reference, workdir: Path, trials: int, rng: random.Random, tally: Tally) -> None:
    """`materiel ingest` killed at random moments, the ledger checked, the ingest run again."""
    for n in range(1, trials + 1):
        db = workdir / f"ingest-{n}.db"
        label = f"ingest kill {n}"
        delay = rng.uniform(ref.startup_s, ref.ingest_s)
        args = ["ingest", *ref.inputs, "--db", db, "-q"]
        killed = run_killed(args, delay)
        tally.trials += 1
        if db.exists():
            got = tally.check(db, label)
            bad = half_stored(got, ref.snap)
            tally.half_stored += len(bad)
            tally.notes += [f"{label}: {line}" for line in bad]
            if killed and got != ref.snap and (got["articles"] or got["assessments"]):
                tally.mid_write += 1
        tally.command(args, f"{label} rerun")
        tally.compare(tally.check(db, f"{label} rerun"), ref.snap, f"{label} rerun")


def kill_assess(ref: Reference, workdir: Path, trials: int, rng: random.Random, tally: Tally) -> None:
    """`materiel assess --full` on a copy of the clean ledger, killed, checked, and run again."""
    for n in range(1, trials + 1):
        db = workdir / f"assess-{n}.db"
        label = f"assess kill {n}"
        copy_ledger(ref.db, db)
        args = ["assess", "--full", "--db", db, "-q"]
        killed = run_killed(args, rng.uniform(ref.assess_startup_s, ref.assess_s))
        tally.trials += 1
        got = tally.check(db, label)
        untouched = {t: got[t] for t in CONTENT if not t.startswith("assessment")}
        tally.compare({**ref.snap, **untouched}, ref.snap, label)  # articles and events never change
        if killed and got != ref.snap:
            tally.mid_write += 1
        tally.command(args, f"{label} rerun")
        tally.compare(tally.check(db, f"{label} rerun"), ref.snap, f"{label} rerun")


def concurrent_ingest(ref: Reference, workdir: Path, groups: Sequence[Sequence[Path]], tally: Tally,
                      label: str) -> None:
    """One `materiel ingest` per group of inputs, all at once into one ledger; their union must be
    the reference's inputs, and the ledger must equal the reference exactly."""
    db = workdir / f"{label.replace(' ', '-')}.db"
    procs = [subprocess.Popen(materiel("ingest", *group, "--db", db, "-q"), env=environment(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for group in groups]
    tally.trials += 1
    for n, proc in enumerate(procs, 1):
        _, stderr = proc.communicate(timeout=COMMAND_TIMEOUT_S)
        if proc.returncode != 0:
            tally.failed_commands += 1
            tally.notes.append(f"{label} writer {n}: exit {proc.returncode}: "
                               + (stderr.strip().splitlines() or ["no message"])[-1])
    tally.compare(tally.check(db, label), ref.snap, label)


def overlapping(inputs: Sequence[Path], writers: int) -> list[list[Path]]:
    """Writer n ingests the inputs from n on, wrapping round, two or more each: every input is read by
    at least two writers, in different orders."""
    size = max(2, len(inputs) - 1)
    return [[inputs[(n + i) % len(inputs)] for i in range(size)] for n in range(writers)]
