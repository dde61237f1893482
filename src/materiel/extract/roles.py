"""Who plays which role around a trigger: one reader per event type, each a pure function of
the trigger token (and the knowledge base where the catalogue decides a direction)."""

from __future__ import annotations

from typing import Callable

from spacy.tokens import Token

from ..knowledge.base import KnowledgeBase
from ..knowledge.loaders import Trigger
from ..model import Money
from ..nlp.scan import PAIR_NOUNS
from .arguments import ItemMention, items_in, parties_in, phrase
from ..model import MentionKind, Reason
from .status import INCLUSION_VERBS, is_infinitive, own_clause
from .mentions import party_of, span_at, spans_of
from .quantities import money_spans
from .syntax import (NOUN_POS, RELATIVE_PRONOUNS, VERB_POS, children_of, distributive_governor, is_passive, phrase_tokens, prep_objects,
                     shared_modifiers, subject_heads)
from .trace import tracer

ADJ_DEPS = frozenset({"amod", "compound", "acl"})
RECIPIENT_PREPS = frozenset({"to", "into", "for"})
PROVIDER_PREPS = frozenset({"from"})
PARTNER_PREPS = frozenset({"with", "between", "among", "alongside"})
ITEM_PREPS = frozenset({"with", "on", "of", "for"})
# "..., including A-29 aircraft and helicopters" hung on the verb: the listed items are transferred too.
LISTING_PREPS = frozenset({"including", "like"})
# Prepositions of a time phrase that the parser may hang a stranded of-phrase on ("since 2022 of 24 jets").
TIME_PREPS = frozenset({"since", "in", "from", "until", "by"})
# Verbs that only carry a nominal trigger ("signed contracts for tanks from Korea"): their
# prepositional objects belong to the noun.
LIGHT_VERBS = frozenset({"sign", "place", "conclude", "award", "finalise", "finalize", "win", "make", "reach",
                         "seal", "strike", "ink", "complete", "announce", "approve", "secure", "clinch", "agree"})
TRAINER_PREPS = frozenset({"in", "by"})
PRODUCER_HELP_PREPS = frozenset({"with", "from", "under", "by"})
# Nouns that name where production happens; a transfer of know-how "for" one is production.
PRODUCTION_SITES = frozenset({"factory", "plant", "line", "facility", "production", "assembly", "site", "workshop"})
# Item heads that make a "transfer" of them a partnership, not a delivery of goods.
COOPERATION_HEADS = frozenset({"support", "cooperation", "partnership", "access", "backing"})
DOMESTIC_CUES = frozenset({"domestically", "domestic", "indigenous", "indigenously", "home-grown", "homegrown",
                           "locally-developed", "own"})
# Verbs whose subject receives what their nominal object names: "Azerbaijan took delivery of TB2s".
RECEIVING_CARRIERS = frozenset({"take", "accept", "await", "receive", "get", "expect", "welcome"})
# "Kyiv secured a pledge of 40 interceptors from Berlin": whoever wins a promise is its recipient
# (a contract or a deal, by contrast, is won by the seller as often as by the buyer).
PROMISE_NOUNS = frozenset({"pledge", "promise", "commitment"})
SECURING_VERBS = frozenset({"secure", "obtain", "win", "extract", "wrest"})
# Nouns naming a bundle of aid: the bundle itself is an event carrying the total value (ONTOLOGY §4).
PACKAGE_NOUNS = frozenset({"package", "drawdown", "tranche", "aid", "assistance"})
CARRYING_VERBS = frozenset({"carry", "bring", "transport", "deliver", "haul"})
SOURCE_ONLY_ARRIVALS = frozenset({"come"})
CAPABILITY_WORDS = frozenset({"enough", "able", "capable", "design", "range", "sufficient"})
# "relies on Iranian drones": a transfer only when the supplier is named in the phrase itself.
DEPENDENCE_WORDS = frozenset({"rely", "reliant", "dependent"})
# Verbs of motion that are a transfer only with a destination: "flew cash to Tehran", not "how to fly".
DESTINATION_VERBS = frozenset({"fly", "airlift"})
# "... in exchange for drones", "in return for missiles": what flows back the other way.
EXCHANGE_NOUNS = frozenset({"exchange", "return"})


def first_party(parties: list[tuple[str, object]]) -> str | None:
    return parties[0][0] if parties else None


def coordinated_rest(parties: list[tuple[str, object]]) -> tuple[str, ...]:
    """Further coordinated parties of the same role, when they are coordinated in the text."""
    if len(parties) < 2:
        return ()
    first_span = parties[0][1]
    out = []
    for code, span in parties[1:]:
        if span is not None and first_span is not None and span.root.dep_ == "conj" and code != parties[0][0]:
            out.append(code)
    return tuple(dict.fromkeys(out))


def participle_agent(token: Token) -> list[Token]:
    """'Russian-supplied Iskanders', 'Iranian-made drones': the party glued to the participle."""
    doc = token.doc
    found = [c for c in token.children if c.dep_ in ("npadvmod", "compound", "amod", "nmod") and party_of(c)]
    if not found and token.i >= 2 and doc[token.i - 1].text == "-" and party_of(doc[token.i - 2]):
        found = [doc[token.i - 2]]
    return found


def money_in(tokens: list[Token]) -> Money | None:
    if not tokens:
        return None
    doc = tokens[0].doc
    lo, hi = tokens[0].i, tokens[-1].i + 1
    found = money_spans(doc[lo:hi])
    return found[0][2] if found else None


def origin_of(items: list[ItemMention], kb: KnowledgeBase) -> str | None:
    for m in items:
        if m.item.canonical:
            system = kb.system(m.item.canonical)
            if system is not None:
                return system.origin
    return None


def item_origin_adjective(items: list[ItemMention]) -> str | None:
    """'Iranian drones': a party adjective inside the item's own noun phrase."""
    for m in items:
        for child in m.head.children:
            if child.dep_ in ("amod", "compound", "nmod", "poss"):
                code = party_of(child)
                if code:
                    return code
    return None


