"""Briefs: what the ledger knows about a set of flows, written for a journalist to paste or share.

`build_brief` computes the whole content once (headings, facts, cited statements, the numbered
source list) as plain text; the Markdown and HTML renderers only lay it out and escape it. So
the two formats cannot disagree, and escaping happens in exactly one place per format: every
piece of text that came from an article (titles, quotes, source names) is hostile until escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, TextIO

import jinja2

from materiel.exports import (FIGURE_STATUS_WORDS, format_amount, format_money, format_quantity, item_label,
                              party_label, plain, reviewed_events, reviewed_text)
from materiel.model import Assessment, Category, Claim, Event, EventType, Figure, SourceKind, Stance, Status

# --- Content ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One statement with the articles that support it. `text` and `quote` are unescaped."""

    text: str
    quote: str = ""
    cites: tuple[int, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Block:
    """A titled list inside a flow's section; `empty` is said when there is nothing to list (so a
    reader sees 'no denials reported' rather than wondering whether denials were checked)."""

    title: str
    lines: tuple[Line, ...]
    empty: str = ""


@dataclass(frozen=True)
class FlowSection:
    anchor: str  # the assessment id, usable as an HTML id
    heading: str
    facts: tuple[Fact, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class SourceEntry:
    number: int
    article_id: str
    outlet: str
    title: str
    date: str
    url: str

    @property
    def linkable(self) -> bool:
        """Only web addresses become links: a 'javascript:' or 'data:' URL from a feed stays text."""
        return self.url.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Brief:
    subject: str
    overview: str
    sections: tuple[FlowSection, ...]
    sources: tuple[SourceEntry, ...]


class _Citations:
    """One number per article, handed out in order of first citation."""

    def __init__(self, assessments: list[Assessment]) -> None:
        self.claims: dict[str, Claim] = {}
        for a in assessments:
            for claim in a.claims:
                self.claims.setdefault(claim.article_id, claim)
        self.numbers: dict[str, int] = {}

    def cite(self, *article_ids: str) -> tuple[int, ...]:
        for article_id in article_ids:
            self.numbers.setdefault(article_id, len(self.numbers) + 1)
        return tuple(sorted({self.numbers[a] for a in article_ids}))

    def entries(self) -> tuple[SourceEntry, ...]:
        out = []
        for article_id, number in self.numbers.items():
            claim = self.claims.get(article_id)
            out.append(SourceEntry(
                number=number, article_id=plain(article_id),
                outlet=plain(claim.outlet) if claim and claim.outlet else "unknown outlet",
                title=plain(claim.title) if claim else "",
                date=(claim.published if claim else None) or "undated",
                url=plain(claim.url) if claim else ""))
        return tuple(out)


def build_brief(assessments: Iterable[Assessment], subject: str) -> Brief:
    """Everything a brief says, in reading order; citation numbers follow that order."""
    flows = list(assessments)
    citations = _Citations(flows)
    sections = tuple(_section(a, citations) for a in flows)
    return Brief(subject=plain(subject), overview=_overview(flows), sections=sections,
                 sources=citations.entries())


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


_MASS_NOUNS = ("training", "production", "cooperation")


def _overview(flows: list[Assessment]) -> str:
    if not flows:
        return "No flows match this selection."
    claims = [c for a in flows for c in a.claims]
    publications = {p for c in claims for p in c.reports}  # each outlet's copy of a wire story counts
    outlets = {p.outlet for p in publications if p.outlet}
    parties = {p for a in flows for p in (a.provider, a.recipient)}
    dates = sorted(p.published for p in publications if p.published)
    by_type: dict[str, int] = {}
    for a in flows:
        by_type[a.type.value] = by_type.get(a.type.value, 0) + 1
    kinds = ", ".join(_plural(n, t, t if t in _MASS_NOUNS else None)
                      for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])))
    span = f"published between {dates[0]} and {dates[-1]}" if dates else "with no publication dates"
    contested = sum(1 for a in flows if a.denials)
    parties_text = _plural(len(parties), "party", "parties")
    return (f"This brief covers {_plural(len(flows), 'flow')} ({kinds}) involving {parties_text}, "
            f"reported in {_plural(len(publications), 'article')} from {_plural(len(outlets), 'outlet')} {span}. "
            f"{f'Denials are reported for {contested} of them. ' if contested else 'No denials are reported. '}"
            "Each flow is graded on the NATO Admiralty scale (source reliability A-F, information credibility 1-6); "
            "figures are listed as each source reported them and are never averaged. "
            f"{reviewed_text(sum(reviewed_events(a) for a in flows), len(claims))} by a person; the rest are "
            "as the extractor read them.")


