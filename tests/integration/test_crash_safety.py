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
    tally = trials.Tally()
    rng = random.Random(3)
    trials.kill_ingest(reference, tmp_path, 2, rng, tally)
    trials.kill_assess(reference, tmp_path, 1, rng, tally)
    assert tally.trials == 3
    assert tally.clean, tally.describe() + "\n" + "\n".join(tally.notes)


def test_two_concurrent_ingests_over_overlapping_inputs_give_the_clean_ledger(reference, tmp_path):
    tally = trials.Tally()
    trials.concurrent_ingest(reference, tmp_path, trials.overlapping(reference.inputs, 2), tally, "2 writers")
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
