"""Readers that turn files into articles: JSON Lines, JSON, plain text, HTML, directories, stdin.

Every reader yields `Article` or `Rejection`, never raises for bad input: a binary file, a
wrong encoding, an empty file, a malformed line, a record without text or with a field of the
wrong type, an oversized document, and every entry of a directory that is not read (hidden, a
broken or looping link, a FIFO, a sub-directory that cannot be listed) is reported with its file
and line, and the rest of the batch goes on. A bug met while reading one input becomes a
rejection with reason `internal` naming that file (and line).

Standard input and FIFOs are read as streams: JSON Lines one line at a time, so memory stays
bounded however long the stream is; any other format whole, up to `MAX_FILE_BYTES`.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import re
import stat
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Iterable, Iterator

from ..model import Article, Rejection, content_hash
from ..terminal import path_shown

log = logging.getLogger(__name__)

# Larger articles are rejected: no news report is this long, and parsing one would stall a run.
MAX_ARTICLE_CHARS = 2_000_000
# One JSON line (one record) longer than this is rejected as it is read, never held whole.
MAX_LINE_BYTES = MAX_ARTICLE_CHARS * 4
# A document (.json, .txt, .html; on standard input too) larger than this is rejected before it is
# read whole. JSON Lines are read line by line and have no limit on their total size.
MAX_FILE_BYTES = 50_000_000
BINARY_SNIFF_BYTES = 8192
READ_CHUNK = 1 << 16
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES
# Fields of a record that hold text; `id` may also be a whole number (read as its decimal digits).
STRING_FIELDS = ("title", "url", "outlet")

Item = Article | Rejection
TOO_LONG_NUMBER = f"not valid JSON (a number of more than {sys.get_int_max_str_digits():,} digits)"
TOO_DEEP = "JSON nested too deeply to be an article; expected an object with a 'text' field"
# A \ud800-\udfff escape without its pair decodes to a code point that no UTF-8 text can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")
shown = path_shown


def read_inputs(paths: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """Articles and rejections from files, directories (recursively, sorted), FIFOs and '-' (stdin)."""
    for raw in paths:
        if raw == "-":
            yield from _guarded(read_stream(stdin or sys.stdin.buffer, "<stdin>"), "<stdin>")
        else:
            yield from _guarded(read_path(Path(raw)), shown(raw))


def _guarded(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The items of one input; a bug met while reading it ends that input with one `internal`
    rejection naming it, and the next input is read."""
    try:
        yield from items
    except Exception as exc:  # a bug, not bad input: bad input is a Rejection already
        yield Rejection.internal(exc, "reading it", origin)


