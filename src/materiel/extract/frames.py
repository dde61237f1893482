"""From a trigger word to the roles of the act it reports: who gives, who gets, what, how much.

Each trigger of the lexicon says which grammatical position holds which party: the subject of
*send* is the provider and its *to*-object the recipient; the subject of *obtain* is the
recipient and its *from*-object the provider; a passive turns the subject into the thing sent.
Nouns ('the delivery of S-300s to Syria', 'Iran's purchase of Su-35s') read their possessor,
modifiers and prepositional objects the same way. A frame keeps what the sentence itself
says; `assemble` fills what it leaves to the neighbouring sentences.
"""

from __future__ import annotations

import re

from typing import Callable

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from ..knowledge.base import KnowledgeBase
from ..knowledge.loaders import Trigger
from ..model import Category, EventType, Item, MentionKind, Money, Reason, Stance, Status
from .arguments import ITEM_HEAD_NOUNS, ItemMention, items_in, parties_in, phrase
from .mentions import doc_text, party_of, span_at, spans_of
from .quantities import VAGUE_COUNTS, parse_money, parse_number
from .status import Modality, future, governing_chain, is_infinitive, modality, negated

from .roles import (ADJ_DEPS, RECEIVING_CARRIERS, COOPERATION_HEADS, DEPENDENCE_WORDS, DESTINATION_VERBS, DOMESTIC_CUES, EXCHANGE_NOUNS, INCLUSION_VERBS,
                    LIGHT_VERBS, PACKAGE_NOUNS, PRODUCTION_SITES,
                    alliance_joined, studies_at_school, cooperation_pair_in_context, cooperation_parties, coordinated_rest, first_party, parallel_sources, partner_only,
                    help_phrases, is_credit, item_origin_adjective, money_in, negotiating_partners, origin_of, lent_help, payment_roles, production_roles, training_roles, transfer_roles)
from .syntax import NOUN_POS, VERB_POS, children_of, is_passive, phrase_tokens, prep_objects, subject_heads
from .trace import tracer


@dataclass
class Frame:
    """One trigger's reading of its sentence."""

    type: EventType
    trigger: Token
    provider: str | None
    recipient: str | None
    items: list[ItemMention]
    modality: Modality
    money: Money | None = None
    also_providers: tuple[str, ...] = ()  # "Denmark and the Netherlands committed F-16s"
    also_recipients: tuple[str, ...] = ()
    anchored: bool = False  # a party is attached to the trigger in the parse
    subject_pronoun: bool = False
    value_on_first: bool = False  # the money belongs to the first (umbrella) item only
    anaphor_count: int | None = None  # "six of those landed": a count for an item named earlier
    owner_ambiguous: bool = False  # "Ukraine drawdown": a noun modifier may be either side
    subject_role: str | None = None  # which role the trigger's grammatical subject plays (the lexicon's)
    pair_in_context: bool = False  # "the two navies held an exercise": the story's two parties
    partner_only: bool = False  # "the cooperation memorandum with India": the other side is the story's
    credit: bool = False  # "paid for with Japanese loans": money lent or given to a buyer, lender -> borrower
    company_subject: bool = False  # "the group is building a shell plant in Lithuania": a company named before
    prices_deal: bool = False  # "half of the price to be paid in palm oil": the buyer of the sentence's deal pays
    members: tuple[str, ...] = ()  # "Mali, Niger and Burkina Faso signed a defence pact": parties past the first two

    @property
    def status(self) -> Status:
        return self.modality.status

    @property
    def stance(self) -> Stance:
        return self.modality.stance


HELPING_VERBS = frozenset({"help", "assist", "enable", "support", "allow"})
HELPING_FORMS = re.compile(r"\b(?:help|assist|enabl|support|allow)", re.IGNORECASE)  # every form of those verbs
# What a helper teaches when it helps someone *use* a weapon ("helping Russian troops operate drones").
OPERATING_VERBS = frozenset({"operate", "use", "fly", "launch", "maintain", "master", "handle", "employ"})
REFLEXIVES = frozenset({"itself", "themselves", "himself", "herself", "ourselves", "ourself"})
# Particles that turn a trigger verb into something else: "Kyiv clears up", "passed away".
FOREIGN_PARTICLES = frozenset({"up", "out", "off", "away", "down"})


def trigger_spec(token: Token, kb: KnowledgeBase, label: str) -> tuple[Trigger, bool] | None:
    """The lexicon entry for a trigger token and whether it is used as a noun."""
    lemma = token.lemma_.lower()
    entries = (kb.triggers.get(label) if _specific_entry(token, label) else None) \
        or kb.triggers.get(lemma) or kb.triggers.get(label)
    if not entries:
        tracer(token.doc).drop(Reason.NOT_IN_LEXICON, token)
        return None
    verbal = _verb_tagged_noun(token)
    nominal = token.pos_ in NOUN_POS and not verbal
    if not nominal and token.pos_ not in VERB_POS | {"ADJ"} and not verbal:
        tracer(token.doc).drop(Reason.TRIGGER_POS, token, token.pos_)
        return None
    verb_only = kb.verb_only(lemma)
    if verb_only and token.pos_ not in VERB_POS and not verbal:
        tracer(token.doc).drop(Reason.VERB_ONLY_AS_NOUN, token, token.pos_)
        return None  # "shares in the maker jumped", "major arms", "the armed forces"
    if any(c.dep_ == "prt" and c.lower_ in FOREIGN_PARTICLES for c in token.children) and verb_only:
        tracer(token.doc).drop(Reason.PHRASAL_VERB, token)
        return None  # "Kyiv clears up after the strikes"
    if any(c.dep_ in ("dobj", "dative") and c.lower_ in REFLEXIVES for c in token.children):
        tracer(token.doc).drop(Reason.REFLEXIVE, token)
        return None  # "Serbia is arming itself": its own procurement
    if token.pos_ == "ADJ" and token.dep_ not in ADJ_DEPS | {"acomp"}:
        tracer(token.doc).drop(Reason.ADJECTIVE_NOT_MODIFIER, token, token.dep_)
        return None
    if nominal and token.i > 0 and token.nbor(-1).lower_ == "in" and lemma == "order":
        tracer(token.doc).drop(Reason.IN_ORDER_TO, token)
        return None  # "in order to"
    return entries[0], nominal


def _verb_tagged_noun(token: Token) -> bool:
    """'... as Japanese radars and patrol ships flow to Manila': a headline's verb the tagger took for
    a noun heads a clause with a subject of its own."""
    return token.dep_ in ("ROOT", "advcl", "ccomp", "conj", "relcl") and any(
        c.dep_ == "nsubj" for c in token.children)


