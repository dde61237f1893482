"""GraphML export: who supplies whom, for network tools such as Gephi, yEd or networkx.

Parties are nodes and each provider -> recipient pair is one edge that sums its flows, so a
network view shows the supply relations; the per-flow detail stays in the tabular exports.
GraphML only carries str/int/float attributes, so every list is joined into a string.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, TextIO

import networkx as nx

from materiel.exports import best_grade, item_label, party_kind, party_label, plain
from materiel.model import Assessment, highest_status


@dataclass
class _EdgeTally:
    flows: int = 0
    events: int = 0
    articles: set = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    items: list[str] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)


def build_graph(assessments: Iterable[Assessment]) -> nx.DiGraph:
    """A directed graph of parties (nodes) and provider -> recipient relations (edges)."""
    graph = nx.DiGraph()
    node_flows: dict[str, int] = defaultdict(int)
    node_events: dict[str, int] = defaultdict(int)
    edges: dict[tuple[str, str], _EdgeTally] = {}
    for a in assessments:
        for code in dict.fromkeys((a.provider, a.recipient)):  # a self-flow touches its party once
            node_flows[code] += 1
            node_events[code] += len(a.claims)
        tally = edges.setdefault((a.provider, a.recipient), _EdgeTally())
        tally.flows += 1
        tally.events += len(a.claims)
        tally.articles.update(a.publications)  # syndicated copies count, each once
        tally.types.add(a.type.value)
        label = plain(item_label(a))
        if label not in tally.items:
            tally.items.append(label)
        tally.assessments.append(a)

    for code in node_flows:
        graph.add_node(code, label=plain(party_label(code)), kind=party_kind(code), flows=node_flows[code],
                       events=node_events[code])
    for (provider, recipient), tally in edges.items():
        grade = best_grade(a.grade for a in tally.assessments)
        graph.add_edge(provider, recipient, flows=tally.flows, events=tally.events, articles=len(tally.articles),
                       types=",".join(sorted(tally.types)), items=",".join(tally.items),
                       max_status=highest_status(a.max_status for a in tally.assessments).value,
                       grade=grade.code if grade else "")
    return graph


def write_graphml(assessments: Iterable[Assessment], out: TextIO) -> None:
    buffer = io.BytesIO()
    nx.write_graphml(build_graph(assessments), buffer, encoding="utf-8")
    out.write(buffer.getvalue().decode("utf-8"))
