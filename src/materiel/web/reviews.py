"""The review routes of the REST API: the queue, an event's history, and the decisions (confirm,
reject, correct, add, undo), each recorded under the name of the reviewer whose token made it.

All of it calls `materiel.review`, as the CLI and the pages do. Decisions are plain `def` routes (run
in the server's threads); SQLite's write lock orders reviewers who decide at the same moment, and each
decision reads the event's latest state inside its own transaction, so none is lost.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from .. import query, review
from ..model.review import CORRECTABLE, RejectReason, Review
from ..store import reviews as review_rows
from ..store.sqlite import EventFilter, Store
from .api import ERRORS, LIMIT, OFFSET, WRITE_ERRORS, Page, date_query, item_query, page, parsed, party_query, \
    require_token, store_of, type_query

router = APIRouter(prefix="/api", responses=ERRORS)  # type: ignore[arg-type]
REVIEW_ERRORS = {**WRITE_ERRORS, 409: {"model": WRITE_ERRORS[401]["model"],
                                       "description": "The decision contradicts the event's current state"}}
PARTS = f"Parts of the event, as you would type them: {', '.join(CORRECTABLE)}"


class NoteIn(BaseModel):
    note: Optional[str] = Field(None, max_length=2_000, description="Why, in a few words.")


class RejectIn(NoteIn):
    reason: RejectReason = Field(..., description="Why the event is wrong.")


class CorrectIn(NoteIn):
    changes: dict[str, Optional[str]] = Field(..., min_length=1, description=PARTS + "; null or '' clears "
                                              "quantity, value or time. Examples: {\"provider\": \"Iran\"}, "
                                              "{\"quantity\": \"about 20\"}, {\"item\": \"uav: Mohajer-6\"}.")


class AddIn(NoteIn):
    start: int = Field(..., ge=0, description="Where the evidence starts in the article's full text.")
    end: int = Field(..., ge=1, description="Where it ends (exclusive).")
    parts: dict[str, Optional[str]] = Field(..., description=PARTS + "; type, provider, recipient and item are "
                                            "required, status defaults to unclear and the source to the article.")


def event_filters(type: Optional[str] = type_query(), provider: Optional[str] = party_query(),
                  recipient: Optional[str] = party_query(), item: Optional[str] = item_query(),
                  status: Optional[str] = Query(None, max_length=40), since: Optional[str] = date_query(),
                  until: Optional[str] = date_query()) -> EventFilter:
    return parsed(query.event_filter, type=type, provider=provider, recipient=recipient, item=item, status=status,
                  since=since, until=until)


def answered(work: Any) -> Any:
    """Run a review function; its errors become 404 (no such event, article or review), 409 (a conflict
    with the current state) or 422 (a value that means nothing), with its message."""
    try:
        return work()
    except review.UnknownReviewTarget as exc:
        raise HTTPException(404, str(exc)) from exc
    except review.ReviewConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except (review.ReviewError, query.QueryError) as exc:
        raise HTTPException(422, str(exc)) from exc


def event_now(store: Store, event_id: str) -> dict[str, Any] | None:
    """The event as the ledger shows it now, with its state and the assessment holding it."""
    row = review_rows.event_row(store, event_id)
    if row is None:
        return None
    assessment = store.assessment_of_events([event_id]).get(event_id)
    return {"id": event_id, "article_hash": row.article_hash, "article_id": row.article_key, "review": row.state,
            "assessment_id": assessment, **row.event.to_dict(),
            "machine": row.machine.to_dict() if row.machine and row.machine != row.event else None}


def decided(request: Request, store: Store, made: Review) -> dict[str, Any]:
    request.app.state.ledgers.wrote()
    return {"review": made.to_dict(), "event": event_now(store, made.event_id)}


@router.get("/reviews/queue", response_model=Page, summary="Events nobody has decided on, most important first")
def review_queue(request: Request, flt: EventFilter = Depends(event_filters), limit: int = LIMIT,
                 offset: int = OFFSET) -> Page:
    total, items = review.queue(store_of(request), flt, limit, offset)
    return page(request, [item.to_dict() for item in items], total, limit, offset)


@router.get("/reviews/summary", summary="How many events are reviewed, by state")
def review_summary(request: Request) -> dict[str, int]:
    return review_rows.review_counts(store_of(request))


@router.get("/reviews/suspended", summary="Reviews a new extraction suspended for another look")
def suspended(request: Request) -> dict[str, Any]:
    found = review.suspended_reviews(store_of(request))
    return {"items": [r.to_dict() for r in found], "total": len(found)}


@router.get("/events/{event_id}/reviews", summary="An event as it stands, with every decision on it")
def event_history(request: Request, event_id: str) -> dict[str, Any]:
    store = store_of(request)
    resolved = answered(lambda: review.resolve_event_id(store, event_id))
    return {"event": event_now(store, resolved), "reviews": [r.to_dict() for r in review.history(store, resolved)]}


@router.post("/events/{event_id}/confirm", responses=REVIEW_ERRORS, summary="Confirm an event as extracted")
def confirm_event(request: Request, event_id: str, body: Optional[NoteIn] = None,
                  reviewer: str = Depends(require_token)) -> dict[str, Any]:
    store = store_of(request)
    note = body.note if body else None
    return decided(request, store, answered(lambda: review.confirm(store, event_id, reviewer, note)))


@router.post("/events/{event_id}/reject", responses=REVIEW_ERRORS, summary="Reject an event, with a reason")
def reject_event(request: Request, event_id: str, body: RejectIn,
                 reviewer: str = Depends(require_token)) -> dict[str, Any]:
    store = store_of(request)
    return decided(request, store, answered(
        lambda: review.reject(store, event_id, reviewer, body.reason, body.note)))


@router.post("/events/{event_id}/correct", responses=REVIEW_ERRORS, summary="Correct parts of an event")
def correct_event(request: Request, event_id: str, body: CorrectIn,
                  reviewer: str = Depends(require_token)) -> dict[str, Any]:
    store = store_of(request)
    return decided(request, store, answered(
        lambda: review.correct(store, event_id, reviewer, review.parse_changes(body.changes), body.note)))


@router.post("/articles/{article_hash}/events", responses=REVIEW_ERRORS,
             summary="Add an event the extractor missed, with a stretch of the article as its evidence")
def add_event(request: Request, article_hash: str, body: AddIn,
              reviewer: str = Depends(require_token)) -> dict[str, Any]:
    store = store_of(request)
    return decided(request, store, answered(lambda: review.add_event(
        store, article_hash, reviewer, body.start, body.end, review.parse_changes(body.parts), body.note)))


@router.post("/reviews/{review_id}/undo", responses=REVIEW_ERRORS,
             summary="Undo an event's latest decision (it stays in the history, marked undone)")
def undo_review(request: Request, review_id: int, reviewer: str = Depends(require_token)) -> dict[str, Any]:
    store = store_of(request)
    return decided(request, store, answered(lambda: review.undo(store, review_id, reviewer)))
