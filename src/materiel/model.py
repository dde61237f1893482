"""The typed data model that flows end to end: article → sentence → mention → event.

Every object here is a small frozen dataclass with a deterministic identity (content hashes,
never random ids), and this module is the one place that converts them to and from the JSON of
ONTOLOGY §7. Nothing here imports from the rest of the project.
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable


class EventType(str, Enum):
    TRANSFER = "transfer"
    PAYMENT = "payment"
    TRAINING = "training"
    PRODUCTION = "production"
    COOPERATION = "cooperation"


class Status(str, Enum):
    """Stages of a flow, in the order a deal usually moves through them."""

    REQUESTED = "requested"
    DISCUSSED = "discussed"
    OFFERED = "offered"
    AGREED = "agreed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    UNCLEAR = "unclear"


class Stance(str, Enum):
    ASSERTED = "asserted"
    DENIED = "denied"


class SourceKind(str, Enum):
    OFFICIAL = "official"
    UNNAMED_OFFICIAL = "unnamed_official"
    MEDIA = "media"
    DOCUMENT = "document"
    EXPERT = "expert"
    WITNESS = "witness"
    AUTHOR = "author"


class Category(str, Enum):
    COMBAT_AIRCRAFT = "combat_aircraft"
    OTHER_AIRCRAFT = "other_aircraft"
    HELICOPTER = "helicopter"
    UAV = "uav"
    AIR_DEFENCE = "air_defence"
    BALLISTIC_MISSILE = "ballistic_missile"
    CRUISE_MISSILE = "cruise_missile"
    OTHER_MISSILE = "other_missile"
    ARTILLERY = "artillery"
    ARMOURED_VEHICLE = "armoured_vehicle"
    SHIP = "ship"
    AMMUNITION = "ammunition"
    SMALL_ARMS = "small_arms"
    COMPONENTS = "components"
    TECHNOLOGY = "technology"
    MONEY = "money"
    UNSPECIFIED = "unspecified"


UNKNOWN_PARTY = "unknown"
# Types whose two parties the scorer compares without order (ONTOLOGY §2).
UNORDERED_TYPES = frozenset({EventType.PRODUCTION, EventType.COOPERATION})


# A lone surrogate (read from a JSON escape such as \ud800) is a valid Python string but has no
# UTF-8 encoding, so it would make the output unwritable.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What json.dumps leaves raw but a reader may take for a line break (Python's str.splitlines does).
ESCAPED_IN_LINES = re.compile("[\ud800-\udfff\x85\u2028\u2029]")


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON as readable UTF-8 (non-ASCII kept), with escapes only for lone surrogates and line
    separators, so it is always writable and a JSON Lines line is one line for any reader."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return ESCAPED_IN_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def content_hash(*parts: str, length: int = 16) -> str:
    """A short, stable hex digest of the given strings (used for every id in the project)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Article:
    """One news report. `full_text` is what offsets index: title + blank line + body."""

    id: str
    text: str
    title: str = ""
    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    origin: str | None = None  # file (and line) the article was read from

    @property
    def full_text(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    @property
    def content_id(self) -> str:
        """Identity by content, so ingesting the same report twice is a no-op."""
        return content_hash(self.title, self.text, length=24)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "outlet": self.outlet, "title": self.title,
                "published": self.published, "text": self.text}


