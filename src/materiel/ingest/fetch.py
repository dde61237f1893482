"""Downloading pages and feeds over HTTP(S) for `materiel fetch` and `materiel watch`.

One request at a time, with httpx: a timeout per request (and a deadline for the whole body, so a
server trickling bytes cannot hold a run), a size limit checked while the body streams in (a huge page
is cut off, never read whole), a few retries with exponential backoff on connection errors, 5xx and
429 (a `Retry-After` up to `max_retry_after` seconds is honoured), an honest User-Agent, and only
`http`/`https`, also after each redirect (redirects are followed here, one by one, to check them).
Every failure is a `FetchError` with a short reason and one line of explanation.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..errors import MaterielError


def _project_url() -> str | None:
    """Where a site's operator learns what materiel is: the package's project URL when its metadata
    names one ([project.urls] in pyproject.toml); no invented address otherwise."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata("materiel")
    except PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        return entry.split(",", 1)[-1].strip()
    return meta.get("Home-page") or None


_URL = _project_url()
USER_AGENT = f"materiel/{__version__} ({f'+{_URL}; ' if _URL else ''}news research)"
SCHEMES = ("http", "https")
MAX_REDIRECTS = 10
RETRIED_STATUS = {429, 500, 502, 503, 504}
# Reasons after which fetching again later may succeed: `watch` tries such an entry again next poll.
TRANSIENT = {"timeout", "connection", "server_error", "rate_limited"}


class FetchError(MaterielError):
    """A URL that could not be downloaded: `reason` is a short key (counted in the run summary). It
    never ends a run: `news` turns it into the URL's `Rejection`."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT


@dataclass
class FetchSettings:
    timeout: float = 20.0  # seconds per request (connect, each read) and, times 3, for a whole body
    max_bytes: int = 5_000_000
    retries: int = 3  # further attempts after the first
    backoff: float = 1.0  # seconds before the first retry; doubled for each further one
    max_retry_after: float = 60.0  # a server asking to wait longer is reported, not waited for


@dataclass
class Page:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request whose resource did not change
    headers: httpx.Headers
    body: bytes = b""

    @property
    def charset(self) -> str | None:
        content_type = self.headers.get("content-type", "")
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"' ")
        return None

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise FetchError("bad_scheme", f"{shown} is not fetched; only http and https URLs are")


@dataclass
class Fetcher:
    """Downloads with the limits of `settings`; `sleep` is the pause between attempts."""

    settings: FetchSettings = field(default_factory=FetchSettings)
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        timeout = httpx.Timeout(self.settings.timeout)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Page:
        """The page at `url` (following redirects to http/https URLs only); with `etag` or
        `last_modified` a conditional request, answered by a `Page` of status 304 when unchanged."""
        check_scheme(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return self._follow(url, headers)
            except _Retry as retry:
                if attempt >= self.settings.retries:
                    raise retry.error from None
                wait = retry.after if retry.after is not None else self.settings.backoff * 2 ** attempt
                if wait > self.settings.max_retry_after:
                    raise FetchError(retry.error.reason, f"{retry.error.message}; the server asks to retry after "
                                     f"{wait:g} s, longer than materiel waits") from None
                attempt += 1
                self.sleep(wait)

    def _follow(self, url: str, headers: dict[str, str]) -> Page:
        for _ in range(MAX_REDIRECTS + 1):
            page = self._once(url, headers)
            if page is not None and not isinstance(page, str):
                return page
            target = urljoin(url, page) if page else ""
            try:
                check_scheme(target)
            except FetchError as exc:
                raise FetchError("bad_scheme", f"redirected to {target[:200]!r}: {exc.message}") from None
            url = target
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, headers: dict[str, str]) -> Page | str:
        """One request: the page, or the Location of a redirect to follow."""
        limit = self.settings.max_bytes
        deadline = time.monotonic() + 3 * self.settings.timeout
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308):
                    return response.headers.get("location", "")
                if status == 304:
                    return Page(str(response.url), status, response.headers)
                if status in RETRIED_STATUS:
                    reason = "rate_limited" if status == 429 else "server_error"
                    raise _Retry(FetchError(reason, f"HTTP {status} {response.reason_phrase}".rstrip()),
                                 _retry_after(response.headers.get("retry-after")))
                if status >= 400 or status < 200:
                    raise FetchError("http_error", f"HTTP {status} {response.reason_phrase}".rstrip())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError("too_large", f"the server announces {int(declared):,} bytes; the limit is "
                                     f"{limit:,} (--max-bytes)")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError("too_large", f"stopped reading after {limit:,} bytes (--max-bytes)")
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", f"the body took longer than {3 * self.settings.timeout:g} s")
                return Page(str(response.url), status, response.headers, bytes(body))
        except httpx.TimeoutException:
            raise FetchError("timeout", f"no answer within {self.settings.timeout:g} s (--timeout)") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:  # refused, reset, DNS, TLS, broken gzip ...
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise _Retry(FetchError("connection", f"connection failed: {detail}"), None) from None
        except httpx.InvalidURL as exc:
            raise FetchError("bad_url", f"not a valid URL: {exc}") from None


class _Retry(Exception):
    """A failure worth another attempt (raised by `_once`, handled by `get`)."""

    def __init__(self, error: FetchError, after: float | None):
        super().__init__(error.message)
        self.error = error
        self.after = after


def _retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())
