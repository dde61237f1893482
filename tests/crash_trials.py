"""Kill -9 and concurrency trials on a real ledger, shared by tests/integration/test_crash_safety.py
(a few trials) and bench/trial_crash.py (many).

A trial runs the real `materiel` command in its own process, watches the ledger (read-only) until the
command's first write shows, kills it with SIGKILL at a random moment (seeded) within the rest of the
write phase a clean run takes, records whether the kill landed mid-write, and checks the ledger it left:
SQLite's integrity check, no duplicate or orphan rows, no half-stored article (each stored article
has exactly the events a clean ingest gives it), and that running the same command again gives
exactly the clean ledger. Concurrent ingests over overlapping inputs must give the clean ledger too.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

SRC = Path(__file__).resolve().parents[1] / "src"
# How long one materiel command may run before a trial gives up on it.
COMMAND_TIMEOUT_S = 600
# How often a watched command's ledger is looked at.
POLL_S = 0.005

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


def count(db: Path, sql: str) -> int | None:
    """One figure read from a ledger without writing to it; None while it cannot be read yet."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)) as conn:
            row = conn.execute(sql).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


@dataclass
class Watched:
    """How a watched command went: when its first and its last write showed, and when it ended (seconds
    from its start)."""

    first_write_s: float | None
    last_write_s: float | None
    ended_s: float
    killed: bool


