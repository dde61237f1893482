"""From frames to the events of one article: fill what a sentence leaves to its neighbours,
attach sources, confidence, time and place, and merge repeated mentions (ONTOLOGY §1)."""

from __future__ import annotations

import calendar
import re
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Token

from ..errors import ArticleTimeout
from ..knowledge.base import KnowledgeBase, inflections
from ..model import (AUTHOR_SOURCE, Article, Category, Event, EventType, Evidence, Item, Location, Mention, MentionKind,
                     Quantity, Reason, RoleOrigin, Sentence, Source, SourceKind, Stance, Status)
from ..nlp.scan import dateline_state
from .article_index import article_index
from .arguments import ItemMention, np_head, parties_in, phrase
from .attribution import (TITLE_WORDS, SourceMemory, in_time_of_saying, reported_as_false, sentence_speakers,
                          sources_for)
from .confidence import confidence_for
from .frames import SALE_NOUNS, Frame, anaphoric_object, read_frames
from .grounding import ground, join_spans, reground
from .mentions import is_person, party_of, span_at, spans_of
from .roles import INCLUSION_VERBS, RECEIVING_CARRIERS
from .syntax import RELATIVE_PRONOUNS, children_of, distributive_governor, subject_heads
from .status import SPEECH_LEMMAS, Modality
from .timex import MONTHS, time_for
from .trace import NO_TRACE, NoTrace, tracer
from .voice import interviewee, publication_voice

# How many sentences back a missing party may be looked for.
CONTEXT_WINDOW = 2
# How many sentences back 'the two countries' may look for the pair it refers to.
PAIR_WINDOW = 4
# How many sentences an attribution carries over to unattributed sentences after it.
ATTRIBUTION_CARRY = 1
# How many sentences back an item named only by 'them' or 'the system' may be looked for.
ITEM_CONTEXT_WINDOW = 3


@dataclass(frozen=True)
class ParsedSentence:
    sentence: Sentence
    doc: Doc
    context_only: bool = False  # parsed for who speaks in it ("X said ..."), not for events


def _in_speaker(span_root) -> bool:
    """Is this token part of the subject of a reporting verb (a source, not a party)?"""
    token = span_root
    while token.head != token:
        if token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_.lower() in SPEECH_LEMMAS:
            return True
        token = token.head
    return False


def _anaphor_quantity(frame: Frame) -> Quantity | None:
    if frame.anaphor_count is None:
        return None
    return Quantity(frame.anaphor_count, False, str(frame.anaphor_count))


def _system_origin(canonical: str | None, kb: KnowledgeBase) -> str | None:
    system = kb.system(canonical) if canonical else None
    return system.origin if system else None


def _item_origin(frame: Frame, kb: KnowledgeBase) -> str | None:
    for mention in frame.items:
        system = kb.system(mention.item.canonical) if mention.item.canonical else None
        if system is not None:
            return system.origin
    return None


def _context_party(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], exclude: set[str],
                   kb: KnowledgeBase, role: str, priors: Counter, origin: str | None) -> str | None:
    """A party for an empty role: the maker of a catalogued item, then the sentence's other
    parties (not speakers, not officials' titles), then those of the previous sentences."""
    if frame.subject_pronoun and frame.subject_role == role:
        antecedent = _pronoun_antecedent(frame, parsed, sentences, exclude)
        if antecedent is not None:
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "the party the subject pronoun stands for")
            return antecedent
    if role == "provider" and frame.type is EventType.TRANSFER:
        holder = retiring_holder(frame)
        if holder is not None and holder not in exclude:
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "whoever retires the item")
            return holder
    if origin is not None and origin not in exclude and frame.type is EventType.TRANSFER and role == "provider":
        tracer(parsed.doc).origin(frame, role, RoleOrigin.CATALOGUE, "maker of the item")
        return origin
    if role == "recipient" and origin is not None:
        exclude = exclude | {origin}  # a state does not receive its own product from another
    if role == "recipient":
        holder = item_holder(frame.trigger)
        if holder is not None and holder not in exclude:
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "whoever holds the item the participle qualifies")
            return holder
    for span in spans_of(parsed.doc, MentionKind.PARTY):
        if span.label_ not in exclude and _is_role_position(span.root, role) and not _in_speaker(span.root) \
                and not _titles_person(span) and _goods_cues_apply(frame, role):
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, f"the sentence's party after a {role} preposition")
            return span.label_
    unaddressed = _unaddressed_request(frame, role)
    other = _unmarked_party(parsed, exclude)
    if other is not None and (role == "provider" or unaddressed):
        # a supplier the sentence names in no marked role beats the article's usual one
        tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "the sentence's other party")
        return other
    for code, _ in priors.most_common():  # the article's explicit flows, most reported first
        if code not in exclude and not unaddressed:
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, f"the article's most reported {role}")
            return code
    if other is not None:
        tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "the sentence's other party")
        return other
    if unaddressed:
        tracer(parsed.doc).drop(Reason.UNADDRESSED_REQUEST, frame)
        return None
    index = parsed.sentence.index
    for back in range(1, CONTEXT_WINDOW + 1):
        if index - back < 0:
            break
        for m in sentences[index - back].mentions:
            if m.kind is MentionKind.PARTY and m.value not in exclude and not _onlooker_mention(m, sentences[index - back]):
                tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, f"party of the sentence {back} before")
                return m.value
    if role == "recipient":
        # "Belarus says Russian-supplied Iskanders are on combat duty": the speaker owns them
        for span in spans_of(parsed.doc, MentionKind.PARTY):
            if span.label_ not in exclude and _in_speaker(span.root) and span.kb_id_ != "person":
                tracer(parsed.doc).origin(frame, role, RoleOrigin.SPEAKER, "the speaker owns the item")
                return span.label_
    return None


# Verbs by which a state speaks of, or punishes, a deal it is no party to ('the US Treasury sanctioned
# two companies', 'Washington alleged'): the speech verbs and these.
ONLOOKER_VERBS = SPEECH_LEMMAS | {"sanction", "blacklist", "condemn", "criticise", "criticize", "accuse", "urge"}
ONLOOKER_AFTER = re.compile(r"^(?:\W*\w+){0,2}?\W+(?:%s)\b" % "|".join(sorted(
    {form for lemma in ONLOOKER_VERBS for form in inflections(lemma)}, key=len, reverse=True)), re.IGNORECASE)
TITLE_OF_BEFORE = re.compile(r"\b(?:%s)\s+of\s+(?:the\s+)?$" % "|".join(sorted(TITLE_WORDS)), re.IGNORECASE)


def _unmarked_party(parsed: ParsedSentence, exclude: set[str]) -> str | None:
    """A party the sentence names in no marked role ("Poland's purchase shows ..."): not a speaker,
    an official's title, a venue, a person, the agent of another act, a belligerent, nor a modifier
    ("the Yemen war")."""
    for span in spans_of(parsed.doc, MentionKind.PARTY):
        if span.label_ not in exclude and not _in_speaker(span.root) and not _titles_person(span) \
                and not _is_place(span.root) and span.kb_id_ != "person" and not _agent_elsewhere(span.root) \
                and not _wages_hostility(span.root) and span.root.dep_ not in ("compound", "amod", "nmod"):
            return span.label_
    return None


def _unaddressed_request(frame: Frame, role: str) -> bool:
    """'Ethiopia is likely to want more aircraft': a request that names no supplier has none; the
    article's usual supplier, or a party of an earlier sentence, is not whom it asks (ONTOLOGY §9.4)."""
    return role == "provider" and frame.type is EventType.TRANSFER and frame.status is Status.REQUESTED


def _onlooker_mention(m: Mention, sentence: Sentence) -> bool:
    """A party that an earlier sentence names as speaking or sanctioning ('On 17 October the US
    Treasury sanctioned two Chinese companies'), or as the state of an office ('the Ambassador of
    the United States ... alleged'): read without a parse, it is no side of the flow told next."""
    before = sentence.text[max(0, m.start - sentence.start - CUE_WINDOW):m.start - sentence.start]
    return bool(ONLOOKER_AFTER.match(sentence.text[m.end - sentence.start:])) or bool(TITLE_OF_BEFORE.search(before))


