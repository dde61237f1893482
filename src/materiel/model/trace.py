"""Why an article was read as it was: the reasons and records of `materiel explain`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from .core import Event, EventType, Mention, Stance, Status


# --- Why an article was read as it was: the trace of `materiel explain` ---------------------------


class Reason(str, Enum):
    """Why the extractor discarded a candidate: an article, a sentence, a trigger, a frame or an event.

    Each member names one discard point of the cascade (scan, frames, roles, assemble); the
    example is a sentence that meets it.
    """

    # the scan (nlp/scan.py): what never reaches the parser
    ARTICLE_NO_TRIGGER = "article-no-trigger"  # no lexicon word at all: "The central bank held rates."
    ARTICLE_NO_ANCHOR = "article-no-anchor"  # triggers but no party, system or item: "Talks were agreed."
    ARTICLE_NOT_MILITARY = "article-not-military"  # only civil goods: "Airbus delivered 60 aircraft to China."
    NO_TRIGGER = "no-trigger"  # sentence without a trigger word: "Russia has fought in Ukraine since 2022."
    NO_ANCHOR = "no-anchor"  # trigger but no party or item near it: "The deal was signed on Monday."
    AMBIGUOUS_TRIGGER = "ambiguous-trigger"  # a usually-other word needs party and item: "Russia's armed forces."
    NO_ITEM_NEAR = "no-item-near"  # only words that need goods, and none named: "Kyiv sent a delegation."
    # triggers (extract/frames.py trigger_spec, read_frames)
    NOT_IN_LEXICON = "not-in-lexicon"  # the word's lemma has no lexicon entry in this use
    TRIGGER_POS = "trigger-pos"  # neither verb, noun nor adjective: "a supply-side shock"
    VERB_ONLY_AS_NOUN = "verb-only-as-noun"  # "Shares in the maker jumped."
    PHRASAL_VERB = "phrasal-verb"  # a particle changes the verb: "Kyiv clears up after the strikes."
    REFLEXIVE = "reflexive"  # its own procurement: "Serbia is arming itself."
    ADJECTIVE_NOT_MODIFIER = "adjective-not-modifier"  # an adjective trigger not modifying a noun
    IN_ORDER_TO = "in-order-to"  # "in order to", not an order
    GOVERNED_BY_TRIGGER = "governed-by-trigger"  # the verb reports it: "received consignments of drones"
    LISTED_IN_PACKAGE = "listed-in-package"  # "The package covers technology transfer and ..."
    NOT_IN_ALLIANCE = "not-in-alliance"  # a membership noun with no alliance: "Russia's participation in the war"
    NOT_AT_SCHOOL = "not-at-school"  # 'study' with an object or no school: "Moscow is studying the offer"
    HELPING_INCOMPLETE = "helping-incomplete"  # "helping troops operate drones" without both sides named
    HYPOTHETICAL = "hypothetical"  # a condition, not a report: "If Cyprus's batteries did reach Ukraine, ..."
    CARRIER = "carrier"  # the vehicle carrying the cargo: "arrived on board two C-130 planes which landed at ..."
    # frames (extract/frames.py _frame_for, extract/roles.py)
    PAYMENT_WITHOUT_SUM = "payment-without-sum"  # "the payment was discussed": a payment noun names no sum
    NO_PRICE_SETTLED = "no-price-settled"  # "the dispute was settled": 'settle' pays only a bill or a price
    CREDIT_DEAL = "credit-deal"  # "a loan agreement with JICA for vessels": money lent, no goods from the lender
    PAYMENT_SIDE_GUESSED = "payment-side-guessed"  # "Qatar pays the salaries": payee only guessed from context
    DOMESTIC_PRODUCTION = "domestic-production"  # "India builds its own drones domestically."
    NO_PRODUCT = "no-product"  # production of weapons in general: "Russia will produce more weapons."
    NO_DESTINATION = "no-destination"  # "Ukraine has flown the type since 2019."
    GENERIC_RECIPIENT = "generic-recipient"  # a rule, no flow: "exports to countries at war are banned"
    DEPENDENCE_WITHOUT_SUPPLIER = "dependence-without-supplier"  # "Egypt relies largely on ageing jets."
    NEGATED_NOUN = "negated-noun"  # "The deal involves no transfer to Syria."
    NO_ITEM = "no-item"  # the trigger needs an item and names none: "Iran delivered on time, Moscow said."
    OBJECT_NOT_MATERIEL = "object-not-materiel"  # the object is something else: "He did not give more details."
    TRAINERS_WITHOUT_SIDES = "trainers-without-sides"  # instructors with a side missing: "The instructors said so."
    EMPTY_PACKAGE = "empty-package"  # a package with neither a sum nor items: "a new aid package"
    CAPABILITY = "capability"  # a range, not a delivery: "missiles that can reach Poland"
    ARRIVAL_WITHOUT_SOURCE = "arrival-without-source"  # "come" is an arrival only as "came from China"
    # events (extract/assemble.py)
    UNANCHORED = "unanchored"  # no party attached and no article flow fits: "Four launchers will be provided."
    NO_PARTY = "no-party"  # neither side found, even in context
    ONE_SIDED = "one-sided"  # cooperation or production with one side: "Russia held naval drills."
    DOMESTIC_PROCUREMENT = "domestic-procurement"  # "Russian forces take delivery of Su-35s."
    NO_PROVIDER = "no-provider"  # no provider in the sentence, the catalogue or the context
    UNADDRESSED_REQUEST = "unaddressed-request"  # a request naming no supplier: "Ethiopia is likely to want more jets."
    NO_RECIPIENT = "no-recipient"  # no recipient in the sentence or the context
    SAME_PARTY = "same-party"  # both sides are one party: "Russia received Russian-made jets."
    GENERIC_ITEM_BESIDE_NAMED = "generic-item-beside-named"  # "missiles and related equipment": the add-on
    MERGED = "merged"  # a repeated mention of the same event (ONTOLOGY §1)


class RoleOrigin(str, Enum):
    """Where the value of a role came from."""

    SYNTAX = "syntax"  # the sentence's parse: "subject of send", "pobj of to", "possessive"
    CONTEXT = "context"  # previous sentences, the article's flows, the sentence's other parties
    CATALOGUE = "catalogue"  # the maker of a catalogued system
    SPEAKER = "speaker"  # the party that speaks of the item as its own
    GROUP_FOR_STATE = "group-for-state"  # an armed group the article shows receiving, for its base state


@dataclass(frozen=True)
class RoleTrace:
    """One role of a frame: provider, recipient, item, quantity or value."""

    role: str
    value: str
    origin: RoleOrigin
    rule: str = ""  # which reader or rule: "subject of send", "the article's main flow"

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "value": self.value, "origin": self.origin.value, "rule": self.rule}


@dataclass(frozen=True)
class DropTrace:
    """A candidate the extractor discarded, with why."""

    reason: Reason
    at: str = ""  # the word or event it was about
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason.value, "at": self.at, "detail": self.detail}


@dataclass(frozen=True)
class FrameTrace:
    """One trigger's reading: what it says, the roles it filled, and the events it gave."""

    trigger: str
    lemma: str
    start: int  # article offsets of the trigger word
    end: int
    type: EventType
    status: Status
    stance: Stance
    roles: tuple[RoleTrace, ...] = ()
    events: tuple[int, ...] = ()  # indices into ArticleTrace.events
    drops: tuple[DropTrace, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "lemma": self.lemma, "start": self.start, "end": self.end,
                "type": self.type.value, "status": self.status.value, "stance": self.stance.value,
                "roles": [r.to_dict() for r in self.roles], "events": list(self.events),
                "drops": [d.to_dict() for d in self.drops]}


