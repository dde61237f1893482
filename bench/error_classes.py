#!/usr/bin/env python3
"""The accuracy issue's error classes, counted on one gold set for two extraction outputs.

Not a test: it prints a Markdown table. Spurious events are put in a class by comparing each with
the gold events of its article, on the scorer's key (type, parties, category; ONTOLOGY §8):
an extra event of a key gold has (a flow split by stage), a reversed pair, one party right and the
other wrong (targets, bystanders and context fills cannot be told apart by a script), or other.
Recall is counted per type and for three slices of gold: items listed with others of another
category in one sentence, non-state parties, and denials that name no item.

    .venv/bin/materiel extract ../shared/eval/dev2/articles.jsonl -q > after.jsonl
    .venv/bin/python bench/error_classes.py ../shared/eval/dev2/gold.jsonl before.jsonl after.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

UNORDERED = {"cooperation", "production"}
TYPES = ("transfer", "training", "cooperation", "production", "payment")


def events_by_article(path: Path) -> dict[str, list[dict]]:
    with path.open(encoding="utf-8") as f:
        return {r["article_id"]: r["events"] for r in map(json.loads, f) if r}


def key(e: dict) -> tuple:
    parties = frozenset((e["provider"], e["recipient"])) if e["type"] in UNORDERED else (e["provider"], e["recipient"])
    return e["type"], parties, e["item"]["category"]


def spurious_class(p: dict, gold: list[dict], known: Counter) -> str:
    if known[key(p)]:
        return "same flow split into extra events"
    if any(g["type"] == p["type"] and (g["provider"], g["recipient"]) == (p["recipient"], p["provider"]) for g in gold):
        return "direction reversed"
    if any(g["provider"] == p["provider"] or g["recipient"] == p["recipient"] for g in gold):
        return "one party wrong (target, bystander or context)"
    return "other"


def in_a_list(g: dict, gold: list[dict]) -> bool:
    texts = {x["text"] for x in g.get("evidence", [])}
    return any(h is not g and not h.get("optional") and h["item"]["category"] != g["item"]["category"]
               and texts & {x["text"] for x in h.get("evidence", [])} for h in gold)


def count(gold: dict[str, list[dict]], predicted: dict[str, list[dict]]) -> tuple[Counter, Counter, Counter]:
    spurious, found, total = Counter(), Counter(), Counter()
    for article, events in gold.items():
        known, left = Counter(key(g) for g in events), Counter()
        for p in predicted.get(article, []):
            k = key(p)
            if left[k] < known[k]:
                left[k] += 1
                continue
            spurious[spurious_class(p, events, known)] += 1
        unmatched = Counter(key(p) for p in predicted.get(article, []))
        for g in (g for g in events if not g.get("optional")):
            hit = unmatched[key(g)] > 0
            unmatched[key(g)] -= hit
            slices = [g["type"]]
            if in_a_list(g, events):
                slices.append("item listed beside others")
            if any(p.startswith("org:") for p in (g["provider"], g["recipient"])):
                slices.append("non-state party")
            if g["stance"] == "denied" and g["item"]["category"] == "unspecified":
                slices.append("denial naming no item")
            for s in slices:
                total[s] += 1
                found[s] += hit
    return spurious, found, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args()
    gold = events_by_article(args.gold)
    (sb, fb, tb), (sa, fa, ta) = (count(gold, events_by_article(p)) for p in (args.before, args.after))
    print("| class | before | after |\n|---|---|---|")
    for name in sorted(set(sb) | set(sa)):
        print(f"| spurious: {name} | {sb[name]} | {sa[name]} |")
    for name in (*TYPES, "item listed beside others", "non-state party", "denial naming no item"):
        print(f"| recall: {name} | {fb[name]}/{tb[name]} | {fa[name]}/{ta[name]} |")


if __name__ == "__main__":
    main()
