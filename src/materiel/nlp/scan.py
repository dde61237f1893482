"""The cheap first stage of the cascade: find knowledge-base names in raw text, no parser.

One Aho-Corasick automaton holds every surface form the knowledge base knows (parties, systems,
generic item terms, trigger words, outlets). Scanning is a single pass over the lower-cased text;
matches are kept only on word boundaries and, for one-word proper names and acronyms, only when
the capitalisation fits ("Chad" the state, not "chad"; "US" not "us"). Sentences that hold a
trigger next to a party, item or system are the only ones that reach the dependency parser.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import ahocorasick

from ..knowledge.loaders import squash
from ..knowledge.base import KnowledgeBase, designation_variants, inflections, load_knowledge, plural
from ..model import Mention, MentionKind, Reason, Sentence
from .pipeline import parseable

# Kinds that compete for the same characters; the longest match wins ("North Korean" over "Korean").
NAME_KINDS = (MentionKind.PARTY, MentionKind.SYSTEM, MentionKind.ITEM, MentionKind.OUTLET)
# A sentence is a candidate for parsing when it has a trigger and one of these.
ANCHOR_KINDS = frozenset({MentionKind.PARTY, MentionKind.SYSTEM, MentionKind.ITEM})
PARAGRAPH = re.compile(r"[^\n]+")
# "SEOUL, Nov 1 – ", "KYIV, Ukraine (AP) — ": where a report was filed, not part of its first sentence.
DATELINE = re.compile(r"^([A-Z][A-Z .'/-]{2,40}?)(?:,[^-\u2014\u2013\n]{0,30})?\s*(?:\([^)]*\)\s*)?[-\u2014\u2013]\s*")
# Scraped pages put menus, bylines and captions before the report: a dateline may open any of these lines.
DATELINE_LINES = 15


@dataclass(frozen=True)
class _Entry:
    surface: str
    kind: MentionKind
    value: str
    detail: str
    exact_case: bool


def _needs_exact_case(surface: str) -> bool:
    """One-word capitalised names and acronyms are matched with their capitalisation."""
    if " " in surface or any(ch.isdigit() for ch in surface):
        return False
    return any(ch.isupper() for ch in surface)


# Verbs that are no trigger by themselves but open one ("helping Russian troops operate drones"):
# their sentences must reach the parser when a party and an item stand nearby.
HELPING_LEMMAS = ("help", "assist")


class Scanner:
    """Finds every knowledge-base mention in a text, in one pass."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        entries: dict[str, list[_Entry]] = {}

        def add(surface: str, kind: MentionKind, value: str, detail: str = "", exact: bool | None = None) -> None:
            surface = surface.strip()
            if len(surface) < 2:
                return
            entry = _Entry(surface, kind, value, detail, _needs_exact_case(surface) if exact is None else exact)
            bucket = entries.setdefault(surface.casefold(), [])
            if entry not in bucket:
                bucket.append(entry)

        for name in kb.party_names:
            add(name.surface, MentionKind.PARTY, name.party, name.kind)
            if name.surface.lower().startswith("the "):
                add(name.surface[4:], MentionKind.PARTY, name.party, name.kind)
        for system in kb.systems:
            for name in system.names:
                for variant in designation_variants(name):
                    add(variant, MentionKind.SYSTEM, system.canonical, system.category.value)
                    other = kb.system_by_key.get(squash(variant + "s"))
                    if other is None or other is system:  # 'Iglas' is Igla's plural, not Igla-S
                        add(variant + "s", MentionKind.SYSTEM, system.canonical, system.category.value)
        for term, category in kb.item_terms.items():
            add(term, MentionKind.ITEM, category.value, exact=False)
            add(plural(term), MentionKind.ITEM, category.value, exact=False)
        for lemma in (*kb.triggers, *HELPING_LEMMAS):
            for form in inflections(lemma):
                add(form, MentionKind.TRIGGER, lemma, exact=False)
        for outlet in kb.outlets:
            add(outlet.surface, MentionKind.OUTLET, outlet.party, outlet.kind)

        self.families = reporting_families(kb)
        self.family_index = family_index(self.families)
        # trigger words that report nothing without goods in or near their sentence
        self.goods_words = frozenset(lemma for lemma, rows in kb.triggers.items() if all(r.needs_item for r in rows))
        self.automaton = ahocorasick.Automaton()
        for key, bucket in entries.items():
            self.automaton.add_word(key, (len(key), tuple(bucket)))
        self.automaton.make_automaton()

    def skip_reason(self, sentence: Sentence, goods_told: bool = True, goods_near: bool = False) -> Reason | None:
        """Why the sentence is not worth parsing (by this lexicon's ambiguous forms, and its words
        that need goods when no goods are named in it or, `goods_near`, just before it), or None."""
        return skip_reason(sentence, self.kb.ambiguous_trigger_forms, goods_told) \
            or self._goods_missing(sentence, goods_near)

    def _goods_missing(self, sentence: Sentence, goods_near: bool | Callable[[], bool]) -> Reason | None:
        """'Kyiv sent a delegation': every trigger word needs goods, and none are named or near.
        `goods_near` may be a function: it is asked last, only when it decides."""
        if not all(m.value in self.goods_words for m in sentence.mentions if m.kind is MentionKind.TRIGGER) \
                or names_goods(sentence) or (goods_near() if callable(goods_near) else goods_near):
            return None
        return Reason.NO_ITEM_NEAR

    def is_candidate(self, sentence: Sentence) -> bool:
        return self.skip_reason(sentence) is None

    def read(self, sentences: list[Sentence], attributed: Callable[[Sentence], bool] = lambda s: False,
             interview: Callable[[Sentence], bool] = lambda s: False) -> list[tuple[Sentence, Reason | None]]:
        """Each sentence with why it is not worth parsing, or None for those that are. One anchored
        only by a reference to goods ('only half have arrived') counts when it comes within
        GOODS_TOLD_WINDOW sentences after one anchored by a party or an item, as assembly only
        continues a transfer told that recently. A sentence that sets up an interview, or attributes
        what it says just after goods were named, is read for its sources ("the ministry said
        deliveries would go on") even when its words that need goods name none."""
        read: list[tuple[Sentence, Reason | None]] = []
        last_anchored, last_goods = None, None
        for sentence in sentences:
            def near(sentence: Sentence = sentence, last_goods: int | None = last_goods) -> bool:
                return interview(sentence) or (attributed(sentence) and last_goods is not None
                                               and sentence.index - last_goods <= GOODS_TOLD_WINDOW)
            reason = skip_reason(sentence, self.kb.ambiguous_trigger_forms, goods_told=False)
            if reason is None:
                last_anchored = sentence.index  # anchored by a party or an item
            elif reason is Reason.NO_ANCHOR and last_anchored is not None \
                    and sentence.index - last_anchored <= GOODS_TOLD_WINDOW:
                reason = skip_reason(sentence, self.kb.ambiguous_trigger_forms, goods_told=True)
            read.append((sentence, reason or self._goods_missing(sentence, near)))
            if any(m.kind in (MentionKind.ITEM, MentionKind.SYSTEM) for m in sentence.mentions):
                last_goods = sentence.index
        return read

    def candidates(self, sentences: list[Sentence], attributed: Callable[[Sentence], bool] = lambda s: False,
                   interview: Callable[[Sentence], bool] = lambda s: False) -> list[Sentence]:
        """The sentences worth parsing, in order (see `read`)."""
        return [sentence for sentence, reason in self.read(sentences, attributed, interview) if reason is None]

    def article_skip_reason(self, mentions: list[Mention], text: str) -> Reason | None:
        """Why no sentence of the article is worth splitting (by this lexicon's dual-use terms), or None."""
        return article_skip_reason(mentions, text, self.kb.dual_use_terms)

    def mentions(self, text: str) -> list[Mention]:
        """All mentions in `text`, sorted by position, overlaps among names resolved."""
        lowered = text.casefold()
        if len(lowered) != len(text):  # 'ß' or 'İ' change length: fold character by character
            lowered = "".join(ch if len(ch.casefold()) != 1 else ch.casefold() for ch in text)
        found: list[Mention] = []
        extended: list[Mention] = []
        for end_index, (length, bucket) in self.automaton.iter(lowered):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and lowered[start - 1].isalnum():
                continue
            suffix = 0
            if end < len(text) and lowered[end].isalnum():
                suffix = _variant_suffix(text, end, bucket)
                if not suffix:
                    continue
            if end < len(text) and text[end] == "$":
                continue  # "US$5 billion", "A$300m", "C$406 million": a currency, not a party
            if lowered.endswith(COUNTER_PREFIXES, 0, start):
                continue  # "anti-aircraft", "counter-drone": the word names what is countered
            surface = text[start:end]
            for entry in bucket:
                if entry.exact_case and surface != entry.surface and not _case_variant_ok(entry, surface):
                    continue
                if suffix and not _takes_variant_suffix(entry):
                    continue
                mention = Mention(start, end + suffix, text[start:end + suffix], entry.kind, entry.value, entry.detail)
                (extended if suffix else found).append(mention)
        exact = {(m.start, m.end) for m in found}
        found += [m for m in extended if (m.start, m.end) not in exact]  # 'Su-30MKI' has a row of its own
        unique = list(dict.fromkeys(found))  # two spellings of one name may match the same text
        resolved = without_redefined_systems(
            with_defined_acronyms(without_membership_labels(_resolve_overlaps(unique), text), text), text)
        resolved = without_compound_senses(resolved, lowered, self.kb.words_before, self.kb.words_after)
        return with_family_names(resolved, text, self.families, self.family_index)

    def sentences(self, text: str, tokenizer, sentencizer, mentions: list[Mention] | None = None) -> list[Sentence]:
        """Split `text` into sentences and attach the mentions of each.

        Only paragraphs that hold a trigger next to an anchor are tokenized and split; any other
        paragraph stays one unit (it can give context, never evidence), which keeps the cost of
        irrelevant text to the automaton pass.
        """
        mentions = self.mentions(text) if mentions is None else mentions
        starts = [m.start for m in mentions]
        paragraphs = _blocks(text)
        spans: list[tuple[int, int, int]] = []
        to_split: list[tuple[int, _Block]] = []
        for number, match in enumerate(paragraphs):
            lo, hi = bisect_left(starts, match.start()), bisect_left(starts, match.end())
            kinds = {m.kind for m in mentions[lo:hi]}
            if MentionKind.TRIGGER in kinds and (kinds & ANCHOR_KINDS or refers_to_goods(match.group())) \
                    and "\n" not in match.group() and not sentencizer.one_sentence(match.group()):
                to_split.append((number, match))
            else:
                start, end = _trimmed(text, match.start(), match.end())
                if start < end:
                    spans.append((start, end, number))
        for (number, match), doc in zip(to_split, tokenizer.pipe(parseable(m.group()) for _, m in to_split)):
            sentencizer(doc, match.group())
            for sent in doc.sents:
                start, end = _trimmed(text, match.start() + sent.start_char, match.start() + sent.end_char)
                if start < end:
                    spans.append((start, end, number))
        spans.sort()
        spans = [window for span in spans for window in _windows(text, *_without_dateline(text, span))]
        out: list[Sentence] = []
        for index, (start, end, paragraph) in enumerate(spans):
            lo, hi = bisect_left(starts, start), bisect_left(starts, end)
            inside = tuple(m for m in mentions[lo:hi] if m.end <= end)
            out.append(Sentence(index, start, end, text[start:end], inside, paragraph))
        return out