def _specific_entry(token: Token, label: str) -> bool:
    """A several-word entry is more specific than its head word ('a defence agreement' is a
    partnership), unless the phrase names the goods it is for ('a defence agreement for 180 tanks')."""
    if " " not in label:
        return False
    scope = phrase(token) + [x for o in prep_objects(token.head, frozenset({"for", "of"})) for x in phrase(o)] \
        if token.dep_ == "dobj" else phrase(token)
    return not any(m.item.category is not Category.UNSPECIFIED for m in items_in(scope))


def read_frames(doc: Doc, kb: KnowledgeBase) -> list[Frame]:
    """Every frame that a trigger in the sentence licenses."""
    frames: list[Frame] = []
    trigger_tokens = {span.root.i for span in spans_of(doc, MentionKind.TRIGGER)}
    for span in spans_of(doc, MentionKind.TRIGGER):
        t = span.root
        spec = trigger_spec(t, kb, span.label_)
        if spec is None:
            continue
        trig, nominal = spec
        if nominal and _governed_by_trigger(t, trigger_tokens) and trig.type is EventType.TRANSFER:
            tracer(doc).drop(Reason.GOVERNED_BY_TRIGGER, t, t.head.text)
            continue  # "received consignments of X": the verb's frame already reports it
        if nominal and trig.type is EventType.TRANSFER and _listed_in_package(t, trigger_tokens):
            tracer(doc).drop(Reason.LISTED_IN_PACKAGE, t)
            continue  # "the package covers technology transfer and ...": the package's frame reports it
        untold = _untold(t)
        if untold is not None:
            tracer(doc).drop(untold, t)
            continue
        mod = modality(t, told_status(t, trig, nominal, kb), kb.status_cues)
        frame = _frame_for(t, trig, nominal, mod, kb)
        if frame is not None and not nominal:
            frame.subject_role = trig.subject
        if frame is not None:
            frames.append(frame)
            counter = _counter_flow(frame)
            if counter is not None:
                frames.append(counter)
            frames.extend(_further_pairs(frame, nominal))
            later = _later_stage(frame, kb) if nominal else _delivery_told_beside(frame, trig, kb)
            if later is not None:
                frames.append(later)
    if HELPING_FORMS.search(doc_text(doc)):  # most sentences have none: no token to look at
        frames.extend(f for f in (_helping_to_operate(t, kb) for t in doc if t.lemma_.lower() in HELPING_VERBS)
                      if f is not None)
    return frames


# Participles that name where a shipment is headed, and only that: "weapons bound for the Houthis",
# "rifles destined for Yemen".
BOUND_FOR = frozenset({"bind", "destine"})
# Subordinators of a condition: what the clause says is supposed, not reported.
CONDITION_MARKS = frozenset({"if", "unless"})
# Prepositions of the means of carriage: "on board two C-130 planes", "aboard the ship", "with a C-17 landing".
CARRIAGE_PREPS = frozenset({"board", "aboard", "onboard", "with", "by"})
ARRIVAL_VERBS = frozenset({"land", "landing", "arrive", "arrival", "dock"})


def _conditional(t: Token) -> bool:
    """'If the rebels obtained air defence systems, ...': the trigger is inside an if-clause."""
    token = t
    for _ in range(8):
        if token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for c in token.children):
            return True
        if token.head == token:
            return False
        token = token.head
    return False


def _carrier_arrival(t: Token) -> bool:
    """'arrived on board two C-130 planes which landed at the airport', 'with a C-17 landing at the
    base': the landing vehicle carries the cargo that another word of the sentence reports."""
    if t.lemma_.lower() not in ARRIVAL_VERBS:
        return False
    if t.dep_ in ("relcl", "acl") and t.head.pos_ in NOUN_POS:
        vehicle = t.head  # the noun phrase comes right after its preposition, however the parser hangs it
    elif t.dep_ == "pobj":
        vehicle = t
    else:
        return False
    before = vehicle.left_edge.i - 1
    return before >= 0 and t.doc[before].lower_ in CARRIAGE_PREPS


def _untold(t: Token) -> Reason | None:
    """Why a trigger reports no act at all: a condition, or the carrier of another's cargo."""
    if _conditional(t):
        return Reason.HYPOTHETICAL
    if _carrier_arrival(t):
        return Reason.CARRIER
    return None


PAST_TAGS = frozenset({"VBD", "VBN"})
PRESENT_TAGS = frozenset({"VBZ", "VBP"})
# Prepositions that tie a purchase to its deal: "for $40 million", "in a 2017 contract", "under an order".
DEAL_PREPS = frozenset({"for", "in", "under"})
DEAL_NOUNS = frozenset({"contract", "deal", "agreement", "order"})
CLAUSE_BREAKS = frozenset({",", ";", ":"})


def _priced_deal(t: Token) -> bool:
    """'Yerevan bought four radars for $40 million', 'bought NASAMS in a 2017 contract': the
    purchase told with its own price or contract is the deal (agreed), not the item in service
    (ONTOLOGY §9.13). Read along the verb's clause up to its first comma, however the parser hung
    the phrase."""
    inside = {c.i for c in t.subtree}
    for token in t.doc[t.i + 1:]:
        if token.i not in inside or token.text in CLAUSE_BREAKS:
            return False
        if token.dep_ == "prep" and token.lower_ in DEAL_PREPS and not _in_order_to(token):
            words = list(token.subtree)
            if any(w.lemma_.lower() in DEAL_NOUNS for w in words):
                return True
            if token.lower_ == "for" and parse_money(t.doc[words[0].i: words[-1].i + 1].text) is not None:
                return True
    return False


def _in_order_to(prep: Token) -> bool:
    """'bought ... in order to hand them over': a purpose, not an order."""
    return prep.i + 1 < len(prep.doc) and prep.nbor(1).lower_ == "order"


def told_status(t: Token, trig: Trigger, nominal: bool, kb: KnowledgeBase | None = None) -> Status:
    """The stage the trigger word states before any governing word is read: a verb told in the
    past may state a later one ('bought' vs 'buys'; the lexicon's past_status), unless it is told
    with its own price or contract, or the sentence tells that later stage with a verb of its own
    (ONTOLOGY §9.5, §9.13)."""
    if trig.past_status is not None and not nominal and t.tag_ in PAST_TAGS and not _priced_deal(t) \
            and not (kb is not None and _later_stage_told_beside(t, trig.past_status, kb)):
        return trig.past_status
    if trig.past_status is not None and not nominal and trig.type is EventType.PRODUCTION \
            and t.tag_ in PRESENT_TAGS and not future(t) and not is_infinitive(t):
        return trig.past_status  # 'which Pakistan builds with Chinese help': production under way
    return trig.status