@dataclass(frozen=True)
class Rejection:
    """An input that could not be read, with where and why (counted in every run summary)."""

    origin: str
    reason: str  # short machine-readable key: binary, encoding, empty, malformed_json, ..., internal
    message: str
    line: int | None = None
    trace: str = field(default="", compare=False, repr=False)  # an internal error's traceback

    def describe(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line is not None else self.origin
        return f"{where}: {self.message}"

    @classmethod
    def internal(cls, error: BaseException, doing: str, origin: str | None = None,
                 trace: str | None = None) -> "Rejection":
        """A bug met while `doing` ("extracting article 'x'", "assessing flow family ...") one item:
        that item is given up and the batch goes on. `origin` is the item's 'file:line', `trace`
        defaults to the traceback of `error` (shown only on request)."""
        where, line = split_origin(origin)
        detail = " ".join(str(error).split())[:INTERNAL_MESSAGE_CHARS]
        message = (f"internal error while {doing}: {type(error).__name__}{': ' + detail if detail else ''} "
                   "(a bug in materiel; this item was skipped, the rest went on)")
        if trace is None:
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(where, INTERNAL, message, line, trace)

    @classmethod
    def of_article(cls, article: Article, stage: str, error: BaseException) -> "Rejection":
        """An internal error while `stage` (extracting, storing) one article."""
        return cls.internal(error, f"{stage} article {article.id!r}", article.origin)


# Reason of a rejection caused by a bug rather than by the input.
INTERNAL = "internal"
# An exception's message is cut to this many characters in the one-line report.
INTERNAL_MESSAGE_CHARS = 300
ORIGIN_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


def split_origin(origin: str | None) -> tuple[str, int | None]:
    """'reports.jsonl:12' -> ('reports.jsonl', 12): an article's origin names its file and line."""
    if not origin:
        return "<input>", None
    found = ORIGIN_LINE.match(origin)
    return (found["file"], int(found["line"])) if found else (origin, None)


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


# The parts of an event whose words are grounded in the article text (`Event.spans`).
SPAN_SLOTS = ("provider", "recipient", "item", "quantity", "value", "source")


@dataclass(frozen=True)
class SlotSpan:
    """Where the article writes one part of an event: 'Iran' for the provider, '6,000' for the
    quantity. Offsets index `Article.full_text`, as `Evidence` does; a part filled from an earlier
    sentence points there, and a part the catalogue supplied (the maker of a system) has none."""

    slot: str  # one of SPAN_SLOTS
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"slot": self.slot, "start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SlotSpan":
        return cls(str(d["slot"]), int(d["start"]), int(d["end"]), str(d.get("text") or ""))


@dataclass(frozen=True)
class Source:
    """Who, according to the article, asserts or denies an event."""

    name: str
    kind: SourceKind
    country: str | None = None
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "country": self.country, "via": self.via}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Source":
        return cls(name=d.get("name") or "", kind=SourceKind(d.get("kind") or "author"),
                   country=d.get("country"), via=d.get("via"))


AUTHOR_SOURCE = Source(name="the article", kind=SourceKind.AUTHOR)


@dataclass(frozen=True)
class Item:
    category: Category
    name: str | None = None
    canonical: str | None = None
    manufacturer: str | None = None

    @property
    def key(self) -> str:
        """What makes two items the same for merging: the system if known, else the category."""
        return self.canonical or self.category.value

    def to_dict(self) -> dict[str, Any]:
        d = {"category": self.category.value, "name": self.name, "canonical": self.canonical}
        if self.manufacturer:
            d["manufacturer"] = self.manufacturer
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Item":
        d = d or {}
        return cls(category=Category(d.get("category") or "unspecified"), name=d.get("name"),
                   canonical=d.get("canonical"), manufacturer=d.get("manufacturer"))


@dataclass(frozen=True)
class Quantity:
    value: int | None
    approx: bool
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "approx": self.approx, "text": self.text}


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        amount: float | int = int(self.amount) if float(self.amount).is_integer() else self.amount
        return {"amount": amount, "currency": self.currency}


@dataclass(frozen=True)
class TimeExpr:
    text: str
    iso: str | None = None  # a date, or an interval "start/end"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "iso": self.iso}


@dataclass(frozen=True)
class Location:
    name: str
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "country": self.country}


@dataclass(frozen=True)
class Confidence:
    text: str
    low: float
    high: float
    scale: str  # "PHIA" or "ICD 203"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "low": self.low, "high": self.high, "scale": self.scale}