def inclusion_verb(t: Token) -> Token | None:
    """The 'include' whose subject is this noun, or the noun its subject is 'in'."""
    subject = t
    if t.dep_ == "pobj" and t.head.lower_ == "in" and t.head.head.dep_ == "nsubj":
        subject = t.head.head
    if subject.dep_ == "nsubj" and subject.head.lemma_.lower() in INCLUSION_VERBS:
        return subject.head
    return None


def stranded_of(verb: Token) -> list[Token]:
    """'has been taking delivery since 2022 of 24 Typhoons': the parser hangs the goods' of-phrase
    on the date between them; the objects of such an of-phrase belong to the verb's noun."""
    dates = [o for o in prep_objects(verb, TIME_PREPS) if o.like_num or o.ent_type_ == "DATE"]
    return [x for d in dates for x in prep_objects(d, frozenset({"of"}))]


# How goods were bought, said between the verb and the seller: "bought new from", "bought second-hand from".
MANNER_DEPS = frozenset({"oprd", "acomp", "advmod"})


def source_heads(t: Token) -> list[Token]:
    """The verb and the manner words that a from-phrase of its seller may hang on ('bought F-16s
    new from the United States': the parser attaches 'from' to 'new')."""
    return [t] + [c for c in t.children if c.dep_ in MANNER_DEPS or (c.dep_ == "advcl" and c.pos_ in ("ADJ", "ADV"))]


def own_verb(token: Token) -> Token:
    """The nearest verb above a token: the clause it belongs to."""
    head = token.head
    while head.pos_ not in VERB_POS and head.head != head:
        head = head.head
    return head


def parallel_sources(t: Token, providers: list[tuple[str, object]]) -> tuple[str, ...]:
    """'F-16s bought new from the United States and second-hand from the Netherlands': a further
    from-phrase after 'and', on the verb or on a conjunct with no clause of its own, with no goods
    named between the two, names another supplier of the same goods. ('MiG-29s from Belarus and
    Su-25s from Russia' names other goods between them, so each source keeps its own.)"""
    first = providers[0][1] if providers else None
    if first is None or first.root.head.lower_ not in PROVIDER_PREPS:
        return ()
    doc = t.doc
    goods = [s.start for kind in (MentionKind.ITEM, MentionKind.SYSTEM) for s in spans_of(doc, kind)]
    later = [o for x in t.subtree if x.dep_ == "prep" and x.lower_ in PROVIDER_PREPS and x.i >= first.end
             and own_verb(x) == t for o in prep_objects(x.head, frozenset({x.lower_})) if o.head == x]
    out: list[str] = []
    for code, span in parties_in(phrase_tokens(later)):
        between = doc[first.end:span.start]
        if code != providers[0][0] and any(x.dep_ == "cc" for x in between) \
                and not any(first.end <= g < span.start for g in goods):
            out.append(code)
    return tuple(out)


def nested_acts(t: Token) -> set[int]:
    """Tokens of a verb clause inside a noun trigger's phrase whose verb is a trigger itself:
    'talks with Saudi firms about producing components locally' reports the production, and
    its goods are that act's, not the talks'."""
    return {x.i for v in t.subtree if v != t and v.pos_ in VERB_POS and span_at(t.doc, v, MentionKind.TRIGGER)
            for x in v.subtree}


# Role readers of a transfer trigger: one per shape of the phrase it heads, chosen by `transfer_shape`.
TransferRoles = tuple[list, list, list[ItemMention], bool]  # providers, recipients, items, anchored
NO_ROLES: TransferRoles = ([], [], [], False)
HEDGING_AUX = frozenset({"can", "could", "may", "might"})


def transfer_roles(t: Token, trig: Trigger, nominal: bool, kb: KnowledgeBase) -> TransferRoles:
    """(provider parties, recipient parties, items, anchored) for a transfer trigger, read by the
    reader of the shape its phrase has (`TRANSFER_READERS`)."""
    return TRANSFER_READERS[transfer_shape(t, trig, nominal)](t, trig)


def transfer_shape(t: Token, trig: Trigger, nominal: bool) -> str:
    """'noun' ('the delivery of S-300s to Syria'), 'participle' ('Russian-supplied Iskanders'),
    'arrival' ('US bombs arrive in Israel'), 'giving' ('Iran sent drones to Russia') or 'receiving'
    ('Russia bought drones from Iran')."""
    if nominal:
        return "noun"
    if _modifies_item(t):
        return "participle"
    if trig.subject == "item":
        return "arrival"
    return "giving" if trig.subject == "provider" else "receiving"


def _modifies_item(t: Token) -> bool:
    """A participle hanging on the item's noun, with no subject of its own: 'drones supplied by Iran'."""
    return t.dep_ in ADJ_DEPS and t.head.pos_ in NOUN_POS and not children_of(t, ("nsubj", "nsubjpass")) \
        and not is_infinitive(t)


def _noun_owner(t: Token) -> list[Token]:
    """Who a trigger noun belongs to: 'Iran's shipments', 'US deliveries', else the subject of the
    verb the noun is the object of ('Berlin signed a contract')."""
    owner = children_of(t, ("poss",)) + [c for c in t.children if c.dep_ in ("amod", "compound") and party_of(c)]
    if not owner and t.dep_ in ("dobj", "nsubjpass", "attr") and t.head.pos_ in VERB_POS:
        owner = subject_heads(t.head)
    return owner


def _receiving_noun(t: Token) -> bool:
    """'took delivery of', 'secured a pledge of': the verb's subject is the recipient of the noun's act."""
    return t.dep_ == "dobj" and (t.head.lemma_.lower() in RECEIVING_CARRIERS or (
        t.lemma_.lower() in PROMISE_NOUNS and t.head.lemma_.lower() in SECURING_VERBS))