def _delivery_told_beside(frame: Frame, trig: Trigger, kb: KnowledgeBase) -> Frame | None:
    """'had bought two submarines from China, delivered in 2016', 'jets ordered in 2013 and
    delivered between 2015 and 2017': the purchase or order (read as the deal, see told_status)
    and the delivery told beside it are two stages of the same goods; the delivery's own frame,
    if it has one ('and received them'), merges with this one."""
    t, later = frame.trigger, trig.past_status or Status.DELIVERED
    if frame.type is not EventType.TRANSFER or t.pos_ not in VERB_POS or frame.status is not trig.status \
            or trig.status is not Status.AGREED or (trig.past_status is not None and t.tag_ not in PAST_TAGS) \
            or not any(not _own_object(verb) for verb in _later_stage_told_beside(t, later, kb)):
        return None
    return replace(frame, modality=Modality(later, frame.stance))


def _own_object(verb: Token) -> bool:
    """'and received the first six': the verb names what it moves (its own frame reads it)."""
    return any(c.dep_ in ("dobj", "nsubjpass", "nsubj") for c in verb.children)


def _later_stage_told_beside(t: Token, later: Status, kb: KnowledgeBase) -> list[Token]:
    """'bought two batteries from Israel in 2019 and received them the following year', 'had
    bought two submarines from China, delivered in 2016': the verbs coordinated with the purchase,
    or participles on what it bought, that tell the `later` stage (the purchase is then the deal)."""
    beside = [c for c in t.children if c.dep_ == "conj"] + ([t.head] if t.dep_ == "conj" else [])
    beside += [a for o in children_of(t, ("dobj",)) for a in o.children if a.dep_ == "acl"]
    beside += [c for c in t.children if c.dep_ == "advcl" and c.tag_ == "VBN"  # "..., delivered in 2016"
               and not any(x.dep_ in ("mark", "nsubj", "nsubjpass") for x in c.children)]
    found = []
    for verb in beside:
        if verb.pos_ not in VERB_POS or verb.tag_ not in PAST_TAGS:
            continue  # "flies Yak-130s ..., both bought from Russia": in service now, no delivery told
        entries = kb.triggers.get(verb.lemma_.lower())
        if entries and entries[0].type is EventType.TRANSFER and entries[0].past_status is None \
                and entries[0].status is later and not negated(verb):
            found.append(verb)
    return found


# Nouns of one load of goods, which 'the' points back to as it does to a deal: "the consignment was frozen".
CONSIGNMENT_NOUNS = frozenset({"shipment", "consignment", "delivery", "cargo"})


# Nouns of a deal or a consignment that a later 'it' in the sentence may stand for.
# Nouns of a deal for goods: the DEAL_NOUNS and the sale or purchase they make.
SALE_NOUNS = DEAL_NOUNS | {"sale", "purchase"}
DEAL_OR_CONSIGNMENT = SALE_NOUNS | CONSIGNMENT_NOUNS
# Cue effects that are no stage of their own.
NON_STAGE_EFFECTS = frozenset({"realis", "denied"})


def _later_stage(frame: Frame, kb: KnowledgeBase) -> Frame | None:
    """'A contract for the system had been signed years earlier, but Moscow suspended it in 2013':
    a stage verb after a deal noun, in another clause of the sentence, whose object is 'it', tells
    a further stage of the same deal (ONTOLOGY §1: another stage is another event)."""
    t = frame.trigger
    if frame.type is not EventType.TRANSFER or t.lemma_.lower() not in DEAL_OR_CONSIGNMENT or t.tag_ != "NN":
        return None
    chain = set(governing_chain(t))
    for verb in t.doc[t.i + 1:]:
        if verb.pos_ not in VERB_POS or verb in chain or not any(
                c.dep_ == "dobj" and c.lower_ == "it" for c in verb.children):
            continue
        effect = kb.status_cues.get(verb.lemma_.lower())
        if effect is None or effect in NON_STAGE_EFFECTS or effect == frame.status.value or negated(verb):
            return None
        return replace(frame, modality=Modality(Status(effect), frame.stance))
    return None


def _helping_to_operate(helping: Token, kb: KnowledgeBase) -> Frame | None:
    """'Iranian trainers were helping Russian troops operate the drones': know-how lent to use a
    weapon is training, with the helper as provider and the helped as recipient."""
    if helping.pos_ not in VERB_POS:
        return None
    clause = [t for t in helping.subtree if t.dep_ != "relcl"]
    operating = next((t for t in clause if t.lemma_.lower() in OPERATING_VERBS and t != helping), None)
    if operating is None:
        return None
    helpers = parties_in(phrase_tokens(subject_heads(helping)))
    complements = [c for c in helping.children if c.dep_ in ("xcomp", "ccomp")]
    helped = parties_in(phrase_tokens(children_of(helping, ("dobj",)) +
                                      [s for c in complements for s in children_of(c, ("nsubj",))]))
    provider, recipient = first_party(helpers), first_party(helped)
    items = [m for m in items_in(phrase(operating)) if m.item.category is not Category.UNSPECIFIED]
    if provider is None or recipient is None or provider == recipient or not items:
        tracer(helping.doc).drop(Reason.HELPING_INCOMPLETE, helping, operating.text)
        return None
    return Frame(EventType.TRAINING, helping, provider, recipient, items,
                 modality(helping, Status.DELIVERED, kb.status_cues), anchored=True)


def _further_pairs(frame: Frame, nominal: bool) -> list[Frame]:
    """'Australia joined the AUKUS pact with the United States and Britain', 'held an exercise
    with Tanzania and Mozambique': a partnership of three or more names one event per pair
    (ONTOLOGY §9.3); the frame itself holds the first pair."""
    if frame.type is not EventType.COOPERATION:
        return []
    parties = cooperation_parties(frame.trigger, nominal)
    if nominal and frame.trigger.tag_ in ("NNS", "NNPS"):
        # "Japan has access pacts with Australia and Britain": one pact with each, not among them
        return [replace(frame, recipient=b) for b in parties[2:]]
    pairs = [(a, b) for i, a in enumerate(parties) for b in parties[i + 1:]][1:]
    return [replace(frame, provider=a, recipient=b) for a, b in pairs]


# Trainees who are trained on a weapon system, not as soldiers in general.
OPERATOR_NOUNS = frozenset({"operator", "crew", "pilot", "technician", "maintainer", "gunner", "mechanic", "crewman",
                            "system", "complex", "battery"})  # "the servicemen assigned to the two systems"


def _system_bound(t: Token) -> bool:
    """Does the training sentence speak of people who operate a system ('operators', 'crews',
    'to operate the complex', 'assigned to the systems')? Only then is its item the system named nearby."""
    return any(x.lemma_.lower() in OPERATOR_NOUNS or (x.lemma_.lower() in OPERATING_VERBS and x.pos_ in VERB_POS)
               for x in t.sent)


POSSESSIVE_PRONOUNS = frozenset({"its", "their"})


