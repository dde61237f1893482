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


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once: spaCy joins it from the tokens again on every `doc.text`."""
    text = doc.user_data.get("materiel_text")
    if text is None:
        text = doc.user_data["materiel_text"] = doc.text
    return text


def spans_of(doc: Doc, kind: MentionKind) -> list[Span]:
    """The mentions of `kind` in the Doc, in order. Read once per group: a new or grown group
    (mentions attached again) is read afresh."""
    if kind.value not in doc.spans:
        return []
    group = doc.spans[kind.value]
    cache = doc.user_data.setdefault("materiel_span_lists", {})
    found = cache.get(kind.value)
    if found is None or found[0] is not group or len(found[1]) != len(group):
        found = (group, list(group))
        cache[kind.value] = found
    return list(found[1])


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


# Capitalised words that are not names of people.
NOT_NAMES = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mr", "mrs", "ms", "dr", "gen", "general", "president", "minister", "prime", "secretary", "spokesman",
    "spokeswoman", "chancellor", "prince", "king", "deputy", "defence", "defense", "foreign", "ministry",
    "department", "state", "states", "united", "national", "security", "council", "house", "air", "force",
    "army", "navy", "brig", "col", "lt", "adm", "sen", "rep"})


def proper_name_runs(doc: Doc) -> list[Span]:
    """Runs of proper nouns that no mention explains: the names of people, found without NER
    ('Meera Raghavan', 'Sergei Shoigu'); titles and calendar words are left out. Computed once
    per Doc (when persons are attached) and kept on it."""
    cached = doc.user_data.get("materiel_names")
    if cached is not None:
        return cached
    known = {i for kind in (MentionKind.PARTY, MentionKind.SYSTEM, MentionKind.OUTLET)
             for span in spans_of(doc, kind) for i in range(span.start, span.end)}
    runs: list[Span] = []
    start = None
    for t in doc:
        inside = t.pos_ == "PROPN" and t.i not in known and t.lower_.strip(".") not in NOT_NAMES and t.is_alpha
        if inside and start is None:
            start = t.i
        elif not inside and start is not None:
            runs.append(doc[start:t.i])
            start = None
    if start is not None:
        runs.append(doc[start:len(doc)])
    doc.user_data["materiel_names"] = runs
    return runs


def is_person(token: Token) -> bool:
    """A named person: a known official (people.csv), or a proper name no mention explains."""
    span = span_at(token.doc, token, MentionKind.PARTY)
    if span is not None:
        return span.kb_id_ == "person"
    # an unknown name counts when it looks like a person's: two or more capitalised words ('Meera
    # Raghavan'), not an acronym or a single word that may be a place ('Ovda', 'SIPRI')
    return token.ent_type_ == "PERSON" or any(
        run.start <= token.i < run.end and len(run) >= 2 and not any(t.is_upper for t in run)
        for run in proper_name_runs(token.doc))


def attach_person_parties(doc: Doc, person_country) -> Doc:
    """Named leaders stand for their state: 'Putin and Kim signed a treaty' (people.csv)."""
    parties = list(doc.spans[MentionKind.PARTY.value]) if MentionKind.PARTY.value in doc.spans else []
    for run in proper_name_runs(doc):
        code = person_country(run.text)
        if code:
            parties.append(Span(doc, run.start, run.end, label=code, kb_id="person"))
    doc.spans[MentionKind.PARTY.value] = sorted(parties, key=lambda s: s.start)
    _index(doc)
    return doc
