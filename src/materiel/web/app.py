"""The FastAPI application: one ledger file, a connection per server thread, JSON errors."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import LedgerNotFoundError, MaterielError
from ..store.sqlite import Store
from .api import router
from .pages import router as pages
from .pages import templates
from .review_pages import router as review_pages
from .reviews import router as review_router
from .security import NEEDS_TOKEN, OPERATOR, READ_ONLY, writer_name
from .work import Extractions, ResponseCache

if TYPE_CHECKING:
    from ..extract.extractor import Extractor

log = logging.getLogger(__name__)

# Pages may load only what this server serves; Plotly sets inline styles on the charts it draws.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")

SWAGGER_STATIC = "/static/swagger-ui"  # Swagger UI's own files, from the swagger-ui-bundle package
DOCS_SCHEMA = "/docs/openapi-3.0.json"  # what /docs reads (`as_openapi_30`)

MAX_UPLOAD_BYTES = 5_000_000
# Room in a request body beyond the uploaded file: the multipart framing and the ingest form's fields.
FORM_OVERHEAD_BYTES = 1_000_000
# A GET, HEAD or OPTIONS request has no use for a body; a small one is tolerated, a large one refused.
READ_BODY_BYTES = 16_384
# What FastAPI says of a body it could not parse (too deeply nested JSON, for one); replaced by advice.
UNPARSED_BODY = "There was an error parsing the body"


# Threads for the plain `def` routes (SQLite queries, page building). Fewer than starlette's 40: they
# all share one interpreter lock with the event loop, and 40 busy threads starve it.
ROUTE_THREADS = 4
# Browser forms of the ingest page read at once: such a form carries its token in the body, so the
# body (at most the size limit) is read before the token can be checked.
PAGE_POSTS_AT_ONCE = 4


class RequestGate:
    """Everything a request must pass before its body is read: an API write (`POST /api/...`)
    needs the token in its `Authorization` header (401/403 at once); a declared `Content-Length`
    over the limit is refused (413); a streamed (chunked) body is counted as it arrives and cut
    off at the limit; a writable server reads at most PAGE_POSTS_AT_ONCE ingest-page forms at once
    and a read-only one none. The one place every route's size limit is enforced. What is refused
    here is never read: the server drains it without keeping it."""

    def __init__(self, app, max_body_bytes: int):  # type: ignore[no-untyped-def]
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.page_posts = threading.BoundedSemaphore(PAGE_POSTS_AT_ONCE)

    def limit(self, method: str) -> int:
        return READ_BODY_BYTES if method in ("GET", "HEAD", "OPTIONS") else self.max_body_bytes

    def refusal(self, scope: dict) -> Response | None:
        """The answer to a request refused on its headers alone, or None."""
        headers = {k: v for k, v in scope["headers"] if k in (b"content-length", b"authorization")}
        limit = self.limit(scope["method"])
        if b"content-length" in headers:
            try:
                size = int(headers[b"content-length"])
            except ValueError:
                return _error(400, "the Content-Length header is not a number of bytes")
            if size > limit:
                return _too_large(scope, limit)
        if scope["method"] != "POST":
            return None
        writers = scope["app"].state.writers
        if scope["path"].startswith("/api/"):
            if not writers:
                return _error(403, READ_ONLY)
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            presented = authorization[7:] if authorization.lower().startswith("bearer ") else None
            if writer_name(writers, presented) is None:
                return _error(401, NEEDS_TOKEN)
        elif scope["path"] == "/ingest" and not writers:
            return _error(403, "this server is read-only: it neither extracts nor stores; run `materiel extract` "
                               "on your machine, or ask the operator for a writable server")
        return None

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return
        limit = self.limit(scope["method"])
        received = 0

        async def counted():  # type: ignore[no-untyped-def]
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large_message(scope, limit))
            return message

        page_post = scope["method"] == "POST" and scope["path"] == "/ingest"
        if page_post and not self.page_posts.acquire(blocking=False):
            response = _error(503, "the server is busy reading other ingest forms; try again in a few seconds")
            response.headers["Retry-After"] = "5"
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, counted, send)
        finally:
            if page_post:
                self.page_posts.release()


# What a GET answers depends on the ledger, the path and the query only (and on this server's
# settings): kept in memory until the ledger changes, it costs one build per write. Not the
# static files (served from disk with their own caching headers).
UNCACHED_PREFIXES = ("/static/",)
CACHED_HEADERS = (b"content-type", b"content-disposition")


class CachedAnswers:
    """Answers a GET from memory while the ledger is unchanged. The ledger's version is asked on
    the event loop (microseconds, see `Ledgers.version`), so a kept answer leaves at once without
    waiting for a thread; requests that miss together wait for one build. Keyed on the path and
    query only: no answer may depend on the Host header or other request headers (pages and the
    API build their links from relative paths), and only 200s are kept."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app
        self.building: dict[tuple, asyncio.Event] = {}

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(UNCACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        key = (state.ledgers.version(), scope["path"], scope["query_string"])
        while key in self.building:  # the same answer is being built: wait for it
            await self.building[key].wait()
        found = state.cache.get(key)
        if found is not None:
            body, media_type, headers = found
            await Response(body, media_type=media_type, headers=headers)(scope, receive, send)
            return
        start: dict = {}
        parts: list[bytes] = []

        async def kept(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])
                               if k.lower() in CACHED_HEADERS}
                    media_type = headers.pop("content-type", "")
                    state.cache.put(key, b"".join(parts), media_type, headers)
            await send(message)

        self.building[key] = asyncio.Event()
        try:
            await self.app(scope, receive, kept)
        finally:
            self.building.pop(key).set()