def _noun_item_tokens(t: Token, owner: list[Token], carriers: list[Token]) -> list[Token]:
    """The words that may name the goods of a trigger noun: its phrase (not its owner, not acts
    nested in it), a package's inclusion list, and the 'for'/'of' phrases of its light verb."""
    nested = nested_acts(t)
    item_tokens = [x for x in phrase(t) if x != t and x not in owner and x.i not in nested]
    inclusion = inclusion_verb(t)
    if inclusion is not None:
        # "the package includes HIMARS launchers ...", "other capabilities in the package include: - ..."
        listed = [x for o in children_of(inclusion, ("dobj",)) for x in phrase(o)]
        item_tokens += listed or [x for x in t.doc[inclusion.i + 1:]]
    if len(carriers) > 1:
        item_tokens += [x for p in prep_objects(t.head, frozenset({"for", "of"})) + stranded_of(t.head)
                        for x in phrase(p)]
    return item_tokens


def _noun_roles(t: Token, trig: Trigger) -> TransferRoles:
    """'Iran's delivery of drones to Russia', 'signed contracts for tanks from Korea'."""
    owner = _noun_owner(t)
    carriers = [t]
    if t.dep_ in ("dobj", "nsubjpass") and t.head.pos_ in VERB_POS:
        carriers.append(t.head)  # "signed contracts for tanks from Korea", "froze sales to Riyadh"
    to = [x for c in carriers for x in prep_objects(c, RECIPIENT_PREPS)]
    frm = [x for c in carriers for x in prep_objects(c, PROVIDER_PREPS | {"by"})]
    partner = [x for c in carriers for x in prep_objects(c, PARTNER_PREPS)]
    items = [m for m in items_in(_noun_item_tokens(t, owner, carriers), include_modifiers=True) if m.head != t]
    if not frm:
        # "a pledge of 40 interceptors from Berlin": the parser hangs the source on the goods
        frm = [x for m in items for x in prep_objects(m.head, PROVIDER_PREPS)]
    owner_parties = parties_in(phrase_tokens(owner)) if owner else []
    if trig.subject == "provider" and not _receiving_noun(t):
        provider, recipient = owner_parties, parties_in(phrase_tokens(to)) or parties_in(phrase_tokens(partner))
        if frm:
            provider = parties_in(phrase_tokens(frm)) or provider
    else:
        recipient, provider = owner_parties, parties_in(phrase_tokens(frm)) or parties_in(phrase_tokens(partner))
    return provider, recipient, items, bool(provider or recipient)


def _participle_roles(t: Token, trig: Trigger) -> TransferRoles:
    """'Russian-supplied Iskander', 'drones supplied by Iran to Russia', 'jets bought from Israel'."""
    agent = participle_agent(t) + prep_objects(t, frozenset({"by"}))
    items = items_in(phrase(t.head)) or items_in(phrase(t.head), include_modifiers=True)  # "the frigate X, gifted"
    providers = parties_in(phrase_tokens(agent))
    recipients = parties_in(phrase_tokens(prep_objects(t, RECIPIENT_PREPS)))
    if trig.subject == "recipient":
        providers, recipients = parties_in(phrase_tokens(prep_objects(t, PROVIDER_PREPS))), providers
    return providers, recipients, items, bool(providers or recipients)


def _capability(t: Token) -> bool:
    """'missiles that can reach Poland', 'a range of 500 km, enough to reach Poland': a range, not a delivery."""
    if any(c.dep_ == "aux" and c.lower_ in HEDGING_AUX for c in t.children):
        return True
    return is_infinitive(t) and bool(
        ({w.lemma_.lower() for w in t.ancestors} | {c.lemma_.lower() for c in t.head.children}) & CAPABILITY_WORDS)


def _arrival_roles(t: Token, trig: Trigger) -> TransferRoles:
    """'Heavy US bombs arrive in Israel', 'the first shipment reached Russia': the goods are the subject."""
    if _capability(t):
        tracer(t.doc).drop(Reason.CAPABILITY, t)
        return NO_ROLES
    subjects = subject_heads(t)
    items = items_in(phrase_tokens(subjects))
    if not subjects:
        items = items_in(list(t.doc[:t.i]))  # the parser lost the subject: what precedes the verb
    carried = [x for c in t.children if c.dep_ in ("advcl", "xcomp", "acl", "conj") and c.lemma_.lower()
               in CARRYING_VERBS for x in c.subtree]
    if carried:
        # "six Y-20 transports landed in Belgrade carrying the FK-3 system": the cargo is the item
        items = items_in(carried) or items_in(carried, include_modifiers=True) or items
    destination = prep_objects(t, frozenset({"in", "to", "at", "into"})) + children_of(t, ("dobj",))
    recipients = parties_in(phrase_tokens(destination))
    providers = parties_in(phrase_tokens(prep_objects(t, PROVIDER_PREPS)))
    if t.lemma_.lower() in SOURCE_ONLY_ARRIVALS and not providers:
        tracer(t.doc).drop(Reason.ARRIVAL_WITHOUT_SOURCE, t)
        return NO_ROLES  # "come" is an arrival only as "came from China"
    if not providers:
        adjective = item_origin_adjective(items)
        providers = [(adjective, None)] if adjective else []
    return providers, recipients, items, bool(recipients or providers)


def _particle_objects(t: Token) -> list[Token]:
    """'handing over T-72 tanks': the object the parser hung on the particle 'over' (as a particle or a preposition)."""
    return [o for particle in children_of(t, ("prt", "prep")) if particle.lower_ == "over"
            for o in children_of(particle, ("pobj",))]


def _verb_objects(t: Token, trig: Trigger) -> list[Token]:
    """The verb's direct objects; for a relative clause whose object is 'that'/'which', the noun it
    hangs on ('the technology that Iran seeks', 'a shipment of bombs that Washington withheld')."""
    objects = children_of(t, ("dobj",)) or _particle_objects(t)
    if t.dep_ == "relcl" and t.head.pos_ in NOUN_POS and all(o.lower_ in RELATIVE_PRONOUNS for o in objects) \
            and not trig.symmetric:  # "the arrangement which Delhi and Manila signed" is no goods
        objects = [t.head]
    return objects