@dataclass(frozen=True)
class Event:
    """One act of military cooperation between two parties, as reported in one article."""

    type: EventType
    provider: str
    recipient: str
    item: Item
    status: Status
    stance: Stance = Stance.ASSERTED
    quantity: Quantity | None = None
    value: Money | None = None
    time: TimeExpr | None = None
    location: Location | None = None
    sources: tuple[Source, ...] = ()
    confidence: Confidence | None = None
    evidence: tuple[Evidence, ...] = ()
    article_id: str | None = None
    # Where each part is written (None: not recorded, as in output of older versions). Not part
    # of the event's identity: two mentions of one event differ in where they are written.
    spans: tuple[SlotSpan, ...] | None = field(default=None, compare=False)

    @property
    def merge_key(self) -> tuple[str, ...]:
        """Mentions with equal keys are one event (ONTOLOGY §1)."""
        parties = (self.provider, self.recipient)
        if self.type in UNORDERED_TYPES:
            parties = tuple(sorted(parties))  # type: ignore[assignment]
        return (self.type.value, *parties, self.item.key, self.status.value, self.stance.value)

    @property
    def id(self) -> str:
        return content_hash(self.article_id or "", *self.merge_key)

    def with_changes(self, **changes: Any) -> "Event":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "type": self.type.value,
            "provider": self.provider,
            "recipient": self.recipient,
            "item": self.item.to_dict(),
            "quantity": self.quantity.to_dict() if self.quantity else None,
            "value": self.value.to_dict() if self.value else None,
            "status": self.status.value,
            "stance": self.stance.value,
            "time": self.time.to_dict() if self.time else None,
            "location": self.location.to_dict() if self.location else None,
            "sources": [s.to_dict() for s in self.sources],
            "confidence": self.confidence.to_dict() if self.confidence else None,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.spans is not None:
            out["spans"] = [s.to_dict() for s in self.spans]  # optional, beside ONTOLOGY §7's fields
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any], article_id: str | None = None) -> "Event":
        q, v, t, loc, c = (d.get(k) for k in ("quantity", "value", "time", "location", "confidence"))
        return cls(
            type=EventType(d["type"]),
            provider=d.get("provider") or UNKNOWN_PARTY,
            recipient=d.get("recipient") or UNKNOWN_PARTY,
            item=Item.from_dict(d.get("item")),
            status=Status(d.get("status") or "unclear"),
            stance=Stance(d.get("stance") or "asserted"),
            quantity=Quantity(q.get("value"), bool(q.get("approx")), q.get("text") or "") if q else None,
            value=Money(float(v["amount"]), v.get("currency") or "USD") if v and v.get("amount") is not None else None,
            time=TimeExpr(t.get("text") or "", t.get("iso")) if t else None,
            location=Location(loc.get("name") or "", loc.get("country")) if loc else None,
            sources=tuple(Source.from_dict(s) for s in d.get("sources") or ()),
            confidence=Confidence(c["text"], c["low"], c["high"], c["scale"]) if c else None,
            evidence=tuple(Evidence(e.get("start", -1), e.get("end", -1), e.get("text", ""))
                           for e in d.get("evidence") or ()),
            article_id=article_id,
            spans=tuple(SlotSpan.from_dict(s) for s in d["spans"]) if d.get("spans") is not None else None,
        )


@dataclass(frozen=True)
class ArticleResult:
    """What extraction makes of one article: the interchange line of ONTOLOGY §7."""

    article: Article
    events: tuple[Event, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article.id, "events": [e.to_dict() for e in self.events]}

    def to_json(self) -> str:
        return json_text(self.to_dict())


def events_from_jsonl_lines(lines: Iterable[str]) -> dict[str, list[Event]]:
    """Read interchange-format lines back into typed events, keyed by article id."""
    out: dict[str, list[Event]] = {}
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        aid = str(row["article_id"])
        out[aid] = [Event.from_dict(e, aid) for e in row.get("events") or ()]
    return out


class MentionKind(str, Enum):
    PARTY = "party"      # a state, group, organ or official body standing for a party
    SYSTEM = "system"    # a catalogued weapon system
    ITEM = "item"        # a generic name of materiel ("drones", "air defence systems")
    TRIGGER = "trigger"  # a word of the cooperation lexicon ("send", "deal", "alliance")
    OUTLET = "outlet"    # a news organisation ("the Washington Post")


