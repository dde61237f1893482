"""Quality gate on the shared dev sets: floors that extraction must not fall below.

Raising a floor is welcome; lowering one is a decision to write down in the issue note, never
a way to make a red run green. The figures come from the same scorer the CLI's `eval` uses,
which another test checks against shared/tools/score.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from materiel import service
from materiel.evaluate import load_events, score

pytestmark = pytest.mark.slow

# Measured 2026-12-06: event F1 0.814 (P 0.930, R 0.723; seed 0.963), status 0.887, stance 0.970,
# sources 0.872, no event on any of the 9 negative articles. Floors sit a little below, to absorb noise only.
FLOOR_EVENT_F1 = 0.80
FLOOR_SEED_F1 = 0.90
FLOOR_STATUS = 0.87
FLOOR_STANCE = 0.95
FLOOR_SOURCES = 0.86
MAX_SPURIOUS_ON_NEGATIVES = 0
# dev2 (dense, scraped-looking pages; issue 9), measured 2026-12-06: event F1 0.654 (P 0.759,
# R 0.574), stance 0.965, status 0.852, sources 0.889, one spurious event on its 9 negatives. Floors
# sit a little below, to absorb noise only.
DEV2_FLOOR_EVENT_F1 = 0.645
DEV2_FLOOR_PRECISION = 0.74
DEV2_FLOOR_STANCE = 0.95
DEV2_FLOOR_STATUS = 0.85
DEV2_FLOOR_SOURCES = 0.87
DEV2_MAX_SPURIOUS_ON_NEGATIVES = 1


@pytest.fixture(scope="module")
def dev_scores(shared_dir: Path):
    gold_path = shared_dir / "eval" / "dev" / "gold.jsonl"
    articles = shared_dir / "eval" / "dev" / "articles.jsonl"
    summary = service.RunSummary()
    predicted = {r.article.id: [e.to_dict() for e in r.events]
                 for r in service.extract_paths([str(articles)], summary)}
    gold = load_events(gold_path)
    return score(gold, predicted).to_dict(), score({"seed": gold["seed"]}, predicted).to_dict(), predicted


def test_event_f1_floor(dev_scores) -> None:
    overall, _, _ = dev_scores
    assert overall["events"]["f1"] >= FLOOR_EVENT_F1, json.dumps(overall["events"])


def test_seed_article_floor(dev_scores) -> None:
    _, seed, _ = dev_scores
    assert seed["events"]["f1"] >= FLOOR_SEED_F1, json.dumps(seed["events"])


@pytest.mark.parametrize("slot,floor", [("status", FLOOR_STATUS), ("stance", FLOOR_STANCE),
                                        ("sources", FLOOR_SOURCES)])
def test_slot_floors(dev_scores, slot: str, floor: float) -> None:
    overall, _, _ = dev_scores
    assert overall["slots"][slot]["accuracy"] >= floor, json.dumps(overall["slots"])


def test_quiet_on_negative_articles(dev_scores) -> None:
    overall, _, _ = dev_scores
    assert overall["negative_articles"] == 9
    assert overall["spurious_on_negatives"] <= MAX_SPURIOUS_ON_NEGATIVES


def test_every_event_is_grounded(dev_scores, shared_dir: Path) -> None:
    """Every evidence span slices title + blank line + text to exactly its quoted text."""
    _, _, predicted = dev_scores
    texts = {}
    for line in (shared_dir / "eval" / "dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts[row["id"]] = f"{row['title']}\n\n{row['text']}" if row["title"] else row["text"]
    checked = 0
    for article_id, events in predicted.items():
        for event in events:
            assert event["evidence"], event
            for evidence in event["evidence"]:
                assert texts[article_id][evidence["start"]:evidence["end"]] == evidence["text"]
                checked += 1
    assert checked > 100


@pytest.fixture(scope="module")
def dev2_scores(shared_dir: Path):
    gold_path = shared_dir / "eval" / "dev2" / "gold.jsonl"
    articles = shared_dir / "eval" / "dev2" / "articles.jsonl"
    if not gold_path.exists():
        pytest.skip(f"no dev2 set at {gold_path}")
    predicted = {r.article.id: [e.to_dict() for e in r.events]
                 for r in service.extract_paths([str(articles)], service.RunSummary())}
    return score(load_events(gold_path), predicted).to_dict()


def test_dev2_floors(dev2_scores) -> None:
    events, slots = dev2_scores["events"], dev2_scores["slots"]
    assert events["f1"] >= DEV2_FLOOR_EVENT_F1, json.dumps(events)
    assert events["precision"] >= DEV2_FLOOR_PRECISION, json.dumps(events)
    for slot, floor in (("stance", DEV2_FLOOR_STANCE), ("status", DEV2_FLOOR_STATUS),
                        ("sources", DEV2_FLOOR_SOURCES)):
        assert slots[slot]["accuracy"] >= floor, json.dumps(slots)
    assert dev2_scores["negative_articles"] == 9
    assert dev2_scores["spurious_on_negatives"] <= DEV2_MAX_SPURIOUS_ON_NEGATIVES
