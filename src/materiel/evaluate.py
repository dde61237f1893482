"""Scoring predicted events against gold, exactly as ONTOLOGY §8 defines it.

Events of one article are matched one-to-one where type, parties (unordered for cooperation and
production) and item category agree; among compatible pairs the matching is maximum, prefers
pairs that agree on more slots, and serves required gold events before optional ones. Event
P/R/F1 is micro-averaged; slot accuracy is counted over matched required pairs.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Event = dict[str, Any]
UNORDERED = frozenset({"cooperation", "production"})
VALUE_TOLERANCE = 0.01


def load_events(path: str | Path) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out[str(row["article_id"])] = row.get("events") or []
    return out


def _parties(e: Event) -> object:
    pair = (e.get("provider"), e.get("recipient"))
    return frozenset(pair) if e.get("type") in UNORDERED else pair


def _category(e: Event) -> str | None:
    return (e.get("item") or {}).get("category")


def compatible(gold: Event, pred: Event) -> bool:
    return gold.get("type") == pred.get("type") and _parties(gold) == _parties(pred) and _category(gold) == _category(pred)


def _slot(e: Event, slot: str, key: str) -> Any:
    value = e.get(slot)
    return value.get(key) if isinstance(value, dict) else None


def _squash(name: str | None) -> str:
    return "".join(ch for ch in (name or "").lower() if ch.isalnum())


def same_system(gold: str | None, pred: str | None) -> bool:
    a, b = _squash(gold), _squash(pred)
    return bool(a and b) and (a == b or a in b or b in a)


def slot_hits(gold: Event, pred: Event) -> dict[str, bool]:
    """Which of the slots that the gold event defines the prediction gets right."""
    hits = {"status": gold.get("status") == pred.get("status"),
            "stance": (gold.get("stance") or "asserted") == (pred.get("stance") or "asserted")}
    gq = _slot(gold, "quantity", "value")
    if gq is not None:
        hits["quantity"] = gq == _slot(pred, "quantity", "value")
    gv = _slot(gold, "value", "amount")
    if gv is not None:
        pv = _slot(pred, "value", "amount")
        hits["value"] = pv is not None and abs(pv - gv) <= VALUE_TOLERANCE * abs(gv)
    gc = (gold.get("item") or {}).get("canonical")
    if gc:
        hits["canonical"] = same_system(gc, (pred.get("item") or {}).get("canonical"))
    gold_sources = gold.get("sources") or []
    if gold_sources:
        hits["sources"] = any(
            g.get("kind") == p.get("kind")
            and (g.get("kind") != "official" or not g.get("country") or g.get("country") == p.get("country"))
            for g in gold_sources for p in pred.get("sources") or [])
    return hits


def match(golds: list[Event], preds: list[Event]) -> list[tuple[int, int]]:
    """Maximum matching by augmenting paths; required gold first, optional gold takes leftovers."""
    options: dict[int, list[int]] = {}
    for gi, g in enumerate(golds):
        ranked = sorted(((sum(slot_hits(g, p).values()), pj) for pj, p in enumerate(preds) if compatible(g, p)),
                        reverse=True)
        options[gi] = [pj for _, pj in ranked]
    owner: dict[int, int] = {}

    def augment(gi: int, visited: set[int]) -> bool:
        for pj in options.get(gi, []):
            if pj in visited:
                continue
            visited.add(pj)
            if pj not in owner or augment(owner[pj], visited):
                owner[pj] = gi
                return True
        return False

    for gi in sorted(range(len(golds)), key=lambda i: bool(golds[i].get("optional"))):
        if golds[gi].get("optional"):
            free = next((pj for pj in options.get(gi, []) if pj not in owner), None)
            if free is not None:
                owner[free] = gi
        else:
            augment(gi, set())
    return sorted((gi, pj) for pj, gi in owner.items())


@dataclass
class Score:
    articles: int = 0
    counts: Counter = field(default_factory=Counter)
    by_type: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    slots: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    negatives: int = 0
    negative_fp: int = 0
    errors: list[tuple[str, str, Event | None, Event | None]] = field(default_factory=list)

    @staticmethod
    def prf(c: Counter) -> dict[str, float]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp": c["tp"], "fp": c["fp"], "fn": c["fn"]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "events": self.prf(self.counts),
            "by_type": {t: self.prf(c) for t, c in sorted(self.by_type.items(), key=lambda kv: str(kv[0]))},
            "slots": {s: {"accuracy": round(c["ok"] / c["n"], 4), "n": c["n"]}
                      for s, c in sorted(self.slots.items()) if c["n"]},
            "negative_articles": self.negatives,
            "spurious_on_negatives": self.negative_fp,
        }


def score(gold: dict[str, list[Event]], pred: dict[str, list[Event]]) -> Score:
    result = Score(articles=len(gold))
    for aid, golds in gold.items():
        preds = pred.get(aid, [])
        pairs = match(golds, preds)
        matched_gold = {gi for gi, _ in pairs}
        matched_pred = {pj for _, pj in pairs}
        if not golds:
            result.negatives += 1
            result.negative_fp += len(preds)
        for gi, pj in pairs:
            g = golds[gi]
            if g.get("optional"):
                continue
            result.counts["tp"] += 1
            result.by_type[g["type"]]["tp"] += 1
            for slot, ok in slot_hits(g, preds[pj]).items():
                result.slots[slot]["n"] += 1
                result.slots[slot]["ok"] += ok
                if not ok:
                    result.errors.append((aid, f"slot:{slot}", g, preds[pj]))
        for gi, g in enumerate(golds):
            if gi not in matched_gold and not g.get("optional"):
                result.counts["fn"] += 1
                result.by_type[g.get("type")]["fn"] += 1
                result.errors.append((aid, "missed", g, None))
        for pj, p in enumerate(preds):
            if pj not in matched_pred:
                result.counts["fp"] += 1
                result.by_type[p.get("type")]["fp"] += 1
                result.errors.append((aid, "spurious", None, p))
    return result


def describe(e: Event | None) -> str:
    if e is None:
        return "-"
    item = e.get("item") or {}
    q = _slot(e, "quantity", "value")
    return (f"{e.get('type')} {e.get('provider')}->{e.get('recipient')} {item.get('category')}:"
            f"{item.get('canonical') or item.get('name')}{' x' + str(q) if q else ''} [{e.get('status')}/{e.get('stance')}]")