def _parties_hung_on(objects: list[Token], preps: frozenset[str]) -> list:
    """Parties in a 'to'/'from' phrase the parser hung on the verb's object ('send drones to Russia')."""
    inner = [x for o in objects for x in o.subtree if x.dep_ == "prep" and x.lower_ in preps]
    return parties_in([p for x in inner for p in x.subtree])


def _party_after_verb(t: Token, providers: list) -> list:
    """A ditransitive the parser misread: 'offered Pakistan 40 J-35 fighters', 'give the Philippines radars'."""
    after = t.i + 2 if t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "the" else t.i + 1
    follower = next((sp for sp in spans_of(t.doc, MentionKind.PARTY) if sp.start in (t.i + 1, after)), None)
    if follower is None or follower.label_ in {code for code, _ in providers}:
        return []
    return [(follower.label_, follower)]


def _giving_recipients(t: Token, objects: list[Token], recipient_tokens: list[Token], items: list[ItemMention],
                       providers: list, passive: bool) -> list:
    """The recipient of a giving verb: the dative or 'to' phrase, else a party among the objects that
    is not the item's adjective ('promised Kyiv 14 Leopards'), the party right after the verb, or a
    'to' phrase the parser hung on the object ('send drones to Russia')."""
    recipients = parties_in(recipient_tokens)
    if not recipients and not passive:
        item_heads = {m.head.i for m in items}
        recipients = [(code, span) for code, span in parties_in(phrase_tokens(objects))
                      if span.root.head.i not in item_heads or span.root.dep_ not in ("amod", "compound", "nmod", "poss")]
    if not recipients and not passive:
        recipients = _party_after_verb(t, providers)
    if not recipients:
        recipients = _parties_hung_on(objects, RECIPIENT_PREPS)
    return recipients


def _giving_roles(t: Token, trig: Trigger) -> TransferRoles:
    """'Iran sent drones to Russia', 'drones were supplied by Iran', 'provide Iran with components'."""
    if t.lemma_.lower() in DESTINATION_VERBS and not prep_objects(t, frozenset({"to", "into"})):
        tracer(t.doc).drop(Reason.NO_DESTINATION, t)
        return NO_ROLES
    subjects, objects, passive = subject_heads(t), _verb_objects(t, trig), is_passive(t)
    datives = children_of(t, ("dative", "iobj"))
    named = [d for d in datives if span_at(t.doc, d, MentionKind.SYSTEM) is not None and not party_of(d)]
    datives = [d for d in datives if d not in named]  # "sent Leopard 2 tanks" misread as a dative
    item_tokens = phrase_tokens(objects + named) + phrase_tokens(prep_objects(t, frozenset({"with"}) | LISTING_PREPS))
    recipient_tokens = phrase_tokens(datives) + phrase_tokens(prep_objects(t, RECIPIENT_PREPS))
    provider_tokens = phrase_tokens(prep_objects(t, frozenset({"by"}))) if passive else phrase_tokens(subjects)
    if passive:
        if items_in(phrase_tokens(subjects)):
            item_tokens += phrase_tokens(subjects)
        else:
            recipient_tokens += phrase_tokens(subjects)
    items = items_in(item_tokens)
    if not recipient_tokens and objects and prep_objects(t, frozenset({"with"})):
        recipient_tokens = phrase_tokens(objects)  # "provide Iran with components"
    providers = parties_in(provider_tokens)
    recipients = _giving_recipients(t, objects, recipient_tokens, items, providers, passive)
    return providers, recipients, items, bool(providers or recipients)


def _receiving_providers(t: Token, objects: list[Token], recipients: list) -> list:
    """Who a receiving verb's goods come from: a 'from' phrase (of the verb or of a verb it shares
    its object with), 'rely on', or a 'from' phrase the parser hung on the object."""
    providers = parties_in(phrase_tokens([o for h in source_heads(t) for o in prep_objects(h, PROVIDER_PREPS)]))
    if not providers:
        providers = [p for p in parties_in(phrase_tokens(prep_objects(t, frozenset({"on"}))))
                     if p[0] not in {code for code, _ in recipients}]
    if not providers:
        providers = _parties_hung_on(objects, PROVIDER_PREPS)
    return providers


def _own_subtree(t: Token) -> list[Token]:
    """The verb's subtree without the adverbial clauses that tell acts of their own ('... as drones flow to Nairobi')."""
    others = {x.i for c in t.children if own_clause(c) for x in c.subtree}
    return [x for x in t.subtree if x.i not in others]


def _receiving_roles(t: Token, trig: Trigger) -> TransferRoles:
    """'Russia bought drones from Iran', 'drones were ordered by Poland', 'seeks missiles'."""
    subjects, objects, passive = subject_heads(t), _verb_objects(t, trig), is_passive(t)
    governor = distributive_governor(t)
    if governor is not None:
        subjects, objects = subject_heads(governor), children_of(governor, ("dobj",))
    item_tokens = phrase_tokens(objects) + phrase_tokens(prep_objects(t, ITEM_PREPS | LISTING_PREPS))
    recipient_tokens = phrase_tokens(subjects) if not passive else phrase_tokens(prep_objects(t, frozenset({"by"})))
    if passive:
        item_tokens += phrase_tokens(subjects)
    items = items_in(item_tokens) or items_in([x for x in _own_subtree(t) if x not in recipient_tokens])
    recipients = parties_in(recipient_tokens)
    providers = _receiving_providers(t, objects, recipients)
    return providers, recipients, items, bool(recipients or providers)


TRANSFER_READERS: dict[str, Callable[[Token, Trigger], TransferRoles]] = {
    "noun": _noun_roles, "participle": _participle_roles, "arrival": _arrival_roles,
    "giving": _giving_roles, "receiving": _receiving_roles}


