"""Across articles: the assessment of one flow, its claims, origins, status steps, denials and grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .core import Category, Event, EventType, Status


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
class Publication:
    """One place a stored text appeared: the same wire story carried by three outlets is one text (one
    set of events, one origin) and three publications, which are what articles and outlets count."""

    article_id: str  # the id the input gave
    outlet: str | None
    url: str | None
    published: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "outlet": self.outlet, "url": self.url, "published": self.published}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Publication":
        return cls(d["article_id"], d.get("outlet"), d.get("url"), d.get("published"))


@dataclass(frozen=True)
class Claim:
    """One stored event as evidence for an assessment, with the article that carries it (its first
    publication) and every publication of that article's text."""

    event_id: str
    event: Event
    article_id: str  # the id the input gave the article
    article_hash: str  # the store's content id
    title: str
    outlet: str | None
    published: str | None
    url: str | None = None
    origins: tuple[str, ...] = ()  # keys of the independent origins this claim rests on
    publications: tuple[Publication, ...] = ()  # every publication of the text; () reads as the first alone
    review: str | None = None  # the event's `ReviewState` value (None: nobody has decided on it)

    @property
    def reports(self) -> tuple[Publication, ...]:
        """Where the claim was published: every publication of its text, the first at least."""
        return self.publications or (Publication(self.article_id, self.outlet, self.url, self.published),)

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "article_id": self.article_id, "article_hash": self.article_hash,
                "title": self.title, "outlet": self.outlet, "published": self.published, "url": self.url,
                "origins": list(self.origins), "publications": [p.to_dict() for p in self.reports],
                "review": self.review, "event": self.event.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Claim":
        return cls(event_id=d["event_id"], event=Event.from_dict(d["event"], d["article_id"]),
                   article_id=d["article_id"], article_hash=d["article_hash"], title=d.get("title") or "",
                   outlet=d.get("outlet"), published=d.get("published"), url=d.get("url"),
                   origins=tuple(d.get("origins") or ()),
                   publications=tuple(Publication.from_dict(p) for p in d.get("publications") or ()),
                   review=d.get("review"))


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
    def publications(self) -> tuple[Publication, ...]:
        """Every publication of the texts that carry the claims, once each: what articles count."""
        return tuple(dict.fromkeys(p for c in self.claims for p in c.reports))

    @property
    def articles(self) -> tuple[str, ...]:
        """The input ids of the publications (a syndicated copy under its own id is another article)."""
        return tuple(dict.fromkeys(p.article_id for p in self.publications))

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({p.outlet for p in self.publications if p.outlet}))

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
                "grade": self.grade.code, "events": len(self.claims), "articles": len(self.publications),
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