def _section(a: Assessment, citations: _Citations) -> FlowSection:
    provider, recipient = party_label(a.provider), party_label(a.recipient)
    heading = f"{provider} → {recipient}: {item_label(a)} ({a.type.value})"
    first_seen = {s.status: s.first_reported for s in a.status_history}
    status = f"most advanced stage {a.max_status.value}"
    if first_seen.get(a.max_status):
        status += f" (first reported {first_seen[a.max_status]})"
    status += f"; latest reported stage {a.latest_status.value}"
    stages = " → ".join(f"{s.status.value} ({s.first_reported or 'undated'})" for s in a.status_history)
    reported_by = "; ".join(f"{plain(o.label)} ({o.kind}, reliability {o.reliability})" for o in a.origins)
    facts = (
        Fact("Status", status),
        Fact("Stages", stages or "none on record"),
        Fact("Grade", f"{a.grade.code} ({'; '.join(plain(x) for x in a.grade.explanation)})"),
        Fact("Reported by", reported_by or "no source asserts the flow"),
        Fact("Ledger id", a.id),
        Fact("Reviewed", reviewed_text(reviewed_events(a), len(a.claims))),
    )
    ordered = sorted(enumerate(a.claims), key=lambda ic: (ic[1].published is None, ic[1].published or "", ic[0]))
    reports = tuple(_claim_line(a, claim, citations) for _, claim in ordered)
    denials = tuple(
        Line(f"{_denier(d.by)}, {'a party to the flow' if d.interested else 'a third party'}, denied it, "
             f"according to {', '.join(plain(s) for s in d.sources) or 'the article'}; "
             f"first reported {d.first_reported or 'undated'}",
             cites=citations.cite(*d.articles))
        for d in a.denials)
    figures = tuple(
        Line(f"{_figure_phrase(f)}, according to {plain(f.source)} ({f.published or 'undated'})",
             quote=plain(f.quantity_text) if f.quantity_text and f.quantity_text != str(f.quantity) else "",
             cites=citations.cite(f.article_id))
        for f in a.figures)
    estimative = tuple(
        Line(f"{plain(c.source)}, probability {c.low:.0%}-{c.high:.0%}", quote=plain(c.text),
             cites=citations.cite(c.article_id))
        for c in a.confidence)
    blocks = [Block("Reports", reports, "No reports."), Block("Denials", denials, "No denials reported."),
              Block("Figures", figures, "No figures reported.")]
    if estimative:
        blocks.append(Block("Estimative language", estimative))
    return FlowSection(anchor=a.id, heading=heading, facts=facts, blocks=tuple(blocks))


def _figure_phrase(f: Figure) -> str:
    """'180 ordered, worth USD 6,500,000,000': one source's number as it gave it."""
    stage = FIGURE_STATUS_WORDS[f.status]
    quantity, amount = format_quantity(f), format_amount(f)
    if quantity:
        return f"{quantity} {stage}" + (f", worth {amount}" if amount else "")
    return f"{amount or 'an unstated number'} ({stage})"


def _denier(by: str) -> str:
    label = party_label(by)
    return plain(by) if label == by else f"{label} ({by})"


def _claim_line(a: Assessment, claim: Claim, citations: _Citations) -> Line:
    event = claim.event
    names = [plain(s.name) + (f" via {plain(s.via)}" if s.via else "")
             for s in event.sources if s.kind is not SourceKind.AUTHOR and s.name]
    outlet = plain(claim.outlet)
    if names:
        who = ", ".join(names) + (f" ({outlet})" if outlet else "")
    else:
        who = outlet or "the article"
    statement = _statement(a, event)
    if event.stance is Stance.DENIED:
        verb = "denied that" if names else "reported a denial that"
    else:
        verb = "reported that"
    quote = max((plain(e.text) for e in event.evidence), key=len, default="")
    return Line(f"{claim.published or 'undated'}: {who} {verb} {statement}", quote=quote,
                cites=citations.cite(claim.article_id))


_TRANSFER = {
    Status.REQUESTED: "{r} requested {i} from {p}",
    Status.DISCUSSED: "{p} and {r} discussed a transfer of {i}",
    Status.OFFERED: "{p} offered {i} to {r}",
    Status.AGREED: "{p} agreed to supply {i} to {r}",
    Status.DELIVERED: "{p} delivered {i} to {r}",
    Status.CANCELLED: "a transfer of {i} from {p} to {r} was cancelled",
    Status.UNCLEAR: "{p} supplied or was to supply {i} to {r} (stage unclear)",
}
_OTHER = {
    EventType.PAYMENT: "a payment from {p} to {r}{for_i}",
    EventType.TRAINING: "training by {p} of {r} personnel on {i}",
    EventType.PRODUCTION: "production of {i} by {p} with {r}",
    EventType.COOPERATION: "cooperation between {p} and {r} on {i}",
}
_STAGE = {
    Status.REQUESTED: "was requested", Status.DISCUSSED: "was discussed", Status.OFFERED: "was offered",
    Status.AGREED: "was agreed", Status.DELIVERED: "took place", Status.CANCELLED: "was cancelled",
    Status.UNCLEAR: "was reported (stage unclear)",
}