def training_roles(t: Token, nominal: bool, agent: bool = False) -> tuple[list, list, list[ItemMention], bool]:
    """Trainer and trainee. An intransitive 'train' or a 'training' that someone begins or
    completes has the trainees as its subject: 'Iranian pilots began training in Russia'."""
    trainer_preps = TRAINER_PREPS | {"from", "at"}
    governor = t.head if t.dep_ in ("dobj", "xcomp", "nsubj", "pobj") and t.head != t else None
    if nominal and agent:
        trainers, trainees = instructor_roles(t)
    elif nominal:
        trainees = parties_in(phrase_tokens(prep_objects(t, frozenset({"of", "for"}))))
        trainers = parties_in(phrase_tokens(children_of(t, ("poss",)) + prep_objects(t, trainer_preps)))
        modifiers = parties_in([c for c in t.children if c.dep_ in ("amod", "compound")])
        if governor is not None and governor.pos_ in VERB_POS:
            trainees = trainees or parties_in(phrase_tokens(subject_heads(governor)))
            trainers = trainers or parties_in(phrase_tokens(prep_objects(governor, trainer_preps)))
        trainees = trainees or modifiers
    elif is_passive(t):
        trainees = parties_in(phrase_tokens(subject_heads(t)))
        trainers = parties_in(phrase_tokens(prep_objects(t, trainer_preps)))
    elif t.dep_ == "acl" and t.head.pos_ in NOUN_POS:
        # reduced relative: "Ukrainian crews trained on the tanks in Germany"
        own = [c for c in t.head.children if c.dep_ in ("amod", "compound", "poss")]
        trainees = parties_in(phrase_tokens(own)) or parties_in([x for x in phrase(t.head) if x not in set(t.subtree)])
        places = [p for x in t.subtree if x.dep_ == "prep" and x.lower_ in trainer_preps
                  for p in x.children if p.dep_ == "pobj"]
        trainers = parties_in(phrase_tokens(places))
    elif not (children_of(t, ("dobj",)) or shared_object(t)):
        trainees = parties_in(phrase_tokens(subject_heads(t)))
        trainers = parties_in(phrase_tokens(prep_objects(t, trainer_preps)))
    else:
        trainers = parties_in(phrase_tokens(subject_heads(t)))
        trainees = parties_in(phrase_tokens(children_of(t, ("dobj",)) or shared_object(t)))
    trainers = [p for p in trainers if p[0] not in {code for code, _ in trainees}]
    scope = training_scope(t)
    items = items_in(scope) or items_in(scope, include_modifiers=True)
    return trainers, trainees, items, bool(trainers or trainees)


# Places of military schooling: "at Russian military academies", "in higher educational institutions".
SCHOOL_NOUNS = frozenset({"academy", "school", "college", "university", "institution", "institute"})


def studies_at_school(t: Token) -> bool:
    """'Myanmar officers have studied at Russian military academies': a verb with no object whose
    'at'/'in' phrase names a school; 'Moscow is studying the proposal' is no training."""
    if children_of(t, ("dobj", "ccomp", "xcomp")) or is_passive(t):
        return False
    return any(o.lemma_.lower() in SCHOOL_NOUNS for o in prep_objects(t, frozenset({"at", "in"})))


# Clauses hanging from a training verb that report another act: "..., handing over patrol boats".
OTHER_ACT_DEPS = frozenset({"advcl", "conj", "relcl", "parataxis"})


def training_scope(t: Token) -> list[Token]:
    """Where a training's item is named: the trigger's subtree without the other acts coordinated
    with it or added as adverbial clauses ('trained and equipped the navy, handing over boats')."""
    other = {x.i for c in t.children if c.dep_ in OTHER_ACT_DEPS for x in c.subtree}
    return [x for x in t.subtree if x.i not in other]


def shared_object(t: Token) -> list[Token]:
    """'Rome trained and equipped Libya's coastguard': the object of the next coordinated verb
    (with no subject of its own) is the object of this one too."""
    return [o for c in t.children if c.dep_ == "conj" and c.pos_ in VERB_POS and not subject_heads_of_own(c)
            for o in children_of(c, ("dobj",))]


def subject_heads_of_own(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]


# Where people sent to train others are said to be: "arrived in Niamey", "work with the regiments".
POSTING_PREPS = frozenset({"to", "in", "with", "for"})


def instructor_roles(t: Token) -> tuple[list, list]:
    """'Russian instructors arrived in Niamey', 'Moscow sent instructors to Bamako', 'Mali hired
    Russian instructors': the noun's own modifiers, possessor or 'from' name the trainers; the
    place or partner where they are posted, or whoever takes them on, is the trainee's side."""
    own = parties_in(phrase_tokens(children_of(t, ("poss",)) + prep_objects(t, frozenset({"from"}))) +
                     [c for c in t.children if c.dep_ in ("amod", "compound", "nmod")])
    trainees = parties_in(phrase_tokens(prep_objects(t, POSTING_PREPS)))
    governor = t.head if t.dep_ in ("nsubj", "nsubjpass", "dobj", "conj") and t.head.pos_ in VERB_POS else None
    trainers = own
    if governor is not None:
        trainees = trainees or parties_in(phrase_tokens(prep_objects(governor, POSTING_PREPS)))
        if t.dep_ == "dobj":
            takers = parties_in(phrase_tokens(subject_heads(governor)))
            if own and not trainees:
                trainees = takers  # "Mali hired Russian instructors"
            elif not own:
                trainers = takers  # "Moscow sent instructors to Bamako"
    return trainers, trainees


# Money lent for a purchase (ONTOLOGY §9.9, lender -> borrower): "paid for with Japanese loans".
CREDIT_NOUNS = frozenset({"loan", "credit", "financing"})
CREDIT_PREPS = frozenset({"with", "through", "by", "from"})
LENDER_MODIFIERS = frozenset({"amod", "compound", "poss", "nmod"})
# Verbs whose subject lends the credit they take as object: "India extended a credit line".
LENDING_VERBS = frozenset({"extend", "grant", "offer", "provide", "give", "open", "approve"})


