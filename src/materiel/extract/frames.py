"""From a trigger word to the roles of the act it reports: who gives, who gets, what, how much.

Each trigger of the lexicon says which grammatical position holds which party: the subject of
*send* is the provider and its *to*-object the recipient; the subject of *obtain* is the
recipient and its *from*-object the provider; a passive turns the subject into the thing sent.
Nouns ('the delivery of S-300s to Syria', 'Iran's purchase of Su-35s') read their possessor,
modifiers and prepositional objects the same way. A frame keeps what the sentence itself
says; `assemble` fills what it leaves to the neighbouring sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..knowledge.base import KnowledgeBase
from ..knowledge.loaders import Trigger
from ..model import Category, EventType, Item, MentionKind, Money, Stance, Status
from .arguments import ItemMention, items_in, parties_in, phrase
from .mentions import party_of, spans_of
from .quantities import money_spans, parse_number
from .status import Modality, governing_chain, modality

VERB_POS = frozenset({"VERB", "AUX"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
ADJ_DEPS = frozenset({"amod", "compound", "acl"})
RECIPIENT_PREPS = frozenset({"to", "into", "for"})
PROVIDER_PREPS = frozenset({"from"})
PARTNER_PREPS = frozenset({"with", "between", "among", "alongside"})
ITEM_PREPS = frozenset({"with", "on", "of", "for"})
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
# Nouns naming a bundle of aid: the bundle itself is an event carrying the total value (ONTOLOGY §4).
PACKAGE_NOUNS = frozenset({"package", "drawdown", "tranche", "aid", "assistance"})
INCLUSION_VERBS = frozenset({"include", "contain", "comprise", "cover", "feature"})
CARRYING_VERBS = frozenset({"carry", "bring", "transport", "deliver", "haul"})
SOURCE_ONLY_ARRIVALS = frozenset({"come"})
CAPABILITY_WORDS = frozenset({"enough", "able", "capable", "design", "range", "sufficient"})
# "relies on Iranian drones": a transfer only when the supplier is named in the phrase itself.
DEPENDENCE_WORDS = frozenset({"rely", "reliant", "dependent"})
# Verbs of motion that are a transfer only with a destination: "flew cash to Tehran", not "how to fly".
DESTINATION_VERBS = frozenset({"fly", "airlift"})
# "... in exchange for drones", "in return for missiles": what flows back the other way.
EXCHANGE_NOUNS = frozenset({"exchange", "return"})
# Trigger words that report an act only as verbs.
VERB_ONLY_TRIGGERS = frozenset({"share", "come", "arm", "rush", "pass", "clear", "release", "hand", "fly", "reach",
                                "land", "get", "want", "ask", "rely", "send", "give", "equip", "lend", "build"})
# Nominal triggers whose possessor/subject can be either side of the deal.
SYMMETRIC_TRIGGERS = frozenset({"deal", "contract", "agreement", "sign"})


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
    used_parties: set[str] = field(default_factory=set)

    @property
    def status(self) -> Status:
        return self.modality.status

    @property
    def stance(self) -> Stance:
        return self.modality.stance


def _first(parties: list[tuple[str, object]]) -> str | None:
    return parties[0][0] if parties else None


def _rest(parties: list[tuple[str, object]]) -> tuple[str, ...]:
    """Further coordinated parties of the same role, when they are coordinated in the text."""
    if len(parties) < 2:
        return ()
    first_span = parties[0][1]
    out = []
    for code, span in parties[1:]:
        if span is not None and first_span is not None and span.root.dep_ == "conj" and code != parties[0][0]:
            out.append(code)
    return tuple(dict.fromkeys(out))


def _with_conjuncts(token: Token) -> list[Token]:
    out = [token]
    for c in token.children:
        if c.dep_ == "conj":
            out.extend(_with_conjuncts(c))
    return out


RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})
PERSONAL_PRONOUNS = frozenset({"it", "they", "he", "she", "we", "its", "their"})


def resolve_pronoun(pronoun: Token) -> list[Token]:
    """'Britain said it would provide tanks': a pronoun subject is the nearest party subject above it."""
    token = pronoun.head
    for _ in range(8):
        for c in token.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c != pronoun and c.i < pronoun.i and c.lower_ not in PERSONAL_PRONOUNS:
                if parties_in(phrase(c)):
                    return _with_conjuncts(c)
        if token.head == token:
            break
        token = token.head
    return []


def subject_heads(token: Token, depth: int = 0) -> list[Token]:
    """Heads of the subject of a verb, following control and coordination upwards."""
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    if subjects:
        heads = [t for s in subjects for t in _with_conjuncts(s)]
        if token.dep_ == "relcl" and all(h.lower_ in RELATIVE_PRONOUNS for h in heads):
            return [token.head]  # "France, which has handed over howitzers"
        resolved = []
        for h in heads:
            resolved.extend(resolve_pronoun(h) or [h] if h.lower_ in PERSONAL_PRONOUNS else [h])
        return resolved
    if depth > 4 or token.head == token:
        return []
    head = token.head
    if token.dep_ == "xcomp":
        objects = [c for c in head.children if c.dep_ in ("dobj", "dative") and party_of(c)]
        if objects:
            return objects
    if token.dep_ in ("xcomp", "conj", "advcl", "pcomp", "ccomp", "acomp") and head.pos_ in VERB_POS | {"ADJ"}:
        return subject_heads(head, depth + 1)
    if token.dep_ in ("acl", "relcl") and head.pos_ in NOUN_POS and head.dep_ in ("dobj", "nsubjpass", "attr") \
            and head.head != head:
        return subject_heads(head.head, depth + 1)  # "Baykar signed a contract to supply ..."
    if token.dep_ == "pcomp" and head.head != head:
        objects = [c for c in head.head.children if c.dep_ == "dobj"]
        if objects:
            return objects  # "thanked Beijing for delivering them", "accused Washington of holding back"
    if token.dep_ == "pcomp" or (token.dep_ == "pobj"):
        return subject_heads(head.head, depth + 1) if head.head != head else []
    return []


def _phrase_tokens(heads: list[Token]) -> list[Token]:
    return [t for h in heads for t in phrase(h)]


def _prep_objects(token: Token, preps: frozenset[str]) -> list[Token]:
    out = []
    for c in token.children:
        if c.dep_ in ("prep", "agent", "dative") and c.lower_ in preps:
            out.extend(t for p in c.children if p.dep_ in ("pobj", "pcomp") for t in _with_conjuncts(p))
    return out


def _children(token: Token, deps: tuple[str, ...]) -> list[Token]:
    return [t for c in token.children if c.dep_ in deps for t in _with_conjuncts(c)]


def _infinitive(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _is_passive(token: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)


def _participle_agent(token: Token) -> list[Token]:
    """'Russian-supplied Iskanders', 'Iranian-made drones': the party glued to the participle."""
    doc = token.doc
    found = [c for c in token.children if c.dep_ in ("npadvmod", "compound", "amod", "nmod") and party_of(c)]
    if not found and token.i >= 2 and doc[token.i - 1].text == "-" and party_of(doc[token.i - 2]):
        found = [doc[token.i - 2]]
    return found


def _money_in(tokens: list[Token]) -> Money | None:
    if not tokens:
        return None
    doc = tokens[0].doc
    lo, hi = tokens[0].i, tokens[-1].i + 1
    found = money_spans(doc[lo:hi])
    return found[0][2] if found else None


def _origin_of(items: list[ItemMention], kb: KnowledgeBase) -> str | None:
    for m in items:
        if m.item.canonical:
            system = kb.system(m.item.canonical)
            if system is not None:
                return system.origin
    return None


def _item_origin_adjective(items: list[ItemMention]) -> str | None:
    """'Iranian drones': a party adjective inside the item's own noun phrase."""
    for m in items:
        for child in m.head.children:
            if child.dep_ in ("amod", "compound", "nmod", "poss"):
                code = party_of(child)
                if code:
                    return code
    return None