def run_watched(args: Sequence[object], db: Path, written: Callable[[Path], bool],
                kill_after: float | None = None, done: Callable[[Path], bool] | None = None) -> Watched:
    """Run a command while polling its ledger until `written(db)` says the command's first write shows;
    then SIGKILL it `kill_after` seconds later (None: let it finish). With `done`, also notes when the
    ledger first shows the command's last write."""
    started = time.perf_counter()
    proc = subprocess.Popen(materiel(*args), env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    first: float | None = None
    last: float | None = None
    deadline: float | None = None
    try:
        while proc.poll() is None:
            now = time.perf_counter()
            if now - started > COMMAND_TIMEOUT_S:
                raise RuntimeError(f"materiel {' '.join(map(str, args))} ran over {COMMAND_TIMEOUT_S}s")
            if first is None and written(db):
                now = time.perf_counter()
                first = now - started
                if kill_after is not None:
                    deadline = now + kill_after
            if first is not None and last is None and done and done(db):
                last = time.perf_counter() - started
            if deadline is not None and time.perf_counter() >= deadline:
                proc.kill()
                proc.wait()
                return Watched(first, last, time.perf_counter() - started, True)
            time.sleep(POLL_S if deadline is None else max(0.0, min(POLL_S, deadline - time.perf_counter())))
        return Watched(first, last, time.perf_counter() - started, False)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def articles_stored(db: Path) -> bool:
    return bool(count(db, "SELECT count(*) FROM articles"))


def assessed_all(db: Path) -> bool:
    """The assessed-through mark has moved up to the last publication: a run's final write."""
    return bool(count(db, "SELECT value > 0 AND value = (SELECT max(rowid) FROM publications) FROM "
                          "(SELECT CAST(value AS INTEGER) AS value FROM meta WHERE key = 'assessed_publications')"))


LAST_REBUILD = "SELECT coalesce(max(value), '') FROM meta WHERE key = 'assessments_rebuilt_at'"


def swapped_from(rebuilt: str | None) -> Callable[[Path], bool]:
    """The only write of `assess --full`: the rebuilt assessments swapped in (the swap notes its time)."""
    def written(db: Path) -> bool:
        n = count(db, LAST_REBUILD)
        return n is not None and n != rebuilt
    return written


def holds_open(pid: int, db: Path) -> bool:
    """Whether process `pid` has the ledger file open (Linux /proc): it has begun reading it."""
    target = str(db.resolve())
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@dataclass
class Rebuild:
    """How an `assess --full` went (seconds from its start): when it opened the ledger, when its swap
    showed, when it ended."""

    opened_s: float | None
    swap_s: float | None
    ended_s: float
    killed: bool


def run_rebuild(db: Path, kill_after_open: float | None = None) -> Rebuild:
    """`materiel assess --full` on `db`, watched until it opens the ledger (everything after is reading,
    building beside the live assessments, and the swap), then SIGKILLed `kill_after_open` seconds later
    (None: run to the end)."""
    before = count(db, LAST_REBUILD)
    started = time.perf_counter()
    proc = subprocess.Popen(materiel("assess", "--full", "--db", db, "-q"), env=environment(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opened = swap = deadline = None
    try:
        while proc.poll() is None:
            now = time.perf_counter() - started
            if now > COMMAND_TIMEOUT_S:
                raise RuntimeError(f"assess --full on {db} ran over {COMMAND_TIMEOUT_S}s")
            if opened is None and holds_open(proc.pid, db):
                opened = now
                if kill_after_open is not None:
                    deadline = opened + kill_after_open
            if swap is None and opened is not None and swapped_from(before)(db):
                swap = time.perf_counter() - started
            if deadline is not None and time.perf_counter() - started >= deadline:
                proc.kill()
                proc.wait()
                return Rebuild(opened, swap, time.perf_counter() - started, True)
            time.sleep(0.001 if deadline is not None else POLL_S)
        if swap is None and swapped_from(before)(db):
            swap = time.perf_counter() - started
        return Rebuild(opened, swap, time.perf_counter() - started, False)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Reader(threading.Thread):
    """A reader polling the number of assessments (read-only, as a page or an export would) until stopped."""

    def __init__(self, db: Path, interval_s: float = 0.002):
        super().__init__(daemon=True)
        self.db, self.interval_s = db, interval_s
        self.seen: Counter = Counter()
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            n = count(self.db, "SELECT count(*) FROM assessments")
            if n is not None:
                self.seen[n] += 1
            time.sleep(self.interval_s)

    def stop(self) -> Counter:
        self.halt.set()
        self.join()
        return self.seen


def repeated(inputs: Sequence[Path], copies: int, workdir: Path) -> list[Path]:
    """The corpus `copies` times over, one file per input and copy; each later copy of an article has
    its own id and a distinct last line (so its own content hash). More articles make an ingest write
    over several extraction batches instead of in one burst at its end, and `assess --full` take longer."""
    files = []
    for copy in range(1, copies + 1):
        for n, path in enumerate(inputs):
            lines = []
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                record = json.loads(line)
                if copy > 1:
                    record["id"] = f"{record['id']}~{copy}"
                    record["text"] = f"{record['text']}\n\n(Copy {copy}.)"
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
            target = workdir / f"corpus-{copy}-{n}-{path.stem}.jsonl"
            target.write_text("".join(lines), encoding="utf-8")
            files.append(target)
    return files


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
    """The figures of a series of trials; all but `trials`, `mid_write` and `landed` must stay zero."""

    trials: int = 0
    mid_write: int = 0  # kills that landed between the command's first and last write
    landed: Counter = field(default_factory=Counter)  # where each kill landed, e.g. "mid-ingest"
    lost: int = 0
    duplicated: int = 0
    integrity_failures: int = 0
    orphans: int = 0
    half_stored: int = 0
    failed_commands: int = 0
    polls: int = 0  # a reader's counts of the assessments during the trials
    polls_short: int = 0  # of which fewer assessments than the ledger holds before and after
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.integrity_failures or self.orphans or self.half_stored
                    or self.failed_commands or self.polls_short)

    def read(self, seen: Counter, total: int, label: str) -> None:
        """What a polling reader saw: every poll must find all `total` assessments."""
        self.polls += sum(seen.values())
        short = sum(n for value, n in seen.items() if value < total)
        self.polls_short += short
        if short:
            self.notes.append(f"{label}: a reader saw fewer than {total} assessments in {short} poll(s): "
                              f"{sorted(v for v in seen if v < total)[:5]}")

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

    def land(self, where: str) -> None:
        self.landed[where] += 1
        self.mid_write += where.startswith("mid-")

    def describe(self) -> str:
        landed = ", ".join(f"{n} {where}" for where, n in sorted(self.landed.items()))
        return (f"{self.trials} trial(s) ({self.mid_write} killed mid-write{': ' + landed if landed else ''}): "
                f"{self.lost} row(s) lost, {self.duplicated} duplicated, {self.integrity_failures} integrity "
                f"failure(s), {self.orphans} orphan finding(s), {self.half_stored} half-stored article(s), "
                f"{self.failed_commands} failed command(s)"
                + (f"; a reader polled {self.polls} time(s), {self.polls_short} saw fewer assessments"
                   if self.polls else ""))


def copy_ledger(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@dataclass
class Reference:
    """A clean ingest of the corpus, built once: what every trial's ledger is compared with, and when
    a clean run writes (seconds from its start), which is where the trials aim their kills."""

    inputs: list[Path]
    db: Path
    snap: Snapshot
    ingest_first_write_s: float
    ingest_last_write_s: float
    ingest_s: float
    assess_first_write_s: float  # `assess --full` writes once: the swap
    assess_last_write_s: float
    assess_s: float
    assess_opened_s: float = 0.0  # when a clean `assess --full` opened the ledger: it reads and builds from here

    @property
    def articles(self) -> int:
        return sum(self.snap["articles"].values())

    @property
    def assessments(self) -> int:
        return sum(self.snap["assessments"].values())

    @property
    def ingest_writing_s(self) -> float:
        """From the first article stored to the last write of a clean ingest (its assessments)."""
        return self.ingest_last_write_s - self.ingest_first_write_s

    @property
    def assess_writing_s(self) -> float:
        """The last write of a clean `assess --full` after its first (it writes once: the swap)."""
        return self.assess_last_write_s - self.assess_first_write_s

    @property
    def assess_building_s(self) -> float:
        """How long a clean `assess --full` holds the ledger open before its swap: it reads the events,
        loads what assessing needs and builds beside the live assessments."""
        return self.assess_first_write_s - self.assess_opened_s

    @classmethod
    def build(cls, inputs: Sequence[Path], workdir: Path) -> "Reference":
        db = workdir / "reference.db"
        ingest = run_watched(["ingest", *inputs, "--db", db, "-q"], db, articles_stored, done=assessed_all)
        tally = Tally()
        first = tally.check(db, "reference")
        assess = run_rebuild(db)
        snap = tally.check(db, "reference")
        if None in (ingest.first_write_s, ingest.last_write_s, assess.opened_s, assess.swap_s):
            raise RuntimeError("the clean reference run wrote nothing; is the corpus empty?")
        if snap != first:
            tally.notes.append("reference: `assess --full` after the ingest changed the assessments")
        if not tally.clean or tally.notes:
            raise RuntimeError("the clean reference ledger has problems: " + "; ".join(tally.notes))
        times = (ingest.first_write_s, ingest.last_write_s, ingest.ended_s,
                 assess.swap_s, assess.swap_s, assess.ended_s, assess.opened_s)
        return cls(list(inputs), db, snap, *times)  # type: ignore[arg-type]


def ingest_landing(ref: Reference, got: Snapshot, killed: bool) -> str:
    """Where a kill of `materiel ingest` landed, judged by what it left."""
    stored = sum(got["articles"].values())
    if not killed:
        return "finished before the kill"
    if 0 < stored < ref.articles:
        return "mid-ingest"
    if stored == ref.articles and got != ref.snap:
        return "mid-assess (all articles stored)"
    return "before the first write" if not stored else "after the last write"


def kill_ingest_once(ref: Reference, db: Path, after_s: float, tally: Tally, label: str) -> str:
    """One `materiel ingest` into a fresh ledger, killed `after_s` seconds after its first article shows;
    the ledger checked and the ingest run again. Returns where the kill landed."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    args = ["ingest", *ref.inputs, "--db", db, "-q"]
    watched = run_watched(args, db, articles_stored, after_s)
    tally.trials += 1
    got = tally.check(db, label) if db.exists() else {t: Counter() for t in CONTENT}
    bad = half_stored(got, ref.snap)
    tally.half_stored += len(bad)
    tally.notes += [f"{label}: {line}" for line in bad]
    where = ingest_landing(ref, got, watched.killed)
    tally.land(where)
    tally.command(args, f"{label} rerun")
    tally.compare(tally.check(db, f"{label} rerun"), ref.snap, f"{label} rerun")
    return where


def kill_ingest(ref: Reference, workdir: Path, kills: int, rng: random.Random, tally: Tally) -> None:
    """`materiel ingest` killed at random moments of its write phase, the ledger checked, the ingest run
    again, until `kills` kills landed mid-write (or twice as many trials ran)."""
    _kill_until(kills, tally, lambda n: kill_ingest_once(ref, workdir / f"ingest-{n}.db",
                                                          rng.uniform(0, ref.ingest_writing_s), tally,
                                                          f"ingest kill {n}"))


def _kill_until(kills: int, tally: Tally, trial) -> None:
    """Run trial(n) until `kills` kills landed mid-write, or twice as many trials ran."""
    start = tally.mid_write
    for n in range(1, 2 * kills + 1):
        if tally.mid_write - start >= kills:
            break
        trial(n)


def kill_assess_once(ref: Reference, db: Path, after_s: float, tally: Tally, label: str) -> str:
    """`materiel assess --full` on a copy of the clean ledger, killed `after_s` seconds after it opened the
    ledger while a reader polls the number of assessments; the ledger must hold exactly the clean
    assessments (the old ones, or the rebuilt ones, which equal them), the reader must never have seen
    fewer, and the command run again must give the clean ledger. Returns where the kill landed."""
    copy_ledger(ref.db, db)
    args = ["assess", "--full", "--db", db, "-q"]
    reader = Reader(db)
    reader.start()
    try:
        watched = run_rebuild(db, after_s)
    finally:
        seen = reader.stop()
    tally.trials += 1
    tally.read(seen, ref.assessments, label)
    tally.compare(tally.check(db, label), ref.snap, label)
    where = ("finished before the kill" if not watched.killed
             else "after the swap" if watched.swap_s is not None
             else "mid-rebuild (before the swap)" if watched.opened_s is not None
             else "before opening the ledger")
    tally.land(where)
    tally.command(args, f"{label} rerun")
    tally.compare(tally.check(db, f"{label} rerun"), ref.snap, f"{label} rerun")
    return where


def kill_assess(ref: Reference, workdir: Path, kills: int, rng: random.Random, tally: Tally) -> None:
    """`materiel assess --full` killed at random moments of its building phase (and a little past the
    swap), checked, and run again, until `kills` kills landed mid-rebuild (or twice as many trials ran)."""
    _kill_until(kills, tally, lambda n: kill_assess_once(ref, workdir / f"assess-{n}.db",
                                                          rng.uniform(0, 1.05 * ref.assess_building_s),
                                                          tally, f"assess kill {n}"))


def rebuild_watched(ref: Reference, db: Path, tally: Tally, label: str) -> None:
    """An ordinary `assess --full` run to the end while a reader polls: it must always see every assessment."""
    copy_ledger(ref.db, db)
    reader = Reader(db)
    reader.start()
    try:
        tally.command(["assess", "--full", "--db", db, "-q"], label)
    finally:
        seen = reader.stop()
    tally.trials += 1
    tally.read(seen, ref.assessments, label)
    tally.compare(tally.check(db, label), ref.snap, label)


def concurrent_ingest(ref: Reference, workdir: Path, groups: Sequence[Sequence[Path]], tally: Tally,
                      label: str) -> None:
    """One `materiel ingest` per group of inputs, all at once into one ledger, each assessing what it
    stored; their union must be the reference's inputs, and the ledger must equal the reference exactly,
    assessments included (those of a clean `assess --full`)."""
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


def disjoint(inputs: Sequence[Path], writers: int) -> list[list[Path]]:
    """Writer n ingests every `writers`-th input from n on: no input is read twice, so each writer stores
    (and then assesses) events of flow families that the others store at the same time."""
    return [list(inputs[n::writers]) for n in range(writers)]
