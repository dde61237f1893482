"""The REST API: assessments, events, articles, parties, systems, search, exports and ingest.

Every list is paginated (`limit`, `offset`, `total`, `next`); every error is JSON with a message
that says what to fix. Reads are open; `POST` needs the operator's token. SQL only through the
store's parameterised queries.
"""

from __future__ import annotations

import io
import tempfile
import threading
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import anyio.to_thread
from fastapi import APIRouter, Depends, File, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import URL

from .. import query, service
from ..assess.update import assess
from ..exports import BINARY_FORMATS, EXPORT_FORMATS, export
from ..ingest.readers import article_from_record, read_inputs
from ..knowledge.base import load_knowledge
from ..model import Article, EventType, Rejection, Status
from ..query import DATE_HELP, ITEM_HELP, PARTY_HELP, QueryError, parse_assessment_id
from ..store.sqlite import AssessmentFilter, Store
from .highlight import event_spans
from .security import NEEDS_TOKEN, READ_ONLY, writer_name

DATE = r"^\d{4}-\d{2}-\d{2}$"
MAX_LIMIT = 500
MAX_ARTICLES_PER_POST = 100
MAX_ARTICLE_CHARS = 200_000
MAX_EXTRACT_CHARS = 1_000_000  # text extracted for one request, all its articles together
# /api/health answers from its own small share of threads, so busy routes cannot hold it up.
HEALTH_THREADS = anyio.CapacityLimiter(2)
UPLOAD_SUFFIXES = (".jsonl", ".json", ".txt", ".html", ".htm")
EXPORT_MEDIA = {"csv": "text/csv", "sipri": "text/csv", "jsonl": "application/x-ndjson",
                "graphml": "application/xml", "brief-md": "text/markdown", "brief-html": "text/html",
                "events-csv": "text/csv", "events-jsonl": "application/x-ndjson",
                "events-parquet": "application/vnd.apache.parquet"}
EXPORT_SUFFIX = {"csv": "csv", "sipri": "csv", "jsonl": "jsonl", "graphml": "graphml", "brief-md": "md",
                 "brief-html": "html", "events-csv": "events.csv", "events-jsonl": "events.jsonl",
                 "events-parquet": "events.parquet"}

class ErrorBody(BaseModel):
    status: int
    message: str = Field(..., description="What went wrong and what to change.")
    details: Optional[list[dict[str, Any]]] = None


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS = {code: {"model": ErrorOut, "description": what} for code, what in (
    (400, "The request cannot be served as asked"), (404, "No such resource"), (422, "Invalid parameters"))}
WRITE_ERRORS = {code: {"model": ErrorOut, "description": what} for code, what in (
    (401, "Missing or wrong token"), (403, "The server is read-only"), (413, "Too large"),
    (415, "Unsupported file type"))}

router = APIRouter(prefix="/api", responses=ERRORS)  # type: ignore[arg-type]
FormatParam = Enum("FormatParam", {f.replace("-", "_"): f for f in EXPORT_FORMATS}, type=str)  # type: ignore[misc]


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next: Optional[str] = None


class ArticleIn(BaseModel):
    id: Optional[str] = Field(None, max_length=200, description="Your id for the article.")
    title: str = Field("", max_length=2_000)
    text: str = Field(..., min_length=1, max_length=MAX_ARTICLE_CHARS)
    url: Optional[str] = Field(None, max_length=2_000)
    outlet: Optional[str] = Field(None, max_length=200)
    published: Optional[str] = Field(None, pattern=DATE)


class IngestIn(BaseModel):
    articles: list[ArticleIn] = Field(..., min_length=1, max_length=MAX_ARTICLES_PER_POST)
    store: bool = Field(True, description="Store the articles and update the assessments (false: only extract).")


def store_of(request: Request) -> Store:
    return request.app.state.ledgers.get()


