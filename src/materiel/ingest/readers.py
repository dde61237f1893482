"""Readers that turn files into articles: JSON Lines, JSON, plain text, HTML, directories, stdin.

Every reader yields `Article` or `Rejection`, never raises for bad input: a binary file, a
wrong encoding, an empty file, a malformed line, a record without text or an oversized
document is reported with its file and line, and the rest of the batch goes on.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from ..model import Article, Rejection, content_hash

log = logging.getLogger(__name__)

# Larger articles are rejected: no news report is this long, and parsing one would stall a run.
MAX_ARTICLE_CHARS = 2_000_000
# A file larger than this is rejected before it is read whole (JSON Lines are read line by line).
MAX_FILE_BYTES = 50_000_000
BINARY_SNIFF_BYTES = 8192
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES

Item = Article | Rejection
TOO_DEEP = "JSON nested too deeply to be an article; expected an object with a 'text' field"
# A \ud800-\udfff escape without its pair decodes to a code point that no UTF-8 text can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")


def read_inputs(paths: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """Articles and rejections from files, directories (recursively, sorted) and '-' (stdin)."""
    for raw in paths:
        if raw == "-":
            yield from read_stream((stdin or sys.stdin.buffer).read(), "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from read_directory(path)
        elif path.is_file():
            yield from read_file(path)
        else:
            yield Rejection(shown(path), "not_found", "no such file or directory")


def shown(path: Path | str) -> str:
    """A file name as one printable line: bytes that are not UTF-8 as \\xNN, control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


def read_directory(path: Path) -> Iterator[Item]:
    """The directory's files, recursively in sorted order; sub-directories that cannot be listed are
    reported, not skipped silently."""
    unreadable: list[OSError] = []
    files = []
    for root, _, names in os.walk(path, onerror=unreadable.append):
        files.extend(p for p in (Path(root) / name for name in names) if p.is_file() and not p.name.startswith("."))
    for exc in unreadable:
        yield Rejection(shown(exc.filename or path), "unreadable", f"cannot list directory: {exc.strerror}")
    if not files and not unreadable:
        yield Rejection(shown(path), "empty", "directory holds no files")
    for file in sorted(files):
        if file.suffix.lower() in SUPPORTED:
            yield from read_file(file)
        else:
            yield Rejection(shown(file), "unsupported_type",
                            f"unsupported file type {file.suffix or '(none)'!r}; use .jsonl, .json, .txt or .html")


def read_file(path: Path) -> Iterator[Item]:
    origin = shown(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Rejection(origin, "unreadable", f"cannot read: {exc.strerror}")
        return
    if size == 0:
        yield Rejection(origin, "empty", "file is empty")
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path)
        return
    if size > MAX_FILE_BYTES:
        yield Rejection(origin, "too_large", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Rejection(origin, "unreadable", f"cannot read: {exc.strerror}")
        return
    yield from read_stream(data, origin, suffix)


def read_stream(data: bytes, origin: str, suffix: str | None = None) -> Iterator[Item]:
    """Read a whole byte string whose format is given by `suffix` or sniffed."""
    if not data.strip():
        yield Rejection(origin, "empty", "input is empty")
        return
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        yield Rejection(origin, "binary", "looks like a binary file (NUL bytes); expected UTF-8 text")
        return
    if suffix is None:
        head = data.lstrip()[:1]
        suffix = ".jsonl" if head in (b"{", b"[") else ".html" if head == b"<" else ".txt"
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_lines(io.BytesIO(data), origin)
        return
    text = _decode(data, origin)
    if isinstance(text, Rejection):
        yield text
        return
    if suffix in JSON_SUFFIXES:
        yield from _json_document(text, origin)
    elif suffix in HTML_SUFFIXES:
        yield _html_article(text, origin)
    else:
        yield _text_article(text, origin)


def _decode(data: bytes, origin: str, line: int | None = None) -> str | Rejection:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(origin, "encoding", f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "re-encode the file as UTF-8", line)


def read_jsonl(path: Path) -> Iterator[Item]:
    try:
        with path.open("rb") as fh:
            head = fh.read(BINARY_SNIFF_BYTES)
            if b"\x00" in head:
                yield Rejection(shown(path), "binary", "looks like a binary file (NUL bytes); expected JSON Lines")
                return
            fh.seek(0)
            yield from _jsonl_lines(fh, shown(path))
    except OSError as exc:
        yield Rejection(shown(path), "unreadable", f"cannot read: {exc.strerror}")


def _jsonl_lines(fh: IO[bytes], origin: str) -> Iterator[Item]:
    seen_any = False
    for n, raw in enumerate(fh, 1):
        if len(raw) > MAX_ARTICLE_CHARS * 4:
            yield Rejection(origin, "too_large", f"line is {len(raw):,} bytes; the limit is {MAX_ARTICLE_CHARS * 4:,}", n)
            continue
        if not raw.strip():
            continue
        seen_any = True
        text = _decode(raw, origin, n)
        if isinstance(text, Rejection):
            yield text
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Rejection(origin, "malformed_json", f"not valid JSON ({exc.msg} at column {exc.colno})", n)
            continue
        except RecursionError:
            yield Rejection(origin, "malformed_json", TOO_DEEP, n)
            continue
        yield article_from_record(record, origin, n)
    if not seen_any:
        yield Rejection(origin, "empty", "file has no JSON lines")


def _json_document(text: str, origin: str) -> Iterator[Item]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Rejection(origin, "malformed_json", f"not valid JSON ({exc.msg} at line {exc.lineno})", exc.lineno)
        return
    except RecursionError:
        yield Rejection(origin, "malformed_json", TOO_DEEP)
        return
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, 1):
        yield article_from_record(record, origin, n if isinstance(data, list) else None)