def _transfer_roles(t: Token, trig: Trigger, nominal: bool, kb: KnowledgeBase) -> tuple[list, list, list[ItemMention], bool]:
    """(provider parties, recipient parties, items, anchored) for a transfer trigger."""
    if nominal:
        owner = _children(t, ("poss",)) + [c for c in t.children if c.dep_ in ("amod", "compound") and party_of(c)]
        if not owner and t.dep_ in ("dobj", "nsubjpass", "attr") and t.head.pos_ in VERB_POS:
            owner = subject_heads(t.head)
        carriers = [t]
        if t.dep_ in ("dobj", "nsubjpass") and t.head.pos_ in VERB_POS:
            carriers.append(t.head)  # "signed contracts for tanks from Korea", "froze sales to Riyadh"
        to = [x for c in carriers for x in _prep_objects(c, RECIPIENT_PREPS)]
        frm = [x for c in carriers for x in _prep_objects(c, PROVIDER_PREPS | {"by"})]
        partner = [x for c in carriers for x in _prep_objects(c, PARTNER_PREPS)]
        item_tokens = [x for x in phrase(t) if x != t and x not in owner]
        if t.dep_ == "nsubj" and t.head.lemma_.lower() in INCLUSION_VERBS:
            # "the package includes HIMARS launchers and Javelin missiles"
            item_tokens += [x for o in _children(t.head, ("dobj",)) for x in phrase(o)]
        if len(carriers) > 1:
            item_tokens += [x for p in _prep_objects(t.head, frozenset({"for", "of"})) for x in phrase(p)]
        items = [m for m in items_in(item_tokens, include_modifiers=True) if m.head != t]
        owner_parties = parties_in(_phrase_tokens(owner)) if owner else []
        receiving = t.dep_ == "dobj" and t.head.lemma_.lower() in RECEIVING_CARRIERS
        if trig.subject == "provider" and not receiving:
            provider, recipient = owner_parties, parties_in(_phrase_tokens(to)) or parties_in(_phrase_tokens(partner))
            if frm:
                provider = parties_in(_phrase_tokens(frm)) or provider
        else:
            recipient, provider = owner_parties, parties_in(_phrase_tokens(frm)) or parties_in(_phrase_tokens(partner))
        return provider, recipient, items, bool(owner_parties or to or frm or partner)
    if t.dep_ in ADJ_DEPS and t.head.pos_ in NOUN_POS and not _children(t, ("nsubj", "nsubjpass")) \
            and not _infinitive(t):
        # participle modifying the item: "Russian-supplied Iskander", "drones supplied by Iran"
        agent = _participle_agent(t) + _prep_objects(t, frozenset({"by"}))
        items = items_in(phrase(t.head))
        providers = parties_in(_phrase_tokens(agent))
        recipients = parties_in(_phrase_tokens(_prep_objects(t, RECIPIENT_PREPS)))
        if trig.subject == "recipient":
            providers, recipients = parties_in(_phrase_tokens(_prep_objects(t, PROVIDER_PREPS))), providers
        return providers, recipients, items, bool(providers or recipients)
    if trig.subject == "item":
        # "Heavy US bombs arrive in Israel", "the first shipment reached Russia"
        if any(c.dep_ == "aux" and c.lower_ in ("can", "could", "may", "might") for c in t.children):
            return [], [], [], False  # "missiles that can reach Poland": a range, not a delivery
        if _infinitive(t) and ({w.lemma_.lower() for w in t.ancestors} | {c.lemma_.lower() for c in t.head.children}) \
                & CAPABILITY_WORDS:
            return [], [], [], False  # "a range of 500 km, enough to reach Poland"
        subjects = subject_heads(t)
        items = items_in(_phrase_tokens(subjects))
        if not subjects:
            items = items_in(list(t.doc[:t.i]))  # the parser lost the subject: what precedes the verb
        carried = [x for c in t.children if c.dep_ in ("advcl", "xcomp", "acl", "conj") and c.lemma_.lower()
                   in CARRYING_VERBS for x in c.subtree]
        if carried:
            # "six Y-20 transports landed in Belgrade carrying the FK-3 system": the cargo is the item
            items = items_in(carried) or items_in(carried, include_modifiers=True) or items
        destination = _prep_objects(t, frozenset({"in", "to", "at", "into"})) + _children(t, ("dobj",))
        recipients = parties_in(_phrase_tokens(destination))
        providers = parties_in(_phrase_tokens(_prep_objects(t, PROVIDER_PREPS)))
        if t.lemma_.lower() in SOURCE_ONLY_ARRIVALS and not providers:
            return [], [], [], False  # "come" is an arrival only as "came from China"
        if not providers:
            adjective = _item_origin_adjective(items)
            providers = [(adjective, None)] if adjective else []
        return providers, recipients, items, bool(recipients or providers)
    subjects = subject_heads(t)
    objects = _children(t, ("dobj",))
    if not objects and t.dep_ == "relcl" and t.head.pos_ in NOUN_POS:
        objects = [t.head]  # "the technology that Iran seeks"
    datives = _children(t, ("dative", "iobj"))
    passive = _is_passive(t)
    if trig.subject == "provider":
        if t.lemma_.lower() in DESTINATION_VERBS and not _prep_objects(t, frozenset({"to", "into"})):
            return [], [], [], False
        item_tokens = _phrase_tokens(objects) + _phrase_tokens(_prep_objects(t, frozenset({"with"})))
        recipient_tokens = _phrase_tokens(datives) + _phrase_tokens(_prep_objects(t, RECIPIENT_PREPS))
        provider_tokens = _phrase_tokens(_prep_objects(t, frozenset({"by"}))) if passive else []
        if passive:
            subject_items = items_in(_phrase_tokens(subjects))
            if subject_items:
                item_tokens += _phrase_tokens(subjects)
            else:
                recipient_tokens += _phrase_tokens(subjects)
        else:
            provider_tokens = _phrase_tokens(subjects)
        items = items_in(item_tokens)
        if not recipient_tokens and objects and _prep_objects(t, frozenset({"with"})):
            recipient_tokens = _phrase_tokens(objects)  # "provide Iran with components"
        recipients = parties_in(recipient_tokens)
        if not recipients and not passive:
            # "promised Kyiv 14 Leopards": a party among the objects that is not the item's adjective
            item_heads = {m.head.i for m in items}
            recipients = [(code, span) for code, span in parties_in(_phrase_tokens(objects))
                          if span.root.head.i not in item_heads or span.root.dep_ not in ("amod", "compound", "nmod", "poss")]
        if not recipients and not passive:
            # a ditransitive the parser misread: "offered Pakistan 40 J-35 fighters"
            follower = next((sp for sp in spans_of(t.doc, MentionKind.PARTY) if sp.start == t.i + 1), None)
            if follower is not None and follower.label_ not in {code for code, _ in parties_in(provider_tokens)}:
                recipients = [(follower.label_, follower)]
        if not recipients:
            # "send drones to Russia" with the prepositional phrase attached to the object
            inner = [x for o in objects for x in o.subtree if x.dep_ == "prep" and x.lower_ in RECIPIENT_PREPS]
            recipients = parties_in([p for x in inner for p in x.subtree])
        providers = parties_in(provider_tokens)
        anchored = bool(providers or recipients)
        return providers, recipients, items, anchored
    # recipient-subject verbs: receive, obtain, buy, seek, order ...
    item_tokens = _phrase_tokens(objects) + _phrase_tokens(_prep_objects(t, ITEM_PREPS))
    recipient_tokens = _phrase_tokens(subjects) if not passive else _phrase_tokens(_prep_objects(t, frozenset({"by"})))
    if passive:
        item_tokens += _phrase_tokens(subjects)
    items = items_in(item_tokens) or items_in([x for x in t.subtree if x not in recipient_tokens])
    recipients = parties_in(recipient_tokens)
    providers = parties_in(_phrase_tokens(_prep_objects(t, PROVIDER_PREPS)))
    if not providers:
        providers = [p for p in parties_in(_phrase_tokens(_prep_objects(t, frozenset({"on"}))))
                     if p[0] not in {code for code, _ in recipients}]
    if not providers:
        inner = [x for o in objects for x in o.subtree if x.dep_ == "prep" and x.lower_ in PROVIDER_PREPS]
        providers = parties_in([p for x in inner for p in x.subtree])
    return providers, recipients, items, bool(recipients or providers)


