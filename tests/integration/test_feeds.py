"""`materiel fetch` and `materiel watch` against a real HTTP server on loopback serving good feeds and
article pages, and the ways the web goes wrong: a slow page, 500s, malformed XML, a huge page, a
redirect to a non-HTTP scheme, a page that is no article. Each failure is one line naming its URL,
the rest go on; a second poll of unchanged feeds ingests nothing."""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from materiel.ingest.news import feed_list, parse_interval

ARTICLES = [json.loads(line) for line in
            (Path(__file__).resolve().parents[1] / "assessments" / "articles.jsonl").read_text().splitlines()]
# Fast limits for the tests: a short timeout, a small size limit, retries without real waiting.
LIMITS = ["--timeout", "0.5", "--max-bytes", "200000", "--retries", "2", "--backoff", "0.01"]
SLOW_S = 2.0


def article_page(record: dict) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in record["text"].split("\n") if p.strip())
    return (f"<!doctype html><html><head><title>{html.escape(record['title'])}</title>"
            f'<meta property="og:site_name" content="Loopback News">'
            f'<meta name="date" content="{record.get("published") or "2024-01-01"}"></head>'
            f"<body><nav><a href='/'>Home</a></nav><article><h1>{html.escape(record['title'])}</h1>\n"
            f"{paragraphs}</article><footer>(c) Loopback News</footer></body></html>").encode()


NOT_ARTICLE = (b"<html><head><title>Index</title></head><body><nav><ul>"
               + b"".join(b"<li><a href='/s%d'>Section %d</a></li>" % (i, i) for i in range(20))
               + b"</ul></nav></body></html>")


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>t{i}</title><link>{base}{p}</link><guid>{base}{p}</guid></item>"
                    for i, p in enumerate(paths))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title><link>{base}/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()


def atom(base: str, paths: list[str]) -> bytes:
    entries = "".join(f'<entry><title>t{i}</title><id>{base}{p}</id><link href="{base}{p}"/>'
                      f"<updated>2024-01-01T00:00:00Z</updated></entry>" for i, p in enumerate(paths))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>L</title>'
            f"<id>{base}/</id><updated>2024-01-01T00:00:00Z</updated>{entries}</feed>").encode()


class News:
    """The site: feeds (mutable by a test), requests seen, with their conditional headers."""

    def __init__(self) -> None:
        self.base = ""
        self.rss_paths = ["/a/0.html", "/a/1.html"]
        self.atom_paths = ["/a/2.html"]
        self.hits: Counter[str] = Counter()
        self.conditional: list[str] = []
        self.agents: set[str] = set()


class Handler(BaseHTTPRequestHandler):
    news: News

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", kind: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the slow page)
            pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        news, path = self.news, self.path
        news.hits[path] += 1
        news.agents.add(self.headers.get("User-Agent", ""))
        if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
            news.conditional.append(path)
        if path.startswith("/a/"):
            self.send(200, article_page(ARTICLES[int(path[3:].split(".")[0])]))
        elif path == "/feed.rss":  # with an ETag: a conditional request for an unchanged feed gets 304
            body = rss(news.base, news.rss_paths)
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == tag:
                self.send(304, headers={"ETag": tag})
            else:
                self.send(200, body, "application/rss+xml", {"ETag": tag})
        elif path == "/feed.atom":  # no validators: read whole every time, its entries known by URL
            self.send(200, atom(news.base, news.atom_paths), "application/atom+xml")
        elif path == "/bad.xml":
            self.send(200, b"<?xml version='1.0'?><rss><channel><item><title>broken</ti", "application/rss+xml")
        elif path == "/slow.html":
            time.sleep(SLOW_S)
            self.send(200, article_page(ARTICLES[0]))
        elif path == "/busy.html":  # rate-limited once, asking for a second's pause
            if news.hits[path] == 1:
                self.send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                self.send(200, article_page(ARTICLES[3]))
        elif path == "/later.html":  # asks for a pause longer than materiel waits
            self.send(503, b"maintenance", headers={"Retry-After": "3600"})
        elif path == "/error.html":
            self.send(500, b"oops")
        elif path == "/redirect.html":
            self.send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/report.pdf":
            self.send(200, b"%PDF-1.4 ...", "application/pdf")
        elif path == "/index.html":
            self.send(200, NOT_ARTICLE)
        elif path == "/huge.html":  # no Content-Length: the limit must be enforced while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_000 + b"</p>\n"
            try:
                for _ in range(2_000):  # 130 MB, were it all read
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.send(404, b"not here")