def is_credit(noun: Token) -> bool:
    """'loans', 'a line of credit', 'a credit line', 'state financing'."""
    return noun.lemma_.lower() in CREDIT_NOUNS or any(
        c.dep_ in ("compound", "prep") and (c.lemma_.lower() in CREDIT_NOUNS or
                                            any(o.lemma_.lower() in CREDIT_NOUNS for o in prep_objects(noun, frozenset({"of"}))))
        for c in noun.children)


def credits_paying(t: Token) -> list[Token]:
    """The credit a payment was made with: in a 'with/through' phrase of the payment ('paid for
    with Russian state loans') or as its subject ('a $100m credit line that paid for guard boats')."""
    nouns = [o for o in prep_objects(t, CREDIT_PREPS) if is_credit(o)]
    return nouns + [s for s in subject_heads(t) if s.pos_ in NOUN_POS and is_credit(s)]


def credit_lenders(nouns: list[Token]) -> list:
    """Who lent these credits: the credit's modifier ('Japanese government loans'), its 'from'
    phrase, or the subject of the verb that extends it ('India extended a credit line')."""
    lenders = []
    for noun in nouns:
        named = [c for c in noun.children if c.dep_ in LENDER_MODIFIERS] + prep_objects(noun, frozenset({"from", "by"}))
        found = parties_in(phrase_tokens(named))
        if not found and noun.dep_ == "dobj" and noun.head.lemma_.lower() in LENDING_VERBS:
            found = parties_in(phrase_tokens(subject_heads(noun.head)))
        lenders += [p for p in found if p not in lenders]
    return lenders


# Verbs whose subject takes the credit they have as object: "Manila signed a loan agreement with JICA".
BORROWING_VERBS = frozenset({"sign", "secure", "obtain", "receive", "take", "get", "seek", "negotiate", "win", "conclude"})


def credit_noun_roles(t: Token) -> tuple[list, list]:
    """Lender and borrower of a credit noun: 'a Japanese loan to Manila', 'India extended a
    credit line to Vietnam', 'Manila signed a loan agreement with JICA' (the noun a credit word
    modifies speaks for it)."""
    noun = t.head if t.dep_ == "compound" and t.head.pos_ in NOUN_POS else t
    lenders = credit_lenders([noun]) if noun is not t else []
    lenders += [p for p in credit_lenders([t]) if p not in lenders]
    borrowers = parties_in(phrase_tokens(prep_objects(noun, frozenset({"to", "for"}))))
    verb = noun.head if noun.dep_ == "dobj" and noun.head.pos_ in VERB_POS else None
    if verb is not None and verb.lemma_.lower() in LENDING_VERBS:
        borrowers += parties_in(phrase_tokens(children_of(verb, ("dative",)) + prep_objects(verb, frozenset({"to"}))))
    elif verb is not None and verb.lemma_.lower() in BORROWING_VERBS:
        borrowers += parties_in(phrase_tokens(subject_heads(verb)))
        lenders += parties_in(phrase_tokens(prep_objects(noun, frozenset({"with"})) + prep_objects(verb, frozenset({"with", "from"}))))
    lender_codes = {code for code, _ in lenders}
    return lenders, [p for p in borrowers if p[0] not in lender_codes]


def payment_roles(t: Token, nominal: bool) -> tuple[list, list, Money | None, bool, bool]:
    """Payers, payees, the sum, whether a party is attached, and whether the money is lent
    (then the payer is the lender and the payee the borrower who buys with it)."""
    money = money_in(sorted(t.subtree, key=lambda x: x.i))
    credits = [] if nominal else credits_paying(t)
    lenders = credit_lenders(credits)
    if nominal and is_credit(t):
        lenders, borrowers = credit_noun_roles(t)
        noun = t.head if t.dep_ == "compound" else t
        return lenders, borrowers, money or money_in(phrase_tokens([noun])), bool(lenders or borrowers), True
    if lenders:
        money = money or money_in(phrase_tokens(credits))  # "a $100 million credit line that paid for boats"
        borrowers = [] if is_passive(t) else parties_in(phrase_tokens([s for s in subject_heads(t) if not is_credit(s)]))
        return lenders, [p for p in borrowers if p[0] not in {code for code, _ in lenders}], money, True, True
    if nominal:
        payers = parties_in(phrase_tokens(children_of(t, ("poss",)) + prep_objects(t, frozenset({"by", "from"}))))
        payees = parties_in(phrase_tokens(prep_objects(t, frozenset({"to", "for"}))))
    elif is_passive(t):
        # "Wagner was paid in gold by the junta": the subject is paid
        payers = parties_in(phrase_tokens(prep_objects(t, frozenset({"by"}))))
        payees = parties_in(phrase_tokens(subject_heads(t)))
    else:
        payers = parties_in(phrase_tokens(subject_heads(t)))
        payee_tokens = children_of(t, ("dative", "iobj")) + prep_objects(t, frozenset({"to"}))
        payee_tokens += [o for o in children_of(t, ("dobj",)) if party_of(o)]
        payees = parties_in(phrase_tokens(payee_tokens))
    return payers, payees, money, bool(payers or payees), False