def _goods_cues_apply(frame: Frame, role: str) -> bool:
    """Whether a 'to' or 'from' phrase elsewhere in the sentence may fill this role: it marks who
    gets or gives goods, and money flows the other way ('the fund that pays for weapons sent to
    Ukraine' does not pay Ukraine)."""
    return frame.type is not EventType.PAYMENT


def _company_named_before(parsed: ParsedSentence, sentences: list[Sentence], other: str) -> str | None:
    """The state of the last company named before the trigger's sentence ends, within the context
    window: 'Rheinmetall ... Elsewhere the group is building a shell plant in Lithuania' -> DEU."""
    index = parsed.sentence.index
    for back in range(0, CONTEXT_WINDOW + 1):
        if index - back < 0:
            break
        companies = [m for m in sentences[index - back].mentions if m.kind is MentionKind.PARTY
                     and m.detail in COMPANY_KINDS]
        if companies:
            return companies[-1].value if companies[-1].value != other else None
    return None


# Organ kinds that are companies (a maker or a state exporter).
COMPANY_KINDS = frozenset({"organ:manufacturer", "organ:exporter"})


def _prices_last(frames: list[Frame]) -> list[Frame]:
    """The sentence's frames, those paying the price of its deal after the deal's own."""
    return [f for f in frames if not f.prices_deal] + [f for f in frames if f.prices_deal]


def _price_of_deal(frame: Frame, sentence_events: list[Event], parsed: ParsedSentence) -> None:
    """'Jakarta signed for 11 Su-35s, with half of the price to be paid in palm oil': the buyer of
    the sentence's transfer pays its seller (a buyer the sentence names, not one guessed from context)."""
    named = _sentence_parties(parsed.doc)
    deal = next((e for e in sentence_events if e.type is EventType.TRANSFER and e.recipient in named), None)
    if deal is None:
        return
    frame.provider, frame.recipient, frame.anchored = deal.recipient, deal.provider, True
    tracer(parsed.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the buyer in the deal whose price is paid")
    tracer(parsed.doc).origin(frame, "recipient", RoleOrigin.CONTEXT, "the seller in the deal whose price is paid")


def _payment_side_guessed(frame: Frame, provider: str | None, recipient: str | None, priors: RolePriors,
                          doc: Doc) -> bool:
    """A payment whose payer or payee the sentence does not name, and that no seller the article
    names for the payer fills, is a guess: 'Qatar is paying part of the soldiers' salaries' in a
    story about Russian arms does not pay Russia; 'who paid' in a headline pays no one in particular.
    A lender's borrower may be the buyer the article names for it, or another party of the sentence
    ('paid for with Russian state loans that Caracas was to repay')."""
    if frame.type is not EventType.PAYMENT:
        return False
    if frame.provider is None and provider is not None:
        return True
    if frame.recipient is not None or recipient is None:
        return False
    if frame.credit:
        return recipient != priors.borrower_of(provider, _sentence_parties(doc))
    return recipient != priors.seller_to(provider)


def _sentence_parties(doc: Doc) -> list[str]:
    """The parties a sentence names, in order, each once (people's titles and places left out)."""
    return list(dict.fromkeys(span.label_ for span in spans_of(doc, MentionKind.PARTY)
                              if span.kb_id_ != "person" and not _is_place(span.root)))


def _role_priors(frame: Frame, role: str, priors: RolePriors) -> Counter:
    """The article's parties most reported in the role: for a payment, the payer is the side that
    gets the goods and the payee the side that sells them ('Qatar is paying the salaries' in a
    story about arms for Lebanon does not pay Lebanon's suppliers' clients)."""
    if frame.type is EventType.PAYMENT:
        return priors.recipients if role == "provider" else priors.providers
    return priors.providers if role == "provider" else priors.recipients


# Verbs of having or using materiel: their subject holds what the object names.
HOLDING_VERBS = RECEIVING_CARRIERS | {"fly", "field", "operate", "use", "have", "own", "deploy", "keep", "maintain",
                                      "acquire", "buy", "order", "rely", "retire", "upgrade"}
NOUN_CHAIN_DEPS = frozenset({"dobj", "pobj", "appos", "conj", "prep", "attr", "npadvmod", "nsubjpass"})


# Heads of a subject that names a state's own forces or ministry without naming the state.
FORCE_HEADS = frozenset({"army", "navy", "force", "forces", "military", "ministry", "coastguard", "guard", "marines",
                         "government", "junta"})


def _home_forces_role(frame: Frame) -> str | None:
    """The role of a subject like 'the air force' or 'the army' that names no state ('The air force
    took delivery of TB2s'): such forces are the dateline state's own."""
    t = frame.trigger
    if t.pos_ in ("NOUN", "PROPN"):
        if not (t.dep_ == "dobj" and t.head.lemma_.lower() in RECEIVING_CARRIERS):
            return None
        subjects, role = subject_heads(t.head), "recipient"
    else:
        subjects, role = subject_heads(distributive_governor(t) or t), frame.subject_role
    if role not in ("provider", "recipient") or not subjects:
        return None
    if all(_one_state_forces(s) for s in subjects):
        return role
    return None


def _one_state_forces(subject: Token) -> bool:
    """'the army', 'the air force', 'the defence ministry' name one state's own forces; 'air forces
    that want it', 'the governments that paid' name several, and 'Nigeria's army' names its state
    ('the island's National Guard' names none)."""
    if subject.lemma_.lower() not in FORCE_HEADS or parties_in(phrase(subject)):
        return False
    if subject.tag_ in ("NNS", "NNPS") and subject.lower_ != "forces":
        return False
    return any((c.dep_ == "det" and c.lower_ == "the") or c.dep_ == "poss" for c in subject.children)


# Words before a state's name that make it the giving end or a venue, not the owner of forces.
NOT_OWNER_BEFORE = re.compile(r"\b(?:from|by|to|with|against)\s+(?:the\s+)?$", re.IGNORECASE)


def _forces_state(parsed: ParsedSentence, before: int, sentences: list[Sentence], text: str,
                  exclude: set) -> str | None:
    """The state that 'the army' or 'the air force' belongs to in a story with no dateline: the
    first state the sentence names before them, else the first of the nearest sentence before
    that names one ('In Nigeria the relationship is direct. The army took delivery of ...' -> NGA;
    'Naypyidaw is receiving jets from Russia. The air force also flies ...' -> MMR). A state after
    'from', 'to' or 'with' is the other side of some flow, not the owner."""
    index = parsed.sentence.index
    for back in range(0, CONTEXT_WINDOW + 1):
        if index - back < 0:
            break
        for m in sentences[index - back].mentions:
            if m.kind is not MentionKind.PARTY or m.start >= before or m.value in exclude or m.value.startswith("org:") \
                    or m.value == "unknown" or NOT_OWNER_BEFORE.search(text[max(0, m.start - CUE_WINDOW):m.start]):
                continue
            return m.value
    return None


def _pronoun_antecedent(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence],
                        exclude: set[str]) -> str | None:
    """'Greece agreed to a swap: it would send Ukraine 40 BMP-1s': 'it' is the last party named as a
    subject before the trigger, else the first party of the sentence before (never the maker of a
    catalogued item, which the pronoun does not name)."""
    before = [span for span in spans_of(parsed.doc, MentionKind.PARTY) if span.end <= frame.trigger.i
              and span.label_ not in exclude and span.root.dep_ in ("nsubj", "nsubjpass")
              and not _in_speaker(span.root) and not _titles_person(span)]
    if before:
        return before[-1].label_
    index = parsed.sentence.index
    if index > 0:
        for m in sentences[index - 1].mentions:
            if m.kind is MentionKind.PARTY and m.value not in exclude:
                return m.value
    return None


def _party_named_by(noun: Token, deps: tuple[str, ...]) -> str | None:
    """The party a noun is, or names through one of its modifiers ('the Royal Danish Air Force')."""
    return party_of(noun) or next((party_of(c) for c in noun.children if c.dep_ in deps and party_of(c)), None)


