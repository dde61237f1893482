"""Articles and feeds from the web: a page fetched becomes an `Article` (trafilatura's extraction:
main text, title, date, outlet, URL) or a `Rejection` naming the URL and why; a feed (RSS or Atom,
read by feedparser) becomes the list of its entries' links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from ..model import Article, Rejection
from .fetch import SCHEMES, Fetcher, FetchError, Page
from .readers import html_article

HTML_TYPES = {"", "text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml"}
INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)
MIN_INTERVAL_S = 30.0  # polling a feed more often than this is impolite and rarely finds anything new


def page_text(page: Page) -> str:
    """The body decoded by its declared charset, else by trafilatura's guess."""
    if page.charset:
        try:
            return page.body.decode(page.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    from trafilatura.utils import decode_file

    return decode_file(page.body)


def fetch_article(fetcher: Fetcher, url: str) -> Article | Rejection:
    """The article at `url`, or why there is none: a download failure (reason from `FetchError`), a
    response that is no web page (`not_html`), or a page without an article's main text (`not_article`)."""
    try:
        page = fetcher.get(url)
    except FetchError as exc:
        return Rejection(url, exc.reason, exc.message)
    if page.media_type not in HTML_TYPES:
        return Rejection(url, "not_html", f"the server sent {page.media_type}, not a web page")
    item = html_article(page_text(page), url, article_id=url, url=page.url)
    if isinstance(item, Rejection) and item.reason == "no_text":
        return Rejection(url, "not_article", "no article text on the page (an index, a video or a login page?)")
    return item


@dataclass
class FeedRead:
    """One poll of a feed: its entries' links (newest as the feed orders them), the validators for
    the next conditional request, and whether it was unchanged (HTTP 304)."""

    url: str
    links: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False


def read_feed(fetcher: Fetcher, url: str, etag: str | None = None, last_modified: str | None = None) -> FeedRead:
    """Poll a feed with a conditional request; a download failure raises `FetchError`, a document that
    is no feed raises `FetchError` with reason `bad_feed`."""
    import feedparser

    page = fetcher.get(url, etag, last_modified)
    validators = dict(etag=page.headers.get("etag") or etag,
                      last_modified=page.headers.get("last-modified") or last_modified)
    if page.status == 304:
        return FeedRead(url, unchanged=True, **validators)
    parsed = feedparser.parse(page.body, response_headers={k.lower(): v for k, v in page.headers.items()})
    links = []
    for entry in parsed.entries:
        link = urljoin(page.url, (entry.get("link") or "").strip()) if entry.get("link") else ""
        if link and link.split(":", 1)[0].lower() in SCHEMES and link not in links:
            links.append(link)
    if parsed.get("bozo") and not links:
        problem = parsed.get("bozo_exception")
        detail = " ".join(str(problem).split())[:200] if problem else "unreadable"
        raise FetchError("bad_feed", f"not a readable RSS or Atom feed: {detail}")
    if not parsed.get("version") and not links:
        raise FetchError("bad_feed", "not an RSS or Atom feed")
    return FeedRead(url, links, **validators)


def feed_list(path: Path) -> list[str]:
    """Feed URLs of a list file: one per line; blank lines and `#` comments are left out."""
    urls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


def parse_interval(text: str) -> float:
    """'30s', '15m', '1h' (a bare number is seconds) -> seconds; ValueError when unreadable or below
    `MIN_INTERVAL_S`."""
    found = INTERVAL.match(text)
    if not found:
        raise ValueError(f"{text!r} is not an interval; write it as 30s, 15m or 1h")
    seconds = float(found[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[found[2].lower()]
    if seconds < MIN_INTERVAL_S:
        raise ValueError(f"{text!r} is shorter than {MIN_INTERVAL_S:g} s, the shortest interval materiel polls at")
    return seconds
