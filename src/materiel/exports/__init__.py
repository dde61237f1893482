"""Export assessments for use outside materiel: tables, a network graph, and journalist briefs.

One entry point, `export`, so the CLI (and anyone scripting the ledger) names a format and gets
the same output. The writers live in submodules that are imported only when their format is asked
for, so `csv` does not pay for networkx or Jinja2. The small helpers every format shares (display
names, category words, figure wording, best grade) are defined here so the formats cannot
disagree about what a party or a stage is called.
"""

from __future__ import annotations

import re
from typing import IO, Iterable

from materiel.errors import MaterielError
from materiel.knowledge.base import load_knowledge
from materiel.model import UNKNOWN_PARTY, Assessment, Category, Figure, Grade, Status

EXPORT_FORMATS = ("csv", "jsonl", "sipri", "graphml", "brief-md", "brief-html", "events-csv", "events-jsonl",
                  "events-parquet")
# Formats written as bytes (to a file, never to a terminal); the others are text.
BINARY_FORMATS = frozenset({"events-parquet"})
# What the number `export` returns counts: rows of a table, or the assessments a document covers.
EXPORT_UNITS = {"csv": "row", "jsonl": "row", "sipri": "row", "events-csv": "row", "events-jsonl": "row",
                "events-parquet": "row", "graphml": "assessment", "brief-md": "assessment",
                "brief-html": "assessment"}

__all__ = ["EXPORT_FORMATS", "BINARY_FORMATS", "EXPORT_UNITS", "export", "derive_subject", "party_label",
           "party_labels"]

# Category in words, singular (SIPRI register style "description").
CATEGORY_WORDS: dict[Category, str] = {
    Category.COMBAT_AIRCRAFT: "combat aircraft",
    Category.OTHER_AIRCRAFT: "aircraft",
    Category.HELICOPTER: "helicopter",
    Category.UAV: "unmanned aerial vehicle",
    Category.AIR_DEFENCE: "air defence system",
    Category.BALLISTIC_MISSILE: "ballistic missile",
    Category.CRUISE_MISSILE: "cruise missile",
    Category.OTHER_MISSILE: "missile",
    Category.ARTILLERY: "artillery",
    Category.ARMOURED_VEHICLE: "armoured vehicle",
    Category.SHIP: "ship",
    Category.AMMUNITION: "ammunition",
    Category.SMALL_ARMS: "small arms",
    Category.COMPONENTS: "components",
    Category.TECHNOLOGY: "technology",
    Category.MONEY: "money",
    Category.UNSPECIFIED: "unspecified materiel",
}