def item_holder(trigger: Token) -> str | None:
    """Who holds an item that a participle qualifies: 'Bucharest, which flies F-16s bought from
    Portugal' -> ROU; 'Chile, whose air force flies F-16s bought from the US' -> CHL; 'the navy
    took delivery of the third of four corvettes ordered from Turkey' -> the navy's state. The
    item's possessor counts too ('Poland's tanks bought from Korea')."""
    if trigger.dep_ != "acl":
        return None
    noun = trigger.head
    for child in noun.children:
        if child.dep_ == "poss" and party_of(child):
            return party_of(child)
    token = noun
    for _ in range(8):  # climb the noun phrase chain to the verb that governs it
        if token.dep_ not in NOUN_CHAIN_DEPS or token.head == token:
            break
        token = token.head
    if token.pos_ not in ("VERB", "AUX") or token.lemma_.lower() not in HOLDING_VERBS:
        return None
    for subject in children_of(token, ("nsubj",)):
        if subject.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl":
            subject = token.head  # "Bucharest, which flies ..."
        code = _party_named_by(subject, ("poss", "compound"))
        if code is None and token.dep_ == "relcl" and any(c.lower_ == "whose" for c in subject.children):
            code = party_of(token.head)  # "Chile, whose air force flies ..."
        if code is not None:
            return code
    return None


# Verbs by which a state gives up equipment it holds: whoever does so is the second-hand seller.
RETIRING_VERBS = frozenset({"retire", "decommission", "phase", "withdraw", "replace", "mothball"})


def retiring_holder(frame: Frame) -> str | None:
    """'24 F-16s that the Royal Danish Air Force is retiring': the state that retires the item sells it."""
    for mention in frame.items:
        for clause in children_of(mention.head, ("relcl",)):
            if clause.lemma_.lower() in RETIRING_VERBS:
                for subject in children_of(clause, ("nsubj",)):
                    code = _party_named_by(subject, ("poss", "compound", "amod"))
                    if code is not None:
                        return code
    return None


LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside"})
# Where a party left unattached to the trigger may still stand for a role of its sentence.
ROLE_PREPS = {"recipient": frozenset({"to", "for", "into"}), "provider": frozenset({"from", "by"})}


def _is_role_position(token, role: str) -> bool:
    """'support to the Russian military', 'drones from Iran': the preposition tells the role."""
    head = np_head(token)
    if head.dep_ == "pobj" and head.head.lower_ in ROLE_PREPS[role]:
        return not _agent_elsewhere(token)
    if head.dep_ == "dative" and role == "recipient":
        return True
    return role == "provider" and token.dep_ == "poss" and head.dep_ not in ("nsubj", "nsubjpass")


def _agent_elsewhere(token: Token) -> bool:
    """'a groundless rumour spread by Washington', 'claims made by Kyiv': a 'by' phrase on a verb
    that moves no goods names who did that act, not who supplies."""
    head = np_head(token)
    if head.dep_ != "pobj" or head.head.lower_ != "by":
        return False
    verb = head.head.head
    return verb.pos_ in ("VERB", "AUX") and span_at(verb.doc, verb, MentionKind.TRIGGER) is None


# Acts of war: the state whose invasion or attack a sentence names is a belligerent, not a party to a deal.
HOSTILITY_NOUNS = frozenset({"invasion", "war", "attack", "aggression", "offensive", "occupation", "annexation",
                             "assault", "incursion", "bombardment", "blockade", "strike"})


def _wages_hostility(token: Token) -> bool:
    """'after Russia's full-scale invasion', 'the Russian offensive': the party qualifies an act of war."""
    head = np_head(token)
    return head is not token and head.lemma_.lower() in HOSTILITY_NOUNS


def _is_place(token) -> bool:
    """'the Nato summit in Vilnius': a capital named as a venue is a place, not a party."""
    head = np_head(token)
    return head.dep_ == "pobj" and head.head.lower_ in LOCATIVE_PREPS


def _titles_person(span) -> bool:
    """'British Foreign Secretary David Lammy': the adjective names a speaker's office, not a party."""
    head = np_head(span.root)
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in TITLE_WORDS:
        return True  # "the Ambassador of the United States"
    return head.lemma_.lower() in TITLE_WORDS or (span.kb_id_ != "person" and is_person(head))


def context_item(parsed: ParsedSentence, sentences: list[Sentence], frame_start: int = 0,
                 accept=lambda category: True) -> Item | None:
    """The most recently named system (else generic item) before this point, for 'the system',
    'them', 'three squadrons'; the headline counts as context too. `accept` narrows the categories
    ('pilots' fly aircraft)."""
    index = parsed.sentence.index
    window = [sentences[i] for i in range(index, max(-1, index - 1 - ITEM_CONTEXT_WINDOW), -1)]
    if index > ITEM_CONTEXT_WINDOW and sentences:
        window.append(sentences[0])
    before = parsed.sentence.start + frame_start
    for kind in (MentionKind.SYSTEM, MentionKind.ITEM):
        for sentence in window:
            # in the sentence itself, only what comes before the trigger ("18 Rafales ... six of those landed")
            named = [m for m in sentence.mentions if m.kind is kind and (sentence.index != index or m.end <= before)
                     and accept(Category(m.detail if kind is MentionKind.SYSTEM else m.value))]
            if named:
                m = named[-1]
                if kind is MentionKind.SYSTEM:
                    return Item(Category(m.detail), m.text, m.value)
                return Item(Category(m.value), m.text, None)
    return None


def _only_system_so_far(item: Item, index: int, sentences: list[Sentence]) -> Item:
    """'the bombs' two sentences after 'MK-84 bombs' are the MK-84: a generic item takes the one
    system of its category that the article has named up to this sentence (ONTOLOGY §1)."""
    if item.canonical is not None or item.category is Category.UNSPECIFIED:
        return item
    firsts = _systems_named(sentences).get(item.category.value, [])
    named = bisect_right(firsts, (index, "\uffff"))  # the systems first named up to this sentence
    return Item(item.category, item.name, firsts[0][1]) if named == 1 else item


def _systems_named(sentences: list[Sentence]) -> dict[str, list[tuple[int, str]]]:
    """Per category, each system the article names with the position of the sentence that first
    names it, in order: built once per article instead of once per frame."""
    return article_index(sentences, "systems named", _first_namings)


def _first_namings(sentences: list[Sentence]) -> dict[str, list[tuple[int, str]]]:
    first: dict[str, dict[str, int]] = {}
    for position, sentence in enumerate(sentences):
        for m in sentence.mentions:
            if m.kind is MentionKind.SYSTEM:
                first.setdefault(m.detail, {}).setdefault(m.value, position)
    return {category: sorted((position, value) for value, position in named.items())
            for category, named in first.items()}


def goods_told_before(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence],
                      priors: "RolePriors", kb: KnowledgeBase) -> Event | None:
    """The transfer that an item-less stage with no party of its own continues: 'India signed for
    five S-400 squadrons with Russia. Three squadrons have been delivered since 2021' -> the S-400
    from Russia to India. It is the last transfer told in its own words within ITEM_CONTEXT_WINDOW
    sentences (not after the trigger), when its sentence told no other flow and no other goods are
    named between it and the trigger."""
    if frame.type is not EventType.TRANSFER or frame.items or frame.anchored or frame.subject_pronoun \
            or frame.provider or frame.recipient or frame.pair_in_context or frame.stance is not Stance.ASSERTED \
            or not _refers_back(frame, kb) or asked_not_told(frame.trigger):
        return None
    index, trigger_at = parsed.sentence.index, parsed.sentence.start + frame.trigger.idx
    told = []
    for i, e in reversed(priors.told):  # in reading order: only the last few sentences are looked at
        if i < index - ITEM_CONTEXT_WINDOW:
            break
        if i < index or (i == index and e.evidence[0].start < trigger_at):
            told.append((i, e))
    told.reverse()
    if not told:
        return None
    at, event = told[-1]
    if len({(e.provider, e.recipient) for i, e in told if i == at}) > 1:
        return None  # the sentence told two flows: which one goes on is not said
    if any(m.kind in (MentionKind.SYSTEM, MentionKind.ITEM) and m.start < trigger_at and _other_goods(m, event.item)
           for s in sentences[at + 1:index + 1] for m in s.mentions):
        return None  # "... rounds. The Taurus, though, stayed home; none arrived": not the rounds
    return event


# Words that open an embedded question: "did not say whether the system has arrived".
QUESTION_WORDS = frozenset({"whether", "if", "where", "how", "what", "which", "who", "why"})


