"""The HTML pages: ledger, assessment dossier, article, network, ingest. Server-rendered with
Jinja2 (autoescaping on: article text is hostile input), each with its JSON twin in the API."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from .. import service
from ..exports import CATEGORY_WORDS, party_label, reviewed_events
from ..model import Article, ArticleTrace, EventType, Stance, Status
from ..query import parse_assessment_id
from ..store import reviews as review_rows
from ..store.sqlite import SORTABLE, AssessmentFilter
from . import figures
from .api import DATE, MAX_ARTICLE_CHARS, extract_posted, extract_upload, filters, parsed, store_of, uploaded
from .highlight import event_spans, segments
from .security import writer_name

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(party_label=party_label, category_words=CATEGORY_WORDS)
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
DOSSIER_CLAIMS = 120  # claims shown in context on a dossier page unless ?all=1
NETWORK_FLOWS = 5000  # most recently reported flows drawn on the network page
CONTEXT_CHARS = 240


def plotly_js() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@router.get("/static/vendor/plotly.min.js")
def vendor_plotly() -> FileResponse:
    return FileResponse(plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


def _query(request: Request, **changes: Any) -> str:
    """The current URL's query with some parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + (f"?{urlencode(params)}" if params else "")


@router.get("/", response_class=HTMLResponse)
def ledger_page(request: Request, flt: AssessmentFilter = Depends(filters),
                sort: str = Query("last_reported"), dir: str = Query("desc", pattern="^(asc|desc)$"),
                page: int = Query(1, ge=1, le=100_000), q: Optional[str] = Query(None, max_length=200)) -> Response:
    if sort not in SORTABLE:
        raise HTTPException(422, f"cannot sort by {sort!r}; choose one of {', '.join(SORTABLE)}")
    store = store_of(request)
    if q:  # the ledger below the hits shows the flows that the matching articles report, and only those
        flt = replace(flt, text=q)
    total = store.count_assessments(flt)
    rows = store.assessment_rows(flt, PAGE_SIZE, (page - 1) * PAGE_SIZE, sort=sort, descending=dir == "desc")
    found = store.search(q, 20, 0) if q else (0, [])
    hits = [{**h, "parts": _snippet_parts(str(h["snippet"] or ""))} for h in found[1]]
    return templates.TemplateResponse(request, "ledger.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)), "sort": sort,
        "dir": dir, "q": q or "", "hits": hits, "hit_total": found[0], "params": dict(request.query_params),
        "parties": _parties(store), "types": [t.value for t in EventType], "statuses": [s.value for s in Status],
        "url": lambda **c: _query(request, **c), "review_counts": counts_line(review_rows.review_counts(store)),
        "api": "/api/assessments" + (f"?{request.url.query}" if request.url.query else "")})


def counts_line(counts: dict[str, int]) -> str:
    """'N of M events reviewed; K rejected' (review.js writes the same words after each decision)."""
    return f"{counts['reviewed']} of {counts['in_ledger']} events reviewed; {counts['rejected']} rejected"


NOT_REVIEWED = "not reviewed"  # how the pages name the state of an event nobody has decided on


def _states(store: Any, event_ids: list[str]) -> dict[str, str]:
    """event id -> its review state in words, as the pages show it."""
    found = review_rows.states_of(store, event_ids)
    return {i: found.get(i) or NOT_REVIEWED for i in event_ids}


def _parties(store: Any) -> list[dict[str, str]]:
    """The ledger's parties (code and display name) that the party inputs suggest."""
    return [{"code": str(r["party"]), "label": party_label(str(r["party"]))} for r in store.party_rows()]