# What a figure counts, in the words a reader of an arms register expects ("agreed" is an order).
FIGURE_STATUS_WORDS: dict[Status, str] = {
    Status.REQUESTED: "requested",
    Status.DISCUSSED: "discussed",
    Status.OFFERED: "offered",
    Status.AGREED: "ordered",
    Status.DELIVERED: "delivered",
    Status.CANCELLED: "cancelled",
    Status.UNCLEAR: "stage unclear",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def export(assessments: list[Assessment], fmt: str, out: IO, *, subject: str | None = None) -> int:
    """Write `assessments` to `out` in format `fmt` (one of `EXPORT_FORMATS`); returns how many
    records were written, counted as `EXPORT_UNITS[fmt]` says (table rows, or assessments covered).

    `out` is a text stream, or a binary one for `BINARY_FORMATS`. The `events-*` formats write one
    flat row per event of the selected assessments (`materiel.exports.flat`). `subject` titles the
    briefs; the other formats ignore it.

    >>> import io
    >>> export([], "sipri", io.StringIO())
    0
    """
    if fmt in ("csv", "jsonl", "sipri"):
        from materiel.exports import tables
        return {"csv": tables.write_csv, "jsonl": tables.write_jsonl, "sipri": tables.write_sipri}[fmt](assessments, out)
    if fmt in ("events-csv", "events-jsonl", "events-parquet"):
        from materiel.exports import flat
        writer = {"events-csv": flat.write_events_csv, "events-jsonl": flat.write_events_jsonl,
                  "events-parquet": flat.write_events_parquet}[fmt]
        return writer(flat.assessed_events(assessments), out)
    if fmt == "graphml":
        from materiel.exports.graph import write_graphml
        write_graphml(assessments, out)
        return len(assessments)
    if fmt in ("brief-md", "brief-html"):
        from materiel.exports.brief import write_brief_html, write_brief_md
        title = subject if subject is not None else derive_subject(assessments)
        (write_brief_md if fmt == "brief-md" else write_brief_html)(assessments, out, subject=title)
        return len(assessments)
    raise MaterielError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")


def derive_subject(assessments: Iterable[Assessment]) -> str:
    """A title for a brief when the user gives none: the shared pair of parties, else the shared
    system, else a neutral phrase (never a guess that misdescribes part of the selection)."""
    flows = list(assessments)
    if not flows:
        return "Selected flows"
    pairs = {frozenset((a.provider, a.recipient)) for a in flows}
    if len(pairs) == 1:
        labels = sorted(party_label(code) for code in next(iter(pairs)))
        return " and ".join(labels) if len(labels) == 2 else labels[0]
    systems = {a.canonical for a in flows}
    if len(systems) == 1 and None not in systems:
        return str(next(iter(systems)))
    return "Selected flows"


def party_labels() -> dict[str, str]:
    """Every party the knowledge base names, code -> display name (as `party_label` gives it)."""
    kb = load_knowledge()
    return {code: kb.party_label(code) for code in {*(n.party for n in kb.party_names), UNKNOWN_PARTY}}


def party_label(code: str) -> str:
    """Display name of a party (`KnowledgeBase.party_label`, the one source of party names)."""
    return load_knowledge().party_label(code)


def party_kind(code: str) -> str:
    """'state' for ISO-coded states, 'group' for non-state parties, 'unknown' for the placeholder."""
    if code == UNKNOWN_PARTY:
        return "unknown"
    if code in load_knowledge().state_names or re.fullmatch(r"[A-Z]{3}", code):
        return "state"
    return "group"


def item_label(a: Assessment) -> str:
    """The item as a reader should see it: the system or designation, else the category in words."""
    if a.canonical:
        return a.canonical
    if a.item_label == a.category.value:
        return CATEGORY_WORDS.get(a.category, a.item_label)
    return a.item_label


def plain(text: str | None) -> str:
    """Article-derived text on one line with no control characters: keeps row, line and XML
    structure intact whatever the article contained."""
    if not text:
        return ""
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def year(date: str | None) -> str:
    return date[:4] if date and len(date) >= 4 and date[:4].isdigit() else ""


def format_quantity(f: Figure) -> str:
    """'2,400' or '~20'; the article's own wording when it gave no number."""
    if f.quantity is not None:
        return f"{'~' if f.approx else ''}{f.quantity:,}"
    return plain(f.quantity_text)


def format_money(amount: float, currency: str | None) -> str:
    """'USD 6,500,000,000': the full number, so no reader mistakes a rounded value for a report."""
    text = f"{int(amount):,}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{currency or ''} {text}".strip()


def format_amount(f: Figure) -> str:
    return "" if f.amount is None else format_money(f.amount, f.currency)


def format_figure(f: Figure) -> str:
    """Quantity and value of one figure ('180; USD 6,500,000,000'), never combined with another."""
    return "; ".join(part for part in (format_quantity(f), format_amount(f)) if part)


def best_grade(grades: Iterable[Grade]) -> Grade | None:
    """The strongest grade: most reliable source first, then best credibility (A1 < A2 < B1)."""
    return min(grades, key=lambda g: (g.reliability, g.credibility), default=None)


def largest_quantity(figures: Iterable[Figure], statuses: Iterable[Status] | None = None) -> int | None:
    """The largest number among the figures (optionally of given stages): reported, not averaged."""
    wanted = set(statuses) if statuses is not None else set(Status)
    values = [f.quantity for f in figures if f.status in wanted and f.quantity is not None]
    return max(values) if values else None



def reviewed_events(a: Assessment) -> int:
    """How many of an assessment's events a person has confirmed, corrected or added (rejected ones are
    no claims of it)."""
    return sum(1 for c in a.claims if c.review)


def reviewed_text(reviewed: int, events: int) -> str:
    """'3 of 5 events reviewed': the one wording every export uses."""
    return f"{reviewed} of {events} event{'' if events == 1 else 's'} reviewed"
