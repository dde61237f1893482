"""Analyst review: confirm, reject, correct or add events, and keep the ledger in step with the people.

Every decision is a row of the reviews table (who, when, what changed, why) and is never rewritten;
the event row shows the ledger's current view (the extractor's event with the corrections of its
latest active review), and the flows an event belonged to before and after are assessed again in the
same transaction, so a reader sees the decision and its consequences together or not at all.

When an article is extracted again (`reextract`), each review follows its evidence span: applied
again where the newer extractor reads that span as before, suspended with a flag for another look
where it reads it differently or no longer at all. Added events are the reviewers' own and stay.

The CLI (`materiel review ...`), the REST API and the web pages all call these functions.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, TextIO

from .errors import MaterielError
from .model import Article, ArticleResult, Event, Evidence, Stance, UNORDERED_TYPES
from .model.review import (CORRECTABLE, FLAG_CHANGED, FLAG_GONE, RejectReason, Review, ReviewAction, ReviewState,
                           anchor_of, apply_changes, fingerprint, state_after)
from .store import reviews as rows
from .store.sqlite import (EVENT_ROW_ASSESSMENT, EVENT_ROW_ID, EventFilter, Store, StoredEvent, kept_events,
                           stored_event)

# Added events sort after the extractor's in their article (positions of these rows are not ids).
ADDED_POSITION = 1_000_000


class ReviewError(MaterielError, ValueError):
    """A decision that cannot be taken as asked (a bad value, nothing to change): say what to do."""


class UnknownReviewTarget(ReviewError, LookupError):
    """No such event, article or review in the ledger."""


class ReviewConflict(ReviewError):
    """The decision contradicts the ledger's state (undoing a review that is not the latest, ...)."""


def current(reviews: Iterable[Review]) -> Review | None:
    """An event's current decision: its latest review neither undone nor suspended."""
    active = [r for r in reviews if r.active]
    return active[-1] if active else None


def _added_base(reviews: list[Review], article_key: str) -> Event | None:
    add = next((r for r in reviews if r.action is ReviewAction.ADD and r.undone_at is None), None)
    return Event.from_dict(add.changes, article_key) if add else None


def _settle(store: Store, event_id: str) -> set[tuple[str, str, str, str]]:
    """Make the event row show the event as its reviews leave it; returns the flows it was and is in."""
    row = rows.event_row(store, event_id)
    if row is None:
        return set()
    reviews = rows.reviews_of(store, event_id)
    decision = current(reviews)
    families = {row.family}
    if row.machine is None:  # a reviewer's own event
        base = _added_base(reviews, row.article_key)
        if base is None:  # its addition was undone
            rows.delete_event(store, event_id)
            return families
        overrides = decision.changes if decision and decision.action is not ReviewAction.ADD else {}
        state: ReviewState | None = (ReviewState.REJECTED if decision and decision.action is ReviewAction.REJECT
                                     else ReviewState.ADDED)
        event, machine_json = apply_changes(base, overrides), None
    else:
        overrides = decision.changes if decision else {}
        state = state_after(decision)
        event = apply_changes(row.machine, overrides)
        machine_json = json.dumps(row.machine.to_dict(), ensure_ascii=False) if overrides else None
    store.rewrite_event(event_id, event, state.value if state else None, machine_json)
    families.add(rows.family_of(event))
    return families


def _reassess(store: Store, families: set[tuple[str, str, str, str]]) -> None:
    from .assess.update import assess_families

    if families:
        assess_families(store, families)


def _row(store: Store, event_id: str) -> rows.EventRow:
    row = rows.event_row(store, event_id)
    if row is None:
        close = rows.event_ids_like(store, event_id) if len(event_id) >= 6 else []
        if len(close) == 1:
            row = rows.event_row(store, close[0])
            if row is not None:
                return row
        hint = f"; did you mean {', '.join(close)}?" if close else "; `materiel review list` shows the event ids"
        raise UnknownReviewTarget(f"no event {event_id!r} in the ledger{hint}")
    return row


