"""Scoring assessments against a gold file of flows (tests/assessments/README.md).

Elements are (article, gold flow) memberships. A predicted event maps to the element of its
article whose flow agrees on type, parties (unordered for production and cooperation), category
and, when both name one, the system. Pairwise precision and recall are over pairs of elements
that share a predicted assessment and a gold flow. Elements no event maps to are counted as
singletons and also reported apart, so extraction misses and clustering errors can be told apart.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

from ..evaluate import compatible, same_system
from ..model import Assessment

Element = tuple[str, str]  # (article id, flow id)


def load_flows(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def flow_matches(flow: dict[str, Any], kind: str, provider: str, recipient: str, category: str,
                 canonical: str | None) -> bool:
    """The scorer's compatibility (type, parties, category; ONTOLOGY §8), then the system if both name one."""
    gold = {"type": flow["type"], "provider": flow["provider"], "recipient": flow["recipient"],
            "item": {"category": flow["category"]}}
    pred = {"type": kind, "provider": provider, "recipient": recipient, "item": {"category": category}}
    if not compatible(gold, pred):
        return False
    return not (canonical and flow.get("canonical")) or same_system(flow["canonical"], canonical)


@dataclass
class AssessmentScore:
    precision: float
    recall: float
    f1: float
    elements: int
    found: int  # elements some predicted event maps to
    missed: list[Element]
    unmapped_events: int  # predicted events that map to no element (extraction false positives)
    origins_exact: int
    flows: int
    per_flow: list[dict[str, Any]] = field(default_factory=list)

    @property
    def origins_accuracy(self) -> float:
        return self.origins_exact / self.flows if self.flows else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"pairwise": {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                             "f1": round(self.f1, 4)},
                "elements": self.elements, "found": self.found, "missed": [list(m) for m in self.missed],
                "unmapped_events": self.unmapped_events,
                "origins_exact": self.origins_exact, "flows": self.flows,
                "origins_accuracy": round(self.origins_accuracy, 4), "per_flow": self.per_flow}


def _pairs(groups: Iterable[set[Element]]) -> set[frozenset[Element]]:
    out: set[frozenset[Element]] = set()
    for group in groups:
        out |= {frozenset(p) for p in combinations(sorted(group), 2)}
    return out


def score_assessments(flows: list[dict[str, Any]], assessments: list[Assessment]) -> AssessmentScore:
    elements = {(a, f["flow_id"]) for f in flows for a in f["articles"]}
    by_id = {f["flow_id"]: f for f in flows}
    holders: dict[Element, set[str]] = defaultdict(set)  # element -> assessments holding its events
    unmapped = 0
    for assessment in assessments:
        for claim in assessment.claims:
            e = claim.event
            hits = [f for f in flows if claim.article_id in f["articles"] and
                    flow_matches(f, e.type.value, e.provider, e.recipient, e.item.category.value, e.item.canonical)]
            if not hits:
                unmapped += 1
            for f in hits:
                holders[(claim.article_id, f["flow_id"])].add(assessment.id)
    predicted_groups: dict[str, set[Element]] = defaultdict(set)
    for element, ids in holders.items():
        for aid in ids:
            predicted_groups[aid].add(element)
    gold_pairs = _pairs({(a, f["flow_id"]) for a in f["articles"]} for f in flows)
    predicted_pairs = _pairs(predicted_groups.values())
    tp = len(gold_pairs & predicted_pairs)
    precision = tp / len(predicted_pairs) if predicted_pairs else 1.0
    recall = tp / len(gold_pairs) if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_assessment = {a.id: a for a in assessments}
    per_flow, exact = [], 0
    for flow in flows:
        votes = Counter(aid for a in flow["articles"] for aid in holders.get((a, flow["flow_id"]), ()))
        best = by_assessment[votes.most_common(1)[0][0]] if votes else None
        got = best.independent_origins if best else None
        ok = got == flow["independent_origins"]
        exact += ok
        per_flow.append({"flow": flow["flow_id"], "assessment": best.id if best else None,
                         "origins_gold": flow["independent_origins"], "origins": got, "exact": ok,
                         "max_status": (flow["max_status"], best.max_status.value if best else None),
                         "latest_status": (flow["latest_status"], best.latest_status.value if best else None),
                         "denials": (sorted((d["by"], d["interested"]) for d in flow["denials"]),
                                     sorted((d.by, d.interested) for d in best.denials) if best else None),
                         "articles": (sorted(flow["articles"]), sorted(best.articles) if best else None)})
    missed = sorted(elements - set(holders))
    return AssessmentScore(precision, recall, f1, len(elements), len(elements) - len(missed), missed, unmapped,
                           exact, len(by_id), per_flow)
