"""Who says so: the source of a claim, its kind, its country, and the channel it spoke through.

A claim's source is the subject of the reporting verb that governs it ("..., US officials said";
"an unnamed official told the Washington Post that ..."), or the object of "according to";
without either, the article speaks in its own voice (`author`). Pronouns and definite
descriptions ("it said", "the source said") refer back to the last source the article named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ..knowledge.base import KnowledgeBase
from ..model import AUTHOR_SOURCE, MentionKind, Source, SourceKind
from .arguments import phrase
from .mentions import doc_text, is_person, span_at
from .status import APPROVAL_LEMMAS, SPEECH_LEMMAS, governing_chain

PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "this", "which", "who"})
# Words that make a named speaker an official: titles and offices.
TITLE_WORDS = frozenset({
    "president", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "ambassador",
    "general", "admiral", "commander", "chief", "director", "chancellor", "premier", "king", "prince",
    "envoy", "adviser", "advisor", "senator", "governor", "mayor", "deputy", "official", "head",
    "leader", "press", "ministry", "department", "government", "council", "office", "command",
    "administration", "intelligence", "military", "army", "navy", "forces", "agency", "service",
    "parliament", "presidency", "cabinet", "embassy", "lawmaker", "prime", "foreign", "defence",
    "defense", "ceo", "executive", "chairman", "coordinator", "undersecretary", "kremlin"})
UNNAMED_HINTS = frozenset({"unnamed", "anonymous", "senior", "familiar", "speaking", "condition"})
DEFINITE_REFERENCES = frozenset({"source", "official", "officials", "sources", "ministry", "spokesman",
                                 "document", "report", "analyst", "agency"})
MAX_SOURCE_NAME = 80


@dataclass
class SourceMemory:
    """What the article has said so far about its sources, for pronouns and surnames."""

    last: Source | None = None
    persons: dict[str, Source] = field(default_factory=dict)
    paragraph_source: dict[int, tuple[Source, ...]] = field(default_factory=dict)
    recent: tuple[int, tuple[Source, ...]] | None = None  # (sentence index, sources) of the last attribution
    lead: tuple[Source, ...] | None = None  # the article's first explicit attribution
    home: str | None = None  # the state of the article's dateline ("JERUSALEM, Feb 16 -")
    by_head: dict[str, Source] = field(default_factory=dict)  # the last source named by each head word

    def remember(self, source: Source, person: str | None = None) -> None:
        if source.kind is not SourceKind.AUTHOR:
            self.last = source
            self.by_head[source.name.split()[-1].casefold()] = source
        if person:
            self.persons[person.split()[-1]] = source

    def named_before(self, head: str) -> Source | None:
        """'the ministry said': the last source whose name ends in that word, else the last source."""
        return self.by_head.get(head.casefold(), self.last)


# Subordinators of a clause that sets the time of what is said, and so is told as known fact:
# "China said it would sanction US firms after Washington approved the sale".
BACKGROUND_MARKS = frozenset({"after", "before", "since", "following"})


# Subordinators of a clause that tells when the speaker spoke: "officials said this week, as the EU
# approved its first military aid", "when Washington pressed Athens to send the battery, the prime
# minister said no". Under the reporting verb itself such a clause is the article's account.
TIME_OF_SAYING_MARKS = frozenset({"as", "when", "while"})


def _background_clause(token: Token) -> bool:
    return token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in BACKGROUND_MARKS for c in token.children)


def _subordinator(token: Token) -> bool:
    return token.dep_ in ("mark", "advmod") and token.lower_ in TIME_OF_SAYING_MARKS and token.i < token.head.i


def _time_of_saying(token: Token) -> bool:
    """'When Washington pressed Athens to send the battery, the prime minister said no'."""
    return token.dep_ == "advcl" and token.head.lemma_.lower() in SPEECH_LEMMAS \
        and any(_subordinator(c) for c in token.children)


def _after_time_of_saying(verb: Token, trigger: Token) -> bool:
    """'Armenia is buying more arms from France, officials said this week, as the EU approved its
    first military aid and US troops wrapped up drills': after a reporting verb that closes its
    quote, a time clause, however the parser hung it, with no reporting verb of its own."""
    if not any(c.dep_ in ("ccomp", "parataxis") and c.i < verb.i for c in verb.children):
        return False  # "X said Tehran was seeking ..., as it looked for ...": the clause is still the quote
    between = verb.doc[verb.i + 1: trigger.i]
    for token in between:
        if _subordinator(token) and token.i > 0 and token.doc[token.i - 1].text == ",":
            return not any(t.lemma_.lower() in SPEECH_LEMMAS and t.pos_ == "VERB" for t in verb.doc[token.i: trigger.i])
    return False


def in_time_of_saying(trigger: Token) -> bool:
    """Whether the trigger is told in a clause that only says when a speaker spoke (the article's
    own account, which no earlier speaker covers either)."""
    if any(_time_of_saying(t) for t in [trigger, *trigger.ancestors]):
        return True
    return any(t.lemma_.lower() in SPEECH_LEMMAS and t.pos_ == "VERB" and _after_time_of_saying(t, trigger)
               for t in trigger.doc[:trigger.i])


def speech_head(trigger: Token) -> Token | None:
    """The reporting verb whose clause contains the trigger, if any (not for a trigger in a
    background clause of what is said: that clause is the article's own account)."""
    token = trigger
    for _ in range(10):
        if token.head == token:
            # a quote before the reporting verb: '"...," it said.' parses with the verb as root
            return token if token.lemma_.lower() in SPEECH_LEMMAS and token != trigger else None
        if _background_clause(token) and token.head.lemma_.lower() not in SPEECH_LEMMAS or _time_of_saying(token):
            return None
        token = token.head
        if token.lemma_.lower() in SPEECH_LEMMAS and token.pos_ in ("VERB", "AUX", "NOUN"):
            return None if _after_time_of_saying(token, trigger) else token
    return None


def tail_speech(trigger: Token) -> Token | None:
    """'Greece signed contracts ..., the defence ministry said': a reporting verb after the reported
    clause that the parser did not put above it (parataxis, or a misread conjunct)."""
    for token in trigger.doc[trigger.i + 1:]:
        if token.lemma_.lower() in SPEECH_LEMMAS and token.pos_ in ("VERB", "AUX") \
                and trigger not in token.subtree and not _in_relative_clause(token) and speaker_tokens(token):
            return token
    return None


def _in_relative_clause(verb: Token) -> bool:
    """'signed an agreement that Ethiopian officials said would cover training', 'a force that UN
    investigators have accused of abuses': the speaker of a relative clause speaks of its noun only."""
    return any(t.dep_ == "relcl" for t in [verb, *verb.ancestors])


NEGATIVE_SPEAKERS = frozenset({"nothing", "none", "nobody", "no one"})


def reported_as_false(trigger: Token) -> bool:
    """'Nothing in the evidence showed that weapons had been loaded': the report denies the act."""
    verb = speech_head(trigger) or tail_speech(trigger)
    if verb is None:
        return False
    if verb.head.lower_ in NEGATIVE_SPEAKERS:  # "nothing in the evidence ... showed", misattached
        return True
    for subject in (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")):
        if subject.lower_ in NEGATIVE_SPEAKERS or any(c.dep_ == "det" and c.lower_ == "no" for c in subject.children):
            return True
    return False


def according_to(doc: Doc | Span) -> Token | None:
    """The object of 'according to' in the sentence, if any."""
    if "ccording" not in doc_text(doc):
        return None  # most sentences: no token to look at
    for token in doc:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
            objects = [c for c in token.nbor(1).children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _trim(tokens: list[Token]) -> str:
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ in ("cc", "punct")):
        tokens = tokens[:-1]
    while tokens and (tokens[0].is_punct or tokens[0].lower_ in ("the", "a", "an")):
        tokens = tokens[1:]
    if not tokens:
        return ""
    return tokens[0].doc[tokens[0].i: tokens[-1].i + 1].text[:MAX_SOURCE_NAME]


PUBLISHER_PREPS = frozenset({"from", "by", "of"})


def _publisher_kind(document: Token, kb: KnowledgeBase) -> SourceKind | None:
    """'data from the Stockholm International Peace Research Institute', 'a report by Reuters': a
    document published by a think tank or an outlet is that publisher's word (expert, media)."""
    for prep in (c for c in document.children if c.dep_ == "prep" and c.lower_ in PUBLISHER_PREPS):
        for publisher in (c for c in prep.children if c.dep_ == "pobj"):
            if span_at(document.doc, publisher, MentionKind.OUTLET) is not None:
                return SourceKind.MEDIA
            kind = kb.source_cues.get(publisher.lower_)
            if kind in (SourceKind.EXPERT, SourceKind.MEDIA):
                return kind
    return None


def classify(tokens: list[Token], kb: KnowledgeBase) -> tuple[SourceKind, str | None]:
    """Kind and country of a speaker phrase."""
    doc = tokens[0].doc
    lowers = {t.lower_ for t in tokens}
    country = None
    for t in tokens:
        span = span_at(doc, t, MentionKind.PARTY)
        if span is not None and not span.label_.startswith("org:"):
            country = span.label_
            break
    outlet = next((span_at(doc, t, MentionKind.OUTLET) for t in tokens if span_at(doc, t, MentionKind.OUTLET)), None)
    indices = {t.i for t in tokens}
    head = next((t for t in tokens if t.head.i not in indices or t.head == t), tokens[-1])
    # a named speaker is a person at the head of the phrase ("spokesman John Kirby"), not a name
    # that only modifies it ("Biden administration officials")
    persons = [t for t in tokens if is_person(t)] if is_person(head) else []
    if persons and country is None:
        country = kb.person_country(" ".join(t.text for t in persons))
    cue_kinds = [kb.source_cues[t.lower_] for t in tokens if t.lower_ in kb.source_cues]
    head_kind = kb.source_cues.get(head.lower_)
    if outlet is not None and not persons:
        return SourceKind.MEDIA, outlet.kb_id_ or None
    if head_kind is SourceKind.DOCUMENT:
        publisher = _publisher_kind(head, kb)
        if publisher is not None:
            return publisher, country
    if head_kind in (SourceKind.EXPERT, SourceKind.DOCUMENT, SourceKind.WITNESS, SourceKind.MEDIA):
        return head_kind, country
    if persons:
        if any(k is SourceKind.EXPERT for k in cue_kinds):
            return SourceKind.EXPERT, country
        return SourceKind.OFFICIAL, country
    if lowers & UNNAMED_HINTS or head_kind is SourceKind.UNNAMED_OFFICIAL:
        return SourceKind.UNNAMED_OFFICIAL, country
    if any(span_at(doc, t, MentionKind.PARTY) is not None for t in tokens):
        return SourceKind.OFFICIAL, country
    for kind in (SourceKind.EXPERT, SourceKind.DOCUMENT, SourceKind.WITNESS, SourceKind.MEDIA):
        if kind in cue_kinds:
            return kind, country
    if lowers & TITLE_WORDS:
        return SourceKind.OFFICIAL, country
    return SourceKind.UNNAMED_OFFICIAL if cue_kinds else SourceKind.AUTHOR, country


def _via(verb: Token) -> str | None:
    """'told the Washington Post', 'said in an interview with Reuters'."""
    doc = verb.doc
    candidates = [c for c in verb.children if c.dep_ in ("dative", "dobj", "iobj")]
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "with", "in")):
        candidates.extend(c for c in prep.subtree if c.dep_ == "pobj")
    for c in candidates:
        for t in phrase(c):
            span = span_at(doc, t, MentionKind.OUTLET)
            if span is not None:
                return span.label_
    return None


