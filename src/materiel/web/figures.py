"""Chart specifications for the pages: plain Plotly figure JSON, drawn in the browser by the
plotly.js that the `plotly` package ships (served from this server, never from elsewhere)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from ..exports import party_label
from ..model import STATUS_LADDER, Assessment, Status

STAGES = [s.value for s in STATUS_LADDER] + [Status.CANCELLED.value]
TYPE_COLOURS = {"transfer": "#1f77b4", "training": "#2ca02c", "production": "#9467bd", "payment": "#ff7f0e",
                "cooperation": "#7f7f7f"}
BASE_LAYOUT: dict[str, Any] = {"margin": {"l": 90, "r": 20, "t": 30, "b": 40}, "height": 280,
                               "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                               "font": {"family": "system-ui, sans-serif", "size": 12}}


def status_timeline(a: Assessment) -> dict[str, Any]:
    """Each stage at the date it was first reported, and each denial at its first report."""
    steps = sorted(a.status_history, key=lambda s: s.first_reported or "")
    data = [{"type": "scatter", "mode": "lines+markers+text", "name": "reported stage",
             "x": [s.first_reported for s in steps], "y": [s.status.value for s in steps],
             "text": [f"{len(s.articles)} article(s)" for s in steps], "textposition": "top center",
             "hovertext": ["; ".join(s.sources)[:200] for s in steps], "hoverinfo": "x+y+text",
             "marker": {"size": 12, "color": "#1f77b4"}, "line": {"shape": "hv", "color": "#9ecae1"}}]
    if a.denials:
        data.append({"type": "scatter", "mode": "markers", "name": "denied",
                     "x": [d.first_reported for d in a.denials], "y": ["denied"] * len(a.denials),
                     "hovertext": [f"{d.by}{' (party)' if d.interested else ' (third party)'}" for d in a.denials],
                     "hoverinfo": "x+text", "marker": {"size": 12, "symbol": "x", "color": "#d62728"}})
    layout = {**BASE_LAYOUT, "xaxis": {"type": "date", "title": {"text": "first reported"}},
              "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": ["denied", *STAGES]},
              "showlegend": bool(a.denials)}
    return {"data": data, "layout": layout}


def figures_over_time(a: Assessment) -> dict[str, Any] | None:
    """Every reported count as a point (never averaged), one series per stage it counts."""
    series: dict[str, list] = defaultdict(list)
    for f in a.figures:
        if f.quantity is not None and f.published:
            series[f.status.value].append(f)
    if not series:
        return None
    data = [{"type": "scatter", "mode": "markers", "name": stage, "x": [f.published for f in found],
             "y": [f.quantity for f in found], "marker": {"size": 11},
             "hovertext": [f"{'~' if f.approx else ''}{f.quantity:,} — {f.source} ({f.article_id})" for f in found],
             "hoverinfo": "x+text"} for stage, found in sorted(series.items())]
    layout = {**BASE_LAYOUT, "xaxis": {"type": "date"}, "yaxis": {"title": {"text": "number reported"},
                                                                  "rangemode": "tozero"}}
    return {"data": data, "layout": layout}


def network(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Parties as nodes (sized by the flows they take part in), each provider→recipient relation as
    an arrow from the provider to the recipient (an annotation: Plotly draws its head where the
    arrow ends, whatever the direction; thicker with more flows, coloured by the commonest type);
    a dot on each arrow opens the dossier or the ledger. Every event type has a legend entry, with
    its number of relations (0 included). The page's script keeps node labels from overlapping.
    `rows` are ledger lines (`Store.assessment_rows`), so no claim is loaded."""
    graph = nx.DiGraph()
    weight: dict[str, int] = defaultdict(int)
    edges: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        edges[(str(row["provider"]), str(row["recipient"]))].append(row)
        weight[str(row["provider"])] += 1
        weight[str(row["recipient"])] += 1
    graph.add_nodes_from(weight)
    graph.add_edges_from(edges)
    position = nx.spring_layout(graph, seed=7, k=2.5 / max(1, len(graph)) ** 0.5, iterations=200) if graph else {}
    size = {n: 10 + 4 * min(weight[n], 12) for n in weight}
    arrows: list[dict[str, Any]] = []
    mids: dict[str, list] = defaultdict(list)
    relations: dict[str, int] = defaultdict(int)
    for (p, r), flows in edges.items():
        kind = max(sorted({f["type"] for f in flows}), key=lambda t: (sum(f["type"] == t for f in flows), t == "transfer"))
        relations[kind] += 1
        (x0, y0), (x1, y1) = (float(v) for v in position[p]), (float(v) for v in position[r])
        label = f"{party_label(p)} → {party_label(r)}: {len(flows)} flow(s)"
        colour = TYPE_COLOURS.get(kind, "#999")
        width = 1 + min(len(flows), 6)  # arrows thicken with the number of flows
        if p != r:
            arrows.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                           "showarrow": True, "arrowhead": 2, "arrowcolor": colour, "text": "",
                           "arrowwidth": width, "arrowsize": 4.5 / (2 + width), "standoff": size[r] / 2 + 1,
                           "startstandoff": size[p] / 2, "hovertext": label, "name": f"{p}→{r}"})
        target = f"/assessments/{flows[0]['id']}" if len(flows) == 1 else f"/?between={p},{r}"
        mids[kind].append((x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5, len(flows), label, target))
    data: list[dict[str, Any]] = []
    for kind in TYPE_COLOURS:  # one legend entry per type, also for a type with no relation shown
        m = mids.get(kind, [])
        data.append({"type": "scatter", "mode": "markers", "name": f"{kind} ({relations[kind]})", "legendgroup": kind,
                     "x": [v[0] for v in m] or [None], "y": [v[1] for v in m] or [None],
                     "hovertext": [v[3] for v in m], "hoverinfo": "text", "customdata": [v[4] for v in m],
                     "marker": {"symbol": "circle", "color": TYPE_COLOURS[kind], "line": {"color": "#fff", "width": 1},
                                "size": [6 + min(v[2], 10) for v in m] or 8}})
    nodes = sorted(weight)
    data.append({"type": "scatter", "mode": "markers+text", "name": "parties", "showlegend": False,
                 "x": [float(position[n][0]) for n in nodes], "y": [float(position[n][1]) for n in nodes],
                 "text": [party_label(n) for n in nodes], "textposition": "top center", "cliponaxis": False,
                 "hovertext": [f"{party_label(n)}: {weight[n]} flow(s)" for n in nodes], "hoverinfo": "text",
                 "customdata": [f"/?party={n}" for n in nodes],
                 "marker": {"size": [size[n] for n in nodes], "color": "#444", "line": {"color": "#fff", "width": 1}}})
    layout = {**BASE_LAYOUT, "height": 640, "hovermode": "closest", "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
              "xaxis": {"visible": False}, "yaxis": {"visible": False}, "annotations": arrows,
              "legend": {"orientation": "h", "title": {"text": "type (relations)"}}}
    return {"data": data, "layout": layout}