def _snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """FTS snippet with \\x02...\\x03 around matches -> (text, is_match) pieces, escaped by the template."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(snippet.split("\x02")):
        if i == 0:
            parts.append((chunk, False))
            continue
        match, _, rest = chunk.partition("\x03")
        parts += [(match, True), (rest, False)]
    return [p for p in parts if p[0]]


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def dossier_page(request: Request, assessment_id: str, all: bool = Query(False)) -> Response:
    store = store_of(request)
    a = store.assessment(parsed(parse_assessment_id, value=assessment_id))
    if a is None:
        raise HTTPException(404, f"no assessment {assessment_id!r}; go back to the ledger at /")
    shown = a.claims if all else _most_telling(a.claims)
    texts: dict[str, str] = {}
    for claim in shown:
        if claim.article_hash not in texts:
            article = store.article(claim.article_hash)
            texts[claim.article_hash] = article.full_text if article else ""
    claims = []
    for claim in shown:
        text = texts[claim.article_hash]
        spans = [(claim.event_id, s) for s in event_spans(claim.event)]
        contexts = []
        for ev in claim.event.evidence:
            start, end = max(0, ev.start - CONTEXT_CHARS), min(len(text), ev.end + CONTEXT_CHARS)
            contexts.append({"before": start > 0, "after": end < len(text),
                             "segments": segments(text, spans, start, end)})
        claims.append({"claim": claim, "contexts": contexts})
    by_origin: dict[str, list] = {o.key: [] for o in a.origins}
    unattributed = []
    for c in claims:
        keys = c["claim"].origins
        if c["claim"].event.stance is Stance.DENIED or not keys:
            unattributed.append(c)
        for key in keys:
            by_origin.setdefault(key, []).append(c)
    return templates.TemplateResponse(request, "dossier.html", {
        "a": a, "origins": a.origins, "by_origin": by_origin,
        "asserted": [c for c in claims if c["claim"].event.stance is Stance.ASSERTED],
        "denied": [c for c in claims if c["claim"].event.stance is Stance.DENIED],
        "timeline": figures.status_timeline(a), "figures_chart": figures.figures_over_time(a),
        "hidden": len(a.claims) - len(shown), "api": f"/api/assessments/{a.id}",
        "reviewed": (reviewed_events(a), len(a.claims)),
        "states": {c.event_id: c.review or NOT_REVIEWED for c in shown}})


def _most_telling(claims: tuple, limit: int = DOSSIER_CLAIMS) -> tuple:
    """For a flow reported very often, the claims a page shows in context: every denial, and the
    assertions of the first and the latest reports (the rest are a click away, `?all=1`)."""
    if len(claims) <= limit:
        return claims
    denied = [c for c in claims if c.event.stance is Stance.DENIED][: limit // 2]
    asserted = [c for c in claims if c.event.stance is Stance.ASSERTED]
    room = limit - len(denied)
    ordered = sorted(asserted, key=lambda c: c.published or "")
    keep = {id(c) for c in ordered[: room // 2] + ordered[-(room - room // 2):]} | {id(c) for c in denied}
    return tuple(c for c in claims if id(c) in keep)


@router.get("/articles/{article_hash}", response_class=HTMLResponse)
async def article_page(request: Request, article_hash: str, explain: bool = Query(False)) -> Response:
    """The stored text with the stored spans of its events highlighted; with `explain`, also how the
    extractor reads it (`materiel explain --article`), computed on request since it parses the text:
    in the extraction pool, within its time limit."""
    context = await run_in_threadpool(_article_context, request, article_hash)
    trace = None
    if explain:  # kept until the ledger changes, like every page (`CachedAnswers`)
        article = context["article"]
        client = request.client.host if request.client else "unknown"
        trace = await request.app.state.extractions.run(lambda stop: _explained(request, article), client)
    return templates.TemplateResponse(request, "article.html", {**context, "trace": trace, "explain_asked": explain})


def _article_context(request: Request, article_hash: str) -> dict[str, Any]:
    store = store_of(request)
    article = store.article(article_hash)
    if article is None:
        raise HTTPException(404, f"no article {article_hash!r}; find articles with the search box on /")
    events = store.article_events(article_hash)
    spans = [(event_id, s) for event_id, event in events for s in event_spans(event)]
    owners = store.assessment_of_events([event_id for event_id, _ in events])
    states = _states(store, [event_id for event_id, _ in events])
    text = article.full_text
    title_end = len(article.title) if article.title else 0
    return {
        "article": article, "article_hash": article_hash,
        "title_segments": segments(text, spans, 0, title_end) if title_end else [],
        "body_segments": segments(text, spans, title_end + 2 if title_end else 0, len(text)),
        "events": [{"id": event_id, "event": event, "assessment": owners.get(event_id), "state": states[event_id]}
                   for event_id, event in events],
        "reviewed": sum(1 for state in states.values() if state != NOT_REVIEWED), "parties": _parties(store),
        "types": [t.value for t in EventType], "statuses": [s.value for s in Status],
        "api": f"/api/articles/{article_hash}"}


def _explained(request: Request, article: Article) -> ArticleTrace | None:
    """The explain trace of one article, read by the server's extractor (in the extraction pool)."""
    from ..extract.extractor import shared_extractor  # loads the model: only when a trace is asked for

    extractor = request.app.state.extractor or shared_extractor()
    return next(service.explain_articles([article], service.RunSummary(), extractor=extractor), None)


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, flt: AssessmentFilter = Depends(filters)) -> Response:
    store = store_of(request)
    rows = store.assessment_rows(flt, limit=NETWORK_FLOWS)
    reviewed = review_rows.assessment_review_counts(store, [str(r["id"]) for r in rows]).values()
    return templates.TemplateResponse(request, "network.html", {
        "figure": figures.network(rows), "count": len(rows), "parties": _parties(store),
        "reviewed": (sum(done for done, _ in reviewed), sum(total for _, total in reviewed)),
        "types": [t.value for t in EventType], "params": dict(request.query_params),
        "api": "/api/network" + (f"?{request.url.query}" if request.url.query else "")})


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "ingest.html", {"writable": bool(request.app.state.writers),
                                                               "result": None, "form": {}})


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_submit(request: Request, title: str = Form(""), text: str = Form(""),
                        published: str = Form(""), outlet: str = Form(""), token: str = Form(""),
                        action: str = Form("preview"), file: Optional[UploadFile] = None) -> Response:
    """Extract (preview) or extract and store what the form carries. Both need the write token:
    extraction is the costliest thing the server does (a read-only server refuses the form before
    reading it, in `RequestGate`)."""
    form = {"title": title, "text": text, "published": published, "outlet": outlet}
    keep = action == "store"
    error = None
    result = None
    if writer_name(request.app.state.writers, token or None) is None:
        error = "extracting needs the operator's write token" if token else "enter the write token to extract"
    elif file is not None and file.filename:
        try:
            name, data = await uploaded(request, file)
            result = await extract_upload(request, name, data, keep)
        except HTTPException as exc:
            error = str(exc.detail)
    elif not text.strip():
        error = "paste an article's text, or choose a file"
    elif len(text) > MAX_ARTICLE_CHARS:
        error = f"the text is longer than {MAX_ARTICLE_CHARS:,} characters"
    else:
        date = published if re.fullmatch(DATE.strip("^$"), published or "") else None
        articles = [Article(id="pasted", text=text, title=title, outlet=outlet or None, published=date, origin="web")]
        try:
            result = await extract_posted(request, articles, [], keep)
        except HTTPException as exc:
            error = str(exc.detail)
    status = 200 if error is None else 400
    return templates.TemplateResponse(request, "ingest.html", {
        "writable": True, "result": result, "error": error, "form": form, "stored": keep}, status_code=status)