def _possessor_named_before(t: Token, trainers: set[str]) -> list:
    """'Nigeria's F-7s were bought from China, and its pilots were trained in China': trainees
    owned by 'its'/'their' belong to the first party the sentence names before them, not the trainer."""
    owned = [s for s in subject_heads(t) if any(c.dep_ == "poss" and c.lower_ in POSSESSIVE_PRONOUNS for c in s.children)]
    if not owned:
        return []
    before = [(code, span) for code, span in parties_in(list(t.sent)) if span.end <= owned[0].i and code not in trainers]
    return before[:1]


# Nouns by which a report refers back to a company it has named: "the group", "the firm".
COMPANY_NOUNS = frozenset({"company", "group", "firm", "manufacturer", "maker", "shipbuilder", "shipyard", "contractor"})


def _company_subject(t: Token) -> bool:
    """'the group is building a 155mm shell plant in Lithuania': the subject is a company the
    article named before ('the' + a company noun, no party in it)."""
    subjects = subject_heads(t) if t.pos_ in VERB_POS else []
    return bool(subjects) and all(s.lemma_.lower() in COMPANY_NOUNS and any(c.lower_ == "the" for c in s.children)
                                  and not parties_in(phrase(s)) for s in subjects)


def _payment_frame(t: Token, nominal: bool, mod: Modality, subject_pronoun: bool) -> Frame | None:
    """A payment: payer, payee, the sum, and whether it pays the price of a deal in the sentence."""
    if nominal and _credit_that_pays(t):
        tracer(t.doc).drop(Reason.GOVERNED_BY_TRIGGER, t, "pay")
        return None  # "a credit line that paid for guard boats": the payment verb reports it
    price = _pays_a_price(t)
    if t.lemma_.lower() in PRICE_BOUND_PAYMENTS and not price:
        tracer(t.doc).drop(Reason.NO_PRICE_SETTLED, t)
        return None  # "the dispute was settled", "settled in Crimea"
    payers, payees, money, anchored, credit = payment_roles(t, nominal)
    helpers = _paying_helpers(t, payers) if not nominal else []
    if helpers:
        # "$40m in financing to help Argentina pay for them": money given to a buyer, as a credit is
        payers, payees, anchored, credit = helpers, payers, True, True
    if money is None and nominal:
        tracer(t.doc).drop(Reason.PAYMENT_WITHOUT_SUM, t)
        return None  # "payment" with no sum is too vague; "Russia paid for drones" is not
    item = ItemMention(t, Item(Category.MONEY, money.text if money else "payment"), None, t.i, t.i + 1)
    return Frame(EventType.PAYMENT, t, first_party(payers), first_party(payees), [item], mod, money,
                 anchored=anchored, subject_pronoun=subject_pronoun, credit=credit,
                 prices_deal=price and not (payers or payees))


def _paying_helpers(t: Token, payers: list) -> list:
    """'the administration pledged $40 million to help Argentina pay for the jets': who helps a
    named payer pay gives it the money (helper -> payer)."""
    helping = _helping_governor(t)
    if helping is None or not payers:
        return []
    codes = {code for code, _ in payers}
    return [p for p in parties_in(phrase_tokens(subject_heads(helping))) if p[0] not in codes]


# Nouns for what a buyer owes a seller; verbs that are a payment only when one of them is settled.
PRICE_NOUNS = frozenset({"price", "bill", "cost", "invoice", "debt", "tab"})
PRICE_BOUND_PAYMENTS = frozenset({"settle"})


def _pays_a_price(t: Token) -> bool:
    """'part of the bill was settled in palm oil', 'half of the price to be paid in commodities':
    the payment's object (or passive subject, or the noun it qualifies) is a price."""
    candidates = children_of(t, ("dobj",)) + (subject_heads(t) if is_passive(t) else [])
    if t.dep_ in ("acl", "relcl") and t.head.pos_ in NOUN_POS:
        candidates.append(t.head)
    return any(c.lemma_.lower() in PRICE_NOUNS or
               any(o.lemma_.lower() in PRICE_NOUNS for o in prep_objects(c, frozenset({"of"})))
               for c in candidates)


def _credit_that_pays(t: Token) -> bool:
    """'a $100m credit line that paid for guard boats': the credit is the subject of a payment verb."""
    noun = t.head if t.dep_ == "compound" else t
    return any(c.dep_ == "relcl" and c.lemma_.lower() == "pay" for c in noun.children)


def _credit_deal(t: Token) -> bool:
    """'a loan agreement', 'a credit deal': a deal for money lent (a payment), not for goods."""
    return any(c.dep_ == "compound" and is_credit(c) for c in t.children)


def _counter_items(t: Token) -> list[ItemMention]:
    """Goods that flow back: 'paid for Iranian drones', 'in exchange for 160 drones'."""
    tokens = []
    preps = [c for c in t.subtree if c.dep_ == "prep" and (c.head == t or c.head.dep_ in ("pobj", "dobj", "dative"))]
    for prep in preps:
        for obj in (p for p in prep.children if p.dep_ == "pobj"):
            if prep.lower_ == "for" and t.lemma_.lower() == "pay":
                tokens += phrase(obj)  # "paid Iran in cash for Shahed drones"
            elif prep.lower_ == "in" and obj.lemma_.lower() in EXCHANGE_NOUNS:
                tokens += [x for p2 in obj.children if p2.dep_ == "prep" and p2.lower_ == "for" for x in p2.subtree]
    return [m for m in items_in(tokens) if m.item.category is not Category.MONEY]


def _counter_flow(frame: Frame) -> Frame | None:
    """The transfer implied in return: the payer or giver receives the counter-goods (not a lender:
    'a French credit line that paid for helicopters' gives France no helicopters)."""
    if frame.type not in (EventType.PAYMENT, EventType.TRANSFER) or frame.provider is None or frame.credit:
        return None
    items = _counter_items(frame.trigger)
    if not items:
        return None
    giver = frame.recipient or item_origin_adjective(items)
    mod = frame.modality
    if mod.status is Status.DELIVERED and any(_never_delivered(m.head) for m in items):
        mod = Modality(Status.AGREED, mod.stance)  # paid for, but the goods never came
    return Frame(EventType.TRANSFER, frame.trigger, giver, frame.provider, items, mod,
                 anchored=True, subject_pronoun=frame.subject_pronoun)


# Verbs of the goods coming: "weapons which were never delivered", "arms that have not arrived".
ARRIVING_LEMMAS = frozenset({"deliver", "arrive", "receive", "ship", "supply", "come"})


def _never_delivered(item: Token) -> bool:
    """'paid Russia for weapons (worth $400 million) which were never delivered': the item's own
    clause denies its coming."""
    return any(c.dep_ in ("relcl", "acl") and c.lemma_.lower() in ARRIVING_LEMMAS and negated(c)
               for c in item.subtree)