def asked_not_told(t: Token) -> bool:
    """Is the trigger's clause an embedded question ('declined to say where its weapons came from',
    'has not said whether the system has arrived', 'how many have arrived is not public')? It asks
    about the act and does not report it."""
    return t.dep_ in ("ccomp", "csubj", "pcomp") and t.left_edge.lower_ in QUESTION_WORDS


def _refers_back(frame: Frame, kb: KnowledgeBase) -> bool:
    """Is what the trigger moves a word for goods named before ('three squadrons', 'half', 'them')?"""
    entries = kb.triggers.get(frame.trigger.lemma_.lower())
    return bool(entries) and anaphoric_object(frame.trigger, entries[0])


def _other_goods(m: Mention, item: Item) -> bool:
    """Does the mention name goods other than `item` (a vague 'weapons' names none)?"""
    if m.kind is MentionKind.SYSTEM:
        return m.value != item.canonical
    return m.value not in (Category.UNSPECIFIED.value, item.category.value)


WEEKDAYS = frozenset(day.lower() for day in calendar.day_name)


def _not_a_place(words: list[Token]) -> bool:
    """'May', 'September 2021', 'Tuesday', 'USD6' (billion): a month, a weekday or a figure is no place."""
    return all(w.lower_ in MONTHS or w.lower_ in WEEKDAYS or w.like_num for w in words) \
        or any(ch.isdigit() for w in words for ch in w.text)


def _location(frame: Frame, kb: KnowledgeBase) -> Location | None:
    """'in the Tatarstan region', 'at a plant in Yelabuga': a named place attached to the act."""
    scope = {t.i for t in frame.trigger.subtree}
    for prep in (t for t in frame.trigger.doc if t.i in scope and t.lower_ in LOCATIVE_PREPS and t.dep_ == "prep"):
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            place = [x for x in obj.subtree if x.pos_ == "PROPN" and x.i <= obj.i]
            if not place or _not_a_place(place):
                continue  # "in May", "on Tuesday", "at USD6 billion": a time or a sum
            name = obj.doc[place[0].i: place[-1].i + 1].text
            party = kb.party(name)
            if party is not None and party.kind in ("name", "demonym"):
                continue  # a state named as a place is a party, not a location
            if span_at(obj.doc, place[0], MentionKind.SYSTEM) or span_at(obj.doc, place[0], MentionKind.OUTLET):
                continue
            return Location(name, party.party if party else None)
    return None


@dataclass
class RolePriors:
    """Which parties the article's explicit frames make providers and recipients."""

    providers: Counter
    recipients: Counter
    pairs: Counter
    goods: Counter = field(default_factory=Counter)  # (provider, recipient, named item) of explicit transfers
    # sentence index -> the transfers its own parse (or a subject pronoun) gave, in reading order
    sentence_flows: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # (sentence index, event) of the transfers told so far with a party or the goods in their own words
    told: list[tuple[int, Event]] = field(default_factory=list)

    @classmethod
    def of(cls, frames: list[Frame]) -> "RolePriors":
        # a production or training partner says nothing about who ships goods to whom, nor does a
        # lender ('paid for with Japanese loans')
        explicit = [f for f in frames if f.provider and f.recipient and not f.credit
                    and f.type in (EventType.TRANSFER, EventType.PAYMENT)]
        # one word tells a flow once, whatever stages are read off it ('bought ..., delivered in 2016')
        explicit = list({(f.trigger.doc, f.trigger.i, f.type, f.provider, f.recipient): f for f in explicit}.values())
        goods = Counter((f.provider, f.recipient, m.item) for f in explicit if f.type is EventType.TRANSFER
                        for m in f.items if m.item.canonical)
        return cls(Counter(f.provider for f in explicit), Counter(f.recipient for f in explicit),
                   Counter((f.provider, f.recipient) for f in explicit if f.type is EventType.TRANSFER), goods)

    def flow_item(self, provider: str, recipient: str, accept=lambda item: True) -> Item | None:
        """The named system the article most often has `provider` send `recipient`: what crews
        trained by the one for the other learn to operate."""
        counts = Counter()
        for (p, r, item), n in self.goods.items():
            if (p, r) == (provider, recipient) and accept(item):
                counts[(item.canonical, item.category)] += n
        if not counts:
            return None
        (canonical, category), _ = counts.most_common(1)[0]
        return next(item for (p, r, item) in self.goods if item.canonical == canonical and item.category == category)

    def main_flow(self, origin: str | None) -> tuple[str, str] | None:
        """The article's most reported transfer, if it fits an item made by `origin`."""
        if not self.pairs:
            return None
        (provider, recipient), _ = self.pairs.most_common(1)[0]
        if origin == provider:
            return provider, recipient
        return self._maker_flow(origin)  # only a catalogued item made by a supplier continues its flow

    def _maker_flow(self, origin: str | None) -> tuple[str, str] | None:
        """The flow the article reports from the item's maker, when one leads: 'India sends Armenia
        Pinakas ... The first Pinaka launchers arrived in 2023' -> IND -> ARM, even where another
        supplier is the article's most reported."""
        flows = [(n, r) for (p, r), n in self.pairs.items() if p == origin]
        if not flows:
            return None
        flows.sort(reverse=True)
        if len(flows) > 1 and flows[0][0] == flows[1][0]:
            return None  # two recipients reported as often: the sentence does not say which
        return origin, flows[0][1]

    def remember_flows(self, frame: Frame, index: int, events: list[Event]) -> None:
        """Keep the flows a sentence reports through its own words, for its other frames."""
        if frame.type is EventType.TRANSFER and (frame.anchored or frame.subject_pronoun):
            flows = self.sentence_flows.setdefault(index, [])
            flows += [(e.provider, e.recipient) for e in events if (e.provider, e.recipient) not in flows]

    def remember_told(self, frame: Frame, index: int, events: list[Event]) -> None:
        """Keep the transfers a sentence tells in its own words, for the stages told of them after."""
        if frame.type is EventType.TRANSFER and (frame.anchored or frame.subject_pronoun or frame.items):
            self.told += [(index, e) for e in events]

    def sentence_flow(self, index: int, provider: str | None, recipient: str | None,
                      origin: str | None) -> tuple[str, str] | None:
        """The one flow this sentence already reports that fits the known side and the item's
        maker: 'the 18 MiG-29Ns it ordered from Russia ..., and a share of the contract for 18
        Su-30MKMs signed in 2003' -> the Su-30 contract is the same buyer's, from the same seller."""
        seller = provider or origin
        fitting = {(p, r) for p, r in self.sentence_flows.get(index, ())
                   if (seller is None or p == seller) and (recipient is None or r == recipient)}
        return fitting.pop() if len(fitting) == 1 else None

    def buyer_from(self, seller: str) -> str | None:
        """Whom the article says `seller` supplies: the borrower of a credit `seller` lends for goods."""
        buyers = [(n, r) for (p, r), n in self.pairs.items() if p == seller]
        return max(buyers)[1] if buyers else None

    def borrower_of(self, lender: str, sentence_parties: list[str]) -> str | None:
        """Who borrows what `lender` lends for arms: the buyer the article names for the lender,
        else another party of the sentence ('a French credit line that paid for helicopters for
        Ghana's air force'), else the article's most reported recipient of goods."""
        return self.buyer_from(lender) or next((p for p in sentence_parties if p != lender), None) \
            or next((r for r, _ in self.recipients.most_common() if r != lender), None)

    def seller_to(self, buyer: str) -> str | None:
        """Who the article says supplies `buyer`: the payee of a payment for goods."""
        sellers = [(n, p) for (p, r), n in self.pairs.items() if r == buyer]
        return max(sellers)[1] if sellers else None


def frame_events(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], article: Article,
                 kb: KnowledgeBase, memory: SourceMemory, priors: RolePriors) -> list[Event]:
    """The events a frame yields once its empty roles are filled from context; coordinated
    providers or recipients give one event each."""
    events = _frame_events(frame, parsed, sentences, article, kb, memory, priors)
    if events and frame.members:
        return _member_pairs(events, frame.members, separate_pacts(frame.trigger))
    if not events or not (frame.also_providers or frame.also_recipients):
        return events
    out = list(events)
    for event in events:
        for code in frame.also_providers:
            if code != event.recipient:
                out.append(event.with_changes(provider=code))
            else:
                tracer(parsed.doc).drop(Reason.SAME_PARTY, frame, f"coordinated provider {code}")
        for code in frame.also_recipients:
            if code != event.provider:
                out.append(event.with_changes(recipient=code))
            else:
                tracer(parsed.doc).drop(Reason.SAME_PARTY, frame, f"coordinated recipient {code}")
    return out


