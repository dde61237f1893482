"""From frames to the events of one article: fill what a sentence leaves to its neighbours,
attach sources, confidence, time and place, and merge repeated mentions (ONTOLOGY §1)."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from ..knowledge.base import KnowledgeBase
from ..model import (UNKNOWN_PARTY, Article, Category, Event, EventType, Evidence, Item, Location,
                     MentionKind, Sentence, Source, Stance)
from .arguments import ItemMention
from .attribution import SourceMemory, sentence_speakers, sources_for
from .confidence import confidence_for
from .frames import Frame, read_frames
from .mentions import spans_of
from .status import SPEECH_LEMMAS
from .timex import time_for

# How many sentences back a missing party may be looked for.
CONTEXT_WINDOW = 2
LOCATION_PREPS = frozenset({"in", "at", "near"})


@dataclass(frozen=True)
class ParsedSentence:
    sentence: Sentence
    doc: Doc


def _in_speaker(span_root) -> bool:
    """Is this token part of the subject of a reporting verb (a source, not a party)?"""
    token = span_root
    while token.head != token:
        if token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_.lower() in SPEECH_LEMMAS:
            return True
        token = token.head
    return False


def _context_party(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], exclude: set[str]) -> str | None:
    """A party for an empty role: first the sentence's other parties, then the previous ones."""
    for span in spans_of(parsed.doc, MentionKind.PARTY):
        if span.label_ not in exclude and not _in_speaker(span.root):
            return span.label_
    index = parsed.sentence.index
    for back in range(1, CONTEXT_WINDOW + 1):
        if index - back < 0:
            break
        for m in sentences[index - back].mentions:
            if m.kind is MentionKind.PARTY and m.value not in exclude:
                return m.value
    return None


def _location(frame: Frame, kb: KnowledgeBase) -> Location | None:
    """'in the Tatarstan region', 'at a plant in Yelabuga': a place attached to the act."""
    doc = frame.trigger.doc
    scope = {t.i for t in frame.trigger.subtree}
    for ent in doc.ents:
        if ent.label_ in ("GPE", "LOC", "FAC") and ent.root.i in scope:
            if ent.root.head.lower_ not in LOCATION_PREPS:
                continue
            party = kb.party(ent.text)
            if party is not None and party.kind in ("name", "demonym"):
                continue  # a state named as a place is a party, not a location
            return Location(ent.text, party.party if party else None)
    return None


def frame_events(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], article: Article,
                 kb: KnowledgeBase, memory: SourceMemory) -> list[Event]:
    """The events a frame yields once its empty roles are filled from context."""
    if not frame.anchored and not frame.subject_pronoun:
        return []
    provider, recipient = frame.provider, frame.recipient
    if provider is None and recipient is None:
        return []
    if provider is None:
        provider = _context_party(frame, parsed, sentences, {recipient})
    if recipient is None:
        recipient = _context_party(frame, parsed, sentences, {provider})
    if provider is None or recipient is None or provider == recipient:
        return []
    sources = tuple(dict.fromkeys(sources_for(frame.trigger, kb, memory)))
    source_country = next((s.country for s in sources if s.country), None)
    offset = parsed.sentence.start
    evidence = Evidence(offset, parsed.sentence.end, parsed.sentence.text)
    confidence = confidence_for(frame.trigger, kb, source_country)
    time = time_for(frame.trigger, article.published)
    location = _location(frame, kb)
    items: list[ItemMention | None] = list(frame.items) or [None]
    events = []
    for mention in items:
        item = mention.item if mention else Item(Category.UNSPECIFIED, None)
        events.append(Event(
            type=frame.type, provider=provider, recipient=recipient, item=item, status=frame.status,
            stance=frame.stance, quantity=mention.quantity if mention else None,
            value=frame.money if frame.type is EventType.PAYMENT else None,
            time=time, location=location, sources=sources, confidence=confidence,
            evidence=(evidence,), article_id=article.id))
    return events


def fill_denied_items(events: list[Event]) -> list[Event]:
    """A denial names no item when it answers a claim: take the item of the claim (§2)."""
    out = []
    for i, event in enumerate(events):
        if event.stance is Stance.DENIED and event.item.category is Category.UNSPECIFIED and not event.item.name:
            claims = [e for e in events if e.stance is Stance.ASSERTED and e.type is event.type
                      and (e.provider, e.recipient) == (event.provider, event.recipient)
                      and e.item.category is not Category.UNSPECIFIED]
            if claims:
                before = [e for e in claims if events.index(e) < i]
                event = event.with_changes(item=(before or claims)[-1].item, status=(before or claims)[-1].status)
        out.append(event)
    return out


def fill_canonical(events: list[Event], sentences: list[Sentence], kb: KnowledgeBase) -> list[Event]:
    """'drones' in a story about one drone system are that system (§1)."""
    named: dict[Category, set[str]] = {}
    for sentence in sentences:
        for m in sentence.mentions:
            if m.kind is MentionKind.SYSTEM:
                named.setdefault(Category(m.detail), set()).add(m.value)
    out = []
    for event in events:
        systems = named.get(event.item.category, set())
        if event.item.canonical is None and len(systems) == 1 and event.type is not EventType.COOPERATION:
            canonical = next(iter(systems))
            system = kb.system(canonical)
            if system is not None and system.origin in (event.provider, event.recipient) or event.type is EventType.TRANSFER:
                event = event.with_changes(item=Item(event.item.category, event.item.name, canonical))
        out.append(event)
    return out


def merge_events(events: list[Event]) -> list[Event]:
    """One event per merge key, with all the evidence and sources of its mentions."""
    merged: dict[tuple[str, ...], Event] = {}
    for event in events:
        key = event.merge_key
        if key not in merged:
            merged[key] = event
            continue
        first = merged[key]
        merged[key] = first.with_changes(
            sources=tuple(dict.fromkeys(first.sources + event.sources)),
            evidence=tuple(dict.fromkeys(first.evidence + event.evidence)),
            quantity=first.quantity or event.quantity,
            value=first.value or event.value,
            time=first.time or event.time,
            location=first.location or event.location,
            confidence=first.confidence or event.confidence,
            item=first.item if first.item.name else event.item,
        )
    return [_drop_author_if_attributed(e) for e in merged.values()]


def _drop_author_if_attributed(event: Event) -> Event:
    return event


def assemble(article: Article, sentences: list[Sentence], parsed: list[ParsedSentence],
             kb: KnowledgeBase) -> list[Event]:
    """All events of one article, in order of first mention."""
    memory = SourceMemory()
    events: list[Event] = []
    for p in parsed:
        for frame in read_frames(p.doc, kb):
            events.extend(frame_events(frame, p, sentences, article, kb, memory))
        sentence_speakers(p.doc, kb, memory)
    events = fill_denied_items(events)
    events = fill_canonical(events, sentences, kb)
    return merge_events(events)


def is_unknown(code: str) -> bool:
    return code == UNKNOWN_PARTY