BULLET = re.compile(r"^\s*(?:[-\u2013\u2022*]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class _Block:
    """A paragraph, or a lead-in line ending in ':' together with the bullet list that follows it."""

    text: str
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self) -> str:
        return self.text[self.begin:self.finish]


def _blocks(text: str) -> list[_Block]:
    """'The package includes:' + '- 1,000 Javelin missiles;' + '- four Mi-17 helicopters' is one
    statement; every other line is a paragraph of its own."""
    blocks: list[_Block] = []
    listing = False
    for match in PARAGRAPH.finditer(text):
        line = match.group()
        if blocks and BULLET.match(line) and (listing or text[:blocks[-1].finish].rstrip().endswith(":")):
            blocks[-1] = _Block(text, blocks[-1].begin, match.end())
            listing = True
            continue
        listing = False
        blocks.append(_Block(text, match.start(), match.end()))
    return blocks


# The longest stretch of text parsed as one sentence. The parser's work, and the rules' over its
# parse, grow faster than the length of a sentence; a "sentence" longer than this (a list run on
# with commas, a page with no full stops, an attack on the parser) is read in windows that end at
# a clause break. News sentences are far shorter (the longest in the eval sets is under 600).
MAX_SENTENCE_CHARS = 1500
CLAUSE_BREAKS = ("; ", ", ", " - ", " \u2013 ", ": ")


