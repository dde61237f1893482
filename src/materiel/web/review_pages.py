"""The review queue page (`/review`): the events nobody has decided on, most important first, with
the buttons and keyboard shortcuts (static/review.js) that call the review routes of the API
(web/reviews.py) under the reviewer's own token. Server-rendered like the other pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from .. import review
from ..model import EventType, Status
from ..model.review import CORRECTABLE, FLAG_TEXT, RejectReason
from ..store import reviews as review_rows
from ..store.sqlite import EventFilter
from .api import store_of
from .pages import PAGE_SIZE, _parties, _query, counts_line, templates
from .reviews import event_filters

router = APIRouter(include_in_schema=False)

# The keys of the queue, shown on the page ('?') and read by review.js.
SHORTCUTS = (("j / ↓", "next event"), ("k / ↑", "previous event"), ("c", "confirm"),
             ("x", "reject, then 1–5 picks the reason"), ("e", "correct (Enter saves, Escape cancels)"),
             ("u", "undo your latest decision"), ("o", "open the article"), ("?", "show or hide these keys"))


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, flt: EventFilter = Depends(event_filters),
                page: int = Query(1, ge=1, le=100_000)) -> Response:
    store = store_of(request)
    total, items = review.queue(store, flt, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    rows = []
    for item in items:
        s = item.stored
        rows.append({"item": item, "s": s, "e": s.event, "why": item.to_dict()["why"],
                     "suspended": [f"{r.action.value} by {r.reviewer} ({r.created_at[:10]}): "
                                   f"{FLAG_TEXT.get(r.flag or '', r.flag)}" for r in item.suspended]})
    return templates.TemplateResponse(request, "review.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "counts": counts_line(review_rows.review_counts(store)), "params": dict(request.query_params),
        "parties": _parties(store), "types": [t.value for t in EventType], "statuses": [s.value for s in Status],
        "reasons": [r.value for r in RejectReason], "parts": CORRECTABLE, "shortcuts": SHORTCUTS,
        "url": lambda **c: _query(request, **c),
        "api": "/api/reviews/queue" + (f"?{request.url.query}" if request.url.query else "")})


def item_text(event: Any) -> str:
    """An event's item as the correct form and `parse_changes` read it back ('category: name')."""
    item = event.item
    name = item.canonical or item.name
    return f"{item.category.value}: {name}" if name else item.category.value


templates.env.globals.update(item_text=item_text)