def speaker_tokens(verb: Token) -> list[Token]:
    """The words of a reporting verb's subject (or agent), climbing from a conjoined or adverbial
    verb to the one whose subject it shares; the climb ends at the root, so it is bounded."""
    while True:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects:
            agents = [c for c in verb.children if c.dep_ == "agent"]
            subjects = [g for a in agents for g in a.children if g.dep_ == "pobj"]
        if subjects or verb.dep_ not in ("conj", "advcl") or verb.head == verb:
            break
        verb = verb.head
    if not subjects and verb.dep_ in ("acl", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
        # "Ukrainian intelligence estimated that ...", misread as a noun with a participle
        inside = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in inside]
    if not subjects:
        return _trailing_speaker(verb)
    tokens = []
    for s in subjects:
        tokens.extend(s.subtree)
        for conj in (c for c in s.children if c.dep_ == "conj"):
            tokens.extend(conj.subtree)
    return sorted(set(tokens), key=lambda t: t.i)


def _trailing_speaker(verb: Token) -> list[Token]:
    """'..., the Polish Ministry of National Defence said.' when the parser lost the subject:
    the words between the last comma or quote and the reporting verb."""
    doc = verb.doc
    start = verb.i
    while start > 0 and doc[start - 1].text not in (",", "\u201d", '"', "\u2019", ";", ":") and verb.i - start < 12:
        start -= 1
    tokens = list(doc[start:verb.i])
    if not tokens or start == 0 or not any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in tokens):
        return []
    return tokens


