"""Where the article writes each part of an event: the words of its provider, recipient, item,
quantity, value and sources, as `SlotSpan`s in article offsets (the coordinates of `Evidence`).

A frame's roles are read off the parse (`frames`, `roles`) and filled from context (`assemble`);
this module records, once the events of a frame are made, the mention each part came from:

- a party the sentence names is its mention in that sentence, the one nearest the trigger
  ("Iran agreed to send drones to Russia": 'Iran', 'Russia');
- a party filled from context points at its mention in the earlier sentence it came from
  ("Iran has drones. It agreed to send 50 to Russia": 'Iran' of the first sentence);
- a provider only the catalogue supplied (the maker of a catalogued system, named nowhere in the
  sentence) has no span;
- the item is the words of its name; an item named before ('them', 'the system') its mention there;
- a quantity or a sum is its words next to the item or the trigger; a source the words of its name.

A later pass over the article's events (an armed group standing in for a state, a denial taking
the item of the claim it answers, a sum given by a later sentence) grounds again the parts it
changed (`reground`); merging keeps the spans of every merged mention (`join_spans`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from ..knowledge.base import KnowledgeBase
from ..model import UNKNOWN_PARTY, Event, Item, Mention, MentionKind, Sentence, SlotSpan, SourceKind
from .arguments import ItemMention
from .article_index import article_index
from .mentions import spans_of

if TYPE_CHECKING:  # assemble imports this module
    from .assemble import ParsedSentence
    from .frames import Frame


def ground(events: list[Event], frame: "Frame", parsed: "ParsedSentence", sentences: list[Sentence],
           text: str, kb: KnowledgeBase) -> list[Event]:
    """The frame's events with the spans of their parts."""
    return [event.with_changes(spans=tuple(dict.fromkeys(_event_spans(event, frame, parsed, sentences, text, kb))))
            for event in events]


def _event_spans(event: Event, frame: "Frame", parsed: "ParsedSentence", sentences: list[Sentence],
                 text: str, kb: KnowledgeBase) -> list[SlotSpan]:
    out: list[SlotSpan | None] = [
        _party_span(event.provider, "provider", event, frame, parsed, sentences, kb),
        _party_span(event.recipient, "recipient", event, frame, parsed, sentences, kb)]
    mention = next((m for m in frame.items if m.item == event.item), None)
    out.append(_mention_span(mention, parsed) if mention else _named_before(event.item, frame, parsed, sentences))
    at = parsed.sentence.start + (mention.head.idx if mention else frame.trigger.idx)
    if event.quantity is not None:
        out.append(_words_near("quantity", event.quantity.text, at, parsed.sentence, text))
    if event.value is not None:
        out.append(_words_near("value", event.value.text, parsed.sentence.start + frame.trigger.idx,
                               parsed.sentence, text))
    for source in event.sources:
        if source.kind is not SourceKind.AUTHOR:
            out.append(_words_near("source", source.name, parsed.sentence.start + frame.trigger.idx,
                                   parsed.sentence, text, before_too=True))
    return [s for s in out if s is not None]


def _from_catalogue(code: str, event: Event, frame: "Frame", kb: KnowledgeBase) -> bool:
    """A provider the sentence leaves out and the catalogue gives: the maker of the item
    ('Russia received Su-35s': RUS supplies, by the catalogue)."""
    if frame.subject_pronoun and frame.subject_role == "provider":
        return False  # 'It sent Shahed drones': the pronoun's antecedent, not the catalogue
    items = [event.item, *(m.item for m in frame.items)]
    makers = {kb.system(i.canonical).origin for i in items if i.canonical and kb.system(i.canonical) is not None}
    return code in makers


