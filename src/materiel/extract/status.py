"""Stage and stance of a reported act, from the words that govern its trigger.

"Iran agreed to send drones" is `agreed` because *agree* governs *send*; "Russia is attempting
to obtain missiles" is `requested`; "Iran has denied supplying Russia" keeps the trigger's own
stage and turns the stance to `denied`. The walk goes up the dependency tree from the trigger
through complement and modifier links and stops at the reporting verb, whose clause is the
source's, not the event's.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from ..model import Stance, Status

# Links along which a governing word still describes the same act.
GOVERNING_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "advcl", "acl", "conj",
                            "nsubjpass", "attr", "oprd", "nsubj", "appos"})  # not relcl: its own clause
SPEECH_LEMMAS = frozenset({
    "say", "tell", "warn", "claim", "report", "state", "add", "note", "write", "allege", "accuse",
    "insist", "believe", "assess", "judge", "estimate", "show", "reveal", "indicate", "suggest",
    "argue", "acknowledge", "admit", "disclose", "brief", "testify", "told", "assert", "conclude",
    "find", "explain", "confirm", "announce", "declare", "stress", "emphasise", "emphasize", "tweet", "post", "inform",
    "condemn", "denounce"})
# The forms of the commonest reporting verbs by which the scan spots a sentence that names a
# speaker for a quote that follows ("The ministry said ...", "... according to"): a cheap cue, so
# only unambiguous past and third-person forms (not "state", "claim", "report" as nouns).
SPEAKER_CUES = frozenset({"said", "says", "told", "tells", "warned", "reported", "reports", "according", "stated",
                          "claimed"})
FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})
HEDGE_AUX = frozenset({"could", "may", "might"})
NOT_YET = frozenset({"yet"})
MAX_CLIMB = 6
# Prepositions that name the framework an act happens under: "cancelled the contract in favour of
# submarines under the AUKUS pact" does not cancel the pact.
FRAMEWORK_PREPS = frozenset({"under"})


@dataclass(frozen=True)
class Modality:
    status: Status
    stance: Stance


def negated(token: Token) -> bool:
    """'did not suspend it', 'never cancelled the deal'."""
    return any(c.dep_ == "neg" for c in token.children) or any(
        c.lower_ in ("never", "no") and c.dep_ in ("advmod", "det") for c in token.children)


def future(token: Token) -> bool:
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in FUTURE_AUX for c in token.children)


def is_infinitive(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _hedged(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in HEDGE_AUX for c in token.children)


# Nouns that, negated, say the reported act did not happen as far as the speaker knows.
EVIDENCE_NOUNS = frozenset({"indication", "evidence", "sign", "proof"})


def _no_evidence(word: Token) -> bool:
    """'no indication that ...', 'did not see any evidence that ...'."""
    if word.lemma_.lower() not in EVIDENCE_NOUNS:
        return False
    if any(c.dep_ == "det" and c.lower_ == "no" for c in word.children):
        return True
    return word.dep_ in ("dobj", "pobj") and negated(word.head)


# Conjunctions that open an adverbial clause telling an act of its own: "sign a pact as radars flow to Manila".
OWN_CLAUSE_MARKS = frozenset({"as", "while", "when", "after", "before", "because", "since", "although", "though",
                              "whereas"})


def own_clause(token: Token) -> bool:
    """An adverbial clause opened by 'as', 'while', 'after' ... keeps its own stage: the radars
    flow (delivered) while the pact is signed (agreed)."""
    return token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in OWN_CLAUSE_MARKS for c in token.children)


def governing_chain(trigger: Token) -> list[Token]:
    """The words above the trigger that still belong to its clause (up to the reporting verb)."""
    chain = []
    token = trigger
    for _ in range(MAX_CLIMB):
        if token.dep_ not in GOVERNING_DEPS or token.head == token or own_clause(token):
            break
        via_conj = token.dep_ == "conj"
        token = token.head
        if token.dep_ == "prep" and token.lower_ in FRAMEWORK_PREPS:
            break  # the framework keeps its own stage
        if token.lemma_.lower() in SPEECH_LEMMAS:
            break
        if not via_conj:  # a conjunct shares its head's governors, not the head itself
            chain.append(token)
    return chain


# Phrasal verbs whose particle changes their meaning: "held back", "ruled out", "went ahead".
PHRASAL_CUES = {("hold", "back"): "cancelled", ("hold", "up"): "cancelled", ("call", "off"): "cancelled",
                ("turn", "down"): "cancelled", ("pull", "out"): "cancelled", ("go", "ahead"): "agreed",
                ("sign", "off"): "agreed", ("press", "ahead"): "agreed", ("push", "ahead"): "agreed"}


# Verbs that, with "an end" as object, end what their "to" phrase names: "put an end to the agreements".
END_PUTTING = frozenset({"put", "bring"})


def _ends(word: Token, trigger: Token) -> bool:
    """'The junta put an end to the military agreements', 'the mission would end by 2025', 'ended
    arms sales': the act is stopped. Not 'the deal ends years of talks' (the trigger ends
    something else) nor 'at the end of the talks'."""
    lemma = word.lemma_.lower()
    if lemma == "end" and word.pos_ in ("VERB", "AUX"):
        own_object = any(c.dep_ == "dobj" for c in word.children)
        as_subject = any(c.dep_ in ("nsubj", "nsubjpass") and trigger in c.subtree for c in word.children)
        return not (as_subject and own_object)
    if lemma == "end" and word.pos_ == "NOUN" or lemma in END_PUTTING and any(
            c.dep_ == "dobj" and c.lemma_.lower() == "end" for c in word.children):
        return any(c.dep_ == "prep" and c.lower_ == "to" and trigger in c.subtree for c in word.children)
    return False


def _cue(word: Token, cues: dict[str, str], trigger: Token) -> str | None:
    if _ends(word, trigger):
        return "cancelled"
    for child in word.children:
        if child.dep_ in ("prt", "advmod"):
            phrasal = PHRASAL_CUES.get((word.lemma_.lower(), child.lower_))
            if phrasal:
                return phrasal
    return cues.get(word.lemma_.lower())


# Words of approving: a government approving a possible sale permits it (`offered`, ONTOLOGY §9.5).
APPROVAL_LEMMAS = frozenset({"approve", "clear", "approval"})
# Acts of giving: a government that approves its own sending or aid has decided it (`agreed`).
GIVING_LEMMAS = frozenset({"send", "sending", "deliver", "delivery", "transfer", "supply", "donate", "donation",
                           "give", "gift", "aid", "assistance", "provide", "provision", "handover"})


def _approved_giving(approval: Token, act: Token) -> bool:
    """'The cabinet approved the sending of MiG-29s', 'the EU approved military assistance for
    Armenia': approving an act of giving decides it, unlike approving a sale to a buyer."""
    return approval.lemma_.lower() in APPROVAL_LEMMAS and act.lemma_.lower() in GIVING_LEMMAS