def _strip_dateline(tokens: list[Token]) -> list[Token]:
    """'LONDON/DUBAI, Sept 11 (wire) — Iran's foreign minister': the speaker follows the dash."""
    dashes = [i for i, t in enumerate(tokens) if t.text in ("—", "–", "-", "--") and t.is_punct]
    if dashes and any(t.is_upper and len(t) > 2 for t in tokens[:dashes[-1]]):
        return tokens[dashes[-1] + 1:]
    return tokens


def resolve_source(tokens: list[Token], kb: KnowledgeBase, memory: SourceMemory, via: str | None) -> Source | None:
    """Turn a speaker phrase into a Source, resolving pronouns and back-references."""
    tokens = [t for t in _strip_dateline(tokens) if not t.is_punct]
    if not tokens:
        return None
    words = [t.lower_ for t in tokens if t.lower_ not in ("the", "a", "an")]
    if len(words) == 1 and words[0] in PRONOUNS:
        return memory.last
    if len(tokens) <= 3 and words and words[-1] in DEFINITE_REFERENCES and tokens[0].lower_ == "the" \
            and memory.last is not None and not any(span_at(t.doc, t, MentionKind.PARTY) for t in tokens):
        return memory.named_before(words[-1])  # "the defence ministry": the ministry named before
    persons = [t for t in tokens if is_person(t)]
    if persons and len(persons) == len(tokens) and persons[-1].text in memory.persons:
        return memory.persons[persons[-1].text]
    kind, country = classify(tokens, kb)
    if kind is SourceKind.OFFICIAL and country is None:
        # "the Defence Ministry said": the state of the last official quoted, else of the dateline
        last = memory.last.country if memory.last and memory.last.kind is SourceKind.OFFICIAL else None
        country = last or memory.home
    if kind is SourceKind.AUTHOR:
        return None
    name = _trim(tokens)
    if not name:
        return None
    source = Source(name=name, kind=kind, country=country, via=via if kind is not SourceKind.MEDIA else None)
    person = " ".join(t.text for t in persons) if persons else None
    memory.remember(source, person)
    return source