def _windows(text: str, start: int, end: int, paragraph: int) -> Iterator[tuple[int, int, int]]:
    """The span cut into windows of at most `MAX_SENTENCE_CHARS`, each ending at the last clause
    break (else space) in its second half, else at the limit."""
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        middle = start + MAX_SENTENCE_CHARS // 2
        cut = max((text.rfind(mark, middle, limit) + len(mark.rstrip()) for mark in CLAUSE_BREAKS), default=-1)
        if cut <= middle:
            cut = text.rfind(" ", middle, limit)
        if cut <= start:
            cut = limit
        piece_start, piece_end = _trimmed(text, start, cut)
        if piece_start < piece_end:
            yield piece_start, piece_end, paragraph
        start = cut
    start, end = _trimmed(text, start, end)
    if start < end:
        yield start, end, paragraph


WORD_BEFORE = re.compile(r"([\w-]+)\W*$")
WORD_AFTER = re.compile(r"\W*([\w-]+)")


def without_compound_senses(mentions: list[Mention], lowered: str, before: dict[str, frozenset[str]],
                            after: dict[str, frozenset[str]]) -> list[Mention]:
    """Drop a trigger that the word before or after it makes a compound of another sense ('the
    Druzhba oil pipeline', 'peace talks', 'came under fire'; the lexicon's not_after and not_before
    columns). `lowered`: the text case-folded."""
    if not before and not after:
        return mentions
    kept = []
    for m in mentions:
        if m.kind is MentionKind.TRIGGER:
            words = before.get(m.value)
            word = WORD_BEFORE.search(lowered, max(0, m.start - 40), m.start) if words else None
            if word is not None and word.group(1) in words:
                continue
            words = after.get(m.value)
            word = WORD_AFTER.match(lowered, m.end, m.end + 40) if words else None
            if word is not None and word.group(1) in words:
                continue
        kept.append(m)
    return kept