def _party_span(code: str, role: str, event: Event, frame: "Frame", parsed: "ParsedSentence",
                sentences: list[Sentence], kb: KnowledgeBase) -> SlotSpan | None:
    """The mention of a party: in the sentence, the one nearest the trigger; for a party filled
    from context, else its last mention in the sentences before. A provider only the catalogue
    gives ('Russia received Su-35s') has none."""
    if not code or code == UNKNOWN_PARTY:
        return None
    named = [s for s in spans_of(parsed.doc, MentionKind.PARTY) if s.label_ == code]
    if named:
        best = min(named, key=lambda s: abs(s.root.i - frame.trigger.i))
        offset = parsed.sentence.start
        return SlotSpan(role, offset + best.start_char, offset + best.end_char, best.text)
    own = code in (frame.provider, frame.recipient, *frame.also_providers, *frame.also_recipients)
    if own or (role == "provider" and _from_catalogue(code, event, frame, kb)):
        return None  # the frame's reader or the catalogue named it, with no mention in the sentence
    return _mention_before(role, code, sentences, parsed.sentence.index)


def _mention_before(slot: str, code: str, sentences: list[Sentence], index: int) -> SlotSpan | None:
    for position in range(min(index, len(sentences)) - 1, -1, -1):  # no copy of the sentences before
        found = [m for m in sentences[position].mentions if m.kind is MentionKind.PARTY and m.value == code]
        if found:
            return SlotSpan(slot, found[-1].start, found[-1].end, found[-1].text)
    return None


def _mention_span(mention: ItemMention, parsed: "ParsedSentence") -> SlotSpan:
    words = parsed.doc[mention.start:mention.end]
    offset = parsed.sentence.start
    return SlotSpan("item", offset + words.start_char, offset + words.end_char, words.text)


ITEM_KINDS = (MentionKind.SYSTEM, MentionKind.ITEM)


def _named_before(item: Item, frame: "Frame", parsed: "ParsedSentence", sentences: list[Sentence]) -> SlotSpan | None:
    """An item taken from context ('them', 'the system'): its last mention before the trigger, in
    this sentence or the ones before it (as `assemble.context_item` looks for it). Mentions of the
    same words are as long, so the last to start before the trigger is the last to end before it."""
    if not item.name:
        return None
    ends, mentions = article_index(sentences, "item mentions", _item_mentions).get(item.name, ((), ()))
    found = bisect_right(ends, parsed.sentence.start + frame.trigger.idx)
    if not found:
        return None
    m = mentions[found - 1]
    return SlotSpan("item", m.start, m.end, m.text)


def _item_mentions(sentences: list[Sentence]) -> dict[str, tuple[list[int], list[Mention]]]:
    """The article's mentions of weapons and materiel by their words, in order of where they end."""
    by_words: dict[str, list[Mention]] = {}
    for sentence in sentences:
        for m in sentence.mentions:
            if m.kind in ITEM_KINDS:
                by_words.setdefault(m.text, []).append(m)
    table = {}
    for words, mentions in by_words.items():
        mentions.sort(key=lambda m: m.end)
        table[words] = ([m.end for m in mentions], mentions)
    return table


def _words_near(slot: str, words: str, at: int, sentence: Sentence, text: str,
                before_too: bool = False) -> SlotSpan | None:
    """Where `words` (a slice of the sentence: a count, a sum, a speaker's name) are written: the
    occurrence in the sentence nearest `at` (an article offset), counts preferring the nearest one
    that starts before it; with `before_too`, else the last occurrence earlier in the article."""
    if not words:
        return None
    found = [sentence.start + i for i in _occurrences(sentence.text, words)]
    if found:
        ahead = [i for i in found if i <= at]
        start = max(ahead) if ahead and slot == "quantity" else min(found, key=lambda i: abs(i - at))
        return SlotSpan(slot, start, start + len(words), words)
    if before_too:
        start = text.rfind(words, 0, sentence.start)
        if start >= 0:
            return SlotSpan(slot, start, start + len(words), words)
    return None