def article_from_record(record: object, origin: str, line: int | None) -> Item:
    """Validate one JSON article record at the boundary."""
    if not isinstance(record, dict):
        return Rejection(origin, "malformed_json", f"expected a JSON object, got {type(record).__name__}", line)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(origin, "missing_text", "record has no non-empty string field 'text'", line)
    title = record.get("title") or ""
    if not isinstance(title, str):
        return Rejection(origin, "malformed_json", "field 'title' must be a string", line)
    if len(text) + len(title) > MAX_ARTICLE_CHARS:
        return Rejection(origin, "too_large", f"article is {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}", line)
    # A lone surrogate escape ("\\ud800") is no character and no UTF-8 text can hold it: it is read as
    # U+FFFD, one character for one, so the article is kept and every offset into it stays true.
    record = {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in record.items()}
    text, title = record["text"], record.get("title") or ""
    published = record.get("published")
    published = str(published)[:10] if published else None
    article_id = record.get("id")
    article_id = str(article_id) if article_id not in (None, "") else content_hash(title, text)
    where = f"{origin}:{line}" if line is not None else origin
    return Article(id=article_id, text=text, title=title.strip(), url=_opt(record.get("url")),
                   outlet=_opt(record.get("outlet")), published=published, origin=where)


def _opt(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _text_article(text: str, origin: str) -> Item:
    """A .txt file: first non-empty line is the title, the rest the body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    title = lines[0].strip()
    body = "\n".join(lines[1:]).strip("\n")
    if not body.strip():
        body, title = title, ""
    if len(body) + len(title) > MAX_ARTICLE_CHARS:
        return Rejection(origin, "too_large", f"article is {len(body):,} characters; the limit is {MAX_ARTICLE_CHARS:,}")
    return Article(id=Path(origin).stem if origin != "<stdin>" else content_hash(title, body),
                   text=body, title=title, origin=origin)


def _html_article(html: str, origin: str) -> Item:
    """Main text of an HTML page via trafilatura (scripts, navigation and boilerplate dropped)."""
    import trafilatura  # imported here: loading it costs time that text-only runs need not pay

    if len(html) > MAX_FILE_BYTES:
        return Rejection(origin, "too_large", f"page is {len(html):,} characters")
    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
        meta = trafilatura.extract_metadata(html)
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        return Rejection(origin, "bad_html", f"could not parse HTML ({exc.__class__.__name__})")
    if not text or not text.strip():
        return Rejection(origin, "no_text", "no main text found in the HTML page")
    title = (meta.title if meta and meta.title else "") or ""
    if len(text) + len(title) > MAX_ARTICLE_CHARS:
        return Rejection(origin, "too_large", f"article is {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}")
    published = meta.date[:10] if meta and meta.date else None
    return Article(id=Path(origin).stem if origin != "<stdin>" else content_hash(title, text), text=text,
                   title=title.strip(), url=meta.url if meta else None,
                   outlet=meta.sitename if meta else None, published=published, origin=origin)