def _without_dateline(text: str, span: tuple[int, int, int]) -> tuple[int, int, int]:
    start, end, paragraph = span
    if paragraph < DATELINE_LINES:
        match = DATELINE.match(text[start:end])
        if match and start + match.end() < end and match.group(1).strip().isupper():
            return start + match.end(), end, paragraph
    return span


def dateline_state(text: str, kb: KnowledgeBase) -> str | None:
    """'JERUSALEM, Feb 16 - ...': the state whose capital (or name) opens the body."""
    for line in text.split("\n")[:DATELINE_LINES]:
        match = DATELINE.match(line.strip())
        if match:
            for place in re.split(r"[/,]", match.group(1)):
                party = kb.party(place.strip().title())
                if party is not None and party.kind in ("capital", "name"):
                    return party.party
    return None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Letters a customer's variant adds to a designation: 'MiG-29N', 'FA-50PH', 'F-16IQ' (and plurals).
VARIANT_SUFFIX = re.compile(r"[A-Z]{1,4}(?:s|es)?(?![\w-])")


def _takes_variant_suffix(entry: _Entry) -> bool:
    return entry.kind is MentionKind.SYSTEM and entry.surface[-1:].isdigit()


def _variant_suffix(text: str, end: int, bucket: tuple[_Entry, ...]) -> int:
    """How many characters of a variant's letters follow a designation that ends in a digit
    ('MiG-29' + 'Ns'): such a variant is the catalogued system unless it has an entry of its own,
    which the longer match then wins."""
    if not any(_takes_variant_suffix(entry) for entry in bucket):
        return 0
    match = VARIANT_SUFFIX.match(text, end)
    return match.end() - end if match else 0


# An all-capitals system name this long is a word, not an acronym: 'CAESAR' is also 'Caesar'.
SHOUTED_NAME_MIN = 5


def _case_variant_ok(entry: _Entry, surface: str) -> bool:
    """An all-capitals headline may shout a name; a long capitalised system name may be title-cased."""
    if surface.isupper():
        return not entry.surface.isupper()
    return (entry.kind is MentionKind.SYSTEM and entry.surface.isupper() and len(entry.surface) >= SHOUTED_NAME_MIN
            and surface == entry.surface.capitalize())


MILITARY_ORGAN_KINDS = frozenset({"organ:military", "organ:intelligence", "organ:exporter", "group:armed_group",
                                  "group:pmc"})


MILITARY_WORDS = re.compile(r"\b(?:military|naval|navy|army|armed forces|air force|troops|warships?|"
                            r"defen[cs]e (?:ministry|minister|pact|treaty|cooperation|industry)|ministry of defen[cs]e|"
                            r"pentagon|nato)\b", re.IGNORECASE)