def _training_roles(t: Token, nominal: bool) -> tuple[list, list, list[ItemMention], bool]:
    """Trainer and trainee. An intransitive 'train' or a 'training' that someone begins or
    completes has the trainees as its subject: 'Iranian pilots began training in Russia'."""
    trainer_preps = TRAINER_PREPS | {"from", "at"}
    governor = t.head if t.dep_ in ("dobj", "xcomp", "nsubj", "pobj") and t.head != t else None
    if nominal:
        trainees = parties_in(_phrase_tokens(_prep_objects(t, frozenset({"of", "for"}))))
        trainers = parties_in(_phrase_tokens(_children(t, ("poss",)) + _prep_objects(t, trainer_preps)))
        modifiers = parties_in([c for c in t.children if c.dep_ in ("amod", "compound")])
        if governor is not None and governor.pos_ in VERB_POS:
            trainees = trainees or parties_in(_phrase_tokens(subject_heads(governor)))
            trainers = trainers or parties_in(_phrase_tokens(_prep_objects(governor, trainer_preps)))
        trainees = trainees or modifiers
    elif _is_passive(t):
        trainees = parties_in(_phrase_tokens(subject_heads(t)))
        trainers = parties_in(_phrase_tokens(_prep_objects(t, trainer_preps)))
    elif t.dep_ == "acl" and t.head.pos_ in NOUN_POS:
        # reduced relative: "Ukrainian crews trained on the tanks in Germany"
        trainees = parties_in(phrase(t.head))
        places = [p for x in t.subtree if x.dep_ == "prep" and x.lower_ in trainer_preps
                  for p in x.children if p.dep_ == "pobj"]
        trainers = parties_in(_phrase_tokens(places))
    elif not _children(t, ("dobj",)):
        trainees = parties_in(_phrase_tokens(subject_heads(t)))
        trainers = parties_in(_phrase_tokens(_prep_objects(t, trainer_preps)))
    else:
        trainers = parties_in(_phrase_tokens(subject_heads(t)))
        trainees = parties_in(_phrase_tokens(_children(t, ("dobj",))))
    trainers = [p for p in trainers if p[0] not in {code for code, _ in trainees}]
    scope = [x for x in t.subtree]
    items = items_in(scope) or items_in(scope, include_modifiers=True)
    return trainers, trainees, items, bool(trainers or trainees)