def _approved_object(trigger: Token) -> Token | None:
    """The thing an approving trigger approves: its direct object."""
    return next((c for c in trigger.children if c.dep_ == "dobj"), None)


# Verbs by which a deal, a package or a contract names what it carries: "the contract includes training".
INCLUSION_VERBS = frozenset({"include", "contain", "comprise", "cover", "feature"})


def _future_inclusion(trigger: Token) -> bool:
    """'an agreement that would cover the transfer of technology': goods a deal will carry are agreed."""
    return any(w.lemma_.lower() in INCLUSION_VERBS and future(w) for w in governing_chain(trigger))


def modality(trigger: Token, base: Status, cues: dict[str, str]) -> Modality:
    """Decide status and stance for a trigger whose own (realis) status is `base`."""
    approved = _approved_object(trigger)
    if base is Status.OFFERED and approved is not None and _approved_giving(trigger, approved):
        base = Status.AGREED
    stance = Stance.DENIED if negated(trigger) and not any(c.lower_ in NOT_YET for c in trigger.children) else Stance.ASSERTED
    status: Status | None = None
    for word in [*(c for c in trigger.children if c.dep_ in ("amod", "compound")), *governing_chain(trigger)]:
        if _no_evidence(word):
            stance = Stance.DENIED  # "has seen no indication that Egypt provided weapons"
            continue
        effect = _cue(word, cues, trigger)
        if effect is None:
            continue
        if effect == "denied":
            stance = Stance.DENIED if not negated(word) else Stance.ASSERTED
            continue
        if status is not None:
            continue  # above the stage word only a denial still counts: "denied that it intended to arm"
        if negated(word) and effect in ("agreed", "offered"):
            stance = Stance.DENIED
        if negated(word) and effect == "cancelled":
            effect = "discussed"  # "not ruling out sending", "has not stopped"? -> still on the table
        if effect == "offered" and _approved_giving(word, trigger):
            effect = "agreed"
        if status is None:
            status = base if effect == "realis" else Status(effect)
            if status is Status.DELIVERED and any(future(w) or is_infinitive(w) for w in [trigger, *governing_chain(trigger)]):
                status = Status.AGREED  # "will begin training", "will continue to supply"
    if status is None:
        if future(trigger) or (is_infinitive(trigger) and base is Status.DELIVERED) \
                or (base is Status.DELIVERED and _future_inclusion(trigger)):
            status = Status.AGREED if base in (Status.DELIVERED, Status.AGREED) else base
        elif _hedged(trigger):
            status = Status.UNCLEAR if base is Status.DELIVERED else base
        elif any(c.lower_ in NOT_YET for c in trigger.children) and base is Status.DELIVERED:
            status, stance = Status.AGREED, Stance.ASSERTED
        else:
            status = base
    return Modality(status, stance)