def is_military(mentions: Iterable[Mention], text: str, dual_use: frozenset[str]) -> bool:
    """Does the article speak of military materiel or forces at all? A catalogued system, a
    weapon word that is not dual-use (`dual_use`: the lexicon's dual_use terms), an armed force
    or arms exporter, or a plainly military word ('naval drills', 'military alliance') is enough."""
    if MILITARY_WORDS.search(text):
        return True
    for m in mentions:
        if m.kind is MentionKind.SYSTEM or (m.kind is MentionKind.PARTY and m.detail in MILITARY_ORGAN_KINDS):
            return True
        if m.kind is MentionKind.ITEM and m.text.lower() not in dual_use:
            return True
    return False


# Nouns by which a story refers to its two parties: "the two navies", "both governments" (plural).
PAIR_NOUNS = frozenset({"country", "nation", "state", "government", "side", "navy", "army", "military", "ministry",
                        "capital", "neighbour", "neighbor", "partner", "ally", "force", "leader", "head", "president"})
# "the two navies", "both governments": a pair named earlier, which anchors a sentence as a party would.
PAIR_REFERENCE = re.compile(r"\b(?:the two|both)\s+(?:%s)\b" % "|".join(sorted(plural(n) for n in PAIR_NOUNS)),
                            re.IGNORECASE)


# Nouns that count goods named before when a number or determiner leads them ("three squadrons",
# "the first ship", "the remaining two batteries"); the scan-side twin of extract.arguments.ITEM_HEAD_NOUNS.
UNIT_NOUNS = (r"squadrons?|batter(?:y|ies)|systems?|units?|launchers?|vehicles?|ships?|vessels?|rounds?|"
              r"platforms?|airframes?|examples?|copies|type|batch(?:es)?|tranches?|regiments?|complexes")
COUNT_WORDS = (r"the|these|those|both|all|its|their|\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|"
               r"eleven|twelve|dozens?|hundreds|thousands|several|more|further|additional|remaining|other|first|"
               r"second|third|last|final|new")
# "the rest", "the bulk", "only about half", "the first of those", "them", "taking deliveries": a part,
# a pronoun or a bare delivery that
# stands for goods named before (extract.frames.PORTION_NOUNS and ANAPHORIC_WORDS say when the
# parse makes it what the trigger moves).
GOODS_REFERENCE = re.compile(
    rf"\b(?:(?:{COUNT_WORDS})\s+(?:[a-z]+\s+)?(?:{UNIT_NOUNS})|"
    r"the\s+(?:rest|remainder|bulk|balance|majority|first|last|remaining)|half(?!\s+(?:of\s+)?(?:the|its|their|a)\s)|"
    r"them|they|those|these|(?:take|takes|taken|taking|took)\s+deliver(?:y|ies))\b",
    re.IGNORECASE)


# How far after a sentence anchored by a party or an item a reference to goods is still read
# (extract.assemble.ITEM_CONTEXT_WINDOW: how far back assembly looks for the transfer it continues).
GOODS_TOLD_WINDOW = 3


def refers_to_goods(text: str) -> bool:
    """Does the text point back to goods named before ('Three squadrons have been delivered',
    'only about half had arrived', 'they arrived in March')? Such a sentence with a trigger is
    worth parsing: its item and parties are the flow the article is telling."""
    return GOODS_REFERENCE.search(text) is not None


def skip_reason(sentence: Sentence, ambiguous: frozenset[str], goods_told: bool = True) -> Reason | None:
    """Why the sentence is not worth parsing, or None when it is. A sentence anchored only by a
    reference to goods ('three squadrons have been delivered') is worth it only when `goods_told`:
    goods were told just before (see `candidates`)."""
    kinds = {m.kind for m in sentence.mentions}
    if MentionKind.TRIGGER not in kinds:
        return Reason.NO_TRIGGER
    if not kinds & ANCHOR_KINDS and not PAIR_REFERENCE.search(sentence.text) \
            and not (goods_told and refers_to_goods(sentence.text)):
        return Reason.NO_ANCHOR
    both = MentionKind.PARTY in kinds and bool(kinds & {MentionKind.ITEM, MentionKind.SYSTEM})
    if any(m.kind is MentionKind.TRIGGER and (both or m.text.lower() not in ambiguous)
           for m in sentence.mentions):
        return None
    return Reason.AMBIGUOUS_TRIGGER