@dataclass(frozen=True)
class SentenceTrace:
    """A sentence that reached the parser: its triggers, frames and discarded candidates."""

    index: int
    start: int
    end: int
    text: str
    context_only: bool = False  # parsed only to learn who speaks
    triggers: tuple[Mention, ...] = ()
    frames: tuple[FrameTrace, ...] = ()
    drops: tuple[DropTrace, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text,
                "context_only": self.context_only,
                "triggers": [{"text": m.text, "lemma": m.value, "start": m.start, "end": m.end} for m in self.triggers],
                "frames": [f.to_dict() for f in self.frames], "drops": [d.to_dict() for d in self.drops]}


@dataclass(frozen=True)
class SkippedSentence:
    """A sentence the scan did not send to the parser."""

    index: int
    start: int
    end: int
    text: str
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text,
                "reason": self.reason.value}


@dataclass(frozen=True)
class ArticleTrace:
    """How one article was read: its events and every decision on the way to them."""

    article_id: str
    events: tuple[Event, ...] = ()
    sentences: tuple[SentenceTrace, ...] = ()
    skipped: tuple[SkippedSentence, ...] = ()
    drops: tuple[DropTrace, ...] = ()  # decisions about the whole article (the scan, merges)

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "events": [e.to_dict() for e in self.events],
                "sentences": [s.to_dict() for s in self.sentences],
                "skipped": [s.to_dict() for s in self.skipped], "drops": [d.to_dict() for d in self.drops]}