def _payment_roles(t: Token, nominal: bool) -> tuple[list, list, Money | None, bool]:
    if nominal:
        payers = parties_in(_phrase_tokens(_children(t, ("poss",)) + _prep_objects(t, frozenset({"by", "from"}))))
        payees = parties_in(_phrase_tokens(_prep_objects(t, frozenset({"to", "for"}))))
    else:
        payers = parties_in(_phrase_tokens(subject_heads(t)))
        payee_tokens = _children(t, ("dative", "iobj")) + _prep_objects(t, frozenset({"to"}))
        payee_tokens += [o for o in _children(t, ("dobj",)) if party_of(o)]
        payees = parties_in(_phrase_tokens(payee_tokens))
    money = _money_in(sorted(t.subtree, key=lambda x: x.i))
    return payers, payees, money, bool(payers or payees)


def _production_roles(t: Token, nominal: bool, kb: KnowledgeBase) -> tuple[list, list, list[ItemMention], bool]:
    """Producer (recipient side) and the party that lends designs or help (provider side)."""
    if nominal:
        makers = parties_in([c for c in t.children if c.dep_ in ("amod", "compound", "poss", "nmod")])
        helpers = parties_in(_phrase_tokens(_prep_objects(t, PRODUCER_HELP_PREPS | PARTNER_PREPS)))
        scope = [x for x in phrase(t) if x != t] + _shared_modifiers(t)
        items = items_in(scope, include_modifiers=True)
        if not makers:
            # "co-production of the Akinci in Saudi Arabia": where it happens gains the capability
            places = [p for x in scope if x.dep_ == "prep" and x.lower_ in ("in", "at")
                      for p in x.children if p.dep_ == "pobj"]
            makers = parties_in(_phrase_tokens(places))
        if t.dep_ in ("dobj", "pobj") and not makers:
            governor = t.head if t.dep_ == "dobj" else t.head.head
            makers = parties_in(_phrase_tokens(subject_heads(governor))) if governor.pos_ in VERB_POS else []
    else:
        subjects = parties_in(_phrase_tokens(subject_heads(t)))
        places = _production_place(t)
        if places and places[0][0] not in {code for code, _ in subjects}:
            # "Baykar agreed to build a factory in Ukraine to produce its drones"
            makers, helpers = places, subjects
        else:
            makers = subjects or places
            helpers = []
        helpers = helpers + parties_in(_phrase_tokens(_prep_objects(t, PRODUCER_HELP_PREPS)))
        objects = _children(t, ("dobj",)) + (subject_heads(t) if _is_passive(t) else [])
        if t.dep_ == "acl" and t.head.pos_ in NOUN_POS:
            objects.append(t.head)  # "a variant built in Poland"
        items = items_in(_phrase_tokens(objects)) or items_in(_phrase_tokens(objects), include_modifiers=True)
    return helpers, makers, items, bool(makers or helpers)