@pytest.fixture
def site() -> Iterator[News]:
    news = News()
    handler = type("H", (Handler,), {"news": news})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    news.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield news
    server.shutdown()
    server.server_close()


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM articles").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_fetch_reports_each_failure_by_url_and_goes_on(invoke, site: News, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    bad = {"/slow.html": "no answer within 0.5 s", "/error.html": "HTTP 500",
           "/huge.html": "stopped reading after 200,000 bytes", "/redirect.html": "'file:' is not fetched",
           "/index.html": "no article text", "/missing.html": "HTTP 404",
           "/report.pdf": "sent application/pdf, not a web page"}
    urls = [site.base + "/a/0.html", *(site.base + p for p in bad), "ftp://127.0.0.1/x.html"]
    began = time.monotonic()
    result = invoke("fetch", *urls, "--db", db, *LIMITS)
    took = time.monotonic() - began
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    for path, why in bad.items():
        assert any(site.base + path in line and why in line for line in lines), (path, result.stderr)
    assert any("ftp://127.0.0.1/x.html" in line and "'ftp:' is not fetched" in line for line in lines)
    assert "1 article(s) read" in result.stderr and "8 input(s) skipped" in result.stderr
    assert "1 not_article" in result.stderr and "1 too_large" in result.stderr
    assert site.hits["/error.html"] == 3  # the first attempt and two retries
    assert site.hits["/slow.html"] == 1  # a timeout is not retried: a slow server stays slow
    articles, events = counts(db)
    assert articles == 1 and events >= 1
    with sqlite3.connect(db) as conn:
        url, outlet, published = conn.execute("SELECT url, outlet, published FROM articles").fetchone()
    assert url == site.base + "/a/0.html" and outlet == "Loopback News" and published
    assert all(agent.startswith("materiel/") for agent in site.agents)
    assert took < 10


def test_fetch_honours_a_short_retry_after_and_reports_a_long_one(invoke, site: News, tmp_path: Path) -> None:
    began = time.monotonic()
    result = invoke("fetch", site.base + "/busy.html", site.base + "/later.html", "--db", tmp_path / "n.db", *LIMITS)
    took = time.monotonic() - began
    assert result.returncode == 1, result.stderr
    assert site.hits["/busy.html"] == 2 and took >= 1.0  # waited the second asked for, not --backoff's 0.01 s
    assert site.hits["/later.html"] == 1  # not retried: an hour is longer than materiel waits
    assert any(f"{site.base}/later.html" in line and "retry after 3600 s" in line for line in result.stderr.splitlines())
    assert counts(tmp_path / "n.db")[0] == 1


def test_fetch_of_nothing_good_exits_2(invoke, site: News, tmp_path: Path) -> None:
    result = invoke("fetch", site.base + "/index.html", "--db", tmp_path / "n.db", *LIMITS)
    assert result.returncode == 2 and "not_article" in result.stderr


