"""Where, inside an article, the parts of its events are written: the evidence sentences and, in
them, the parties, item, quantity, value, sources and hedge.

Extraction records where each part is written (`Event.spans`, kept by the store); the pages
highlight those spans. Only events stored by a version that did not record them (their `spans` is
None) have their parts found again in the evidence (the knowledge-base scan for parties, exact
text for the rest)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Event, MentionKind, SourceKind
from ..nlp.scan import default_scanner

# The highlight style of each part of an event (both parties share one).
SLOT_KINDS = {"provider": "party", "recipient": "party", "item": "item", "quantity": "quantity", "value": "value",
              "source": "source"}


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the article's full text (title + blank line + body)
    end: int
    kind: str  # evidence, party, item, quantity, value, source, hedge
    slot: str = ""  # the part of the event it names (provider, recipient, ...), when recorded

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"start": self.start, "end": self.end, "kind": self.kind}
        if self.slot:
            out["slot"] = self.slot
        return out


def _find(haystack: str, needle: str | None, base: int, kind: str) -> list[Span]:
    if not needle or len(needle) < 2:
        return []
    at = haystack.find(needle)
    return [Span(base + at, base + at + len(needle), kind)] if at >= 0 else []


def event_spans(event: Event) -> list[Span]:
    """Evidence sentences and the words that name the event's parts."""
    if event.spans is None:
        return _found_again(event)
    spans = [Span(e.start, e.end, "evidence") for e in event.evidence]
    spans += [Span(s.start, s.end, SLOT_KINDS.get(s.slot, s.slot), s.slot) for s in event.spans]
    for evidence in event.evidence:  # the estimative term is not a part of the event: found in its sentence
        spans += _find(evidence.text, event.confidence.text if event.confidence else None, evidence.start, "hedge")
    return sorted(set(spans), key=lambda s: (s.start, -s.end, s.kind, s.slot))


def _found_again(event: Event) -> list[Span]:
    """For an event stored without spans: the parts found again in its evidence sentences."""
    scanner = default_scanner()
    spans: list[Span] = []
    for evidence in event.evidence:
        spans.append(Span(evidence.start, evidence.end, "evidence"))
        text = evidence.text
        for m in scanner.mentions(text):
            if m.kind is MentionKind.PARTY and m.value in (event.provider, event.recipient):
                spans.append(Span(evidence.start + m.start, evidence.start + m.end, "party"))
        spans += _find(text, event.item.name, evidence.start, "item")
        spans += _find(text, event.quantity.text if event.quantity else None, evidence.start, "quantity")
        spans += _find(text, event.confidence.text if event.confidence else None, evidence.start, "hedge")
        for source in event.sources:
            if source.kind is not SourceKind.AUTHOR:
                spans += _find(text, source.name, evidence.start, "source")
    return sorted(set(spans), key=lambda s: (s.start, -s.end, s.kind))


@dataclass(frozen=True)
class Segment:
    """A run of text with one set of highlights: what the article page renders as one element."""

    text: str
    kinds: tuple[str, ...]
    events: tuple[str, ...]  # ids of the events whose evidence covers this run
    start: int = 0  # where the run begins in the article's full text (the pages map a selection back with it)


def segments(text: str, spans: list[tuple[str, Span]], start: int = 0, end: int | None = None) -> list[Segment]:
    """Cut `text[start:end]` where any highlight begins or ends; overlapping highlights combine."""
    end = len(text) if end is None else end
    cuts = {start, end}
    for _, span in spans:
        if span.end > start and span.start < end:
            cuts |= {max(span.start, start), min(span.end, end)}
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        covering = [(event_id, s) for event_id, s in spans if s.start <= a and b <= s.end]
        kinds = tuple(sorted({s.kind for _, s in covering}))
        events = tuple(dict.fromkeys(event_id for event_id, s in covering if s.kind == "evidence"))
        out.append(Segment(text[a:b], kinds, events, a))
    return out