def _governed_by_trigger(t: Token, trigger_tokens: set[int]) -> bool:
    governor = t.head if t.dep_ in ("dobj", "nsubjpass", "attr") else t.head.head if t.dep_ == "pobj" else None
    return governor is not None and governor.i in trigger_tokens and governor.pos_ in VERB_POS \
        and governor.lemma_.lower() not in LIGHT_VERBS


GENERIC_RECIPIENTS = frozenset({"country", "nation", "party", "state", "buyer", "customer", "client", "region",
                                "anyone", "anybody"})


# Nouns that name a class of recipients only in the plural: 'sold TB2s to more than a dozen African
# governments' names no one; 'sold drones to the army' names the story's own army.
PLURAL_GENERIC_RECIPIENTS = frozenset({"government", "army", "military", "navy", "operator", "user", "ally",
                                       "partner", "regime"})


def _generic_recipient(t: Token) -> bool:
    """The recipient is named, but as a class ('to countries at war', 'to any party', 'to a
    dozen African governments')."""
    return any(obj.lemma_.lower() in GENERIC_RECIPIENTS
               or (obj.lemma_.lower() in PLURAL_GENERIC_RECIPIENTS and obj.tag_ == "NNS")
               for obj in prep_objects(t, frozenset({"to", "into"})))


def _listed_in_package(t: Token, trigger_tokens: set[int]) -> bool:
    head = t
    while head.dep_ in ("conj", "compound") and head.head != head:
        head = head.head
    if head.dep_ != "dobj" or head.head.lemma_.lower() not in INCLUSION_VERBS:
        return False
    return any(c.dep_ == "nsubj" and (c.i in trigger_tokens or any(x.i in trigger_tokens for x in c.subtree))
               for c in head.head.children)


def _domestic(t: Token) -> bool:
    """'builds its own drones', 'domestically produced': no foreign party, unless help is named
    ('is manufacturing its own missiles with Chinese help')."""
    if parties_in(help_phrases(lent_help([t, *children_of(t, ("dobj",))]))):
        return False
    return any(x.lower_ in DOMESTIC_CUES for x in t.subtree) or any(
        x.lower_ in DOMESTIC_CUES for x in t.head.children)


# Frame readers: one per event type, all with the signature of `FrameReader`, chosen by the type the
# lexicon gives the trigger (`FRAME_READERS`).
FrameReader = Callable[[Token, Trigger, bool, Modality, KnowledgeBase], "Frame | None"]


