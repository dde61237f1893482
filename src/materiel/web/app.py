"""The FastAPI application: one ledger file, a connection per server thread, JSON errors."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import MaterielError
from ..store.sqlite import Store
from .api import router
from .pages import router as pages
from .pages import templates

if TYPE_CHECKING:
    from ..extract.extractor import Extractor

# Pages may load only what this server serves; Plotly sets inline styles on the charts it draws.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")

MAX_UPLOAD_BYTES = 5_000_000
# Room in a request body beyond the uploaded file: the multipart framing and the ingest form's fields.
FORM_OVERHEAD_BYTES = 1_000_000
# A GET, HEAD or OPTIONS request has no use for a body; a small one is tolerated, a large one refused.
READ_BODY_BYTES = 16_384
# What FastAPI says of a body it could not parse (too deeply nested JSON, for one); replaced by advice.
UNPARSED_BODY = "There was an error parsing the body"


class BodyLimit:
    """Refuses a request body over the limit with a 413 before it is read: a declared Content-Length
    is checked first, and a streamed (chunked) body is counted as it arrives and cut off at the limit.
    The one place every route's size limit is enforced."""

    def __init__(self, app, max_body_bytes: int):  # type: ignore[no-untyped-def]
        self.app = app
        self.max_body_bytes = max_body_bytes

    def limit(self, method: str) -> int:
        return READ_BODY_BYTES if method in ("GET", "HEAD", "OPTIONS") else self.max_body_bytes

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["method"])
        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        if declared:
            try:
                size = int(declared[0])
            except ValueError:
                await _error(400, "the Content-Length header is not a number of bytes")(scope, receive, send)
                return
            if size > limit:
                await _too_large(scope, limit)(scope, receive, send)
                return
        received = 0

        async def counted():  # type: ignore[no-untyped-def]
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large_message(scope, limit))
            return message

        await self.app(scope, counted, send)


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
        # A server that never writes opens the ledger read-only, so serving needs no write access.
        self.read_only = read_only and Path(path).exists()
        # create the file, or bring its layout up to date, once before any request
        (Store.for_reading if self.read_only else Store)(path).close()

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, read_only=self.read_only)
        return store


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
               extractor: Extractor | None = None) -> FastAPI:
    """The app over one ledger; `token` None makes it read-only; `extractor` (default: the model's)
    is what ingest uses."""
    app = FastAPI(title="materiel", version=__version__,
                  description="A sourced, confidence-graded ledger of arms transfers and military cooperation. "
                              "Reads are open; POST needs `Authorization: Bearer <token>`.")
    app.state.ledgers = Ledgers(str(db), read_only=token is None)
    app.state.token = token
    app.state.max_upload_bytes = max_upload_bytes
    app.state.extractor = extractor
    app.add_middleware(BodyLimit, max_body_bytes=max_upload_bytes + FORM_OVERHEAD_BYTES)
    app.include_router(router)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.method == "GET" and not request.url.path.startswith("/api") \
                and any(v == "" for _, v in request.query_params.multi_items()):
            # a filter form sends its empty fields: drop them, so shared URLs carry only real filters
            kept = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
            return RedirectResponse(str(request.url.replace(query=urlencode(kept))), status_code=303)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

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
            return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "message": message},
                                              status_code=exc.status_code)
        return _error(exc.status_code, message)

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

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
        return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")

    return app