def read_path(path: Path) -> Iterator[Item]:
    """One path given on the command line: a directory, a file, or anything else that can be read as
    a stream (a FIFO, /dev/stdin, a terminal)."""
    origin = shown(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        yield _unstattable(path, exc, "not_found" if exc.errno == errno.ENOENT else "unreadable")
        return
    if stat.S_ISDIR(mode):
        yield from read_directory(path)
    elif stat.S_ISREG(mode):
        yield from read_file(path)
    else:
        suffix = path.suffix.lower()
        try:
            with path.open("rb") as fh:
                yield from read_stream(fh, origin, suffix if suffix in SUPPORTED else None)
        except OSError as exc:
            yield Rejection(origin, "unreadable", f"cannot read: {exc.strerror}")


def _unstattable(path: Path, exc: OSError, missing: str) -> Rejection:
    """Why a path whose target cannot be reached is skipped: a link loop, a broken link, or else."""
    origin = shown(path)
    if exc.errno == errno.ELOOP:
        return Rejection(origin, "link_loop", "symbolic link loop (following it never reaches a file)")
    if path.is_symlink():
        return Rejection(origin, "broken_link", "broken symbolic link (its target does not exist)")
    if exc.errno == errno.ENOENT:
        return Rejection(origin, missing, "no such file or directory")
    return Rejection(origin, "unreadable", f"cannot read: {exc.strerror}")


def read_directory(path: Path) -> Iterator[Item]:
    """The directory's files, recursively in sorted order. Every entry that is not read is reported
    in its place: hidden files and directories (names starting with '.'), symbolic links to
    directories (not followed), broken or looping links, FIFOs, sockets and devices, files of an
    unsupported type, and sub-directories that cannot be listed."""
    entries: list[tuple[Path, Rejection | None]] = []
    pending = [path]
    while pending:  # a stack, not recursion: no depth of folders can exhaust it
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                found = list(listing)
        except OSError as exc:
            entries.append((folder, Rejection(shown(folder), "unreadable", f"cannot list directory: {exc.strerror}")))
            continue
        for entry in found:
            entry_path = Path(entry.path)
            skipped = _skipped_entry(entry, entry_path)
            if skipped is None and entry.is_dir(follow_symlinks=False):
                pending.append(entry_path)
            else:
                entries.append((entry_path, skipped))
    if not entries:
        yield Rejection(shown(path), "empty", "directory holds no files")
    for file, skipped in sorted(entries, key=lambda pair: pair[0]):
        if skipped is not None:
            yield skipped
        elif file.suffix.lower() in SUPPORTED:
            yield from read_file(file)
        else:
            yield Rejection(shown(file), "unsupported_type",
                            f"unsupported file type {file.suffix or '(none)'!r}; use .jsonl, .json, .txt or .html")


def _skipped_entry(entry: os.DirEntry, path: Path) -> Rejection | None:
    """Why a directory entry is not read, or None for a regular file or a real sub-directory."""
    origin = shown(path)
    kind = "directory" if entry.is_dir(follow_symlinks=False) else "file"
    if entry.name.startswith("."):
        return Rejection(origin, "hidden", f"hidden {kind} skipped (its name starts with '.'); "
                                           "pass it by name to read it")
    try:
        mode = entry.stat(follow_symlinks=True).st_mode
    except OSError as exc:
        return _unstattable(path, exc, "unreadable")
    if stat.S_ISDIR(mode):
        if entry.is_symlink():
            return Rejection(origin, "directory_link", "symbolic link to a directory, not followed; "
                                                       "pass the directory it points to by name to read it")
        return None
    if stat.S_ISREG(mode):
        return None
    what = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return Rejection(origin, "special_file", f"not a regular file ({what}); pass it by name to read it as a stream")


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
    yield from read_bytes(data, origin, suffix)


def read_stream(fh: IO[bytes], origin: str, suffix: str | None = None) -> Iterator[Item]:
    """Read a stream (standard input, a FIFO) whose format is given by `suffix` or sniffed from its
    first bytes: JSON Lines line by line, any other format whole up to `MAX_FILE_BYTES`."""
    head, blank_lines = _head(fh)
    if not head:
        yield Rejection(origin, "empty", "input is empty")
        return
    if b"\x00" in head:
        yield Rejection(origin, "binary", "looks like a binary file (NUL bytes); expected UTF-8 text")
        return
    suffix = suffix or _sniffed(head)
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_lines(io.BufferedReader(_Prefixed(head, fh), READ_CHUNK), origin, blank_lines)
        return
    data = head + _read_at_most(fh, MAX_FILE_BYTES + 1 - len(head))
    if len(data) + blank_lines > MAX_FILE_BYTES:
        yield Rejection(origin, "too_large", f"input is over {MAX_FILE_BYTES:,} bytes, the limit for a document "
                                             "that is not JSON Lines")
        return
    yield from read_bytes(b"\n" * blank_lines + data, origin, suffix)  # the blank lines keep line numbers true


def _head(fh: IO[bytes]) -> tuple[bytes, int]:
    """The stream's first bytes from its first non-blank line on (at least `BINARY_SNIFF_BYTES` of
    them unless the stream is shorter), and how many blank lines came before them."""
    blank_lines = 0
    head = b""
    while True:
        chunk = _read1(fh, BINARY_SNIFF_BYTES)
        if not chunk:
            return head, blank_lines
        if not head:
            text = chunk.lstrip()
            if not text:  # all blank: count its lines and drop it
                blank_lines += chunk.count(b"\n")
                continue
            start = chunk.rfind(b"\n", 0, len(chunk) - len(text)) + 1  # the non-blank line from its start
            blank_lines += chunk.count(b"\n", 0, start)
            chunk = chunk[start:]
        head += chunk
        if len(head) >= BINARY_SNIFF_BYTES:
            return head, blank_lines


def _sniffed(head: bytes) -> str:
    first = head.lstrip()[:1]
    return ".jsonl" if first in (b"{", b"[") else ".html" if first == b"<" else ".txt"


def _read1(fh: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes, as soon as some are there (a pipe is not waited on until `size` are)."""
    read1 = getattr(fh, "read1", None)
    return read1(size) if read1 is not None else fh.read(size)


def _read_at_most(fh: IO[bytes], limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        chunk = _read1(fh, min(READ_CHUNK, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


class _Prefixed(io.RawIOBase):
    """A stream read again from its start: the bytes already taken from it, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = _read1(self._rest, len(buffer))
        buffer[:len(data)] = data
        return len(data)


def read_bytes(data: bytes, origin: str, suffix: str | None = None) -> Iterator[Item]:
    """Read a whole byte string whose format is given by `suffix` or sniffed."""
    if not data.strip():
        yield Rejection(origin, "empty", "input is empty")
        return
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        yield Rejection(origin, "binary", "looks like a binary file (NUL bytes); expected UTF-8 text")
        return
    suffix = suffix or _sniffed(data[:BINARY_SNIFF_BYTES])
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


def _lines(fh: IO[bytes]) -> Iterator[bytes | int]:
    """The stream's lines; a line over `MAX_LINE_BYTES` is read past in chunks, never held whole,
    and given as its length instead."""
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = fh.readline(READ_CHUNK)
            if not raw:
                break
            size += len(raw)
        yield size


def _jsonl_lines(fh: IO[bytes], origin: str, skipped_lines: int = 0) -> Iterator[Item]:
    seen_any = False
    for n, raw in enumerate(_lines(fh), skipped_lines + 1):
        if isinstance(raw, int):
            seen_any = True
            yield Rejection(origin, "too_large", f"line is {raw:,} bytes; the limit is {MAX_LINE_BYTES:,}", n)
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
        except ValueError:  # a number of more digits than Python converts
            yield Rejection(origin, "malformed_json", TOO_LONG_NUMBER, n)
            continue
        try:
            item = article_from_record(record, origin, n)
        except Exception as exc:  # a bug: this line is given up, the rest of the file is read
            item = Rejection.internal(exc, "reading this line", f"{origin}:{n}")
        yield item
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
    except ValueError:  # a number of more digits than Python converts
        yield Rejection(origin, "malformed_json", TOO_LONG_NUMBER)
        return
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, 1):
        yield article_from_record(record, origin, n if isinstance(data, list) else None)


def article_from_record(record: object, origin: str, line: int | None) -> Item:
    """Validate one JSON article record at the boundary: `text` a non-empty string; `title`, `url`,
    `outlet` strings (or absent or null); `id` a string or a whole number (or absent: a hash of the
    content); `published` an ISO 8601 date or date-time (or absent or null), kept as its date."""
    if not isinstance(record, dict):
        return Rejection(origin, "malformed_json", f"expected a JSON object, got {type(record).__name__}", line)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(origin, "missing_text", "record has no non-empty string field 'text'", line)
    for name in STRING_FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            return _bad_field(origin, line, name, record[name], "a string")
    article_id = record.get("id")
    if article_id is not None and (isinstance(article_id, bool) or not isinstance(article_id, (str, int))):
        return _bad_field(origin, line, "id", article_id, "a string or a whole number")
    published = record.get("published")
    if published is not None and published != "":
        published = _iso_date(published)
        if published is None:
            return _bad_field(origin, line, "published", record["published"],
                              "an ISO 8601 date (YYYY-MM-DD) or date-time")
    title = record.get("title") or ""
    if len(text) + len(title) > MAX_ARTICLE_CHARS:
        return Rejection(origin, "too_large", f"article is {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}", line)
    # A lone surrogate escape ("\\ud800") is no character and no UTF-8 text can hold it: it is read as
    # U+FFFD, one character for one, so the article is kept and every offset into it stays true.
    record = {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in record.items()}
    text, title = record["text"], record.get("title") or ""
    article_id = str(record["id"]) if record.get("id") not in (None, "") else content_hash(title, text)
    where = f"{origin}:{line}" if line is not None else origin
    return Article(id=article_id, text=text, title=title.strip(), url=_opt(record.get("url")),
                   outlet=_opt(record.get("outlet")), published=published or None, origin=where)


def _iso_date(value: object) -> str | None:
    """The date (YYYY-MM-DD) of an ISO 8601 date or date-time string, or None if it is neither."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        return None


def _bad_field(origin: str, line: int | None, name: str, value: object, expected: str) -> Rejection:
    if isinstance(value, (dict, list)):
        got = "an object" if isinstance(value, dict) else "a list"
    else:
        got = json.dumps(value, ensure_ascii=True)
        got = got if len(got) <= 40 else got[:37] + "..."
    return Rejection(origin, "bad_field", f"field '{name}' must be {expected}, got {got}", line)


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


def _html_article(html: str, origin: str, article_id: str | None = None, url: str | None = None) -> Item:
    """Main text of an HTML page via trafilatura (scripts, navigation and boilerplate dropped). A page
    fetched from the web passes its URL as `article_id` and `url` (used where the page names no URL)."""
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
    if article_id is None:
        article_id = Path(origin).stem if origin != "<stdin>" else content_hash(title, text)
    return Article(id=article_id, text=text, title=title.strip(), url=(meta.url if meta else None) or url,
                   outlet=meta.sitename if meta else None, published=published, origin=origin)



def html_article(html: str, origin: str, article_id: str | None = None, url: str | None = None) -> Item:
    """An article from an HTML page (see `_html_article`): for pages fetched from the web."""
    return _html_article(html, origin, article_id, url)