def _approvals(trigger: Token) -> list[Token]:
    """The verbs of approving that govern the act ('the State Department approved the possible sale')
    or describe it ('a sale the State Department had approved in February')."""
    chain = [trigger, *governing_chain(trigger)]
    described = [t for t in trigger.subtree if t.dep_ == "relcl"]
    return [w for w in chain + described if w.lemma_.lower() in APPROVAL_LEMMAS and w.pos_ == "VERB"]


STATE_NAME_KINDS = frozenset({"name", "capital"})


def _state_metonym(subject: Token) -> bool:
    """'Washington approved the sale': a state named as such is no named government body."""
    span = span_at(subject.doc, subject, MentionKind.PARTY)
    return span is not None and span.kb_id_ in STATE_NAME_KINDS and span.root == subject


def approving_officials(trigger: Token, kb: KnowledgeBase, memory: SourceMemory) -> list[Source]:
    """A named government body that approves an act ('the State Department approved the possible
    sale') is an official source of it (the approval is its own public word), beside whoever else
    reports it (ONTOLOGY §5: official = a named government body)."""
    found = []
    for verb in _approvals(trigger):
        subjects = [c for c in verb.children if c.dep_ == "nsubj" and not _state_metonym(c)]
        if subjects:
            source = resolve_source(sorted(subjects[0].subtree, key=lambda t: t.i), kb, memory, None)
            if source is not None and source.kind is SourceKind.OFFICIAL:
                found.append(source)
    return found


def sources_for(trigger: Token, kb: KnowledgeBase, memory: SourceMemory) -> list[Source]:
    """The sources of the claim the trigger reports (the article itself when none is given)."""
    doc = trigger.doc
    found: list[Source] = []
    denier = next((w for w in governing_chain(trigger) if kb.status_cues.get(w.lemma_.lower()) == "denied"), None)
    if denier is not None:
        source = resolve_source(speaker_tokens(denier), kb, memory, None)
        if source is not None:
            found.append(source)
    verb = speech_head(trigger) or tail_speech(trigger)
    if verb is not None and not any(c.dep_ == "neg" for c in verb.children):
        # "Russian officials have not confirmed any sale": who does not say it is no source of it
        source = resolve_source(speaker_tokens(verb), kb, memory, _via(verb))
        if source is not None:
            found.append(source)
    anchor = according_to(doc)
    if anchor is not None:
        # "according to U.S. officials, a delivery that gives Moscow ...": the apposition is not the name
        described = {t.i for c in anchor.children if c.dep_ in ("appos", "relcl", "acl") for t in c.subtree}
        tokens = [t for t in anchor.subtree if t.i not in described]
        while tokens and tokens[-1].is_punct:
            tokens.pop()
        source = resolve_source(tokens, kb, memory, None)
        if source is not None:
            found.append(source)
    approvers = approving_officials(trigger, kb, memory)
    return (found or [AUTHOR_SOURCE]) + approvers


def sentence_speakers(doc: Doc, kb: KnowledgeBase, memory: SourceMemory) -> None:
    """Remember the named speakers of a sentence even when it holds no event (for later 'it said')."""
    for token in doc:
        if token.lemma_.lower() in SPEECH_LEMMAS and token.pos_ == "VERB":
            tokens = speaker_tokens(token)
            if tokens:
                resolve_source(tokens, kb, memory, _via(token))
