"""Putting the scan's mentions onto a parsed sentence Doc, and reading them back by token.

Mentions live in `doc.spans[kind]` (label = resolved value, kb_id = detail), so every later
step reads them from the Doc, and a unit test can build the same Doc by hand.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from ..model import Mention, MentionKind

KINDS = tuple(k.value for k in MentionKind)


def attach_mentions(doc: Doc, mentions: tuple[Mention, ...] | list[Mention], offset: int) -> Doc:
    """Write mentions (article offsets) into `doc.spans`, aligned to tokens."""
    groups: dict[str, list[Span]] = {kind: [] for kind in KINDS}
    for m in mentions:
        span = doc.char_span(m.start - offset, m.end - offset, label=m.value, kb_id=m.detail,
                             alignment_mode="expand")
        if span is not None and len(span):
            groups[m.kind.value].append(span)
    for kind, spans in groups.items():
        doc.spans[kind] = spans
    _index(doc)
    return doc


def _index(doc: Doc) -> None:
    """token index -> covering span, per kind, so lookups by token cost O(1)."""
    index: dict[str, dict[int, Span]] = {}
    for kind in KINDS:
        by_token: dict[int, Span] = {}
        for span in (doc.spans[kind] if kind in doc.spans else ()):
            for i in range(span.start, span.end):
                by_token.setdefault(i, span)
        index[kind] = by_token
    doc.user_data["materiel_mentions"] = index


def spans_of(doc: Doc, kind: MentionKind) -> list[Span]:
    return list(doc.spans[kind.value]) if kind.value in doc.spans else []


def span_at(doc: Doc, token: Token, kind: MentionKind) -> Span | None:
    """The mention of `kind` covering `token`, if any."""
    index = doc.user_data.get("materiel_mentions")
    if index is None:  # a Doc whose spans were set by hand (tests): index it once
        _index(doc)
        index = doc.user_data["materiel_mentions"]
    return index[kind.value].get(token.i)


def party_of(token: Token) -> str | None:
    span = span_at(token.doc, token, MentionKind.PARTY)
    return span.label_ if span is not None else None


def attach_person_parties(doc: Doc, person_country) -> Doc:
    """Named leaders stand for their state: 'Putin and Kim signed a treaty' (people.csv)."""
    parties = list(doc.spans[MentionKind.PARTY.value]) if MentionKind.PARTY.value in doc.spans else []
    taken = {i for span in parties for i in range(span.start, span.end)}
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(i in taken for i in range(ent.start, ent.end)):
            continue
        code = person_country(ent.text)
        if code:
            parties.append(Span(doc, ent.start, ent.end, label=code, kb_id="person"))
    doc.spans[MentionKind.PARTY.value] = sorted(parties, key=lambda s: s.start)
    _index(doc)
    return doc