def separate_pacts(trigger: Token) -> bool:
    """'Tokyo has access pacts with Canberra and London': a plural partnership noun tells one
    pact per partner of the first party, not one pact of all of them."""
    return trigger.tag_ in ("NNS", "NNPS")


def _member_pairs(events: list[Event], members: tuple[str, ...], separate: bool) -> list[Event]:
    """'Mali, Niger and Burkina Faso signed a mutual defence pact': a pact of three or more
    states is one partnership per pair of its members (ONTOLOGY §9.3); separate pacts pair
    each further member with the first party only."""
    out = list(events)
    for event in events:
        seen = [event.provider, event.recipient]
        for code in members:
            if code in seen:
                continue
            others = seen[:1] if separate else seen
            out += [event.with_changes(provider=other, recipient=code) for other in others]
            seen.append(code)
    return out


@dataclass
class _Sides:
    """The parties and fallback item of a frame while its empty roles are filled from context."""

    provider: str | None
    recipient: str | None
    fallback: Item  # the item of an event whose frame names none ("the system", "them")
    origin: str | None  # the catalogue's maker of the frame's (or the fallback's) item
    home_role: str | None = None  # the role the state of 'the army', 'the air force' fills
    told: bool = False  # a further stage of the transfer just told: its parties and goods are known


def _fallback_item(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence]) -> Item:
    """The item of a transfer or training that names none: 'the system', 'them', 'six of those'."""
    fallback = Item(Category.UNSPECIFIED, None)
    if not frame.items and frame.type in (EventType.TRAINING, EventType.TRANSFER):
        fallback = context_item(parsed, sentences, frame.trigger.idx, operated_categories(frame)) or fallback
        fallback = _only_system_so_far(fallback, parsed.sentence.index, sentences)
    return fallback


def _fill_home_forces(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], article: Article,
                      memory: SourceMemory, sides: _Sides) -> None:
    """'The air force took delivery of TB2s': forces named without their state are the dateline's
    state's, else the state the story names just before (for goods the sentence itself names)."""
    home_role = _home_forces_role(frame) if sides.recipient is None or sides.provider is None else None
    home = memory.home
    if home is None and home_role and frame.items:
        home = _forces_state(parsed, parsed.sentence.start + frame.trigger.idx, sentences, article.full_text,
                             {sides.provider, sides.recipient, sides.origin})
    if home is None or (home_role == "recipient" and sides.recipient is not None) \
            or (home_role == "provider" and sides.provider is not None):
        home_role = None  # the forces' state is unknown, or the parse already named the party
    sides.home_role = home_role
    if home_role == "recipient" and home != sides.origin:
        sides.recipient = home
        tracer(parsed.doc).origin(frame, "recipient", RoleOrigin.CONTEXT, "the state whose own forces these are")
    elif home_role == "provider":
        sides.provider = home
        tracer(parsed.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the state whose own forces these are")


def _fill_from_flows(frame: Frame, parsed: ParsedSentence, priors: RolePriors, sides: _Sides) -> bool:
    """The parties of a frame the parse left without any: the flow its own sentence reports, else
    the article's main flow ('Four launchers will be provided in this tranche'). False (the drop
    recorded) when no flow fits an unanchored frame."""
    tracer_ = tracer(parsed.doc)
    local = None
    if frame.type is EventType.TRANSFER and (sides.provider is None or sides.recipient is None) \
            and sides.home_role is None:
        local = priors.sentence_flow(parsed.sentence.index, sides.provider, sides.recipient, sides.origin)
    if not frame.anchored and not frame.subject_pronoun and sides.home_role is None and not sides.told:
        named = frame.items or sides.fallback.canonical
        # an item named only as 'the contract' or 'them' is the one the sentence's own flow carries
        own = local if not frame.items else None
        flow = (own or priors.main_flow(sides.origin)) if frame.type is EventType.TRANSFER and named else None
        if flow is None:
            tracer_.drop(Reason.UNANCHORED, frame)
            return False
        sides.provider, sides.recipient = flow
        tracer_.origin(frame, "provider", RoleOrigin.CONTEXT, "the article's main flow")
        tracer_.origin(frame, "recipient", RoleOrigin.CONTEXT, "the article's main flow")
    if local is not None:
        sides.provider, sides.recipient = local  # the sentence's own flow before the article's
        tracer_.origin(frame, "provider", RoleOrigin.CONTEXT, "the flow the sentence itself reports")
        tracer_.origin(frame, "recipient", RoleOrigin.CONTEXT, "the flow the sentence itself reports")
    if frame.owner_ambiguous and sides.provider and sides.recipient is None \
            and priors.recipients[sides.provider] > priors.providers[sides.provider]:
        sides.provider, sides.recipient = None, sides.provider  # "Ukraine drawdown": Ukraine receives
        tracer_.origin(frame, "recipient", RoleOrigin.CONTEXT, "the article's flows make it a recipient")
    return True


def _fill_by_type(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], memory: SourceMemory,
                  priors: RolePriors, sides: _Sides) -> Reason | None:
    """What each type fills or demands: the story's side of a partnership 'with X', the company a
    production's 'the group' names, both sides of a partnership or production, the seller (or the
    borrower) of a payment; a drop reason when the frame cannot stand."""
    if sides.provider is None and sides.recipient is None:
        return Reason.NO_PARTY
    if frame.partner_only and (sides.provider is None) != (sides.recipient is None):
        partner = sides.provider or sides.recipient
        sides.provider, sides.recipient = partner, _story_side(frame, parsed, sentences, memory, partner)
    if frame.type is EventType.PRODUCTION and sides.provider is None and sides.recipient is not None \
            and frame.company_subject:
        sides.provider = _company_named_before(parsed, sentences, sides.recipient)
        tracer(parsed.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the company the article named before")
    if frame.type in (EventType.COOPERATION, EventType.PRODUCTION) and (sides.provider is None or sides.recipient is None):
        return Reason.ONE_SIDED  # a partnership, or help with production, needs both sides named in the sentence
    if frame.type is EventType.PAYMENT and sides.recipient is None and sides.provider is not None:
        sides.recipient = priors.borrower_of(sides.provider, _sentence_parties(parsed.doc)) if frame.credit \
            else priors.seller_to(sides.provider)
        tracer(parsed.doc).origin(frame, "recipient", RoleOrigin.CONTEXT, "the buyer the article names for the lender"
                                  if frame.credit else "the seller the article names for the payer")
    if sides.provider is None and frame.type is EventType.TRANSFER and sides.origin is not None \
            and sides.origin == sides.recipient:
        return Reason.DOMESTIC_PROCUREMENT  # "Russian forces take delivery of Su-35s": out of scope
    return None


def _frame_sources(frame: Frame, parsed: ParsedSentence, kb: KnowledgeBase, memory: SourceMemory) -> tuple[Source, ...]:
    """Who reports the frame: its own speaker, else the attribution a paragraph or the last few
    sentences carry on ('X said ...' and what follows), else the story's lead attribution. A frame
    with a speaker of its own becomes what the following sentences inherit."""
    sources = tuple(dict.fromkeys(sources_for(frame.trigger, kb, memory)))
    if sources == (AUTHOR_SOURCE,) and not in_time_of_saying(frame.trigger):
        inherited = memory.paragraph_source.get(parsed.sentence.paragraph)
        if inherited is None and memory.recent is not None \
                and parsed.sentence.index - memory.recent[0] <= ATTRIBUTION_CARRY:
            inherited = memory.recent[1]
        if inherited:
            sources = tuple(dict.fromkeys((AUTHOR_SOURCE, *inherited)))  # the article's voice, carrying the attribution on
        if sources == (AUTHOR_SOURCE,) and memory.lead is not None:
            sources = (AUTHOR_SOURCE, *memory.lead)  # the story's lead attribution governs what it goes on to report
    else:
        if memory.lead is None:
            memory.lead = tuple(s for s in sources if s.kind is not SourceKind.AUTHOR)[:1] or None
        memory.paragraph_source[parsed.sentence.paragraph] = sources
        memory.recent = (parsed.sentence.index, sources)
    return sources


def _frame_items(frame: Frame, parsed: ParsedSentence) -> list[ItemMention | None]:
    """One event per item; a vague add-on beside named goods ('anti-aircraft missiles and related
    equipment') is no flow of its own; a frame naming no item gives one event of the fallback item."""
    items: list[ItemMention | None] = list(frame.items) or [None]
    if not frame.value_on_first and any(m.item.category is not Category.UNSPECIFIED for m in frame.items):
        items = [m for m in frame.items if m.item.category is not Category.UNSPECIFIED]
        if len(items) < len(frame.items):
            tracer(parsed.doc).drop(Reason.GENERIC_ITEM_BESIDE_NAMED, frame)
    return items


def _frame_events(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], article: Article,
                  kb: KnowledgeBase, memory: SourceMemory, priors: RolePriors) -> list[Event]:
    """The events of one frame: its parties (the parse's, then the forces' state, the flows of the
    sentence and the article, what its type demands, then context), its sources, one event per item."""
    sides = _Sides(frame.provider, frame.recipient, Item(Category.UNSPECIFIED, None), None)
    if frame.pair_in_context:
        sides.provider, sides.recipient = _story_pair(frame, parsed, sentences)
    told = goods_told_before(frame, parsed, sentences, priors, kb)
    if told is not None:
        # "Three squadrons have been delivered": a further stage of the goods and flow just told
        sides.provider, sides.recipient, sides.fallback, sides.told = told.provider, told.recipient, told.item, True
        for role in ("provider", "recipient", "item"):
            tracer(parsed.doc).origin(frame, role, RoleOrigin.CONTEXT, "the transfer told just before")
    else:
        sides.fallback = _fallback_item(frame, parsed, sentences)
    sides.origin = _item_origin(frame, kb) or _system_origin(sides.fallback.canonical, kb)
    _fill_home_forces(frame, parsed, sentences, article, memory, sides)
    if not _fill_from_flows(frame, parsed, priors, sides):
        return []
    reason = _fill_by_type(frame, parsed, sentences, memory, priors, sides)
    if reason is not None:
        tracer(parsed.doc).drop(reason, frame, sides.origin if reason is Reason.DOMESTIC_PROCUREMENT
                                else sides.provider or sides.recipient or "")
        return []
    makers_supply = sides.provider is None and frame.type is EventType.TRANSFER and sides.origin is not None
    if sides.provider is None:
        sides.provider = _context_party(frame, parsed, sentences, {sides.recipient}, kb, "provider",
                                        _role_priors(frame, "provider", priors), sides.origin)
    makers_supply = makers_supply and sides.provider == sides.origin  # the catalogue named the seller, item by item
    if sides.recipient is None:
        sides.recipient = _context_party(frame, parsed, sentences, {sides.provider}, kb, "recipient",
                                         _role_priors(frame, "recipient", priors), sides.origin)
    provider, recipient = sides.provider, sides.recipient
    if _payment_side_guessed(frame, provider, recipient, priors, parsed.doc):
        tracer(parsed.doc).drop(Reason.PAYMENT_SIDE_GUESSED, frame, provider or recipient or "")
        return []
    if provider is None or recipient is None or provider == recipient:
        tracer(parsed.doc).drop(Reason.NO_PROVIDER if provider is None else Reason.NO_RECIPIENT if recipient is None
                                else Reason.SAME_PARTY, frame, provider or recipient or "")
        return []
    fallback = sides.fallback
    if frame.type is EventType.TRAINING and not frame.items:
        flown = priors.flow_item(provider, recipient, lambda item: operated_categories(frame)(item.category))
        if flown is not None:
            fallback = flown  # "Ukrainian crews were trained by US instructors": on what the US sends Ukraine
            tracer(parsed.doc).origin(frame, "item", RoleOrigin.CONTEXT, "the system the trainer sends the trainees")
    return _events_of(frame, parsed, article, kb, (provider, recipient), fallback, makers_supply,
                      _frame_sources(frame, parsed, kb, memory))