def _reviewer(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ReviewError("a review needs the reviewer's name")
    return name


def decide(store: Store, event_id: str, action: ReviewAction | str, reviewer: str,
           changes: Mapping[str, Any] | None = None, reason: RejectReason | str | None = None,
           note: str | None = None) -> Review:
    """Confirm, reject or correct one stored event (an id or an unambiguous start of one).

    `changes` (for `correct`) maps parts of the event (`CORRECTABLE`) to their values in the
    interchange format, as `parse_changes` makes them from a user's words. Returns the review."""
    action = ReviewAction(action)
    if action is ReviewAction.ADD:
        raise ReviewError("use add_event to add an event")
    reviewer = _reviewer(reviewer)
    with store.transaction():
        row = _row(store, event_id)
        reviews = rows.reviews_of(store, row.event_id)
        decision = current(reviews)
        carried = dict(decision.changes) if decision and decision.action is not ReviewAction.ADD else {}
        base = row.machine or _added_base(reviews, row.article_key) or row.event
        before = apply_changes(base, carried)
        delta: dict[str, Any] = {}
        if action is ReviewAction.CORRECT:
            after = _corrected(before, dict(changes or {}))
            old, new = before.to_dict(), after.to_dict()
            delta = {k: [old.get(k), new.get(k)] for k in (changes or {}) if old.get(k) != new.get(k)}
            if not delta:
                raise ReviewError("the correction changes nothing: every value given is the event's already")
            carried.update({k: new[k] for k in delta})
        elif action is ReviewAction.REJECT:
            if reason is None:
                raise ReviewError(f"a rejection needs a reason: one of {', '.join(r.value for r in RejectReason)}")
            reason = _reason(reason)
        elif changes:
            raise ReviewError("only a correction carries changes")
        machine = row.machine
        review_id = rows.insert(store, row.event_id, row.article_hash, action, reviewer, carried, delta,
                                anchor_of(machine or base), fingerprint(machine) if machine else None,
                                reason if action is ReviewAction.REJECT else None, note or None)
        _reassess(store, _settle(store, row.event_id))
        stored = rows.review(store, review_id)
    assert stored is not None
    return stored


def _reason(reason: RejectReason | str) -> RejectReason:
    try:
        return RejectReason(str(getattr(reason, "value", reason)).strip().lower())
    except ValueError:
        raise ReviewError(f"unknown reason {reason!r}: choose one of "
                          f"{', '.join(r.value for r in RejectReason)}") from None


def _corrected(event: Event, changes: dict[str, Any]) -> Event:
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ReviewError(f"cannot correct {', '.join(unknown)}: the parts a review corrects are "
                          f"{', '.join(CORRECTABLE)}")
    try:
        return apply_changes(event, changes)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReviewError(f"a corrected value is not valid: {exc}") from exc


def confirm(store: Store, event_id: str, reviewer: str, note: str | None = None) -> Review:
    return decide(store, event_id, ReviewAction.CONFIRM, reviewer, note=note)


def reject(store: Store, event_id: str, reviewer: str, reason: RejectReason | str,
           note: str | None = None) -> Review:
    return decide(store, event_id, ReviewAction.REJECT, reviewer, reason=reason, note=note)


def correct(store: Store, event_id: str, reviewer: str, changes: Mapping[str, Any],
            note: str | None = None) -> Review:
    return decide(store, event_id, ReviewAction.CORRECT, reviewer, changes=changes, note=note)


# What an added event says where the reviewer leaves a part out.
ADD_DEFAULTS: dict[str, Any] = {"status": "unclear", "stance": "asserted",
                                "sources": [{"name": "the article", "kind": "author"}]}
ADD_REQUIRED = ("type", "provider", "recipient", "item")


def add_event(store: Store, article_hash: str, reviewer: str, start: int, end: int, parts: Mapping[str, Any],
              note: str | None = None) -> Review:
    """Add an event the extractor missed to a stored article, with the article text from `start` to `end`
    (offsets into its full text: title, blank line, body) as its evidence; `parts` as for `correct`."""
    reviewer = _reviewer(reviewer)
    missing = [k for k in ADD_REQUIRED if not parts.get(k)]
    if missing:
        raise ReviewError(f"an added event needs its {', '.join(missing)}")
    with store.transaction():
        article = store.article(article_hash)
        if article is None:
            raise UnknownReviewTarget(f"no article {article_hash!r} in the ledger")
        evidence = _selection(article, start, end)
        data = {**ADD_DEFAULTS, **{k: v for k, v in parts.items() if v is not None},
                "evidence": [evidence.to_dict()]}
        unknown = sorted(set(parts) - set(CORRECTABLE))
        if unknown:
            raise ReviewError(f"an added event has no part {', '.join(unknown)}; its parts are {', '.join(CORRECTABLE)}")
        try:
            event = Event.from_dict(data, article.id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReviewError(f"a value of the added event is not valid: {exc}") from exc
        if event.provider == event.recipient and event.type not in UNORDERED_TYPES:
            raise ReviewError("the provider and the recipient are the same party")
        n = rows.added_count(store, article_hash) + 1
        event_id = store.insert_event(article_hash, ADDED_POSITION + n, event,
                                      event_id=f"{article_hash}:added-{n}", review_state=ReviewState.ADDED.value)
        review_id = rows.insert(store, event_id, article_hash, ReviewAction.ADD, reviewer, event.to_dict(), {},
                                anchor_of(event), None, None, note or None)
        _reassess(store, _settle(store, event_id))
        stored = rows.review(store, review_id)
    assert stored is not None
    return stored


def _selection(article: Article, start: int, end: int) -> Evidence:
    text = article.full_text
    if not (0 <= start < end <= len(text)):
        raise ReviewError(f"the selection {start}-{end} is outside the article's text (0-{len(text)})")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ReviewError("the selection holds no words")
    return Evidence(start, end, text[start:end])


def undo(store: Store, review_id: int, reviewer: str) -> Review:
    """Undo an event's latest decision: the event goes back to what the decision before it (or the
    extractor) said. The review stays in the history, marked undone by whom and when."""
    reviewer = _reviewer(reviewer)
    with store.transaction():
        review = rows.review(store, int(review_id))
        if review is None:
            raise UnknownReviewTarget(f"no review {review_id} in the ledger")
        if review.undone_at is not None:
            raise ReviewConflict(f"review {review_id} was already undone by {review.undone_by} at {review.undone_at}")
        if review.flag is not None:
            raise ReviewConflict(f"review {review_id} is suspended ({review.flag}); decide on the event again instead")
        latest = current(rows.reviews_of(store, review.event_id))
        if latest is not None and latest.id != review.id:
            raise ReviewConflict(f"review {review_id} is not the latest decision on event {review.event_id}: "
                                 f"undo review {latest.id} first")
        row = rows.event_row(store, review.event_id)
        families = {row.family} if row else set()
        rows.mark_undone(store, review.id, reviewer)
        _reassess(store, families | _settle(store, review.event_id))
        stored = rows.review(store, review.id)
    assert stored is not None
    return stored


def resolve_event_id(store: Store, event_id: str) -> str:
    """The stored event id a user means: the id itself, or the one id starting with what they typed."""
    return _row(store, event_id).event_id


def history(store: Store, event_id: str) -> list[Review]:
    """Every decision on an event, oldest first, undone and suspended ones included."""
    row = _row(store, event_id)
    return rows.reviews_of(store, row.event_id)


# --- the queue -------------------------------------------------------------------------------------

# Why an event comes early in the queue, with its weight: the more the ledger rests on it, the sooner.
PRIORITY = {
    "suspended": 32,  # a review of it was suspended by a new extraction
    "sole-event": 16,  # it alone carries an assessment
    "changes-grade": 8,  # without it, its assessment's grade would change
    "denial": 4,
    "role-from-context": 2,  # a party was not found in its own sentence (context, catalogue)
}
PRIORITY_TEXT = {
    "suspended": "a review of it needs another look after a new extraction",
    "sole-event": "the only event of its assessment",
    "changes-grade": "without it its assessment would be graded differently (it alone carries a source)",
    "denial": "a denial",
    "role-from-context": "a party taken from context, not from its own sentence",
}


@dataclass(frozen=True)
class QueueItem:
    """An event waiting for a decision, with why it comes where it does."""

    stored: StoredEvent
    reasons: tuple[str, ...] = ()
    suspended: tuple[Review, ...] = ()

    @property
    def priority(self) -> int:
        return sum(PRIORITY[r] for r in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        s = self.stored
        return {"event_id": s.event_id, "priority": self.priority, "reasons": list(self.reasons),
                "why": [PRIORITY_TEXT[r] for r in self.reasons], "assessment_id": s.assessment_id,
                "article_id": s.article_key, "article_hash": s.article_hash, "title": s.title, "outlet": s.outlet,
                "published": s.published, "event": s.event.to_dict(),
                "suspended": [r.to_dict() for r in self.suspended]}


def _grade_movers(store: Store, assessment_ids: set[str]) -> tuple[dict[str, int], set[str]]:
    """Per assessment its number of claims, and the events whose removal would change their assessment's
    grade: those that alone carry one of its independent origins, where the grade computed without that
    origin differs (the grading rules of `materiel.assess.grading`, applied to the stored origins)."""
    from .assess.grading import grade
    from .model import Denial, Origin

    ids = sorted(assessment_ids)
    sizes: Counter[str] = Counter()
    holders: dict[str, dict[str, list[str]]] = {}
    for event_id, assessment_id, origins in rows.claim_origins(store, ids):
        sizes[assessment_id] += 1
        for origin in origins:
            holders.setdefault(assessment_id, {}).setdefault(origin, []).append(event_id)
    graded = {assessment_id: (code, tuple(Origin.from_dict(o) for o in data.get("origins") or ()),
                              tuple(Denial.from_dict(d) for d in data.get("denials") or ()))
              for assessment_id, code, data in rows.graded_assessments(store, ids)}
    sole: dict[str, set[str]] = {}
    owner: dict[str, str] = {}
    for assessment_id, by_origin in holders.items():
        for origin, events in by_origin.items():
            if len(events) == 1:
                sole.setdefault(events[0], set()).add(origin)
                owner[events[0]] = assessment_id
    movers = set()
    for event_id, origins in sole.items():
        code, all_origins, denials = graded.get(owner[event_id], ("", (), ()))
        if code and grade([o for o in all_origins if o.key not in origins], denials).code != code:
            movers.add(event_id)
    return dict(sizes), movers


def _roles_from_context(event: Mapping[str, Any]) -> bool:
    """Whether the provider or the recipient of an event (in the interchange format) is not written in its
    own evidence: the extractor took it from an earlier sentence, the article's flows or the catalogue.
    Reads the event's own spans only (no query); an event stored without spans says nothing."""
    spans, evidence = event.get("spans"), event.get("evidence") or ()
    if spans is None or not evidence:
        return False
    lo, hi = min(e.get("start", -1) for e in evidence), max(e.get("end", -1) for e in evidence)
    for slot in ("provider", "recipient"):
        own = [s for s in spans if s.get("slot") == slot]
        if not own or not any(lo <= s["start"] and s["end"] <= hi for s in own):
            return True
    return False


def queue(store: Store, flt: EventFilter = EventFilter(), limit: int | None = 50,
          offset: int = 0) -> tuple[int, list[QueueItem]]:
    """Events of the ledger nobody has decided on, those the ledger rests on most first (`PRIORITY`),
    then newest article first; with the total waiting. Filters as on the events list."""
    from dataclasses import replace

    # One query for the waiting rows, one pass over their JSON for what the priorities read; only the
    # page's events are decoded into Events (decoding every waiting event was most of the time).
    waiting = list(store.event_rows(replace(flt, reviewed=False)))
    sizes, movers = _grade_movers(store, {row[EVENT_ROW_ASSESSMENT] for row in waiting if row[EVENT_ROW_ASSESSMENT]})
    suspended: dict[str, list[Review]] = {}
    for r in rows.suspended(store):
        suspended.setdefault(r.event_id, []).append(r)
    ranked = []
    for order, row in enumerate(waiting):
        data = json.loads(row[0])
        event_id, assessment_id = row[EVENT_ROW_ID], row[EVENT_ROW_ASSESSMENT]
        reasons = tuple(name for name, hit in (
            ("suspended", event_id in suspended),
            ("sole-event", assessment_id is not None and sizes.get(assessment_id) == 1),
            ("changes-grade", assessment_id is not None and sizes.get(assessment_id, 0) > 1 and event_id in movers),
            ("denial", data.get("stance") == Stance.DENIED.value),
            ("role-from-context", _roles_from_context(data))) if hit)
        ranked.append((-sum(PRIORITY[r] for r in reasons), order, reasons, data))
    ranked.sort(key=lambda t: (t[0], t[1]))
    chosen = ranked[offset:] if limit is None else ranked[offset:offset + limit]
    return len(ranked), [QueueItem(stored_event(waiting[order], data), reasons,
                                   tuple(suspended.get(waiting[order][EVENT_ROW_ID], ())))
                         for _, order, reasons, data in chosen]


def suspended_reviews(store: Store) -> list[Review]:
    """Reviews a new extraction suspended (their event changed or is gone), oldest first."""
    return rows.suspended(store)


# --- extracting stored articles again ----------------------------------------------------------------

@dataclass
class ReextractCounts:
    articles: int = 0
    events_before: int = 0
    events_after: int = 0
    reviews_kept: int = 0  # reviews applied again to the same reading of the same evidence
    reviews_changed: int = 0  # suspended: the evidence is read differently now
    reviews_gone: int = 0  # suspended: no event on that evidence any more

    def describe(self) -> str:
        return (f"{self.articles} article(s) extracted again: {self.events_before} -> {self.events_after} "
                f"extracted event(s); reviews: {self.reviews_kept} kept, {self.reviews_changed} suspended because "
                f"their event changed, {self.reviews_gone} suspended because their event is gone")


def replace_extraction(store: Store, result: ArticleResult, counts: ReextractCounts | None = None) -> ReextractCounts:
    """Put a new extraction of a stored article in place of the extractor's old events, carry every
    review over to the event on the same evidence, and assess the flows touched, in one transaction."""
    counts = counts if counts is not None else ReextractCounts()
    article = result.article
    content_id = article.content_id
    with store.transaction():
        old = rows.machine_rows(store, content_id)
        families = {r.family for r in old}
        groups: dict[str, list[Review]] = {}
        reviews = rows.reviews_of_article(store, content_id)
        added = {r.event_id for r in reviews if r.action is ReviewAction.ADD}  # reviewers' own events stay as they are
        for r in reviews:
            if r.event_id not in added:
                groups.setdefault(r.event_id, []).append(r)
        rows.delete_machine_rows(store, content_id)
        new: dict[str, list[tuple[str, str]]] = {}  # anchor -> (event id, fingerprint) of the new events there
        events = kept_events(result)
        for position, event in enumerate(events):
            event_id = store.insert_event(content_id, position, event)
            new.setdefault(anchor_of(event), []).append((event_id, fingerprint(event)))
            families.add(rows.family_of(event))
        taken: set[str] = set()
        kept: list[str] = []  # new events whose reviews apply again
        for old_id, group in groups.items():
            decision = current(group)
            ref = decision or group[-1]
            candidates = [c for c in new.get(ref.anchor, []) if c[0] not in taken]
            same = [c for c in candidates if c[1] == ref.machine]
            if same:
                taken.add(same[0][0])
                kept.append(same[0][0])
                rows.repoint(store, [r.id for r in group], same[0][0], None)
                counts.reviews_kept += sum(1 for r in group if r.active)
                continue
            live = [r.id for r in group if r.undone_at is None]
            if candidates:  # suspended on the first new event of that evidence, which stays as extracted
                target = candidates[0][0]
                taken.add(target)
                rows.repoint(store, [r.id for r in group if r.undone_at is not None], target, None)
                rows.repoint(store, live, target, FLAG_CHANGED)
                counts.reviews_changed += sum(1 for r in group if r.active)
            else:
                gone = f"{content_id}:gone-{group[0].id}"  # no event has this id: the history stays its own
                rows.repoint(store, [r.id for r in group if r.undone_at is not None], gone, None)
                rows.repoint(store, live, gone, FLAG_GONE)
                counts.reviews_gone += sum(1 for r in group if r.active)
        for event_id in kept:
            families |= _settle(store, event_id)
        _reassess(store, families)
    counts.articles += 1
    counts.events_before += len(old)
    counts.events_after += len(events)
    return counts


def stored_articles(store: Store, article_hashes: Iterable[str] | None = None) -> Iterator[Article]:
    """Stored articles (all, or those named), as extraction reads them."""
    for content_id in list(article_hashes) if article_hashes is not None else store.article_hashes():
        article = store.article(content_id)
        if article is None:
            raise UnknownReviewTarget(f"no article {content_id!r} in the ledger")
        yield article


# --- reviewed articles as gold ------------------------------------------------------------------------

@dataclass
class ExportCounts:
    articles: int = 0
    events: int = 0
    partial: list[str] = field(default_factory=list)  # article keys left out: events still undecided

    def describe(self) -> str:
        left = (f"; {len(self.partial)} article(s) left out because some of their events are not yet reviewed "
                f"(--partial includes them): {', '.join(self.partial[:5])}{' ...' if len(self.partial) > 5 else ''}"
                if self.partial else "")
        return f"{self.articles} reviewed article(s) with {self.events} event(s) written{left}"


def export_gold(store: Store, out: TextIO, articles_out: TextIO | None = None,
                partial: bool = False) -> ExportCounts:
    """The reviewed articles in the interchange format (docs/format.md): one line per article with its
    events as reviewed (rejected ones left out, corrections applied, added ones in), with evidence.
    An article with events nobody has decided on is left out unless `partial`, since its gold would
    be incomplete. `articles_out` receives the articles' texts as an input file for `materiel eval`."""
    counts = ExportCounts()
    for content_id, key, undecided, _decided in rows.reviewed_articles(store):
        if undecided and not partial:
            counts.partial.append(key)
            continue
        events = [e for _, e in store.article_events(content_id)]
        out.write(ArticleResult(Article(id=key, title="", text=""), tuple(events)).to_json() + "\n")
        if articles_out is not None:
            article = store.article(content_id)
            if article is not None:
                articles_out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
        counts.articles += 1
        counts.events += len(events)
    return counts


# --- what users type ---------------------------------------------------------------------------------

def parse_changes(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Parts of an event as a user types them ('--provider Iran --quantity "about 20"') in the
    interchange format; None or '' clears an optional part (quantity, value, time)."""
    from . import query

    out: dict[str, Any] = {}
    for slot, raw in values.items():
        text = " ".join(str(raw).split()) if raw is not None else ""
        if slot not in CORRECTABLE:
            raise ReviewError(f"cannot correct {slot}: the parts a review corrects are {', '.join(CORRECTABLE)}")
        if not text:
            if slot in ("quantity", "value", "time"):
                out[slot] = None
                continue
            raise ReviewError(f"{slot}: empty")
        out[slot] = _parse_part(slot, text, query)
    return out


def _parse_part(slot: str, text: str, query: Any) -> Any:
    if slot == "type":
        return query.parse_type(text, slot)
    if slot in ("provider", "recipient"):
        return query.parse_party(text, slot)
    if slot == "status":
        return query.parse_status(text, slot)
    if slot == "stance":
        return query.parse_choice(text, Stance, slot)
    if slot == "item":
        return _parse_item(text, query)
    if slot == "quantity":
        return _parse_quantity(text)
    if slot == "value":
        return _parse_value(text)
    if slot == "time":
        iso = query.parse_date(text, slot) if text[:1].isdigit() else None
        return {"text": text, "iso": iso}
    if slot == "sources":
        return [_parse_source(part) for part in text.split(";") if part.strip()]
    raise ReviewError(f"cannot correct {slot}")  # pragma: no cover - CORRECTABLE is checked first


def _parse_item(text: str, query: Any) -> dict[str, Any]:
    """A catalogued system ('Geran-2' -> Shahed-136 with its category) or a category word ('drones')
    with the words as the item's name; 'category: name' gives both."""
    category, _, name = text.partition(":") if ":" in text else ("", "", text)
    name = name.strip()
    kb = query._knowledge()
    system = kb.system(name)
    if category.strip():
        match = query.parse_item(category.strip(), "item")
        if match.category is None:
            raise ReviewError(f"item: {category.strip()!r} is no category")
        return {"category": match.category, "name": name or None,
                "canonical": system.canonical if system else None}
    if system is not None:
        return {"category": system.category.value, "name": name, "canonical": system.canonical}
    match = query.parse_item(name, "item")
    if match.category is not None:
        return {"category": match.category, "name": name, "canonical": None}
    raise ReviewError(f"item: {name!r} is neither a catalogued system nor a category; write 'category: name', "
                      "e.g. 'uav: Mohajer-10'")


def _parse_quantity(text: str) -> dict[str, Any]:
    words = text.lower().split()
    approx = any(w in ("about", "around", "some", "roughly", "approximately", "~", "over", "more", "than", "up", "to")
                 for w in words) or text.startswith("~")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        raise ReviewError(f"quantity: {text!r} holds no number; write e.g. 12 or 'about 20'")
    return {"value": int(digits), "approx": approx, "text": text}


CURRENCY_WORDS = {"$": "USD", "usd": "USD", "dollars": "USD", "€": "EUR", "eur": "EUR", "euros": "EUR",
                  "£": "GBP", "gbp": "GBP", "rub": "RUB", "roubles": "RUB", "rubles": "RUB", "cny": "CNY",
                  "yuan": "CNY", "inr": "INR", "rupees": "INR", "jpy": "JPY", "yen": "JPY"}
SCALE_WORDS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "b": 1e9, "billion": 1e9}


def _parse_value(text: str) -> dict[str, Any]:
    """'USD 1.2bn', '$300 million', '45000000 EUR' -> amount and currency."""
    import re

    folded = text.lower().replace(",", "")
    number = re.search(r"\d+(?:\.\d+)?", folded)
    if number is None:
        raise ReviewError(f"value: {text!r} holds no amount; write e.g. 'USD 1.2bn' or '$300 million'")
    amount = float(number.group())
    rest = folded[:number.start()] + " " + folded[number.end():]
    tokens = re.findall(r"[a-z]+|[$€£]", rest)
    currency = next((CURRENCY_WORDS[t] for t in tokens if t in CURRENCY_WORDS), None)
    currency = currency or next((t.upper() for t in tokens if len(t) == 3 and t not in SCALE_WORDS), None)
    scale = next((SCALE_WORDS[t] for t in tokens if t in SCALE_WORDS), 1.0)
    if currency is None:
        raise ReviewError(f"value: {text!r} names no currency; write e.g. 'USD 1.2bn'")
    return {"amount": amount * scale, "currency": currency}


def _parse_source(text: str) -> dict[str, Any]:
    """'Name (kind)', 'Name (kind, country)' or a name alone (an official): 'Pentagon (official, USA)',
    'Kremlin spokesman (official, Russia)', 'Oryx (media)'. The country is read as a party filter reads it."""
    from . import query
    from .model import SourceKind

    text = text.strip()
    kind, country = "official", None
    if text.endswith(")") and "(" in text:
        text, _, inside = text[:-1].rpartition("(")
        kind_text, _, country_text = inside.partition(",")
        kind = kind_text.strip().lower().replace(" ", "_")
        country = query.parse_party(country_text, "sources") if country_text.strip() else None
    try:
        SourceKind(kind)
    except ValueError:
        raise ReviewError(f"sources: unknown kind {kind!r}; one of {', '.join(k.value for k in SourceKind)}") from None
    return {"name": text.strip(), "kind": kind, "country": country, "via": None}


def evidence_offsets(article: Article, evidence: str) -> tuple[int, int]:
    """Where `evidence` stands in the article's full text (title, blank line, body): the offsets of its one
    occurrence, so a reviewer may quote the words instead of counting characters; an error if the text
    does not occur there or occurs more than once."""
    wanted = evidence.strip()
    if not wanted:
        raise ReviewError("the evidence holds no words")
    text = article.full_text
    first = text.find(wanted)
    if first < 0:
        raise ReviewError(f"the evidence {_clip(wanted)!r} is not in article {article.id!r}'s text; quote it exactly "
                          "or give --start and --end")
    second = text.find(wanted, first + 1)
    if second >= 0:
        raise ReviewError(f"the evidence {_clip(wanted)!r} occurs more than once in article {article.id!r} "
                          f"(at {first} and {second}); quote more of the sentence or give --start and --end")
    return first, first + len(wanted)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
