"""Where a command's output goes: a file that appears whole or not at all, or standard output.

A file is written to `NAME.part` beside it and renamed over the target only once every byte is
written and flushed; on any failure the part file is removed and the old target (if any) stays.
An output that is one of the command's inputs or its ledger is refused before anything is opened.
Write errors (a full disk, a missing directory) become one `OutputError`; a closed pipe stays a
`BrokenPipeError` for the shell to end quietly.
"""

from __future__ import annotations

import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from .errors import OutputError

PART_SUFFIX = ".part"


def refuse_clobbering(target: Path, guarded: Iterable[tuple[str, str | Path]]) -> None:
    """Raise when writing `target` would destroy something the command reads: `guarded` holds
    (role, path) pairs such as ("input", "articles.jsonl") or ("ledger", "materiel.db")."""
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory; give -o a file name")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: no directory {target.parent}; create it or choose another -o")
    for role, raw in guarded:
        if str(raw) == "-":
            continue
        path = Path(raw)
        try:
            same = target.exists() and path.exists() and os.path.samefile(target, path)
            inside = path.is_dir() and target.resolve().is_relative_to(path.resolve())
        except OSError:
            continue  # an input that cannot be examined is reported by the reader, not here
        if same or inside:
            what = f"the {role} {raw}" if same else f"inside the {role} directory {raw}"
            raise OutputError(f"refusing to write {target}: it is {what}, which would be overwritten or read back; "
                              "choose another -o file")


@contextmanager
def opened(target: Path | None, guarded: Iterable[tuple[str, str | Path]] = ()) -> Iterator[TextIO]:
    """A text stream for the output: `target` written atomically, or standard output when None."""
    if target is None:
        yield from _checked(sys.stdout, "standard output", keep_open=True)
        return
    refuse_clobbering(target, guarded)
    real = Path(os.path.realpath(target))  # through a symlink, the file it names is replaced
    if real.exists() and not stat.S_ISREG(real.stat().st_mode):
        # a device or a pipe (/dev/stdout, a FIFO) is written in place: it cannot be renamed over
        yield from _checked(_open(real, target), str(target))
        return
    part = real.with_name(real.name + PART_SUFFIX)
    try:
        yield from _checked(_open(part, target), str(target))
        os.replace(part, real)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _open(path: Path, shown: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc


def _checked(stream: TextIO, where: str, keep_open: bool = False) -> Iterator[TextIO]:
    """Yield the stream, then flush (and close) it; a failed write or flush becomes an OutputError."""
    try:
        try:
            yield stream
            stream.flush()
        finally:
            if not keep_open:
                stream.close()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {where}: {exc.strerror or exc}") from exc