def _production_place(t: Token) -> list:
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


def _cooperation_parties(t: Token, nominal: bool) -> list[str]:
    """The parties of a partnership: subject first, then possessors, modifiers and partners.
    A trigger that modifies another noun ('partnership treaty', 'cooperation plan') speaks for it."""
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
            heads += [c for c in anchor.children if c.dep_ in ("poss", "amod", "compound", "nmod") and c != t]
            heads += _prep_objects(anchor, PARTNER_PREPS | {"to", "of"})
            for clause in (c for c in anchor.children if c.dep_ == "relcl"):
                heads += subject_heads(clause)  # "a partnership that Paris and Athens signed"
    else:
        heads += subject_heads(t)
        heads += _prep_objects(t, PARTNER_PREPS)
        heads += _children(t, ("dobj",))
    codes: list[str] = []
    for head in heads:
        for code, _ in parties_in(phrase(head)):
            if code not in codes:
                codes.append(code)
    return codes


def trigger_spec(token: Token, kb: KnowledgeBase, label: str) -> tuple[Trigger, bool] | None:
    """The lexicon entry for a trigger token and whether it is used as a noun."""
    lemma = token.lemma_.lower()
    entries = kb.triggers.get(lemma) or kb.triggers.get(label)
    if not entries:
        return None
    nominal = token.pos_ in NOUN_POS
    if not nominal and token.pos_ not in VERB_POS | {"ADJ"}:
        return None
    if nominal and lemma in VERB_ONLY_TRIGGERS:
        return None  # "shares in the maker jumped", "major arms"
    if token.pos_ == "ADJ" and token.dep_ not in ADJ_DEPS | {"acomp"}:
        return None
    if nominal and token.i > 0 and token.nbor(-1).lower_ == "in" and lemma == "order":
        return None  # "in order to"
    return entries[0], nominal


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
            continue  # "received consignments of X": the verb's frame already reports it
        if nominal and trig.type is EventType.TRANSFER and _listed_in_package(t, trigger_tokens):
            continue  # "the package covers technology transfer and ...": the package's frame reports it
        mod = modality(t, trig.status, kb.status_cues)
        frame = _frame_for(t, trig, nominal, mod, kb)
        if frame is not None:
            frames.append(frame)
            counter = _counter_flow(frame)
            if counter is not None:
                frames.append(counter)
    return frames


