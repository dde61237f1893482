"""The dossier of one assessment in the terminal: what is claimed, by whom, when, how firmly,
and who denies it, every claim with its evidence sentence."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .exports import format_figure, reviewed_events
from .knowledge.base import load_knowledge
from .model import Assessment, Stance
from .terminal import markup as escape  # every text from the ledger: markup and control characters escaped

EVIDENCE_CHARS = 240


def _table(title: str, *columns: str, **options: object) -> Table:
    table = Table(title=title, **options)  # type: ignore[arg-type]
    for column in columns:
        table.add_column(column)
    return table


def _clip(text: str, limit: int = EVIDENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_dossier(a: Assessment, console: Console) -> None:
    kb = load_knowledge()
    head = (f"[bold]{escape(kb.party_label(a.provider))} → {escape(kb.party_label(a.recipient))}[/bold]  "
            f"{a.type.value} of [bold]{escape(a.item_label)}[/bold] ({a.category.value})\n"
            f"grade [bold]{a.grade.code}[/bold] · most advanced: {a.max_status.value} · latest: {a.latest_status.value}"
            f" · {len(a.claims)} claim(s) in {len(a.publications)} article(s) from {len(a.outlets)} outlet(s) · "
            f"{a.independent_origins} independent origin(s) · reported {escape(a.first_reported or '?')} to "
            f"{escape(a.last_reported or '?')}")
    if a.names:
        head += f"\nnames used: {escape(', '.join(a.names))}"
    console.print(Panel(head, title=f"assessment {escape(a.id)}", expand=False))
    console.print("[bold]How the grade was reached[/bold]")
    for line in a.grade.explanation:
        console.print(f"  • {escape(line)}", highlight=False)

    timeline = _table("Status timeline (by first report)", "first reported", "status", "articles", "sources")
    for step in a.status_history:
        timeline.add_row(escape(step.first_reported or "?"), step.status.value, escape(", ".join(step.articles)),
                         escape(_clip("; ".join(step.sources), 120)))
    console.print(timeline)

    origins = _table("Independent origins", "reliability", "origin", "kind", "articles")
    for o in a.origins:
        origins.add_row(o.reliability, escape(o.label), o.kind, escape(", ".join(o.articles)))
    console.print(origins)

    reviewed = reviewed_events(a)
    claims = Table(title=f"Claims ({reviewed} of {len(a.claims)} reviewed)", show_lines=True)
    for column, width in (("event", 26), ("date", 10), ("article", 10), ("outlet", 16), ("status", 9), ("stance", 8),
                          ("sources", 30), ("evidence", 70)):
        claims.add_column(column, max_width=width, overflow="fold")
    for c in a.claims:
        e = c.event
        stance = "[red]denied[/red]" if e.stance is Stance.DENIED else "asserted"
        sources = "; ".join(f"{s.name} ({s.kind.value}{', via ' + s.via if s.via else ''})" for s in e.sources)
        evidence = " … ".join(ev.text for ev in e.evidence)
        review = f"\n[dim]{c.review}[/dim]" if c.review else "\n[dim]unreviewed[/dim]"
        claims.add_row(escape(c.event_id) + review, escape(c.published or "?"), escape(c.article_id), escape(c.outlet or ""), e.status.value, stance,
                       escape(sources), escape(_clip(evidence), lines=True))
    console.print(claims)

    if a.denials:
        denials = _table("Denials", "by", "party to the flow", "sources", "articles", "first reported")
        for d in a.denials:
            denials.add_row(escape(d.by), "yes (interested)" if d.interested else "no (third party)",
                            escape("; ".join(d.sources)), escape(", ".join(d.articles)), escape(d.first_reported or "?"))
        console.print(denials)
    if a.figures:
        figures = _table("Figures as reported (never averaged)", "date", "article", "figure", "counts", "source")
        for f in a.figures:
            figures.add_row(escape(f.published or "?"), escape(f.article_id), escape(format_figure(f)), f.status.value,
                            escape(f.source))
        console.print(figures)
        if a.largest_figure and a.largest_figure.quantity is not None:
            lf = a.largest_figure
            console.print(f"largest figure reported: {lf.quantity:,}{' (approx.)' if lf.approx else ''} "
                          f"({escape(lf.source)}, {escape(lf.article_id)})", highlight=False)
    if a.confidence:
        console.print("[bold]Estimative language[/bold]")
        for c in a.confidence:
            console.print(f"  • \"{escape(c.text)}\" ({c.low:.0%}–{c.high:.0%}) — {escape(c.source)}, "
                          f"{escape(c.article_id)}", highlight=False)