@dataclass(frozen=True)
class Mention:
    """A span of the article text that the knowledge base recognises, before any parsing.

    `value` is what it resolves to: a party code, a canonical system, a category, or a lemma.
    `detail` says how: for parties the surface kind (name, demonym, capital, organ, group).
    """

    start: int
    end: int
    text: str
    kind: MentionKind
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, with its character offsets into `Article.full_text`."""

    index: int
    start: int
    end: int
    text: str
    mentions: tuple[Mention, ...] = ()
    paragraph: int = 0


# --- Across articles: the assessment of one flow -------------------------------------------------

# The ladder a flow climbs; `cancelled` and `unclear` are off it.
STATUS_LADDER = (Status.REQUESTED, Status.DISCUSSED, Status.OFFERED, Status.AGREED, Status.DELIVERED)


def ladder_rank(status: Status) -> int:
    """Position on the ladder; -1 for statuses off it (cancelled, unclear)."""
    return STATUS_LADDER.index(status) if status in STATUS_LADDER else -1


def highest_status(statuses: Iterable[Status]) -> Status:
    """The most advanced stage on the ladder; `cancelled` only when nothing is on it, else unclear."""
    found = set(statuses)
    on_ladder = [s for s in found if ladder_rank(s) >= 0]
    if on_ladder:
        return max(on_ladder, key=ladder_rank)
    return Status.CANCELLED if Status.CANCELLED in found else Status.UNCLEAR


@dataclass(frozen=True)
class Claim:
    """One stored event as evidence for an assessment, with the article that carries it."""

    event_id: str
    event: Event
    article_id: str  # the id the input gave the article
    article_hash: str  # the store's content id
    title: str
    outlet: str | None
    published: str | None
    url: str | None = None
    origins: tuple[str, ...] = ()  # keys of the independent origins this claim rests on

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "article_id": self.article_id, "article_hash": self.article_hash,
                "title": self.title, "outlet": self.outlet, "published": self.published, "url": self.url,
                "origins": list(self.origins), "event": self.event.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Claim":
        return cls(event_id=d["event_id"], event=Event.from_dict(d["event"], d["article_id"]),
                   article_id=d["article_id"], article_hash=d["article_hash"], title=d.get("title") or "",
                   outlet=d.get("outlet"), published=d.get("published"), url=d.get("url"),
                   origins=tuple(d.get("origins") or ()))


@dataclass(frozen=True)
class Origin:
    """An independent source of assertions: many articles repeating it count once."""

    key: str
    label: str
    kind: str  # government, intelligence, joint, company, press, document, expert, witness, outlet
    articles: tuple[str, ...]
    reliability: str  # Admiralty A-F of this origin

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "kind": self.kind, "articles": list(self.articles),
                "reliability": self.reliability}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Origin":
        return cls(d["key"], d["label"], d["kind"], tuple(d["articles"]), d["reliability"])


@dataclass(frozen=True)
class StatusStep:
    """A stage of the flow as first reported: when, in which articles, by whom."""

    status: Status
    first_reported: str | None
    articles: tuple[str, ...]
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "first_reported": self.first_reported,
                "articles": list(self.articles), "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StatusStep":
        return cls(Status(d["status"]), d.get("first_reported"), tuple(d["articles"]), tuple(d["sources"]))


@dataclass(frozen=True)
class Denial:
    """Who denies the flow, whether they are party to it, and where the denial is reported."""

    by: str  # party code, or the source's name when no party is known
    interested: bool  # the denier is the flow's provider or recipient
    sources: tuple[str, ...]
    articles: tuple[str, ...]
    first_reported: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "interested": self.interested, "sources": list(self.sources),
                "articles": list(self.articles), "first_reported": self.first_reported}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Denial":
        return cls(d["by"], d["interested"], tuple(d["sources"]), tuple(d["articles"]), d.get("first_reported"))


@dataclass(frozen=True)
class Figure:
    """One report of a number by one source: never merged with another or averaged."""

    article_id: str
    published: str | None
    status: Status  # what the number counts: requested, agreed (ordered), delivered...
    source: str
    origin: str | None
    quantity: int | None = None
    approx: bool = False
    quantity_text: str = ""
    amount: float | None = None
    currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "published": self.published, "status": self.status.value,
                "source": self.source, "origin": self.origin, "quantity": self.quantity, "approx": self.approx,
                "quantity_text": self.quantity_text, "amount": self.amount, "currency": self.currency}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Figure":
        return cls(d["article_id"], d.get("published"), Status(d["status"]), d["source"], d.get("origin"),
                   d.get("quantity"), bool(d.get("approx")), d.get("quantity_text") or "", d.get("amount"),
                   d.get("currency"))


@dataclass(frozen=True)
class EstimativeUse:
    """An estimative term a source used about the flow ('highly likely')."""

    text: str
    source: str
    article_id: str
    low: float
    high: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "article_id": self.article_id, "low": self.low,
                "high": self.high}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EstimativeUse":
        return cls(d["text"], d["source"], d["article_id"], d["low"], d["high"])


@dataclass(frozen=True)
class Grade:
    """NATO / Admiralty grade: reliability A-F of the strongest source, credibility 1-6."""

    reliability: str
    credibility: int
    explanation: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"{self.reliability}{self.credibility}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "reliability": self.reliability, "credibility": self.credibility,
                "explanation": list(self.explanation)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Grade":
        return cls(d["reliability"], int(d["credibility"]), tuple(d["explanation"]))


@dataclass(frozen=True)
class Assessment:
    """Everything reported about one flow (type, provider, recipient, item) across articles."""

    id: str
    type: EventType
    provider: str
    recipient: str
    category: Category
    canonical: str | None
    item_label: str  # canonical system, unknown designation, or category
    names: tuple[str, ...]  # the surface names the articles use
    claims: tuple[Claim, ...]
    origins: tuple[Origin, ...]
    status_history: tuple[StatusStep, ...]
    max_status: Status
    latest_status: Status
    denials: tuple[Denial, ...]
    figures: tuple[Figure, ...]
    largest_figure: Figure | None
    confidence: tuple[EstimativeUse, ...]
    grade: Grade
    first_reported: str | None
    last_reported: str | None

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.article_id for c in self.claims))

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({c.outlet for c in self.claims if c.outlet}))

    @property
    def independent_origins(self) -> int:
        return len(self.origins)

    @property
    def contested(self) -> bool:
        return bool(self.denials)

    def summary(self) -> dict[str, Any]:
        """The ledger line: what a table of assessments shows."""
        return {"id": self.id, "type": self.type.value, "provider": self.provider, "recipient": self.recipient,
                "item": self.item_label, "category": self.category.value, "canonical": self.canonical,
                "max_status": self.max_status.value, "latest_status": self.latest_status.value,
                "grade": self.grade.code, "events": len(self.claims), "articles": len(self.articles),
                "outlets": len(self.outlets), "independent_origins": self.independent_origins,
                "denials": len(self.denials), "first_reported": self.first_reported,
                "last_reported": self.last_reported}

    def to_dict(self, claims: bool = True) -> dict[str, Any]:
        """The whole dossier; without claims when they are kept elsewhere (the store keeps events)."""
        out = {**self.summary(), "names": list(self.names), "grade": self.grade.to_dict(),
               "origins": [o.to_dict() for o in self.origins],
               "status_history": [s.to_dict() for s in self.status_history],
               "denials": [d.to_dict() for d in self.denials], "figures": [f.to_dict() for f in self.figures],
               "largest_figure": self.largest_figure.to_dict() if self.largest_figure else None,
               "confidence": [c.to_dict() for c in self.confidence]}
        if claims:
            out["claims"] = [c.to_dict() for c in self.claims]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any], claims: Iterable[Claim] | None = None) -> "Assessment":
        """From `to_dict()`; `claims` supplies them when the dict was written without."""
        return cls(
            id=d["id"], type=EventType(d["type"]), provider=d["provider"], recipient=d["recipient"],
            category=Category(d["category"]), canonical=d.get("canonical"), item_label=d["item"],
            names=tuple(d.get("names") or ()),
            claims=tuple(claims) if claims is not None else tuple(Claim.from_dict(c) for c in d["claims"]),
            origins=tuple(Origin.from_dict(o) for o in d["origins"]),
            status_history=tuple(StatusStep.from_dict(s) for s in d["status_history"]),
            max_status=Status(d["max_status"]), latest_status=Status(d["latest_status"]),
            denials=tuple(Denial.from_dict(x) for x in d["denials"]),
            figures=tuple(Figure.from_dict(f) for f in d["figures"]),
            largest_figure=Figure.from_dict(d["largest_figure"]) if d.get("largest_figure") else None,
            confidence=tuple(EstimativeUse.from_dict(c) for c in d["confidence"]),
            grade=Grade.from_dict(d["grade"]), first_reported=d.get("first_reported"),
            last_reported=d.get("last_reported"))


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