def production_roles(t: Token, nominal: bool, kb: KnowledgeBase) -> tuple[list, list, list[ItemMention], bool]:
    """Producer (recipient side) and the party that lends designs or help (provider side)."""
    if nominal:
        makers = parties_in([c for c in t.children if c.dep_ in ("amod", "compound", "poss", "nmod")])
        helpers = parties_in(phrase_tokens(prep_objects(t, PRODUCER_HELP_PREPS | PARTNER_PREPS)))
        scope = [x for x in phrase(t) if x != t] + shared_modifiers(t)
        items = items_in(scope, include_modifiers=True)
        if not makers:
            # "co-production of the Akinci in Saudi Arabia": where it happens gains the capability
            places = [p for x in scope if x.dep_ == "prep" and x.lower_ in ("in", "at")
                      for p in x.children if p.dep_ == "pobj"]
            makers = parties_in(phrase_tokens(places))
        if t.dep_ in ("dobj", "pobj") and not makers:
            governor = t.head if t.dep_ == "dobj" else t.head.head
            makers = parties_in(phrase_tokens(subject_heads(governor))) if governor.pos_ in VERB_POS else []
        if t.dep_ in ("nsubj", "nsubjpass") and not makers:
            # "the production of ANKA drones is to be organised at Kazakhstan Aviation Industry"
            for governor in [t.head] + children_of(t.head, ("xcomp",)):
                makers = makers or production_place(governor)
    else:
        subjects = parties_in(phrase_tokens(subject_heads(t)))
        places = production_place(t)
        if places and places[0][0] not in {code for code, _ in subjects}:
            # "Baykar agreed to build a factory in Ukraine to produce its drones"
            makers, helpers = places, subjects
        else:
            makers = subjects or places
            helpers = []
        helpers = helpers + parties_in(phrase_tokens(prep_objects(t, PRODUCER_HELP_PREPS)))
        helpers = helpers + [p for p in venture_partners(subject_heads(t)) if p not in helpers]
        objects = children_of(t, ("dobj",)) + (subject_heads(t) if is_passive(t) else [])
        if t.dep_ == "acl" and t.head.pos_ in NOUN_POS:
            objects.append(t.head)  # "a variant built in Poland"
        objects += relative_product(t)
        # "builds JF-17s with Chinese help", "makes rifles under licence from IWI": the parser often
        # hangs the help on the product rather than on the verb; "built to a Chinese design" on the verb
        nouns = [x for x in phrase_tokens(objects) if x.pos_ in NOUN_POS]  # "thousands of mortars based on ..."
        help_tokens = help_phrases(lent_help(list(dict.fromkeys(objects + [t] + nouns))))
        helpers = helpers + [p for p in parties_in(help_tokens) if p not in helpers]
        product = [x for x in phrase_tokens(objects) if x not in set(help_tokens)]
        items = items_in(product) or items_in(product, include_modifiers=True)
    return helpers, makers, items, bool(makers or helpers)


# Participles that found a maker with a partner: "a joint venture established with Airbus".
FOUNDING_VERBS = frozenset({"establish", "form", "found", "create", "set"})


def venture_partners(makers: list[Token]) -> list:
    """'The joint venture Eurocopter Kazakhstan Engineering, established with the French company
    Airbus Helicopters, has been assembling H145s': who the maker was founded with lends its part."""
    founding = [c for m in makers for x in phrase(m) for c in x.children
                if c.dep_ == "acl" and c.lemma_.lower() in FOUNDING_VERBS]
    return parties_in(phrase_tokens([o for c in founding for o in prep_objects(c, frozenset({"with", "by"}))]))


# What one party lends another's production: "with Chinese help", "under an Israeli licence".
HELP_NOUNS = frozenset({"help", "support", "assistance", "licence", "license", "design", "technology", "know-how",
                        "expertise", "supervision", "cooperation", "kit", "component"})


# "built to a design developed with China's CAC": a design is lent 'to' the product as well.
HELP_PREPS = PRODUCER_HELP_PREPS | {"to"}
RELATIVE_OBJECTS = frozenset({"which", "that"})


# Participles that hang a lent design on the product: "rifles based on Chinese designs".
BASIS_PARTICIPLES = frozenset({"base", "derive", "model", "copy", "adapt"})
BASIS_PREPS = frozenset({"on", "from"})


def lent_help(nouns: list[Token]) -> list[Token]:
    """The help nouns in 'with/under/from/to' phrases hung on these nouns, or in the 'on/from'
    phrase of a participle on them ('turned out rifles based on Chinese designs')."""
    bases = [c for n in nouns for c in n.children if c.dep_ == "acl" and c.lemma_.lower() in BASIS_PARTICIPLES]
    return [p for n in nouns for p in prep_objects(n, HELP_PREPS) if p.lemma_.lower() in HELP_NOUNS] + \
        [p for b in bases for p in prep_objects(b, BASIS_PREPS) if p.lemma_.lower() in HELP_NOUNS]


# Who lends a design or licence may be named in a participle on it: "a design developed with X".
LENDER_PREPS = frozenset({"with", "by", "from"})


def help_phrases(helps: list[Token]) -> list[Token]:
    """The help nouns' phrases, with the lender a participle or relative clause on them names ('to a
    design developed jointly with China's Chengdu', 'under a licence granted by Israel', 'under the
    licence India obtained from Russia')."""
    lenders = [o for h in helps for c in h.children if (c.dep_ == "acl" and c.tag_ == "VBN") or c.dep_ == "relcl"
               for o in prep_objects(c, LENDER_PREPS)]  # "under the licence India obtained from Russia"
    return phrase_tokens(helps + lenders)


def relative_product(t: Token) -> list[Token]:
    """'JF-17 fighters, which Pakistan builds with Chinese help': a production verb in a relative
    clause whose object is the relative pronoun (or missing) makes the noun it qualifies."""
    if t.dep_ != "relcl" or t.head.pos_ not in NOUN_POS or is_passive(t):
        return []
    objects = children_of(t, ("dobj",))
    return [t.head] if all(o.lower_ in RELATIVE_OBJECTS for o in objects) else []


# Words of a deal or talks whose 'with' partner is the other side of the production they are about.
NEGOTIATION_WORDS = frozenset({"talk", "negotiate", "negotiation", "discuss", "discussion", "agreement", "deal",
                               "memorandum", "accord", "contract", "agree"})
TOPIC_PREPS = frozenset({"about", "on", "over", "for"})


def negotiating_partners(t: Token) -> list:
    """'LIG Nex1 is in talks with Saudi firms about producing components locally', 'Hanwha is
    negotiating with Poland on producing K9s', 'an agreement with Ukraine to build a factory': the
    partner of the talks or deal that a production clause is the topic of."""
    head = None
    if t.dep_ in ("pcomp", "pobj") and t.head.lower_ in TOPIC_PREPS:
        head = t.head.head
    elif t.dep_ == "acl":
        head = t.head  # "an agreement with Ukraine to build a factory"
    if head is None or head.lemma_.lower() not in NEGOTIATION_WORDS:
        return []
    return parties_in(phrase_tokens(prep_objects(head, frozenset({"with"}))))


