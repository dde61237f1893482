"""A writer killed with SIGKILL at any moment, or several writers at once, never corrupts the ledger,
loses or duplicates a row, or leaves half an article; running the command again gives exactly the
ledger a clean run gives. A few trials here; bench/trial_crash.py runs many on a larger corpus."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import crash_trials as trials
from support import ASSESSMENT_SET

pytestmark = pytest.mark.slow
PARTS = 3  # the corpus is split so that concurrent writers can read overlapping inputs
TRIES = 3  # kills aimed at the first write, until one lands mid-write


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> trials.Reference:
    work = tmp_path_factory.mktemp("trials")
    lines = (ASSESSMENT_SET / "articles.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    parts = []
    for n in range(PARTS):
        part = work / f"part-{n}.jsonl"
        part.write_text("".join(lines[n::PARTS]), encoding="utf-8")
        parts.append(part)
    return trials.Reference.build(parts, work)


def test_kill_during_ingest_and_assess_leaves_a_sound_ledger_that_a_rerun_completes(reference, tmp_path):
    """One ingest and one `assess --full` killed at a random moment of their write phase, and one each
    killed as soon as its first write shows, which must land mid-write: a kill that came after the
    command finished proves nothing, so it is tried again (up to TRIES times) and then fails the test."""
    tally = trials.Tally()
    rng = random.Random(3)
    trials.kill_ingest_once(reference, tmp_path / "ingest-random.db", rng.uniform(0, reference.ingest_writing_s),
                            tally, "ingest kill at random")
    building = reference.assess_building_s  # from opening the ledger to the swap
    trials.kill_assess_once(reference, tmp_path / "assess-random.db", rng.uniform(0, building), tally,
                            "assess kill at random")
    for kill_once, what, at in ((trials.kill_ingest_once, "ingest", lambda n: 0.0),
                                (trials.kill_assess_once, "assess", lambda n: building / (2 + n))):
        landed: list[str] = []
        while len(landed) < TRIES and not landed[-1:] == ["mid"]:
            where = kill_once(reference, tmp_path / f"{what}-early-{len(landed)}.db", at(len(landed)), tally,
                              f"{what} kill mid-write")
            landed.append("mid" if where.startswith("mid-") else where)
        assert landed[-1] == "mid", f"no {what} kill landed mid-write: {landed}"
    assert tally.clean, tally.describe() + "\n" + "\n".join(tally.notes)


def test_a_reader_sees_every_assessment_throughout_a_full_rebuild(reference, tmp_path):
    tally = trials.Tally()
    trials.rebuild_watched(reference, tmp_path / "rebuild.db", tally, "assess --full watched")
    assert tally.polls > 0 and tally.clean, tally.describe() + "\n" + "\n".join(tally.notes)


@pytest.mark.parametrize("split", [trials.overlapping, trials.disjoint])
def test_two_concurrent_ingests_each_assessing_give_the_clean_ledger(reference, tmp_path, split):
    tally = trials.Tally()
    trials.concurrent_ingest(reference, tmp_path, split(reference.inputs, 2), tally, "2 writers")
    assert tally.clean, tally.describe() + "\n" + "\n".join(tally.notes)


def test_a_rerun_assesses_what_a_killed_ingest_stored_but_did_not_assess(reference, tmp_path):
    """An ingest killed after its last article was stored, before assessing, leaves what
    `--no-assess` leaves; running the ingest again must bring the assessments up to date."""
    db: Path = tmp_path / "ledger.db"
    tally = trials.Tally()
    tally.command(["ingest", *reference.inputs, "--db", db, "--no-assess", "-q"], "ingest without assessing")
    tally.command(["ingest", *reference.inputs, "--db", db, "-q"], "rerun")
    tally.compare(tally.check(db, "rerun"), reference.snap, "rerun")
    assert tally.clean, tally.describe() + "\n" + "\n".join(tally.notes)