def test_watch_once_twice_over_unchanged_feeds_ingests_nothing(invoke, site: News, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    feeds = [site.base + "/feed.rss", site.base + "/feed.atom"]
    first = invoke("watch", *feeds, "--db", db, "--once", *LIMITS)
    assert first.returncode == 0, first.stderr
    assert "3 new entr(ies)" in first.stderr and "3 stored" in first.stderr
    stored = counts(db)
    assert stored[0] == 3
    fetched = sum(n for path, n in site.hits.items() if path.startswith("/a/"))

    second = invoke("watch", *feeds, "--db", db, "--once", *LIMITS)
    assert second.returncode == 0, second.stderr
    assert "1 unchanged" in second.stderr and "0 new entr(ies)" in second.stderr
    assert counts(db) == stored
    assert sum(n for path, n in site.hits.items() if path.startswith("/a/")) == fetched  # no page fetched again
    assert "/feed.rss" in site.conditional  # answered 304


def test_a_feed_that_gains_an_entry_yields_that_one_article(invoke, site: News, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    feed = site.base + "/feed.rss"
    assert invoke("watch", feed, "--db", db, "--once", *LIMITS).returncode == 0
    site.rss_paths.insert(0, "/a/5.html")
    result = invoke("watch", feed, "--db", db, "--once", *LIMITS)
    assert result.returncode == 0, result.stderr
    assert "1 new entr(ies)" in result.stderr and "1 stored" in result.stderr
    assert counts(db)[0] == 3
    assert site.hits["/a/5.html"] == 1 and site.hits["/a/0.html"] == 1


def test_a_poll_interrupted_mid_way_leaves_whole_articles_and_the_next_takes_up_the_rest(invoke, site: News,
                                                                                          tmp_path: Path) -> None:
    """Ctrl-C (a KeyboardInterrupt) right after the first article is stored: that article is whole, no
    entry is marked seen and no validator kept, and the next poll ingests the other two, not the first again."""
    from materiel import service
    from materiel.extract.extractor import shared_extractor
    from materiel.ingest.fetch import Fetcher, FetchSettings

    db = tmp_path / "news.db"
    feeds = [site.base + "/feed.rss", site.base + "/feed.atom"]

    def interrupt(_: object) -> None:
        raise KeyboardInterrupt

    with Fetcher(FetchSettings(timeout=0.5, retries=0)) as fetcher, pytest.raises(KeyboardInterrupt):
        service.poll_feeds(feeds, db, fetcher, on_result=interrupt, extractor=shared_extractor)
    assert counts(db)[0] == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE article_id NOT IN (SELECT id FROM articles)"
                            ).fetchone()[0] == 0
    result = invoke("watch", *feeds, "--db", db, "--once", *LIMITS)
    assert result.returncode == 0, result.stderr
    assert "3 new entr(ies)" in result.stderr and "2 stored, 1 already in the ledger" in result.stderr
    assert counts(db)[0] == 3


def test_watch_reports_a_malformed_feed_and_reads_the_others(invoke, site: News, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"# my feeds\n{site.base}/bad.xml\n\n{site.base}/feed.atom\n{site.base}/error.html\n")
    result = invoke("watch", "--feeds", listing, "--db", db, "--once", *LIMITS)
    assert result.returncode == 1, result.stderr
    assert any(f"{site.base}/bad.xml" in line and "not a readable RSS or Atom feed" in line
               for line in result.stderr.splitlines()), result.stderr
    assert any(f"{site.base}/error.html" in line and "HTTP 500" in line for line in result.stderr.splitlines())
    assert "3 feed(s) polled (0 unchanged, 2 failed)" in result.stderr
    assert counts(db)[0] == 1


def test_an_entry_whose_page_failed_for_now_is_tried_again(invoke, site: News, tmp_path: Path) -> None:
    """A 500 may pass: the entry is not marked seen and the feed's ETag is not kept, so the next
    poll (no 304) fetches that entry again; a page that is no article is not fetched again."""
    db = tmp_path / "news.db"
    site.rss_paths = ["/error.html", "/index.html", "/a/0.html"]
    feed = site.base + "/feed.rss"
    assert invoke("watch", feed, "--db", db, "--once", *LIMITS).returncode == 1
    again = invoke("watch", feed, "--db", db, "--once", *LIMITS)
    assert again.returncode == 2 and "1 new entr(ies)" in again.stderr, again.stderr
    assert site.hits["/error.html"] == 6 and site.hits["/index.html"] == 1 and site.hits["/a/0.html"] == 1


def test_watch_refuses_bad_intervals_and_no_feeds(invoke, tmp_path: Path) -> None:
    assert invoke("watch", "http://127.0.0.1:9/f", "--interval", "5s", "--db", tmp_path / "x.db").returncode == 2
    assert invoke("watch", "--db", tmp_path / "x.db").returncode == 2


def test_interval_and_feed_list_parsing(tmp_path: Path) -> None:
    assert parse_interval("30s") == 30 and parse_interval("15m") == 900 and parse_interval("1h") == 3600
    for bad in ("10s", "fast", "1d", ""):
        with pytest.raises(ValueError):
            parse_interval(bad)
    listing = tmp_path / "feeds.txt"
    listing.write_text("# comment\n  https://a.example/rss  \n\n#https://b.example/rss\nhttps://c.example/atom#x\n")
    assert feed_list(listing) == ["https://a.example/rss", "https://c.example/atom#x"]


def test_ctrl_c_between_polls_ends_cleanly_and_a_restart_repeats_nothing(materiel_exe: Path, invoke, site: News,
                                                                          tmp_path: Path) -> None:
    """A real process (SIGINT needs one): it polls, waits for the next poll, is stopped with Ctrl-C,
    and a restart over the same feeds fetches no page again."""
    import signal
    import subprocess

    from support import clean_env

    db = tmp_path / "news.db"
    feeds = [site.base + "/feed.rss", site.base + "/feed.atom"]
    source = str(Path(__file__).resolve().parents[2] / "src")  # this tree's code, whatever the cwd
    env = clean_env(PYTHONPATH=source)
    proc = subprocess.Popen([str(materiel_exe), "watch", *feeds, "--db", str(db), "--interval", "30s", *LIMITS],
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        first = proc.stderr.readline()  # the summary line of poll 1 (no progress: stderr is a pipe)
        assert "poll 1:" in first and "3 stored" in first, first
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=20)[1]
    finally:
        proc.kill()
    assert proc.returncode == 130 and "stopped after 1 complete poll(s)" in rest, rest
    assert counts(db)[0] == 3
    pages = sum(n for path, n in site.hits.items() if path.startswith("/a/"))
    again = subprocess.run([str(materiel_exe), "watch", *feeds, "--db", str(db), "--once", *LIMITS],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert again.returncode == 0 and "0 new entr(ies)" in again.stderr, again.stderr
    assert sum(n for path, n in site.hits.items() if path.startswith("/a/")) == pages and counts(db)[0] == 3