def page(request: Request, items: list[dict[str, Any]], total: int, limit: int, offset: int) -> Page:
    following = None
    if offset + len(items) < total:  # relative: an address built from the Host header is the client's choice
        here = URL(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        following = str(here.include_query_params(offset=offset + limit, limit=limit))
    return Page(items=items, total=total, limit=limit, offset=offset, next=following)


# Each parameter gets its own Query (FastAPI ties one to the parameter it first serves).
def type_query() -> Any:
    return Query(None, max_length=40, description=f"Event type, any case: {', '.join(EventType)}")


def item_query() -> Any:
    return Query(None, max_length=100, description=ITEM_HELP)


def party_query() -> Any:
    return Query(None, max_length=100, description=PARTY_HELP)


def date_query() -> Any:
    return Query(None, max_length=40, description=DATE_HELP)


def parsed(build: Callable[..., Any], **values: Any) -> Any:
    """A filter built by `materiel.query` from the parameters; a value that means nothing is a 422
    with the same message the CLI and the Python API give."""
    try:
        return build(**values)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc


def filters(type: Optional[str] = type_query(), provider: Optional[str] = party_query(),
            recipient: Optional[str] = party_query(),
            between: Optional[str] = Query(None, max_length=200, description="Two parties, e.g. IRN,RUS or Iran,Russia"),
            party: Optional[str] = party_query(), item: Optional[str] = item_query(),
            status: Optional[str] = Query(None, max_length=40,
                                          description=f"Most advanced stage reached: {', '.join(Status)}"),
            min_origins: Optional[int] = Query(None, ge=0, le=1000), contested: Optional[bool] = Query(None),
            since: Optional[str] = date_query(), until: Optional[str] = date_query()) -> AssessmentFilter:
    return parsed(query.assessment_filter, type=type, provider=provider, recipient=recipient, between=between,
                  party=party, item=item, status=status, min_origins=min_origins, contested=contested,
                  since=since, until=until)


LIMIT = Query(50, ge=1, le=MAX_LIMIT)
OFFSET = Query(0, ge=0, le=10_000_000)


@router.get("/health", summary="Is the server up, and is it writable")
async def health(request: Request) -> dict[str, Any]:
    # Answered by `CachedAnswers` while the ledger is unchanged; after a write, from threads of its
    # own, so that busy routes cannot hold it up.
    def answer() -> dict[str, Any]:
        return {"status": "ok", "writable": bool(request.app.state.writers), "counts": store_of(request).counts()}

    return await anyio.to_thread.run_sync(answer, limiter=HEALTH_THREADS)


@router.get("/assessments", response_model=Page, summary="Assessments of flows, most recently reported first")
def list_assessments(request: Request, flt: AssessmentFilter = Depends(filters), limit: int = LIMIT,
                     offset: int = OFFSET) -> Page:
    store = store_of(request)
    return page(request, store.assessment_rows(flt, limit, offset), store.count_assessments(flt), limit, offset)


@router.get("/assessments/{assessment_id}", summary="The full dossier of one assessment")
def get_assessment(request: Request, assessment_id: str) -> dict[str, Any]:
    found = store_of(request).assessment(parsed(parse_assessment_id, value=assessment_id))
    if found is None:
        raise HTTPException(404, f"no assessment {assessment_id!r}; list them at /api/assessments")
    return found.to_dict()


@router.get("/events", response_model=Page, summary="Stored events, newest article first")
def list_events(request: Request, type: Optional[str] = type_query(), provider: Optional[str] = party_query(),
                recipient: Optional[str] = party_query(), item: Optional[str] = item_query(),
                status: Optional[str] = Query(None, max_length=40, description=f"Stage: {', '.join(Status)}"),
                since: Optional[str] = date_query(), until: Optional[str] = date_query(),
                limit: int = LIMIT, offset: int = OFFSET) -> Page:
    flt = parsed(query.event_filter, type=type, provider=provider, recipient=recipient, item=item, status=status,
                 since=since, until=until)
    store = store_of(request)
    rows = list(store.events(flt, limit, offset))
    total = store.count_events(flt)
    items = [{"article_id": r.article_key, "published": r.published, "outlet": r.outlet, **r.event.to_dict()}
             for r in rows]
    return page(request, items, total, limit, offset)


@router.get("/articles", response_model=Page, summary="Stored articles, newest first")
def list_articles(request: Request, limit: int = LIMIT, offset: int = OFFSET) -> Page:
    total, rows = store_of(request).article_rows(limit, offset)
    return page(request, rows, total, limit, offset)


@router.get("/articles/{article_hash}", summary="One article with its events and the spans that say them")
def get_article(request: Request, article_hash: str) -> dict[str, Any]:
    store = store_of(request)
    article = store.article(article_hash)
    if article is None:
        raise HTTPException(404, f"no article {article_hash!r}; articles are addressed by the article_hash "
                                 "that /api/articles lists")
    events = [{"id": event_id, **event.to_dict(), "spans": [s.to_dict() for s in event_spans(event)]}
              for event_id, event in store.article_events(article_hash)]
    return {"article_hash": article_hash, **article.to_dict(), "full_text": article.full_text, "events": events}


@router.get("/parties", response_model=Page, summary="Parties in the ledger with their flows")
def list_parties(request: Request, limit: int = LIMIT, offset: int = OFFSET) -> Page:
    kb = load_knowledge()
    rows = [{**r, "label": kb.party_label(str(r["party"]))} for r in store_of(request).party_rows()]
    return page(request, rows[offset:offset + limit], len(rows), limit, offset)


@router.get("/systems", response_model=Page, summary="Catalogued systems in the ledger")
def list_systems(request: Request, limit: int = LIMIT, offset: int = OFFSET) -> Page:
    kb = load_knowledge()
    rows = []
    for r in store_of(request).system_rows():
        system = kb.system(str(r["canonical"]))
        rows.append({**r, "origin": system.origin if system else None,
                     "aliases": list(system.aliases) if system else [], "nato_name": system.nato_name if system else None})
    return page(request, rows[offset:offset + limit], len(rows), limit, offset)


@router.get("/search", response_model=Page, summary="Full-text search over articles and their evidence")
def search(request: Request, q: str = Query(..., min_length=1, max_length=200), limit: int = LIMIT,
           offset: int = OFFSET) -> Page:
    total, rows = store_of(request).search(q, limit, offset)
    for row in rows:  # the index marks matches with control characters; the client decides how to show them
        snippet = str(row["snippet"] or "")
        row["snippet"] = snippet.replace("\x02", "").replace("\x03", "")
        row["matches"] = [part.split("\x03")[0] for part in snippet.split("\x02")[1:]]
    return page(request, rows, total, limit, offset)


@router.get("/export", summary="Assessments as CSV, JSON Lines, a SIPRI-style register, GraphML or a brief, "
            "or their events as flat rows (CSV, JSON Lines, Parquet)")
def export_assessments(request: Request, format: FormatParam = Query(...),
                       flt: AssessmentFilter = Depends(filters), title: Optional[str] = Query(None, max_length=200),
                       ) -> Response:
    fmt = format.value
    buffer: io.StringIO | io.BytesIO = io.BytesIO() if fmt in BINARY_FORMATS else io.StringIO()
    export(store_of(request).assessments(flt), fmt, buffer, subject=title)
    return Response(buffer.getvalue(), media_type=EXPORT_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="materiel.{EXPORT_SUFFIX[fmt]}"'})


# --- writes --------------------------------------------------------------------------------------

def require_token(request: Request, authorization: Optional[str] = Header(None)) -> str:
    """The name of the reviewer whose token the request carries. Checked again here for the schema's
    sake: `RequestGate` has refused a missing or wrong token before the body was read."""
    writers = request.app.state.writers
    if not writers:
        raise HTTPException(403, READ_ONLY)
    presented = authorization[7:] if authorization and authorization.lower().startswith("bearer ") else None
    name = writer_name(writers, presented)
    if name is None:
        raise HTTPException(401, NEEDS_TOKEN)
    return name


_write_lock = threading.Lock()


def check_size(articles: list[Article]) -> None:
    chars = sum(len(a.full_text) for a in articles)
    if chars > MAX_EXTRACT_CHARS:
        raise HTTPException(413, f"the articles hold {chars:,} characters, more than the {MAX_EXTRACT_CHARS:,} one "
                                 "request may have extracted; send fewer per request or use `materiel ingest`")


def _ingest(request: Request, articles: list[Article], rejections: list[Rejection], keep: bool,
            stop: threading.Event) -> dict[str, Any]:
    """Extract (and store) posted articles; one that fails is listed under `rejected`, never a 500.
    Runs in the extraction pool; once `stop` is set (its request gave up), no further article starts."""
    summary = service.RunSummary()
    rejected = list(rejections)
    with _write_lock:  # one writer at a time; extraction shares one model
        store = store_of(request) if keep else None
        try:
            results = service.ingest_articles(_until(stop, articles), summary, rejected.append, store,
                                              request.app.state.extractor)
            # also when nothing new was stored: a run stopped before assessing left stored events unassessed
            assessed = assess(store) if store is not None and store.unassessed() else None
        finally:
            if store is not None:
                request.app.state.ledgers.wrote()
        rejected += assessed.failures if assessed else []
    return {"results": [{"article_id": r.article.id, "article_hash": r.article.content_id,
                         "events": [e.to_dict() for e in r.events]} for r in results],
            "stored": summary.stored, "already_in_ledger": summary.already_known,
            "assessments_updated": assessed.assessments if assessed else 0,
            "rejected": [{"where": r.describe(), "reason": r.reason} for r in rejected]}


def _until(stop: threading.Event, articles: list[Article]) -> Iterator[Article]:
    for article in articles:
        if stop.is_set():
            return
        yield article


async def extract_posted(request: Request, articles: list[Article], rejections: list[Rejection],
                         keep: bool) -> dict[str, Any]:
    """`_ingest` in the extraction pool, within the size and time limits."""
    check_size(articles)
    return await request.app.state.extractions.run(lambda stop: _ingest(request, articles, rejections, keep, stop))


@router.post("/ingest", dependencies=[Depends(require_token)], responses=WRITE_ERRORS, summary="Extract (and store) articles sent as JSON")
async def ingest_json(request: Request, body: IngestIn) -> dict[str, Any]:
    # the CLI's reader checks each posted article the same way it checks a line of a file
    read = [article_from_record({**a.model_dump(), "id": a.id or f"posted-{n}"}, "api", n)
            for n, a in enumerate(body.articles, 1)]
    articles = [r for r in read if isinstance(r, Article)]
    return await extract_posted(request, articles, [r for r in read if isinstance(r, Rejection)], body.store)


async def uploaded(request: Request, file: UploadFile) -> tuple[str, bytes]:
    """The name and bytes of an uploaded file, its type and size checked; HTTP errors say what to fix."""
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise HTTPException(415, f"cannot read {name!r}: upload a {', '.join(UPLOAD_SUFFIXES)} file")
    limit = request.app.state.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{name!r} is larger than {limit:,} bytes; split it into smaller files")
    return name, data


def read_upload(name: str, data: bytes) -> tuple[list[Article], list[Rejection]]:
    """The articles of an uploaded file, read by the CLI's readers (blocking: run it off the loop)."""
    with tempfile.TemporaryDirectory(prefix="materiel-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        found = list(read_inputs([str(path)]))
    articles = [a for a in found if isinstance(a, Article)]
    rejections = [Rejection(name, r.reason, r.message, r.line) for r in found if isinstance(r, Rejection)]
    if not articles:
        raise HTTPException(422, "; ".join(r.describe() for r in rejections) or f"no article in {name!r}")
    if len(articles) > MAX_ARTICLES_PER_POST:
        raise HTTPException(413, f"{name!r} holds {len(articles)} articles; send at most {MAX_ARTICLES_PER_POST} "
                                 "per request or use `materiel ingest`")
    check_size(articles)
    return articles, rejections


async def extract_upload(request: Request, name: str, data: bytes, keep: bool) -> dict[str, Any]:
    """Read an uploaded file and `_ingest` its articles, all in the extraction pool."""
    def work(stop: threading.Event) -> dict[str, Any]:
        articles, rejections = read_upload(name, data)
        return _ingest(request, articles, rejections, keep, stop)

    return await request.app.state.extractions.run(work)


@router.post("/ingest/upload", dependencies=[Depends(require_token)], responses=WRITE_ERRORS,
             summary="Extract (and store) an uploaded JSONL, JSON, text or HTML file")
async def ingest_upload(request: Request, file: UploadFile = File(...), store: bool = Query(True)) -> dict[str, Any]:
    name, data = await uploaded(request, file)
    return await extract_upload(request, name, data, store)


@router.get("/network", summary="The network of flows: parties as nodes, provider-recipient relations as edges")
def network_json(request: Request, flt: AssessmentFilter = Depends(filters)) -> dict[str, Any]:
    rows = store_of(request).assessment_rows(flt, limit=5000)
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        for code in (str(r["provider"]), str(r["recipient"])):
            nodes.setdefault(code, {"id": code, "label": load_knowledge().party_label(code), "flows": 0})["flows"] += 1
        edge = edges.setdefault((str(r["provider"]), str(r["recipient"])),
                                {"source": r["provider"], "target": r["recipient"], "flows": 0, "types": [],
                                 "assessments": []})
        edge["flows"] += 1
        edge["assessments"].append(r["id"])
        if r["type"] not in edge["types"]:
            edge["types"].append(r["type"])
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}