class Contained:
    """An unexpected error (a bug) becomes a logged 500 that says so, and the connection stays
    open: an exception left to reach the server would make it drop the connection, and every
    request a keep-alive client had queued on it with it."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message):  # type: ignore[no-untyped-def]
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # part of the answer is on its way: only closing can tell the client
                raise
            log.exception("internal error on %s %s", scope["method"], scope["path"])
            await _error(500, f"internal error ({type(exc).__name__}); the server log has the details")(
                scope, receive, send)


class Headers:
    """Security headers on every answer, and a filter form's empty fields dropped by a redirect
    to a relative address (never built from the Host header, which the client chooses)."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and not scope["path"].startswith("/api"):
            request = Request(scope)
            params = request.query_params.multi_items()
            if any(v == "" for _, v in params):
                kept = urlencode([(k, v) for k, v in params if v != ""])
                # a filter form sends its empty fields: drop them, so shared URLs carry only real filters
                target = "/" + request.url.path.lstrip("/") + (f"?{kept}" if kept else "")
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return

        async def with_headers(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", scope["app"].state.policies.get(
                    scope["path"], CONTENT_SECURITY_POLICY))
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, with_headers)


def add_api_docs(app: FastAPI) -> None:
    """The API browsable at /docs with no request leaving the server: Swagger UI's files from the
    `swagger-ui-bundle` package under /static/swagger-ui, and a policy for that one page that allows
    its one inline script by its hash (every other page keeps `CONTENT_SECURITY_POLICY`)."""
    import swagger_ui_bundle

    app.mount(SWAGGER_STATIC, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    page = get_swagger_ui_html(openapi_url=DOCS_SCHEMA, title=f"{app.title} API",
                               swagger_js_url=f"{SWAGGER_STATIC}/swagger-ui-bundle.js",
                               swagger_css_url=f"{SWAGGER_STATIC}/swagger-ui.css",
                               swagger_favicon_url=f"{SWAGGER_STATIC}/favicon-32x32.png")
    # a narrow screen scrolls a wide schema inside the page rather than the page itself
    body = bytes(page.body).replace(b"</head>", b'<link rel="stylesheet" href="/static/docs.css"></head>', 1)
    scripts = re.findall(rb"<script>(.*?)</script>", body, re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in scripts)
    app.state.policies = {"/docs": CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}")}

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return Response(body, media_type="text/html")

    @app.get(DOCS_SCHEMA, include_in_schema=False)
    def docs_schema() -> dict:
        return as_openapi_30(app.openapi())


def as_openapi_30(schema: Any) -> Any:
    """The API's OpenAPI 3.1 description as the 3.0 that the packaged Swagger UI (4.x) reads: the
    version relabelled and 'X or null' (`anyOf` with a null type) written as X `nullable`.
    Only /docs reads it; /openapi.json stays the exact description."""
    if isinstance(schema, list):
        return [as_openapi_30(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: as_openapi_30(v) for k, v in schema.items()}
    if out.get("openapi", "").startswith("3.1"):
        out["openapi"] = "3.0.3"
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del out["anyOf"]
        if len(rest) == 1:
            out = {**rest[0], **out} if "$ref" not in rest[0] else {**out, "allOf": rest}
        else:
            out["anyOf"] = rest
        out["nullable"] = True
    return out


def _too_large_message(scope: dict, limit: int) -> str:
    return (f"the request body is larger than {limit:,} bytes, the most {scope['method']} {scope['path']} "
            "accepts; send fewer or smaller articles per request, or use `materiel ingest` for large batches")


def _too_large(scope: dict, limit: int) -> JSONResponse:
    return _error(413, _too_large_message(scope, limit))


class Ledgers:
    """One SQLite connection per server thread (sqlite3 connections stay in their thread)."""

    def __init__(self, path: str, read_only: bool = False):
        self.path = path
        self.local = threading.local()
        # A server that never writes opens the ledger read-only, so serving needs no write access;
        # it has nothing to show without one, and a mistyped path must not become a new, empty ledger.
        if read_only and not Path(path).exists():
            raise LedgerNotFoundError(path, f"create one with `materiel ingest ARTICLES --db {path}` (or `materiel "
                                      f"demo --db {path}`), or serve with --writable to start an empty one")
        self.read_only = read_only
        # create a writable server's file, or bring its layout up to date, once before any request
        (Store.for_reading if self.read_only else Store)(path).close()

        # The ledger's version as this server knows it: moves on when any connection, in this
        # process or another, has committed since (see `version`).
        self.generation = 0
        self.lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, read_only=self.read_only)
        return store

    def version(self) -> int:
        """A number that changes whenever the ledger may have changed: this thread's connection
        sees every other connection's commits (`data_version`); the server's own writes call
        `wrote`. What is cached under one version is never stale."""
        seen = self.get().data_version()
        with self.lock:
            if seen != getattr(self.local, "seen", None):
                self.local.seen = seen
                self.generation += 1
            return self.generation

    def wrote(self) -> None:
        with self.lock:
            self.generation += 1


def _error(status: int, message: str, details: object = None) -> JSONResponse:
    body: dict[str, object] = {"status": status, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page gets an HTML error; API clients get JSON."""
    return not request.url.path.startswith(("/api", "/static", "/openapi.json", "/docs")) \
        and "text/html" in request.headers.get("accept", "")


def _field(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part not in ("query", "body", "path", "header"))


def _problem(error: dict) -> str:
    """One validation problem as 'field: what is wrong'; a body that is not JSON says where it breaks."""
    if error.get("type") == "json_invalid":
        where = error["loc"][-1] if error.get("loc") else "?"
        reason = (error.get("ctx") or {}).get("error", "not valid JSON")
        return f"the body is not valid JSON ({reason} at character {where}); send a JSON object"
    return f"{_field(error['loc']) or 'request'}: {error['msg']}"


def create_app(db: str | Path, token: str | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               extractor: Extractor | None = None, reviewers: dict[str, str] | None = None) -> FastAPI:
    """The app over one ledger; `token` (the operator's) and `reviewers` (token -> reviewer name) are
    who may write, each write recorded under its token's name; with neither the app is read-only.
    `extractor` (default: the model's) is what ingest uses."""
    app = FastAPI(title="materiel", version=__version__, lifespan=_lifespan, docs_url=None, redoc_url=None,
                  description="A sourced, confidence-graded ledger of arms transfers and military cooperation. "
                              "Reads are open; POST needs `Authorization: Bearer <token>`.")
    writers = {**(reviewers or {}), **({token: OPERATOR} if token else {})}
    app.state.ledgers = Ledgers(str(db), read_only=not writers)
    app.state.writers = writers  # token -> reviewer name
    app.state.max_upload_bytes = max_upload_bytes
    app.state.extractor = extractor
    app.state.extractions = Extractions()
    app.state.cache = ResponseCache()
    app.add_middleware(CachedAnswers)
    app.add_middleware(RequestGate, max_body_bytes=max_upload_bytes + FORM_OVERHEAD_BYTES)
    app.add_middleware(Headers)
    app.add_middleware(Contained)  # outermost: catches what the others raise too
    app.include_router(router)
    app.include_router(review_router)
    app.include_router(pages)
    app.include_router(review_pages)
    add_api_docs(app)  # before /static: its files are under /static/swagger-ui
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 400 and message == UNPARSED_BODY:
            message = ("the request body cannot be read: send JSON (nested at most a few levels) with "
                       "Content-Type: application/json, or a multipart form for uploads")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such address {request.url.path}; the API is described at /docs and /openapi.json"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        if _wants_page(request):
            response: Response = templates.TemplateResponse(
                request, "error.html", {"status": exc.status_code, "message": message}, status_code=exc.status_code)
        else:
            response = _error(exc.status_code, message)
        response.headers.update(exc.headers or {})  # Retry-After on a 503
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [_problem(e) for e in exc.errors()]
        if _wants_page(request):
            return templates.TemplateResponse(request, "error.html", {
                "status": 422, "message": "invalid request: " + "; ".join(problems)}, status_code=422)
        return _error(422, "invalid request: " + "; ".join(problems),
                      [{"field": _field(e["loc"]), "problem": e["msg"]} for e in exc.errors()])

    @app.exception_handler(MaterielError)
    async def materiel_error(request: Request, exc: MaterielError) -> JSONResponse:
        return _error(400, str(exc))

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = ROUTE_THREADS
    yield
    app.state.extractions.pool.shutdown(wait=False, cancel_futures=True)