def _occurrences(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def reground(before: list[Event], after: list[Event], sentences: list[Sentence], text: str) -> list[Event]:
    """`after` is `before` once a pass over the article changed some parts (same events, same
    order): the spans of the parts it changed point at the words of their new value. The mentions
    and item spans it looks in are indexed once per pass, so a pass stays linear in the article."""
    out = []
    parties = _PartyMentions(sentences)
    items = _ItemSpans(after)
    for old, new in zip(before, after):
        if new.spans is None:
            out.append(new)
            continue
        spans = list(new.spans)
        for role in ("provider", "recipient"):
            if getattr(old, role) != getattr(new, role):
                spans = [s for s in spans if s.slot != role]
                spans.append(parties.near(role, getattr(new, role), new))
        if (old.item.name, old.item.category) != (new.item.name, new.item.category):
            spans = [s for s in spans if s.slot != "item"] + [items.of_claim(new)]
        if old.value != new.value and new.value is not None:
            spans = [s for s in spans if s.slot != "value"] + [_sum_near(new, text)]
        kept = tuple(dict.fromkeys(s for s in spans if s is not None))
        out.append(new if kept == new.spans else new.with_changes(spans=kept))
    return out + after[len(before):]


class _PartyMentions:
    """The article's party mentions by party, in order of where they stand, built on first use."""

    def __init__(self, sentences: list[Sentence]):
        self.sentences = sentences
        self.by_code: dict[str, tuple[list[int], list[Mention]]] | None = None

    def near(self, role: str, code: str, event: Event) -> SlotSpan | None:
        """The mention of `code` nearest the event's sentence: in it, else before it, else after it."""
        if self.by_code is None:
            found: dict[str, list[Mention]] = {}
            for s in self.sentences:
                for m in s.mentions:
                    if m.kind is MentionKind.PARTY:
                        found.setdefault(m.value, []).append(m)
            self.by_code = {}
            for value, mentions in found.items():
                mentions.sort(key=lambda m: m.start)
                self.by_code[value] = ([m.start for m in mentions], mentions)
        starts, mentions = self.by_code.get(code, ([], []))
        if not mentions:
            return None
        at = event.evidence[0].start if event.evidence else 0
        first_from = bisect_left(starts, at)
        if event.evidence and first_from < len(mentions) and starts[first_from] < event.evidence[0].end:
            m = mentions[first_from]  # in the event's sentence
        elif first_from > 0:
            m = mentions[first_from - 1]  # the last one before it
        else:
            m = mentions[0]
        return SlotSpan(role, m.start, m.end, m.text)


class _ItemSpans:
    """The item spans of the article's events by item, in order of where they stand (events in
    their order where two start at the same place), built on first use."""

    def __init__(self, events: list[Event]):
        self.events = events
        self.by_item: dict[Item, tuple[list[int], list[tuple[int, SlotSpan]]]] | None = None

    def of_claim(self, event: Event) -> SlotSpan | None:
        """The item span of another event of the article with this item (the claim a denial
        answers): the last one before this event's sentence, else the first one after it."""
        if self.by_item is None:
            found: dict[Item, list[tuple[int, int, int, SlotSpan]]] = {}
            for seq, e in enumerate(self.events):
                for s in e.spans or ():
                    if s.slot == "item":
                        found.setdefault(e.item, []).append((s.start, seq, id(e), s))
            self.by_item = {}
            for item, entries in found.items():
                entries.sort(key=lambda entry: entry[:2])
                self.by_item[item] = ([start for start, *_ in entries], [(owner, span) for _, _, owner, span in entries])
        starts, entries = self.by_item.get(event.item, ([], []))
        own = id(event)
        at = event.evidence[0].start if event.evidence else 0
        last = None
        for i in range(bisect_left(starts, at) - 1, -1, -1):
            if last is not None and starts[i] != starts[last]:
                break
            if entries[i][0] != own:
                last = i  # the first, in the events' order, of the spans that start last before `at`
        if last is not None:
            return entries[last][1]
        return next((span for owner, span in entries if owner != own), None)


def _sum_near(event: Event, text: str) -> SlotSpan | None:
    """A sum a later sentence gave the deal ('The deal is worth $3.37 billion'): its first
    occurrence after the event's sentence, else before it."""
    words = event.value.text if event.value else ""
    if not words:
        return None
    at = event.evidence[0].start if event.evidence else 0
    start = text.find(words, at)
    if start < 0:
        start = text.rfind(words, 0, at)
    return SlotSpan("value", start, start + len(words), words) if start >= 0 else None


def join_spans(*groups: tuple[SlotSpan, ...] | None) -> tuple[SlotSpan, ...] | None:
    """The spans of merged mentions of one event, each once, in order of first mention (None when
    no mention has any)."""
    present = [group for group in groups if group is not None]
    return tuple(dict.fromkeys(span for group in present for span in group)) if present else None