def _counter_items(t: Token) -> list[ItemMention]:
    """Goods that flow back: 'paid for Iranian drones', 'in exchange for 160 drones'."""
    tokens = []
    for prep in (c for c in t.children if c.dep_ == "prep"):
        for obj in (p for p in prep.children if p.dep_ == "pobj"):
            if prep.lower_ == "for" and t.lemma_.lower() == "pay":
                tokens += phrase(obj)
            elif prep.lower_ == "in" and obj.lemma_.lower() in EXCHANGE_NOUNS:
                tokens += [x for p2 in obj.children if p2.dep_ == "prep" and p2.lower_ == "for" for x in p2.subtree]
    return [m for m in items_in(tokens) if m.item.category is not Category.MONEY]


def _counter_flow(frame: Frame) -> Frame | None:
    """The transfer implied in return: the payer or giver receives the counter-goods."""
    if frame.type not in (EventType.PAYMENT, EventType.TRANSFER) or frame.provider is None:
        return None
    items = _counter_items(frame.trigger)
    if not items:
        return None
    giver = frame.recipient or _item_origin_adjective(items)
    return Frame(EventType.TRANSFER, frame.trigger, giver, frame.provider, items, frame.modality,
                 anchored=True, subject_pronoun=frame.subject_pronoun)


def _governed_by_trigger(t: Token, trigger_tokens: set[int]) -> bool:
    governor = t.head if t.dep_ in ("dobj", "nsubjpass", "attr") else t.head.head if t.dep_ == "pobj" else None
    return governor is not None and governor.i in trigger_tokens and governor.pos_ in VERB_POS \
        and governor.lemma_.lower() not in LIGHT_VERBS