def _events_of(frame: Frame, parsed: ParsedSentence, article: Article, kb: KnowledgeBase, parties: tuple[str, str],
               fallback: Item, makers_supply: bool, sources: tuple[Source, ...]) -> list[Event]:
    """One event per item of the frame, with its sentence as evidence, its time, place and
    confidence; where the catalogue named the seller item by item, each item's maker supplies it."""
    provider, recipient = parties
    source_country = next((s.country for s in sources if s.country), None)
    evidence = Evidence(parsed.sentence.start, parsed.sentence.end, parsed.sentence.text)
    confidence = confidence_for(frame.trigger, kb, source_country)
    time = time_for(frame.trigger, article.published)
    location = _location(frame, kb)
    stance = Stance.DENIED if reported_as_false(frame.trigger) else frame.stance
    events = []
    for position, mention in enumerate(_frame_items(frame, parsed)):
        item = mention.item if mention else fallback
        maker = _system_origin(item.canonical, kb) if makers_supply else None
        events.append(Event(
            type=frame.type, provider=maker if maker and maker != recipient else provider, recipient=recipient,
            item=item, status=frame.status,
            stance=stance, quantity=mention.quantity if mention else _anaphor_quantity(frame),
            value=frame.money if not frame.value_on_first or position == 0 else None,
            time=time, location=location, sources=sources, confidence=confidence,
            evidence=(evidence,), article_id=article.id))
    return events


# Trainees who fly: what they learn to operate is an aircraft ('Ukrainian pilots were trained').
AIRCREW_NOUNS = frozenset({"pilot", "aircrew", "airman", "aviator"})
AIRCRAFT_CATEGORIES = frozenset({Category.COMBAT_AIRCRAFT, Category.OTHER_AIRCRAFT, Category.HELICOPTER, Category.UAV})
# What crews do not operate: rounds, parts and know-how are carried or used by a platform.
NOT_OPERATED = frozenset({Category.AMMUNITION, Category.COMPONENTS, Category.TECHNOLOGY, Category.MONEY,
                          Category.OTHER_MISSILE})


def operated_categories(frame: Frame):
    """Which item categories a training's trainees can be said to operate: aircraft for pilots
    ('Slovak instructors trained Ukrainian pilots'), any platform or missile system for crews
    and operators, but not rounds or parts ('operators were trained' on NASAMS, not its AIM-120s).
    Other frames accept any category."""
    if frame.type is not EventType.TRAINING:
        return lambda category: True
    if any(t.lemma_.lower() in AIRCREW_NOUNS for t in frame.trigger.sent):
        return lambda category: category in AIRCRAFT_CATEGORIES
    return lambda category: category not in NOT_OPERATED


# People who speak about a partnership rather than take part in it: "Japanese officials", "Western analysts".
ONLOOKER_NOUNS = frozenset({"official", "analyst", "expert", "diplomat", "lawmaker", "observer", "source", "media",
                            "commentator", "critic", "researcher"})


def _onlooker(span) -> bool:
    """'Japanese officials described the two militaries' cooperation': the party qualifies onlookers."""
    return np_head(span.root).lemma_.lower() in ONLOOKER_NOUNS


# Nouns naming a deal that can bundle training with the goods: "the contract includes pilot training".
BUNDLING_DEALS = SALE_NOUNS | {"package"}
DEAL_OR_INCLUSION = BUNDLING_DEALS | INCLUSION_VERBS  # "the contract ...", "... includes ..."


def listed_with_goods(t: Token) -> bool:
    """'includes logistics support and pilot training', 'spare parts, ground equipment and training':
    the noun is listed among what a deal includes, or beside goods the article names."""
    token = t
    while token.dep_ in ("conj", "compound", "appos") and token.head != token:
        token = token.head
        if span_at(token.doc, token, MentionKind.ITEM) or span_at(token.doc, token, MentionKind.SYSTEM):
            return True
    return token.dep_ == "dobj" and token.head.lemma_.lower() in INCLUSION_VERBS