# Words by which a sentence denies or negates what it reports: a word that needs goods may then
# stand without them ("Iran denied supplying Russia").
NEGATION_CUE = re.compile(r"\b(?:no|not|never|none|nothing|den(?:y|ies|ied|ial)|reject\w*|dismiss\w*|refut\w*|"
                          r"groundless|baseless|false|untrue|fake|nonsense)\b|n't\b", re.IGNORECASE)


# A sum of money: a payment or a priced deal is goods enough for 'pay' or 'deal'.
MONEY_CUE = re.compile(r"[$€£¥₽₹]|\b(?:dollars?|euros?|pounds|rupees|yuan|roubles?|rubles?|billion|million|bn)\b",
                       re.IGNORECASE)


def names_goods(sentence: Sentence) -> bool:
    """Does the sentence name goods (an item, a system, a sum), point back to goods told before, or
    deny something? A trigger that needs goods ('supply', 'deliver') reports nothing otherwise."""
    return any(m.kind in (MentionKind.ITEM, MentionKind.SYSTEM) for m in sentence.mentions) \
        or refers_to_goods(sentence.text) or bool(NEGATION_CUE.search(sentence.text)) \
        or bool(MONEY_CUE.search(sentence.text))


def article_skip_reason(mentions: list[Mention], text: str, dual_use: frozenset[str]) -> Reason | None:
    """Why no sentence of an article is worth splitting, or None when some may be."""
    kinds = {m.kind for m in mentions}
    if MentionKind.TRIGGER not in kinds:
        return Reason.ARTICLE_NO_TRIGGER
    if not kinds & ANCHOR_KINDS:
        return Reason.ARTICLE_NO_ANCHOR
    if not is_military(mentions, text, dual_use):
        return Reason.ARTICLE_NOT_MILITARY
    return None


def _resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Leftmost-longest among names; triggers are kept apart and may overlap names. n log n in the
    mentions: the kept names are disjoint intervals (or repeats of one), found by bisection."""
    names = sorted((m for m in mentions if m.kind in NAME_KINDS), key=lambda m: (-(m.end - m.start), m.start))
    starts: list[int] = []  # the kept names' intervals, by start
    ends: list[int] = []
    kept: list[Mention] = []
    for m in names:
        i = bisect_right(starts, m.start)
        if i and ends[i - 1] > m.start and (starts[i - 1], ends[i - 1]) != (m.start, m.end):
            continue  # it overlaps a longer (or earlier) name that starts before it
        if i < len(starts) and starts[i] < m.end:
            continue  # ... or one that starts inside it
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        kept.append(m)
    # a trigger inside a proper name is part of the name ("Cooperation" in an agency's title),
    # but one inside a generic item term still counts ("package" in "aid package")
    proper = sorted((m.start, m.end) for m in kept if m.kind is not MentionKind.ITEM)
    proper_starts = [start for start, _ in proper]
    for m in mentions:
        if m.kind is MentionKind.TRIGGER:
            i = bisect_right(proper_starts, m.start) - 1
            inside = proper[i] if i >= 0 and proper[i][1] > m.start else None
            if inside is None or m.end > inside[1]:
                kept.append(m)
    return sorted(kept, key=lambda m: (m.start, -(m.end - m.start)))


# A name right after these is what a weapon counters, not the weapon: "anti-aircraft guns".
COUNTER_PREFIXES = ("anti-", "counter-")

# "NATO member Norway", "EU-member Hungary", "fellow CSTO ally Armenia": the alliance names which
# club the state belongs to; the state is the party. Also "Norway, a NATO member, ...".
MEMBERSHIP_NOUN = r"(?:founding\s+|fellow\s+)?(?:member|ally|partner|state|country|nation)s?"
MEMBER_BEFORE_STATE = re.compile(rf"[\s-]*{MEMBERSHIP_NOUN}[\s,]*")
APPOSED_ARTICLE = re.compile(r",\s*(?:a|an|the|its|fellow)?\s*$")
MEMBER_AFTER = re.compile(rf"[\s-]*{MEMBERSHIP_NOUN}\b")
MEMBERSHIP_CLUBS = frozenset({"group:alliance", "group:igo"})  # alliances and intergovernmental bodies


def without_membership_labels(mentions: list[Mention], text: str) -> list[Mention]:
    """Drop an alliance named only as the membership of a state next to it, so that it is never
    read as a party of that state's deal. Linear in the mentions."""
    parties = [i for i, m in enumerate(mentions) if m.kind is MentionKind.PARTY]
    dropped: set[int] = set()
    for n, i in enumerate(parties):
        m = mentions[i]
        if m.detail not in MEMBERSHIP_CLUBS:
            continue
        after = MEMBER_BEFORE_STATE.match(text, m.end)
        following = mentions[parties[n + 1]] if n + 1 < len(parties) else None
        if after and after.group().strip(" -,") and following is not None and following.start == after.end():
            dropped.add(i)  # "NATO member Norway"
            continue
        preceding = mentions[parties[n - 1]] if n > 0 else None
        if preceding is not None and APPOSED_ARTICLE.fullmatch(text, preceding.end, m.start) \
                and MEMBER_AFTER.match(text, m.end):
            dropped.add(i)  # "Norway, a NATO member, ..."
    return [m for i, m in enumerate(mentions) if i not in dropped] if dropped else mentions