def _shared_modifiers(t: Token) -> list[Token]:
    """'technology transfer and co-production of the Akinci': a prepositional phrase after the last
    conjunct belongs to every conjunct; the parser hangs it on the first."""
    if t.dep_ != "conj" or t.head == t:
        return []
    return [x for c in t.head.children if c.dep_ == "prep" and c.i > t.i for x in c.subtree]


def _listed_in_package(t: Token, trigger_tokens: set[int]) -> bool:
    head = t
    while head.dep_ in ("conj", "compound") and head.head != head:
        head = head.head
    if head.dep_ != "dobj" or head.head.lemma_.lower() not in INCLUSION_VERBS:
        return False
    return any(c.dep_ == "nsubj" and c.i in trigger_tokens for c in head.head.children)


def _domestic(t: Token) -> bool:
    return any(x.lower_ in DOMESTIC_CUES for x in t.subtree) or any(
        x.lower_ in DOMESTIC_CUES for x in t.head.children)


def _frame_for(t: Token, trig: Trigger, nominal: bool, mod: Modality, kb: KnowledgeBase) -> Frame | None:
    subject_pronoun = any(s.pos_ == "PRON" for s in subject_heads(t)) if not nominal else False
    if trig.type is EventType.COOPERATION:
        parties = _cooperation_parties(t, nominal)
        if trig.subject == "provider" and nominal and t.dep_ == "attr":
            pass  # "Iran is Russia's backer": subject first is already the provider
        item = ItemMention(t, Item(Category.UNSPECIFIED, t.text), None, t.i, t.i + 1)
        return Frame(EventType.COOPERATION, t, parties[0] if parties else None,
                     parties[1] if len(parties) > 1 else None, [item], mod, anchored=bool(parties),
                     subject_pronoun=subject_pronoun)
    if trig.type is EventType.PAYMENT:
        payers, payees, money, anchored = _payment_roles(t, nominal)
        if money is None and nominal:
            return None  # "payment" with no sum is too vague; "Russia paid for drones" is not
        item = ItemMention(t, Item(Category.MONEY, money.text if money else "payment"), None, t.i, t.i + 1)
        return Frame(EventType.PAYMENT, t, _first(payers), _first(payees), [item], mod, money,
                     anchored=anchored, subject_pronoun=subject_pronoun)
    if trig.type is EventType.TRAINING:
        trainers, trainees, items, anchored = _training_roles(t, nominal)
        return Frame(EventType.TRAINING, t, _first(trainers), _first(trainees), items, mod, anchored=anchored,
                     subject_pronoun=subject_pronoun)
    if trig.type is EventType.PRODUCTION:
        if _domestic(t):
            return None
        helpers, makers, items, anchored = _production_roles(t, nominal, kb)
        recipient = _first(makers)
        provider = _first([p for p in helpers if p[0] != recipient])
        if provider is None and len(makers) > 1:
            provider = makers[1][0]
        origin = _origin_of(items, kb)
        if provider is None and origin and origin != recipient:
            provider = origin
        items = [m for m in items if m.item.category is not Category.UNSPECIFIED]
        if not items:
            return None  # production of "weapons" in general names no product
        return Frame(EventType.PRODUCTION, t, provider, recipient, items, mod, anchored=anchored,
                     subject_pronoun=subject_pronoun)
    providers, recipients, items, anchored = _transfer_roles(t, trig, nominal, kb)
    provider, recipient = _first(providers), _first(recipients)
    extra = {"also_providers": _rest(providers), "also_recipients": _rest(recipients)}
    if provider is None and recipient is not None:
        adjective = _item_origin_adjective(items)
        if adjective and adjective != recipient:
            provider = adjective
    if t.lemma_.lower() in DEPENDENCE_WORDS and provider is None:
        return None  # "relies largely on ageing jets" names no supplier
    if t.lemma_.lower() in SYMMETRIC_TRIGGERS:
        # a deal binds two sides; the maker's state is the seller when the catalogue knows it
        origin = _origin_of(items, kb)
        sides = [p for p in (provider, recipient) if p]
        if origin and origin in sides:
            provider, recipient = origin, next((p for p in sides if p != origin), None)
        elif origin and len(sides) == 1:
            provider, recipient = origin, sides[0]
    if nominal and not items and any(c.lower_ == "no" and c.dep_ == "det" for c in t.children):
        return None  # "it involves no transfer to Syria": nothing is claimed or denied about an item
    anaphoric = not items and _anaphoric_object(t, trig)
    anaphor_count = _anaphor_count(t, trig) if anaphoric else None
    if trig.needs_item and not items and t.lemma_.lower() != "arm" and not anaphoric:
        if mod.stance is not Stance.DENIED and not (nominal and t.lemma_.lower() in PACKAGE_NOUNS):
            return None
    if items and all(m.item.category is Category.TECHNOLOGY for m in items):
        site = _production_site(t)
        if site is not None:
            product = items_in([x for x in phrase(site)], include_modifiers=True)
            product = [m for m in product if m.item.category is not Category.TECHNOLOGY]
            maker = next((code for code, _ in parties_in(phrase(site))), None)
            if product:
                return Frame(EventType.PRODUCTION, t, provider, maker or recipient, product[:1], mod,
                             anchored=anchored, subject_pronoun=subject_pronoun)
    if items and all(m.head.lemma_.lower() in COOPERATION_HEADS for m in items):
        return Frame(EventType.COOPERATION, t, provider, recipient, items[:1], mod, anchored=anchored,
                     subject_pronoun=subject_pronoun)
    scope = t.head if nominal and t.dep_ in ("dobj", "nsubjpass") and t.head.lemma_.lower() in LIGHT_VERBS else t
    money = _money_in(sorted(scope.subtree, key=lambda x: x.i))
    if money is None and nominal and t.lemma_.lower() in SYMMETRIC_TRIGGERS:
        money = _money_in(sorted(_clause_root(t).subtree, key=lambda x: x.i))  # "the deal is worth $3bn"
    ambiguous = nominal and provider is not None and recipient is None and any(
        c.dep_ == "compound" and party_of(c) == provider for c in t.children)
    if nominal and t.lemma_.lower() in PACKAGE_NOUNS:
        money = money or _money_in(sorted(_clause_root(t).subtree, key=lambda x: x.i))
        if money is None and not items:
            return None
        umbrella = [ItemMention(t, Item(Category.UNSPECIFIED, _noun_phrase_text(t)), None, t.i, t.i + 1)] if money else []
        return Frame(EventType.TRANSFER, t, provider, recipient, [*umbrella, *items], mod, money,
                     anchored=anchored, subject_pronoun=subject_pronoun, value_on_first=bool(umbrella),
                     owner_ambiguous=ambiguous)
    if len(items) != 1:
        money = None
    return Frame(EventType.TRANSFER, t, provider, recipient, items, mod, money, anchored=anchored,
                 subject_pronoun=subject_pronoun, owner_ambiguous=ambiguous, anaphor_count=anaphor_count, **extra)