def bundled_training(frame: Frame, sentence_frames: list[Frame], priors: RolePriors) -> Frame:
    """'The contract ... includes logistics support and pilot and maintainer training', '24 F-16s
    together with spare parts and training for Argentine pilots': training that names neither side
    but comes with a deal is given by the seller to the buyer, at the deal's stage. The deal is a
    transfer read in the same sentence, else the article's main flow when the sentence names a deal."""
    if frame.type is not EventType.TRAINING or frame.anchored or frame.trigger.pos_ not in ("NOUN", "PROPN") \
            or not listed_with_goods(frame.trigger):
        return frame
    deal = next((f for f in sentence_frames if f.type is EventType.TRANSFER and f.provider and f.recipient), None)
    if deal is not None:
        items = frame.items or [m for m in deal.items if m.item.category is not Category.UNSPECIFIED][:1]
        tracer(frame.trigger.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the seller of the deal it comes with")
        return replace(frame, provider=deal.provider, recipient=deal.recipient, items=items, anchored=True,
                       modality=Modality(deal.status, frame.stance))
    sentence = frame.trigger.sent
    names_deal = any(t.lemma_.lower() in DEAL_OR_INCLUSION for t in sentence)
    if not names_deal or not priors.pairs:
        return frame
    (provider, recipient), _ = priors.pairs.most_common(1)[0]
    tracer(frame.trigger.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the seller of the article's main deal")
    return replace(frame, provider=provider, recipient=recipient, anchored=True,
                   modality=Modality(Status.AGREED, frame.stance))


def _story_pair(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence]) -> tuple[str | None, str | None]:
    """'the two navies held their first joint exercise': the parties this sentence names (not the
    officials who speak of them), then those named most in the PAIR_WINDOW sentences before it."""
    own = [span.label_ for span in spans_of(parsed.doc, MentionKind.PARTY) if not _onlooker(span)]
    index = parsed.sentence.index
    before = [m.value for s in reversed(sentences[max(0, index - PAIR_WINDOW):index]) for m in reversed(s.mentions)
              if m.kind is MentionKind.PARTY]  # most recent first: Counter keeps that order among ties
    found = list(dict.fromkeys([*own, *(code for code, _ in Counter(before).most_common())]))
    if len(found) < 2:
        return None, None
    tracer(parsed.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the two parties the story names")
    tracer(parsed.doc).origin(frame, "recipient", RoleOrigin.CONTEXT, "the two parties the story names")
    return found[0], found[1]


def _story_side(frame: Frame, parsed: ParsedSentence, sentences: list[Sentence], memory: SourceMemory,
                partner: str) -> str | None:
    """The side a partnership 'with X' leaves unsaid: the dateline's state, else the party the
    article has named most so far, its subject ('Niger ... the military agreements with France')."""
    if memory.home and memory.home != partner:
        side: str | None = memory.home
    else:  # counted only here: most frames of a story with a dateline never need it
        index = parsed.sentence.index
        before = [m.value for s in reversed(sentences[:index + 1]) for m in reversed(s.mentions)
                  if m.kind is MentionKind.PARTY and m.value != partner]
        side = next((code for code, _ in Counter(before).most_common(1)), None)
    if side is not None:
        tracer(parsed.doc).origin(frame, "provider", RoleOrigin.CONTEXT, "the state the story is about")
    return side


# Words just before a group's name that make it the receiving end: "bound for the Houthis",
# "supplying weapons to the RSF", "rearm Hezbollah" (a group named after "against" or "fighting" is not).
RECEIVING_CUE = re.compile(r"\b(?:to|for|arm(?:s|ed|ing)?|re(?:arm|stock|suppl[a-z]*)[a-z]*|suppl(?:y|ies|ied|ying)|"
                           r"equip(?:s|ped|ping)?|help(?:s|ed|ing)?)\s+(?:the\s+)?(?:[a-z-]+\s+)?$")
CUE_WINDOW = 40


def receiving_groups(sentences: list[Sentence], events: list[Event], text: str,
                     group_bases: dict[str, str]) -> frozenset[str]:
    """The armed groups that the article shows on the receiving end: the recipient of an event
    read off a sentence's syntax, or a name preceded by a receiving cue anywhere in the article."""
    found = {e.recipient for e in events if e.recipient in group_bases}
    for sentence in sentences:
        for m in sentence.mentions:
            if m.kind is MentionKind.PARTY and m.value in group_bases and m.value not in found \
                    and RECEIVING_CUE.search(text[max(0, m.start - CUE_WINDOW):m.start].lower()):
                found.add(m.value)
    return frozenset(found)


# Mentions that name a state's government rather than its territory: "Addis Ababa bought ...",
# "the Somali defence ministry". Preceded by a locative preposition they are places ("in Sanaa").
GOVERNMENT_FORMS = ("capital", "metonym")
LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|outside|inside|around)\s+(?:the\s+)?$", re.IGNORECASE)


def governments_named(sentences: list[Sentence], text: str) -> frozenset[str]:
    """States the article names by their government (capital, metonym or a state organ), which
    then act in the story themselves and are not stand-ins for an armed group on their soil."""
    return frozenset(m.value for s in sentences for m in s.mentions if m.kind is MentionKind.PARTY
                     and (m.detail in GOVERNMENT_FORMS or m.detail.startswith("organ:"))
                     and not LOCATIVE_BEFORE.search(text[max(0, m.start - CUE_WINDOW):m.start]))


def _group_for_state(event: Event, stand_ins: dict[str, set[str]], governments: frozenset[str]) -> Event:
    """'weapons to Yemen' in a story about arming the Houthis go to the Houthis: an armed group
    that the article shows receiving arms stands for the state it operates from, as a recipient,
    unless the article names that state's government acting ('Addis Ababa bought jets'). A group
    named only as the enemy ('Bamako received helicopters' in a story about fighting JNIM) never
    replaces the state. `stand_ins` maps a state to the receiving groups based there."""
    if event.recipient in governments:
        return event
    if event.type in (EventType.TRAINING, EventType.COOPERATION, EventType.PRODUCTION):
        # "trained Libya's coastguard", "Sudan's Military Industry Corporation turned out rifles":
        # the state's own forces or industry, not a group on its soil
        return event
    groups = stand_ins.get(event.recipient, set())
    if len(groups) == 1 and event.provider != event.recipient:
        return event.with_changes(recipient=next(iter(groups)))
    return event


class _Unpriced:
    """The transfers of the article so far that have no value yet, by kind of item: where a sum
    that names no deal goes ('The tank deal is worth $3.37 billion'), found without rescanning the
    events for every sum."""

    def __init__(self) -> None:
        self.by_category: dict[Category, set[int]] = {}

    def add(self, position: int, event: Event) -> None:
        if event.type is EventType.TRANSFER and event.value is None:
            self.by_category.setdefault(event.item.category, set()).add(position)

    def target(self, frame: Frame) -> int | None:
        """The one earlier transfer of the frame's kind of item with no value yet, if exactly one."""
        categories = {m.item.category for m in frame.items}
        if len(categories) != 1:
            return None
        matching = self.by_category.get(next(iter(categories)), set())
        return next(iter(matching)) if len(matching) == 1 else None

    def priced(self, position: int, event: Event) -> None:
        self.by_category.get(event.item.category, set()).discard(position)


def _attach_value(events: list[Event], frame: Frame, unpriced: _Unpriced, sentences: list[Sentence],
                  text: str) -> None:
    """'The tank deal is worth $3.37 billion': a sum whose deal names no parties belongs to the
    one earlier event of that kind of item that has no value yet."""
    i = unpriced.target(frame)
    if i is None:
        return
    events[i] = reground([events[i]], [events[i].with_changes(value=frame.money)], sentences, text)[0]
    unpriced.priced(i, events[i])


MISSILE_CATEGORIES = frozenset({Category.BALLISTIC_MISSILE, Category.CRUISE_MISSILE, Category.OTHER_MISSILE})


def _answers(denial: Item, claim: Item) -> bool:
    """Can a denial naming `denial` answer a claim about `claim`? ('missile shipments' answers
    a claim about Fath-360 ballistic missiles; an unnamed item answers anything.)"""
    if denial.canonical is not None or claim.category is Category.UNSPECIFIED:
        return False
    if denial.category is Category.UNSPECIFIED:
        return not denial.name  # "denied supplying Russia" answers; "never provided lethal weapons" stands
    if denial.category is claim.category:
        return claim.canonical is not None
    return denial.category is Category.OTHER_MISSILE and claim.category in MISSILE_CATEGORIES


def fill_denied_items(events: list[Event]) -> list[Event]:
    """A denial answers a claim: it takes the claim's item (§2), preferring the claim before it.
    Claims are grouped by type and parties once, so the pass stays linear in the article's events."""
    claims_of: dict[tuple, list[int]] = {}
    for i, e in enumerate(events):
        if e.stance is Stance.ASSERTED:
            claims_of.setdefault((e.type, e.provider, e.recipient), []).append(i)
    out = []
    for i, event in enumerate(events):
        if event.stance is Stance.DENIED:
            positions = claims_of.get((event.type, event.provider, event.recipient), [])
            answering = (j for j in reversed(positions) if _answers(event.item, events[j].item))
            last = next(answering, None)
            if last is not None:
                earlier = last if last < i else next((j for j in reversed(positions[:bisect_left(positions, i)])
                                                      if _answers(event.item, events[j].item)), None)
                claim = events[last if earlier is None else earlier]
                status = claim.status if event.item.category is Category.UNSPECIFIED else event.status
                event = event.with_changes(item=claim.item, status=status)
        out.append(event)
    return out


def fill_canonical(events: list[Event], sentences: list[Sentence], kb: KnowledgeBase) -> list[Event]:
    """'drones' in a story about one drone system are that system (§1); 'the aircraft' right after
    'J-10C' is the J-10C."""
    named: dict[Category, set[str]] = {}
    for sentence in sentences:
        for m in sentence.mentions:
            if m.kind is MentionKind.SYSTEM:
                named.setdefault(Category(m.detail), set()).add(m.value)
    by_start = {s.start: s.index for s in sentences}
    out = []
    for event in events:
        if event.item.canonical is None and event.type is not EventType.COOPERATION:
            systems = named.get(event.item.category, set())
            category = event.item.category
            if category is Category.OTHER_MISSILE and not systems and not _kind_of_missile_named(event.item.name, kb):
                # 'the missiles' in a story naming one missile system, of whatever missile category
                missiles = {(c, s) for c in MISSILE_CATEGORIES for s in named.get(c, ())}
                if len(missiles) == 1:
                    category, only = missiles.pop()
                    systems = {only}
            canonical = next(iter(systems)) if len(systems) == 1 else None
            if canonical is None and systems and event.evidence:
                canonical = _recent_system(event.item.category, by_start.get(event.evidence[0].start), sentences)
            if canonical is not None:
                event = event.with_changes(item=Item(category, event.item.name, canonical))
        out.append(event)
    return out


# Missile words that say no more than 'a missile' (item_terms.csv): a story's one missile system is what they mean.
GENERIC_MISSILE_TERMS = frozenset({"missile", "guided missile", "long-range missile"})
_MISSILE_KINDS: dict[int, re.Pattern[str]] = {}  # knowledge base -> its kinds of missile, as one pattern


def _kind_of_missile_named(name: str, kb: KnowledgeBase) -> bool:
    """Does the item name a kind of missile ('anti-tank missiles'), not just 'the missiles'? A kind
    keeps its own category when the story names one missile system of another."""
    kinds = _MISSILE_KINDS.get(id(kb))
    if kinds is None:
        terms = sorted((term for term, category in kb.item_terms.items() if category is Category.OTHER_MISSILE
                        and term.removesuffix("s") not in GENERIC_MISSILE_TERMS), key=len, reverse=True)
        kinds = _MISSILE_KINDS[id(kb)] = re.compile(r"\b(?:%s)s?\b" % ("|".join(map(re.escape, terms)) or "(?!)"))
    return kinds.search(name.casefold()) is not None


def _recent_system(category: Category, index: int | None, sentences: list[Sentence]) -> str | None:
    """The last system of `category` named in this sentence or the few before it."""
    if index is None:
        return None
    for i in range(index, max(-1, index - 1 - ITEM_CONTEXT_WINDOW), -1):
        found = [m.value for m in sentences[i].mentions if m.kind is MentionKind.SYSTEM and m.detail == category.value]
        if found:
            return found[-1]
    return None


def merge_events(events: list[Event]) -> list[Event]:
    """One event per merge key, with all the evidence and sources of its mentions. Each event is
    built once from all its mentions (linear in them, however often an article repeats a flow)."""
    groups: dict[tuple[str, ...], list[Event]] = {}
    for event in events:
        groups.setdefault(event.merge_key, []).append(event)
    return [group[0] if len(group) == 1 else _merged(group) for group in groups.values()]


def _merged(group: list[Event]) -> Event:
    """The first mention with the others' evidence, sources and spans added, in order of mention,
    and the first of them that gives each slot."""
    first = group[0]
    quantity = first.quantity
    for event in group[1:]:
        quantity = _better_quantity(quantity, event.quantity)
    return first.with_changes(
        sources=tuple(dict.fromkeys(s for e in group for s in e.sources)),
        evidence=tuple(dict.fromkeys(x for e in group for x in e.evidence)),
        quantity=quantity,
        value=next((e.value for e in group if e.value), None),
        time=next((e.time for e in group if e.time), None),
        location=next((e.location for e in group if e.location), None),
        confidence=next((e.confidence for e in group if e.confidence), None),
        item=next((e.item for e in group if e.item.name), group[-1].item),
        spans=join_spans(*(e.spans for e in group)),
    )


def _better_quantity(a, b):
    """An exact count beats a vague one ('6,000' over the headline's 'thousands')."""
    if a is None or (a.value is None and b is not None and b.value is not None):
        return b
    return a


def assemble(article: Article, sentences: list[Sentence], parsed: list[ParsedSentence],
             kb: KnowledgeBase, trace: NoTrace = NO_TRACE, deadline: float | None = None) -> list[Event]:
    """All events of one article, in order of first mention; `trace` records how (`materiel explain`).
    Past `deadline` (a `time.monotonic()` value) it stops with `ArticleTimeout`."""
    memory = SourceMemory(home=dateline_state(article.full_text, kb))
    memory.lead = interviewee(sentences, [(p.sentence, p.doc) for p in parsed], kb, memory)
    events: list[Event] = []
    unpriced = _Unpriced()
    frames = [(p, [] if p.context_only else read_frames(p.doc, kb)) for p in parsed]
    priors = RolePriors.of([f for _, fs in frames for f in fs])
    for p, sentence_frames in frames:
        if deadline is not None and time.monotonic() > deadline:
            raise ArticleTimeout()
        first = len(events)
        for frame in (bundled_training(f, sentence_frames, priors) for f in _prices_last(sentence_frames)):
            if frame.prices_deal:
                _price_of_deal(frame, events[first:], p)
            found = ground(frame_events(frame, p, sentences, article, kb, memory, priors), frame, p, sentences,
                           article.full_text, kb)
            if not found and frame.money is not None:
                _attach_value(events, frame, unpriced, sentences, article.full_text)
            for event in found:
                unpriced.add(len(events), event)
                events.append(event)
            priors.remember_flows(frame, p.sentence.index, found)
            priors.remember_told(frame, p.sentence.index, found)
            trace.frame(p, frame, found)
        sentence_speakers(p.doc, kb, memory)
    trace.stage(RoleOrigin.CONTEXT, "the sum a later sentence gives the deal", events)
    voice = publication_voice(article)
    if voice is not None:
        events = [e.with_changes(sources=tuple(voice if s == AUTHOR_SOURCE else s for s in e.sources)) for e in events]
    stand_ins: dict[str, set[str]] = {}
    for group in receiving_groups(sentences, events, article.full_text, kb.group_bases):
        stand_ins.setdefault(kb.group_bases[group], set()).add(group)  # computed once: linear in the events
    governments = governments_named(sentences, article.full_text)
    events = reground(events, [_group_for_state(e, stand_ins, governments) for e in events], sentences,
                      article.full_text)
    trace.stage(RoleOrigin.GROUP_FOR_STATE, "an armed group the article shows receiving", events)
    events = reground(events, fill_denied_items(events), sentences, article.full_text)
    trace.stage(RoleOrigin.CONTEXT, "the claim this denial answers", events)
    events = fill_canonical(events, sentences, kb)
    trace.stage(RoleOrigin.CONTEXT, "the system of this kind the article names", events)
    merged = merge_events(events)
    trace.merged(events, merged)
    return merged

