"""Article, sentence, mention and event: the typed data of one report, and its JSON (docs/format.md)."""

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

    @property
    def left_out(self) -> bool:
        """Left out on purpose (a hidden file in a directory), not lost: a note, not an error."""
        return self.reason in LEFT_OUT

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
    def timed_out(cls, article: Article, budget: float | None, stage: str) -> "Rejection":
        """An article that used up its time budget while `stage` (scanning, parsing, assembling events
        of) it: given up, the batch goes on."""
        where, line = split_origin(article.origin)
        limit = f" of {budget:g} s" if budget is not None else ""
        return cls(where, TIMEOUT, f"article {article.id!r} took longer than its time budget{limit} "
                                   f"while {stage} it; skipped, the rest went on", line)

    @classmethod
    def of_article(cls, article: Article, stage: str, error: BaseException) -> "Rejection":
        """An internal error while `stage` (extracting, storing) one article."""
        return cls.internal(error, f"{stage} article {article.id!r}", article.origin)


# Reason of a rejection caused by a bug rather than by the input.
INTERNAL = "internal"
# Reason of a rejection of an article that took longer than the extractor's time budget.
TIMEOUT = "timeout"
# Reasons of directory entries left out on purpose (a hidden file, a link to a directory): reported
# as notes, counted apart, and no input lost, so the exit code does not change.
LEFT_OUT = frozenset({"hidden", "directory_link"})
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
            out["spans"] = [s.to_dict() for s in self.spans]  # optional, beside the fields every event has (docs/format.md)
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
    """What extraction makes of one article: one interchange line (docs/format.md)."""

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