def reporting_families(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """NATO reporting-name families and the systems in each: 'Flanker' -> Su-27, Su-30, Su-35 ...
    ('Flanker-C' is one member; 'Flanker' alone names the family)."""
    families: dict[str, set[str]] = {}
    for system in kb.systems:
        if system.nato_name:
            family = system.nato_name.split("-")[0].strip()
            if family[:1].isupper() and family[1:].islower() and len(family) >= 3:
                families.setdefault(family, set()).add(system.canonical)
    return {family: frozenset(members) for family, members in families.items()}


def family_index(families: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    """System -> the reporting-name families it belongs to: 'Su-30' -> ('Flanker',)."""
    found: dict[str, list[str]] = {}
    for family, members in families.items():
        for member in members:
            found.setdefault(member, []).append(family)
    return {member: tuple(names) for member, names in found.items()}


def with_family_names(mentions: list[Mention], text: str, families: dict[str, frozenset[str]],
                      index: dict[str, tuple[str, ...]] | None = None) -> list[Mention]:
    """A reporting-name family written after one of its members was named stands for that member:
    after 'the 18 Su-30MKMs signed for in 2003', 'the last of those Flankers' is the Su-30. Only
    capitalised, and only after a member: alone, 'Bear' or 'Hip' is an ordinary word."""
    named = [m for m in mentions if m.kind is MentionKind.SYSTEM]
    index = family_index(families) if index is None else index
    wanted = {family for m in named for family in index.get(m.value, ())}
    if not wanted:
        return mentions
    taken = [(m.start, m.end) for m in mentions if m.kind in NAME_KINDS]
    found: list[Mention] = []
    for family in wanted:
        for use in re.finditer(rf"(?<![\w-]){family}s?(?![\w-])", text):
            before = [m for m in named if m.end <= use.start() and m.value in families[family]]
            if before and not any(use.start() < e and s < use.end() for s, e in taken):
                last = before[-1]
                found.append(Mention(use.start(), use.end(), use.group(), MentionKind.SYSTEM, last.value, last.detail))
    return sorted(mentions + found, key=lambda m: (m.start, -(m.end - m.start))) if found else mentions


# "the Philippine Air Force (PAF)": an acronym in brackets right after a capitalised name whose
# initials it spells. Its letters are capitals, two to six of them.
ACRONYM_DEFINITION = re.compile(r"\(([A-Z]{2,6})\)")
# Lower-case words a name's initials skip: "Department of National Defense" -> DND.
NAME_FILLERS = frozenset({"of", "the", "for", "and", "&"})
# Heads of names that stand for a state's own body (its forces, ministries, agencies, state
# industry): such a name with a state in it speaks for that state. An institute, an act or a
# programme with a state in its name does not ("Countering America's Adversaries ... Act").
STATE_BODY_HEADS = frozenset({
    "force", "forces", "navy", "army", "guard", "corps", "command", "marines", "ministry", "department",
    "agency", "administration", "office", "council", "bureau", "directorate", "service", "services",
    "industries", "industry", "corporation", "company", "works", "group"})
NAME_WORD = re.compile(r"[A-Za-z][\w'\u2019.-]*|&")


class MentionIndex:
    """Mentions looked up by where they lie, so that a pass asking "which mentions overlap this
    stretch of text?" once per acronym or per mention stays linear in the article's length."""

    def __init__(self, mentions: Iterable[Mention]):
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.mentions]
        self.longest = max((m.end - m.start for m in self.mentions), default=0)

    def within(self, start: int, end: int) -> list[Mention]:
        """Every mention that may overlap [start, end), in the order of the list it was built from
        (a superset: callers apply their exact test)."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end + 1)
        return self.mentions[lo:hi]


def _end_before_spaces(text: str, at: int) -> int:
    """`len(text[:at].rstrip())` without copying the text before `at`."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at


def _acronym_expansion(text: str, paren: int, acronym: str) -> int | None:
    """Where the name that `acronym` abbreviates starts, when the capitalised words just before
    the bracket at `paren` spell it: 'Royal Malaysian Air Force (RMAF)' -> the offset of 'Royal'."""
    words = list(NAME_WORD.finditer(text, max(0, paren - 120), paren))
    if not words or text[words[-1].end():paren].strip():
        return None
    letters = list(acronym.lower())
    for word in reversed(words):
        token = word.group()
        if token.lower() in NAME_FILLERS:
            continue
        if not token[0].isupper() or not letters or token[0].lower() != letters[-1]:
            return None
        letters.pop()
        if not letters:
            return word.start()
    return None


FORCE_NAME_HEADS = frozenset({"force", "forces", "navy", "army", "guard", "corps", "command", "marines"})


def _body_kind(party: Mention, head: str) -> str:
    """The surface kind of an acronym's party: the named organ's own, else what its head says."""
    if party.detail.startswith(("organ:", "group:")):
        return party.detail
    return "organ:military" if head in FORCE_NAME_HEADS else "organ:agency"


def with_defined_acronyms(mentions: list[Mention], text: str) -> list[Mention]:
    """An acronym that the article defines after the name of a state's body takes that state
    everywhere in the article, over the lexicon's other reading: after 'the Philippine Air Force
    (PAF)', 'PAF' is PHL, not the Pakistan Air Force; after 'the Royal Malaysian Air Force (RMAF)',
    'RMAF' is MYS."""
    defined: dict[str, tuple[str, str, int]] = {}
    near = MentionIndex(mentions)
    for match in ACRONYM_DEFINITION.finditer(text):
        acronym = match.group(1)
        if acronym in defined:
            continue
        start = _acronym_expansion(text, match.start(), acronym)
        if start is None:
            continue
        head = text[start:match.start()].split()[-1].lower()
        end = _end_before_spaces(text, match.start())
        inside = [m for m in near.within(start, end) if m.kind is MentionKind.PARTY and m.start < end and start < m.end]
        whole = len(inside) == 1 and inside[0].start <= start and inside[0].end == end
        if len({m.value for m in inside}) != 1 or not (whole or head in STATE_BODY_HEADS):
            continue
        party = inside[0]
        defined[acronym] = (party.value, _body_kind(party, head), match.start(1))
    if not defined:
        return mentions
    found: list[Mention] = []
    for acronym, (value, detail, own) in defined.items():
        for use in re.finditer(rf"(?<![\w-]){acronym}(?![\w-])", text):
            if use.start() != own:
                found.append(Mention(use.start(), use.end(), acronym, MentionKind.PARTY, value, detail))
    taken = MentionIndex([*found, *(Mention(own, own + len(a), a, MentionKind.PARTY, value, detail)
                                     for a, (value, detail, own) in defined.items())])
    kept = [m for m in mentions
            if m.kind is MentionKind.TRIGGER or not any(m.start < t.end and t.start < m.end
                                                        for t in taken.within(m.start, m.end))]
    return sorted(kept + found, key=lambda m: (m.start, -(m.end - m.start)))


def _names_a_weapon(m: Mention) -> bool:
    return m.kind is MentionKind.SYSTEM or (m.kind is MentionKind.ITEM and m.value != "unspecified")


def without_redefined_systems(mentions: list[Mention], text: str) -> list[Mention]:
    """An acronym the article defines as the initials of a name that names no weapon is that name,
    not the catalogued system it also spells: after 'Japan's Official Security Assistance (OSA)',
    'OSA' is the aid programme, not the Osa air-defence system ('High Mobility Artillery Rocket
    System (HIMARS)' names a weapon, so HIMARS stays one; 'assistance' or 'equipment' names none)."""
    redefined: set[str] = set()
    near = MentionIndex(mentions)
    for match in ACRONYM_DEFINITION.finditer(text):
        start = _acronym_expansion(text, match.start(), match.group(1))
        if start is not None and not any(_names_a_weapon(m) and start <= m.start and m.end <= match.start()
                                         for m in near.within(start, match.start())):
            redefined.add(match.group(1))
    if not redefined:
        return mentions
    return [m for m in mentions if not (m.kind is MentionKind.SYSTEM and m.text in redefined)]


@lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    return Scanner(load_knowledge())