def _frame_for(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    """The frame the trigger licenses, read by the reader of its event type."""
    return FRAME_READERS[trig.type](t, trig, nominal, mod, kb)


def _subject_pronoun(t: Token, nominal: bool) -> bool:
    """'it would send Ukraine 40 BMP-1s': the verb's subject is a pronoun the article resolves."""
    return any(s.pos_ == "PRON" for s in subject_heads(t)) if not nominal else False


def _word_item(t: Token, category: Category = Category.UNSPECIFIED) -> ItemMention:
    """The trigger word itself as the item: 'the partnership', '30,000 recruits trained'."""
    return ItemMention(t, Item(category, t.text), None, t.i, t.i + 1)


def _cooperation_frame(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    """'China and Russia held joint drills', 'the two navies' exercise', 'the memorandum with India'."""
    parties = cooperation_parties(t, nominal)
    if trig.alliance_only:
        alliances = alliance_joined(t)
        if not alliances:
            tracer(t.doc).drop(Reason.NOT_IN_ALLIANCE, t)
            return None  # "Russia's participation in the war": no alliance joined
        parties = [p for p in parties if p not in alliances][:1] + alliances[:1]
    pair = cooperation_pair_in_context(t, nominal)
    if pair:
        parties = []  # "officials described the two militaries' cooperation": the pair, not the speakers
    return Frame(EventType.COOPERATION, t, parties[0] if parties else None,
                 parties[1] if len(parties) > 1 else None, [_word_item(t)], mod, anchored=bool(parties) or pair,
                 subject_pronoun=_subject_pronoun(t, nominal), pair_in_context=pair,
                 partner_only=not pair and partner_only(t, nominal), members=tuple(parties[2:]))


def _payment_reader(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    return _payment_frame(t, nominal, mod, _subject_pronoun(t, nominal))


def _training_frame(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    """'Ukrainian pilots are trained in Denmark', 'Russian instructors arrived in Niamey'."""
    if trig.at_school and not studies_at_school(t):
        tracer(t.doc).drop(Reason.NOT_AT_SCHOOL, t)
        return None  # "Moscow is studying the proposal"
    trainers, trainees, items, anchored = training_roles(t, nominal, trig.agent)
    items = [m for m in items if m.item.category is not Category.TECHNOLOGY]  # know-how is what training is
    if not trainees:
        trainees = _possessor_named_before(t, {code for code, _ in trainers})
    if trig.agent and not (trainers and trainees):
        tracer(t.doc).drop(Reason.TRAINERS_WITHOUT_SIDES, t)
        return None  # "the instructors said": people, not a training both sides of which are named
    if not items and not _system_bound(t):
        items = [_word_item(t)]  # "30,000 recruits trained": general training, not on the system named nearby
    return Frame(EventType.TRAINING, t, first_party(trainers), first_party(trainees), items, mod, anchored=anchored,
                 subject_pronoun=_subject_pronoun(t, nominal))


def _production_helper(t: Token, nominal: bool, helpers: list, makers: list, items: list[ItemMention],
                       kb: KnowledgeBase) -> str | None:
    """Who lends the design, licence or know-how, in order of evidence: a helper of the parse, the
    subject of 'help' ('Iran agreed to help Russia manufacture drones'), a partner in talks, an origin
    adjective ('Iranian-designed drones'), the second of joint makers, the catalogue's maker."""
    recipient = first_party(makers)
    provider = first_party([p for p in helpers if p[0] != recipient])
    helping = _helping_governor(t)
    if provider is None and helping is not None:
        provider = first_party([p for p in parties_in(phrase_tokens(subject_heads(helping))) if p[0] != recipient])
    if provider is None:
        # "in talks with Saudi firms about producing components locally"
        provider = first_party([p for p in negotiating_partners(t) if p[0] != recipient])
    if provider is None:
        adjective = item_origin_adjective(items)
        provider = adjective if adjective != recipient else None
    if provider is None and len(makers) > 1 and (nominal or _joint(t)):
        # "Russia and Iran plan a drone factory": one factory, so one production of two partners
        provider = makers[1][0]
    origin = origin_of(items, kb)
    if provider is None and origin and origin != recipient:
        provider = origin
    return provider


def _production_frame(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    """'Iran will supply designs for a drone factory in Russia', 'built under a Russian licence'."""
    if _domestic(t):
        tracer(t.doc).drop(Reason.DOMESTIC_PRODUCTION, t)
        return None
    helpers, makers, items, anchored = production_roles(t, nominal, kb)
    recipient = first_party(makers)
    provider = _production_helper(t, nominal, helpers, makers, items, kb)
    if recipient is None and provider is not None:
        recipient = _lent_to(provider, helpers, items, kb)
    items = [m for m in items if m.item.category is not Category.UNSPECIFIED]
    if not items:
        tracer(t.doc).drop(Reason.NO_PRODUCT, t)
        return None  # production of "weapons" in general names no product
    return Frame(EventType.PRODUCTION, t, provider, recipient, items, mod, anchored=anchored,
                 subject_pronoun=_subject_pronoun(t, nominal), company_subject=_company_subject(t))


def _no_shipment(t: Token, nominal: bool) -> Reason | None:
    """Why a transfer word names no shipment before its roles are read: 'bound by the treaty' (only
    'bound for Yemen' is a destination), 'a loan agreement' (money lent, no goods sold)."""
    if t.lemma_.lower() in BOUND_FOR and not prep_objects(t, frozenset({"for", "to"})):
        return Reason.NO_DESTINATION
    if nominal and _credit_deal(t):
        return Reason.CREDIT_DEAL  # "signed a loan agreement with JICA for five vessels"
    return None


def _deal_sides(provider: str | None, recipient: str | None, items: list[ItemMention],
                kb: KnowledgeBase) -> tuple[str | None, str | None]:
    """A deal binds two sides; the maker's state is the seller when the catalogue (or an origin
    adjective: 'contracts for Israeli defence equipment') says who makes the goods."""
    origin = origin_of(items, kb) or item_origin_adjective(items)
    sides = [p for p in (provider, recipient) if p]
    if origin and origin in sides:
        return origin, next((p for p in sides if p != origin), None)
    if origin and len(sides) == 1:
        return origin, sides[0]
    if origin and not sides:
        return origin, recipient
    return provider, recipient


def _without_goods(t: Token, trig: Trigger, nominal: bool, mod: Modality, items: list[ItemMention],
                   anaphoric: bool) -> Reason | None:
    """Why a transfer word with its roles read still reports no goods: 'no transfer to Syria', 'he
    did not give more details', a word that needs an item and names none."""
    if nominal and not items and any(c.lower_ == "no" and c.dep_ == "det" for c in t.children):
        return Reason.NEGATED_NOUN  # nothing is claimed or denied about an item
    if not nominal and _object_is_something_else(t):
        return Reason.OBJECT_NOT_MATERIEL  # "offered condolences": what is given is no materiel
    if trig.needs_item and not items and t.lemma_.lower() != "arm" and not anaphoric \
            and mod.stance is not Stance.DENIED and not (nominal and t.lemma_.lower() in PACKAGE_NOUNS):
        return Reason.NO_ITEM
    return None


def _technology_for_production(t: Token, provider: str | None, recipient: str | None, items: list[ItemMention],
                               mod: Modality, anchored: bool, subject_pronoun: bool) -> Frame | None:
    """'transfer technology for a drone plant in Yelabuga': know-how for a named product's factory
    is production of that product."""
    if not items or not all(m.item.category is Category.TECHNOLOGY for m in items):
        return None
    site = _production_site(t)
    if site is None:
        return None
    product = [m for m in items_in([x for x in phrase(site)], include_modifiers=True)
               if m.item.category is not Category.TECHNOLOGY]
    maker = next((code for code, _ in parties_in(phrase(site))), None)
    if not product:
        return None
    return Frame(EventType.PRODUCTION, t, provider, maker or recipient, product[:1], mod,
                 anchored=anchored, subject_pronoun=subject_pronoun)


def _deal_money(t: Token, nominal: bool, kb: KnowledgeBase) -> Money | None:
    """The sum of the transfer: in the trigger's phrase (or its light verb's, 'signed a $3bn deal'),
    and for a deal noun anywhere in its clause ('the deal is worth $3bn')."""
    scope = t.head if nominal and t.dep_ in ("dobj", "nsubjpass") and t.head.lemma_.lower() in LIGHT_VERBS else t
    money = money_in(sorted(scope.subtree, key=lambda x: x.i))
    if money is None and nominal and kb.symmetric(t.lemma_.lower()):
        money = money_in(sorted(_clause_root(t).subtree, key=lambda x: x.i))
    return money


@dataclass
class _TransferSides:
    """What a transfer word's roles give before the goods are checked."""

    provider: str | None
    recipient: str | None
    items: list[ItemMention]
    anchored: bool
    named: bool  # the sentence names a party in a role of its own (not only the catalogue's maker)
    extra: dict


def _maker_of_goods(span, items: list[ItemMention]) -> bool:
    """The party read as recipient is an origin word inside the goods' own phrase ('to buy
    Russian weapons', 'pass Swiss-made equipment on'): it names the maker."""
    if span is None:
        return False
    root = span.root
    heads = {m.head.i for m in items}
    if root.dep_ not in ("amod", "compound", "nmod", "npadvmod") or (root.pos_ != "ADJ" and root.dep_ != "amod"
                                                                    and root.head.tag_ != "VBN"):
        return False  # "given Ukraine NASAMS launchers": a name glued to the goods may be the receiver
    return root.head.i in heads or (root.head.dep_ in ("amod", "compound") and root.head.head.i in heads)


def _transfer_sides(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> _TransferSides | None:
    """The provider and recipient of a transfer word: its roles, an origin adjective for a missing
    provider, the catalogue's maker for a deal; None (with the drop recorded) when it is a rule
    ('exports to countries at war') or a dependence with no supplier."""
    providers, recipients, items, anchored = transfer_roles(t, trig, nominal, kb)
    provider, recipient = first_party(providers), first_party(recipients)
    if recipient is not None and _maker_of_goods(recipients[0][1], items):
        # "loans to buy Russian weapons": Russia makes the goods, it does not receive them
        provider, recipient = provider or recipient, None
    if recipient is None and _generic_recipient(t) and mod.stance is not Stance.DENIED:
        tracer(t.doc).drop(Reason.GENERIC_RECIPIENT, t)
        return None  # "the re-export of war materiel to countries involved in a conflict": a rule, no flow
    also_providers = tuple(dict.fromkeys(coordinated_rest(providers) + parallel_sources(t, providers)))
    extra = {"also_providers": also_providers, "also_recipients": coordinated_rest(recipients)}
    if provider is None and recipient is not None:
        adjective = item_origin_adjective(items)
        if adjective and adjective != recipient:
            provider = adjective
    if t.lemma_.lower() in DEPENDENCE_WORDS and provider is None:
        tracer(t.doc).drop(Reason.DEPENDENCE_WITHOUT_SUPPLIER, t)
        return None  # "relies largely on ageing jets" names no supplier
    if kb.symmetric(t.lemma_.lower()):
        provider, recipient = _deal_sides(provider, recipient, items, kb)
    return _TransferSides(provider, recipient, items, anchored, bool(providers or recipients), extra)


def _goods_frame(t: Token, nominal: bool, mod: Modality, kb: KnowledgeBase, sides: _TransferSides,
                 subject_pronoun: bool, anaphor_count: int | None) -> Frame | None:
    """The transfer frame of goods with their sum: a package (its total on an umbrella item, then
    each named item), a bundle with a sum and named items, or the goods as named."""
    provider, recipient, items, anchored, extra = sides.provider, sides.recipient, sides.items, sides.anchored, sides.extra
    money = _deal_money(t, nominal, kb)
    ambiguous = nominal and provider is not None and recipient is None and any(
        c.dep_ == "compound" and party_of(c) == provider for c in t.children)
    if nominal and t.lemma_.lower() in PACKAGE_NOUNS:
        money = money or money_in(sorted(_clause_root(t).subtree, key=lambda x: x.i))
        if money is None and not items:
            tracer(t.doc).drop(Reason.EMPTY_PACKAGE, t)
            return None
        umbrella = [ItemMention(t, Item(Category.UNSPECIFIED, _noun_phrase_text(t)), None, t.i, t.i + 1)] if money else []
        return Frame(EventType.TRANSFER, t, provider, recipient, [*umbrella, *items], mod, money,
                     anchored=anchored, subject_pronoun=subject_pronoun, value_on_first=bool(umbrella),
                     owner_ambiguous=ambiguous)
    umbrella = [m for m in items if m.item.category is Category.UNSPECIFIED]
    if money is not None and len(items) > 1 and len(umbrella) == 1:
        # "$3 billion of security assistance, including A-29 aircraft and helicopters": the bundle
        # carries the sum, each named item is an event of its own (ONTOLOGY §4)
        return Frame(EventType.TRANSFER, t, provider, recipient, [*umbrella, *(m for m in items if m not in umbrella)],
                     mod, money, anchored=anchored, subject_pronoun=subject_pronoun, value_on_first=True,
                     owner_ambiguous=ambiguous, **extra)
    if len(items) != 1:
        money = None
    return Frame(EventType.TRANSFER, t, provider, recipient, items, mod, money, anchored=anchored,
                 subject_pronoun=subject_pronoun, owner_ambiguous=ambiguous, anaphor_count=anaphor_count, **extra)


def _transfer_frame(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    """'Iran sent drones to Russia', 'the delivery of S-300s to Syria', 'a $400m package for Ukraine'."""
    subject_pronoun = _subject_pronoun(t, nominal)
    gate = _no_shipment(t, nominal)
    if gate is not None:
        tracer(t.doc).drop(gate, t)
        return None
    if t.lemma_.lower() in DESTINATION_VERBS and not prep_objects(t, frozenset({"to", "into"})):
        in_service = _flown_from(t, mod, subject_pronoun)
        if in_service is None:
            tracer(t.doc).drop(Reason.NO_DESTINATION, t)
        return in_service  # "Ukraine has flown the type since 2019": flying is a transfer only to somewhere
    sides = _transfer_sides(t, trig, nominal, mod, kb)
    if sides is None:
        return None
    items = sides.items
    anaphoric = not items and (anaphoric_object(t, trig) or (_definite_deal(t, trig) and not sides.named))
    anaphor_count = _anaphor_count(t, trig) if anaphoric else None
    reason = _without_goods(t, trig, nominal, mod, items, anaphoric)
    if reason is not None:
        tracer(t.doc).drop(reason, t)
        return None
    production = _technology_for_production(t, sides.provider, sides.recipient, items, mod, sides.anchored,
                                            subject_pronoun)
    if production is not None:
        return production
    if items and all(m.head.lemma_.lower() in COOPERATION_HEADS for m in items):
        return Frame(EventType.COOPERATION, t, sides.provider, sides.recipient, items[:1], mod, anchored=sides.anchored,
                     subject_pronoun=subject_pronoun)
    return _goods_frame(t, nominal, mod, kb, sides, subject_pronoun, anaphor_count)


FRAME_READERS: dict[EventType, FrameReader] = {
    EventType.COOPERATION: _cooperation_frame, EventType.PAYMENT: _payment_reader,
    EventType.TRAINING: _training_frame, EventType.PRODUCTION: _production_frame,
    EventType.TRANSFER: _transfer_frame}


def _flown_from(t: Token, mod: Modality, subject_pronoun: bool) -> Frame | None:
    """'Iraq already flies 24 T-50IQ jets from Korea Aerospace Industries': aircraft a state flies
    *from* a foreign supplier are in its service, a delivered transfer (subject receives)."""
    objects = children_of(t, ("dobj",))
    sources = [p for o in objects for x in o.subtree if x.dep_ == "prep" and x.lower_ == "from"
               and _in_noun_phrase(x.head, o) for p in x.children if p.dep_ == "pobj"]
    provider = first_party(parties_in(phrase_tokens(sources)))
    recipient = first_party(parties_in(phrase_tokens(subject_heads(t))))
    items = [m for m in items_in(phrase_tokens(objects)) if m.item.category is not Category.UNSPECIFIED]
    if provider is None or recipient is None or provider == recipient or not items or mod.status is not Status.DELIVERED:
        return None
    return Frame(EventType.TRANSFER, t, provider, recipient, items, mod, anchored=True,
                 subject_pronoun=subject_pronoun)


def _in_noun_phrase(token: Token, top: Token) -> bool:
    """Is `token` part of the noun phrase headed by `top`, not of a clause inside it?"""
    while token != top:
        if token.dep_ in ("acl", "relcl") or token.head == token:
            return False
        token = token.head
    return True


ANAPHORIC_WORDS = frozenset({"them", "it", "those", "these", "they", "any", "some", "several", "more", "type", "system", "systems", "squadron",
                             "squadrons", "battery", "batteries", "unit", "units", "jets", "weapons"})


# Words that make coordinated makers partners in one production, not each on its own.
JOINT_CUES = frozenset({"jointly", "together", "joint", "co"})


def _joint(t: Token) -> bool:
    """'India and Russia jointly developed the BrahMos', 'A and B build it together': one
    production of two partners; 'China and the US are both developing hypersonic missiles' is two
    domestic ones (a noun such as 'factory' names one production already)."""
    prefixed = t.lower_.split("-", 1)[0] in JOINT_CUES and "-" in t.text  # "co-produced" (one token)
    return prefixed or any(x.lower_ in JOINT_CUES for x in t.children)


def _lent_to(provider: str, helpers: list, items: list[ItemMention], kb: KnowledgeBase) -> str | None:
    """The side a production is lent to when the sentence names no maker: a second lender
    ('jointly developed by India's DRDO and Russia's NPO Mashinostroyeniya'), else the state whose
    product it is ('the Cheongung was developed with technical help from Russia's Almaz-Antey')."""
    other = next((code for code, _ in helpers if code != provider), None)
    if other is None:
        other = origin_of(items, kb) or item_origin_adjective(items)
    return other if other != provider else None


def _helping_governor(t: Token, climb: int = 3) -> Token | None:
    """The 'help' verb a production clause hangs from, through at most `climb` clause links
    (a production line or plant set up counts as one: 'helped CAVIM set up a line to assemble drones')."""
    for _ in range(climb):
        if t.dep_ in ("acl", "relcl") and t.head.lemma_.lower() in PRODUCTION_SITES and t.head.dep_ == "dobj":
            t = t.head
        if t.dep_ not in ("xcomp", "ccomp", "advcl", "dobj") or t.head == t:
            return None
        t = t.head
        if t.lemma_.lower() in HELPING_VERBS:
            return t
    return None


def anaphoric_object(t: Token, trig: Trigger) -> bool:
    """'Three squadrons have been delivered', 'Moscow delivered them', 'six of those landed',
    'only about half had arrived', 'delivered the bulk of them': the item is named earlier."""
    candidates = children_of(t, ("dobj", "nsubjpass")) + (subject_heads(t) if is_passive(t) else [])
    candidates += prep_objects(t, frozenset({"for", "of"}))
    if _bare_delivery_taken(t):
        return True
    if trig.subject == "item":
        candidates += subject_heads(t)
    return any(c.lower_ in ANAPHORIC_WORDS or c.lemma_.lower() in ANAPHORIC_WORDS or c.pos_ == "NUM" or c.like_num
               or _portion(c) or any(x.lower_ in ANAPHORIC_WORDS for x in c.children if x.i < c.i)  # "several more"
               for c in candidates)


def _portion(c: Token) -> bool:
    """'half', 'the rest', 'the bulk of them': a part of goods named before, when nothing after it
    says of what else ('half of the budget' is money, 'the rest of the year' a time)."""
    if c.lemma_.lower() not in PORTION_NOUNS or c.tag_ in ("NNS", "NNPS"):
        return False
    return all(o.lower_ in ANAPHORIC_WORDS for o in prep_objects(c, frozenset({"of"})))


def _bare_delivery_taken(t: Token) -> bool:
    """'Hungary is still taking deliveries', 'the navy took delivery last month': a delivery taken
    with no of-phrase is of the goods named before."""
    return t.pos_ in NOUN_POS and t.dep_ == "dobj" and t.head.lemma_.lower() in RECEIVING_CARRIERS \
        and not prep_objects(t, frozenset({"of", "for"})) and not prep_objects(t.head, frozenset({"of"}))


# Determiners that point back to a deal already told: "the contract", "that deal".
DEFINITE_DETERMINERS = frozenset({"the", "this", "that"})
# Modifiers that make a definite deal another, named one: "the nuclear deal", "the grain deal".
DEAL_KIND_DEPS = frozenset({"amod", "compound", "nmod", "poss"})


def _definite_deal(t: Token, trig: Trigger) -> bool:
    """'the contract signed in January 2020 came to $4.6bn', 'sanctions over the deal', 'the
    consignment was frozen in May': a bare definite deal or consignment noun is the one the story
    has told, for the goods named before it (used only where the sentence names no side of it, so
    that the story's flow decides both)."""
    return t.pos_ in NOUN_POS and (trig.symmetric or t.lemma_.lower() in CONSIGNMENT_NOUNS) and t.tag_ == "NN" \
        and any(c.dep_ == "det" and c.lower_ in DEFINITE_DETERMINERS for c in t.children) \
        and not any(c.dep_ in DEAL_KIND_DEPS for c in t.children)


# Nouns that stand for a part of the materiel named before: "delivered the rest", "the bulk of them"
# (counts such as "batch" are in VAGUE_COUNTS; trigger nouns such as "delivery" are mentions).
PORTION_NOUNS = frozenset({"lot", "part", "rest", "remainder", "share", "number", "portion", "half", "round",
                           "bulk", "majority", "most", "all", "first", "last", "fleet", "stock"})


def _object_is_something_else(t: Token) -> bool:
    """The verb's direct object (or passive subject) is a common noun that names no item, party or
    earlier item ('give details', 'provide an explanation', 'send a message', 'the mark was not
    passed'): not a transfer of materiel,
    even when the sentence names weapons elsewhere."""
    doc = t.doc
    moved = [c for c in t.children if c.dep_ == "dobj" and c.i > t.i]  # the first object, not its conjuncts
    moved += [c for c in t.children if c.dep_ == "nsubjpass" and c.lemma_.lower() not in ITEM_HEAD_NOUNS]
    for obj in moved:  # "the million mark would not be passed": the passive subject is what is moved
        if obj.pos_ != "NOUN" or obj.like_num or party_of(obj) or obj.lower_ in ANAPHORIC_WORDS \
                or obj.lemma_.lower() in PORTION_NOUNS or obj.lower_ in VAGUE_COUNTS:
            continue
        if any(span_at(doc, x, kind) is not None for x in obj.subtree
               for kind in (MentionKind.ITEM, MentionKind.SYSTEM, MentionKind.PARTY, MentionKind.TRIGGER)):
            # an object that is itself a trigger carries the deal: "signed contracts to buy jets"
            continue
        return True
    return False


def _clause_root(t: Token) -> Token:
    """The top of the clause holding t (below any reporting verb)."""
    chain = governing_chain(t)
    return chain[-1] if chain else t


def _anaphor_count(t: Token, trig: Trigger) -> int | None:
    candidates = children_of(t, ("dobj", "nsubjpass")) + prep_objects(t, frozenset({"for"}))
    if trig.subject == "item" or is_passive(t):
        candidates += subject_heads(t)
    for c in candidates:
        numbers = [x for x in c.subtree if x.like_num or x.pos_ == "NUM"]
        if numbers:
            value = parse_number(numbers[0].text)
            if value is not None and float(value).is_integer():
                return int(value)
    return None


def _noun_phrase_text(t: Token) -> str:
    tokens = [x for x in phrase(t) if x.dep_ not in ("det", "punct", "prep") and x.i <= t.i]
    return t.doc[tokens[0].i: t.i + 1].text if tokens else t.text


def _production_site(t: Token) -> Token | None:
    for x in t.subtree:
        if x.lemma_.lower() in PRODUCTION_SITES and x.pos_ in NOUN_POS:
            return x
    return None