def production_place(t: Token) -> list:
    """Where production happens: 'in X' on the verb, or on the factory its clause belongs to."""
    scopes = [t]
    if t.dep_ in ("advcl", "xcomp", "acl", "relcl", "conj") and t.head != t:
        scopes.append(t.head)
    places = []
    for scope in scopes:
        preps = [c for c in scope.children if c.dep_ == "prep" and c.lower_ in ("in", "at")]
        for obj in (x for x in scope.children if x.dep_ in ("dobj", "nsubjpass")):
            preps += [c for c in obj.children if c.dep_ == "prep" and c.lower_ in ("in", "at")]
        for prep in preps:
            places += parties_in([x for p in prep.children if p.dep_ == "pobj" for x in phrase(p)])
    return places


def cooperation_parties(t: Token, nominal: bool) -> list[str]:
    """The parties of a partnership: subject first, then possessors, modifiers and partners.
    A trigger that modifies another noun ('partnership treaty', 'cooperation plan') speaks for it."""
    codes: list[str] = []
    for head in cooperation_heads(t, nominal):
        for code, span in parties_in(phrase(head)):
            if code not in codes and not names_the_pact(span, t):
                codes.append(code)
    return codes


# "the two navies", "both countries", "the two sides": a pair the story has named before.
PAIR_COUNTS = frozenset({"two", "both"})


# Prepositions that join a member to its alliance: "membership in NATO", "participation of ... to the CSTO".
ALLIANCE_PREPS = frozenset({"in", "of", "to"})


def alliance_joined(t: Token) -> list[str]:
    """'Armenia has frozen its participation in the CSTO': the alliances a membership noun is in,
    on the noun or on the verb that governs it (the parser hangs the 'in' phrase on either)."""
    scopes = [t] + ([t.head] if t.dep_ in ("dobj", "nsubjpass", "pobj") and t.head.pos_ in VERB_POS else [])
    heads = [h for scope in scopes for h in prep_objects(scope, ALLIANCE_PREPS)]
    return [code for code, span in parties_in(phrase_tokens(heads)) if span.kb_id_ == "group:alliance"]


def names_a_pair(token: Token) -> bool:
    """'the two navies held their first joint exercise', 'both governments signed the pact':
    a plural noun of PAIR_NOUNS counted as two refers to the two parties of the story."""
    return token.lemma_.lower() in PAIR_NOUNS and token.tag_ in ("NNS", "NNPS") \
        and any(c.lower_ in PAIR_COUNTS and c.dep_ in ("nummod", "det", "predet", "preconj") for c in token.children)


def cooperation_pair_in_context(t: Token, nominal: bool) -> bool:
    """Are the parties of this partnership named as 'the two countries', to be found in context?"""
    return any(names_a_pair(head) for head in cooperation_heads(t, nominal))


def cooperation_heads(t: Token, nominal: bool) -> list[Token]:
    """The heads of the phrases that name a partnership's parties."""
    heads: list[Token] = []
    if nominal:
        anchors = [t]
        if t.dep_ in ("compound", "amod", "nmod") and t.head.pos_ in NOUN_POS:
            anchors.append(t.head)
        for anchor in anchors:
            if anchor.dep_ in ("dobj", "attr", "nsubjpass", "pobj", "appos"):
                governor = anchor.head if anchor.dep_ != "pobj" else anchor.head.head
                if governor.pos_ in VERB_POS:
                    heads += subject_heads(governor)
                    if anchor.dep_ == "dobj":
                        heads += prep_objects(governor, PARTNER_PREPS)  # "held an exercise with Tanzania"
            heads += [c for c in anchor.children if c.dep_ in ("poss", "amod", "compound", "nmod") and c != t]
            heads += contact_clause_pair(anchor)
            heads += prep_objects(anchor, PARTNER_PREPS | {"to", "of"})
            for clause in (c for c in anchor.children if c.dep_ == "relcl"):
                heads += subject_heads(clause)  # "a partnership that Paris and Athens signed"
    else:
        heads += subject_heads(t)
        heads += prep_objects(t, PARTNER_PREPS)
        heads += children_of(t, ("dobj",))
    return heads


def contact_clause_pair(anchor: Token) -> list[Token]:
    """'a cooperation plan the two governments adopted': a relative clause with no 'that', which
    the parser often hangs on the noun as an apposition; its subject names the story's pair."""
    return [c for c in anchor.children if c.dep_ == "appos" and names_a_pair(c)
            and any(x.dep_ in ("acl", "relcl") and x.pos_ in VERB_POS for x in c.children)]


def partner_only(t: Token, nominal: bool) -> bool:
    """'Another member asked about the defence cooperation memorandum with India', 'after the
    junta ended the military agreements with France': the partnership names only the partner
    it is 'with'; its other side is the one the story is about, left unsaid."""
    if not nominal:
        return False
    anchors = {t, t.head} if t.dep_ in ("compound", "amod", "nmod") else {t}
    anchors |= {o for a in list(anchors) for o in prep_objects(a, frozenset({"of"}))}  # "memorandum of understanding with"
    partners = [h for a in anchors for h in prep_objects(a, frozenset({"with"}))]
    partner_codes = {code for code, _ in parties_in(phrase_tokens(partners))}
    return len(partner_codes) == 1 and set(cooperation_parties(t, nominal)) == partner_codes


# Cooperation nouns that an alliance's own name can modify: "the AUKUS pact", "the NATO alliance".
PACT_NOUNS = frozenset({"pact", "alliance", "treaty"})


def names_the_pact(span, trigger: Token) -> bool:
    """'the AUKUS pact with the United States and Britain': an alliance named as a compound
    of the pact noun is the pact itself, not one of its members."""
    root = span.root
    return span.kb_id_ == "group:alliance" and root.dep_ == "compound" and root.head == trigger \
        and trigger.lemma_.lower() in PACT_NOUNS