def _statement(a: Assessment, event: Event) -> str:
    """What one article says happened, in words: parties by name, the item as the article named it."""
    name = plain(event.item.name) or item_label(a)
    quantity = plain(event.quantity.text) if event.quantity else ""
    items = f"{quantity} {name}" if quantity and quantity not in name else name
    p, r = party_label(event.provider), party_label(event.recipient)
    if event.type is EventType.TRANSFER:
        text = _TRANSFER[event.status].format(p=p, r=r, i=items)
    else:
        for_i = "" if event.item.category is Category.MONEY and not event.item.name else f" for {items}"
        text = _OTHER[event.type].format(p=p, r=r, i=items, for_i=for_i) + " " + _STAGE[event.status]
    if event.value is not None:
        text += f", worth {format_money(event.value.amount, event.value.currency)}"
    return text


# --- Markdown ---------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup, so article text cannot add links,
    HTML, headings or table cells; whitespace is folded so it cannot start a new block."""
    return _MD_SPECIAL.sub(r"\\\1", plain(text))


def _md_line(line: Line) -> str:
    out = md_escape(line.text)
    if line.quote:
        out += f' — "{md_escape(line.quote)}"'
    if line.cites:
        out += " " + "".join(f"[{n}]" for n in line.cites)
    return "- " + out


def render_md(brief: Brief) -> str:
    parts = [f"# Brief: {md_escape(brief.subject)}", "", md_escape(brief.overview), ""]
    for section in brief.sections:
        parts += [f"## {md_escape(section.heading)}", ""]
        parts += [f"- **{fact.label}:** {md_escape(fact.value)}" for fact in section.facts]
        parts.append("")
        for block in section.blocks:
            parts += [f"### {block.title}", ""]
            parts += [_md_line(line) for line in block.lines] if block.lines else [md_escape(block.empty)]
            parts.append("")
    parts += ["## Sources", ""]
    for s in brief.sources:
        fields = [md_escape(s.outlet), f'"{md_escape(s.title)}"', md_escape(s.date)]
        if s.url:
            fields.append(md_escape(s.url))
        parts.append(f"- [{s.number}] {', '.join(fields)} ({md_escape(s.article_id)})")
    if not brief.sources:
        parts.append("No sources cited.")
    return "\n".join(parts) + "\n"


def write_brief_md(assessments: Iterable[Assessment], out: TextIO, *, subject: str) -> None:
    out.write(render_md(build_brief(assessments, subject)))


# --- HTML ------------------------------------------------------------------------------------------

# Self-contained on purpose: inline CSS, no script, no external resource, and a Content Security
# Policy that forbids loading anything, so opening a brief makes no network request.
_HTML_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brief: {{ brief.subject }}</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; background: #fff; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; }
h2 { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 2rem; font-size: 1.3rem; }
h3 { font-size: 1rem; margin-bottom: 0.25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
q { font-style: italic; }
a.cite { text-decoration: none; font-size: 0.85em; }
p.empty { color: #666; font-style: italic; }
ul.sources { list-style: none; padding-left: 0; }
ul.sources li { margin-bottom: 0.4rem; }
code { font-size: 0.9em; }
</style>
</head>
<body>
<h1>Brief: {{ brief.subject }}</h1>
<p class="overview">{{ brief.overview }}</p>
{% for section in brief.sections %}
<section id="flow-{{ section.anchor }}">
<h2>{{ section.heading }}</h2>
<dl class="facts">
{% for fact in section.facts %}<dt>{{ fact.label }}</dt><dd>{{ fact.value }}</dd>
{% endfor %}</dl>
{% for block in section.blocks %}
<h3>{{ block.title }}</h3>
{% if block.lines %}<ul>
{% for line in block.lines %}<li>{{ line.text }}{% if line.quote %} — <q>{{ line.quote }}</q>{% endif %}
{%- for n in line.cites %} <a class="cite" href="#src-{{ n }}">[{{ n }}]</a>{% endfor %}</li>
{% endfor %}</ul>
{% else %}<p class="empty">{{ block.empty }}</p>
{% endif %}
{% endfor %}
</section>
{% endfor %}
<h2>Sources</h2>
{% if brief.sources %}<ul class="sources">
{% for s in brief.sources %}<li id="src-{{ s.number }}">[{{ s.number }}] {{ s.outlet }}, “{{ s.title }}”, {{ s.date }}
{%- if s.url %}, {% if s.linkable %}<a href="{{ s.url }}" rel="noopener noreferrer nofollow">{{ s.url }}</a>
{%- else %}<code>{{ s.url }}</code>{% endif %}{% endif %} (<code>{{ s.article_id }}</code>)</li>
{% endfor %}</ul>
{% else %}<p class="empty">No sources cited.</p>
{% endif %}
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_TEMPLATE = _ENV.from_string(_HTML_TEMPLATE)


def render_html(brief: Brief) -> str:
    return _TEMPLATE.render(brief=brief)


def write_brief_html(assessments: Iterable[Assessment], out: TextIO, *, subject: str) -> None:
    out.write(render_html(build_brief(assessments, subject)))