ANAPHORIC_WORDS = frozenset({"them", "it", "those", "these", "they", "any", "some", "several", "more", "type", "system", "systems", "squadron",
                             "squadrons", "battery", "batteries", "unit", "units", "jets", "weapons"})


def _anaphoric_object(t: Token, trig: Trigger) -> bool:
    """'Three squadrons have been delivered', 'Moscow delivered them', 'six of those landed':
    the item is named earlier."""
    candidates = _children(t, ("dobj", "nsubjpass")) + (subject_heads(t) if _is_passive(t) else [])
    candidates += _prep_objects(t, frozenset({"for", "of"}))
    if trig.subject == "item":
        candidates += subject_heads(t)
    return any(c.lower_ in ANAPHORIC_WORDS or c.lemma_.lower() in ANAPHORIC_WORDS or c.pos_ == "NUM"
               or any(x.lower_ in ANAPHORIC_WORDS for x in c.children if x.i < c.i)  # "several more"
               for c in candidates)


def _clause_root(t: Token) -> Token:
    """The top of the clause holding t (below any reporting verb)."""
    chain = governing_chain(t)
    return chain[-1] if chain else t


def _anaphor_count(t: Token, trig: Trigger) -> int | None:
    candidates = _children(t, ("dobj", "nsubjpass")) + _prep_objects(t, frozenset({"for"}))
    if trig.subject == "item" or _is_passive(t):
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
