"""Small readings of the dependency tree that every role reader needs: subjects (through
control, coordination and relative clauses), prepositional objects, passives."""

from __future__ import annotations

from spacy.tokens import Token

from .arguments import parties_in, phrase
from .mentions import party_of

VERB_POS = frozenset({"VERB", "AUX"})
NOUN_POS = frozenset({"NOUN", "PROPN"})


def with_conjuncts(token: Token) -> list[Token]:
    """The token and its conjuncts, depth first in order ('Denmark, Norway and the Netherlands'):
    a loop, not recursion, so a list of any length is read."""
    out: list[Token] = []
    stack = [token]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed([c for c in current.children if c.dep_ == "conj"]))
    return out


RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})
PERSONAL_PRONOUNS = frozenset({"it", "they", "he", "she", "we", "its", "their"})
# Nouns for a proposed act whose owner is the one who would do it ("a Danish request to pass on ...").
PROPOSAL_NOUNS = frozenset({"request", "requests", "offer", "offers", "attempt", "bid",
                            "pledge", "promise", "decision", "move", "effort"})


def resolve_pronoun(pronoun: Token) -> list[Token]:
    """'Britain said it would provide tanks': a pronoun subject is the nearest party subject above it."""
    token = pronoun.head
    for _ in range(8):
        for c in token.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c != pronoun and c.i < pronoun.i and c.lower_ not in PERSONAL_PRONOUNS:
                if parties_in(phrase(c)):
                    return with_conjuncts(c)
        if token.head == token:
            break
        token = token.head
    return []


def _proposal_owner(token: Token) -> list[Token]:
    """The party a proposal noun belongs to is the understood subject of its infinitive: 'a German
    request to send Ukraine ammunition', 'Russia's offer to supply jets', 'an attempt by Ruag to sell
    tanks'. Not for goods nouns ('German tanks to be sent'), whose modifier is their maker."""
    head = token.head
    if token.dep_ != "acl" or head.pos_ not in NOUN_POS or head.lower_ not in PROPOSAL_NOUNS \
            or not any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return []
    owners = [c for c in head.children if c.dep_ in ("poss", "amod", "compound") and party_of(c)]
    by = [o for p in head.children if p.dep_ == "prep" and p.lower_ == "by" for o in p.children if o.dep_ == "pobj"]
    return owners or [o for o in by if parties_in(phrase(o))]


def subject_heads(token: Token, depth: int = 0) -> list[Token]:
    """Heads of the subject of a verb, following control and coordination upwards."""
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    if subjects:
        heads = [t for s in subjects for t in with_conjuncts(s)]
        if token.dep_ == "relcl" and all(h.lower_ in RELATIVE_PRONOUNS for h in heads):
            return [token.head]  # "France, which has handed over howitzers"
        resolved = []
        for h in heads:
            resolved.extend(resolve_pronoun(h) or [h] if h.lower_ in PERSONAL_PRONOUNS else [h])
        return resolved
    if depth > 4 or token.head == token:
        return []
    head = token.head
    split = _split_auxiliary(token)
    if split is not None:
        return subject_heads(split, depth + 1)
    if token.dep_ == "xcomp":
        objects = [c for c in head.children if c.dep_ in ("dobj", "dative") and party_of(c)]
        if objects:
            return objects
    if token.dep_ in ("xcomp", "conj", "advcl", "pcomp", "ccomp", "acomp") and head.pos_ in VERB_POS | {"ADJ"}:
        return subject_heads(head, depth + 1)
    owner = _proposal_owner(token)
    if owner:
        return owner  # "turned down a Danish request to pass on APCs": Denmark would pass them on
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


# Subjects that stand for every item the clause before named: "flies Yak-130s and Mi-35s, both bought from Russia".
DISTRIBUTIVE_PRONOUNS = frozenset({"both", "all", "each"})


def distributive_governor(token: Token) -> Token | None:
    """The verb of the clause before whose objects a distributive subject stands for: in 'The air
    force flies Yak-130 trainers and Mi-35 helicopters, both bought from Russia', 'bought' (a
    conjunct whose subject is 'both') -> 'flies'."""
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    if token.dep_ != "conj" or token.head.pos_ not in VERB_POS or len(subjects) != 1 \
            or subjects[0].lower_ not in DISTRIBUTIVE_PRONOUNS or list(subjects[0].children):
        return None
    return token.head if any(c.dep_ == "dobj" for c in token.head.children) else None


def _split_auxiliary(token: Token) -> Token | None:
    """'Russia had "highly likely" received drones': a hedge in quotes splits the verb group and
    the parser hangs the auxiliary and the verb apart; the auxiliary keeps the subject."""
    if token.dep_ not in ("ccomp", "conj") or token.i == 0:
        return None
    previous = [c for c in token.head.children if c.i < token.i and c.dep_ == token.dep_]
    if not previous:
        return None
    aux = previous[-1]
    between = token.doc[aux.i + 1:token.i]
    if aux.lemma_.lower() in ("have", "be") and any(c.dep_ == "nsubj" for c in aux.children) \
            and len(between) <= 5 and all(t.pos_ in ("ADV", "ADJ", "PUNCT") for t in between):
        return aux
    return None


def phrase_tokens(heads: list[Token]) -> list[Token]:
    return [t for h in heads for t in phrase(h)]


def prep_objects(token: Token, preps: frozenset[str]) -> list[Token]:
    out = []
    for c in token.children:
        if c.dep_ in ("prep", "agent", "dative") and c.lower_ in preps:
            out.extend(t for p in c.children if p.dep_ in ("pobj", "pcomp") for t in with_conjuncts(p))
    return out


def children_of(token: Token, deps: tuple[str, ...]) -> list[Token]:
    return [t for c in token.children if c.dep_ in deps for t in with_conjuncts(c)]


def is_passive(token: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)


def shared_modifiers(t: Token) -> list[Token]:
    """'technology transfer and co-production of the Akinci': a prepositional phrase after the last
    conjunct belongs to every conjunct; the parser hangs it on the first."""
    if t.dep_ != "conj" or t.head == t:
        return []
    return [x for c in t.head.children if c.dep_ == "prep" and c.i > t.i for x in c.subtree]
