"""Where a command's output goes: a file that appears whole or not at all, or standard output.

A file is written to a new temporary `NAME.XXXXXXXX.part` beside it (created exclusively, so a file or
symlink already there is never followed or reused) and renamed over the target only once every byte
is written and flushed; on any failure the part file is removed and the old target (if any) stays.
An output that is one of the command's inputs or its ledger, or that is not a regular file (a
directory, a device such as /dev/null, a FIFO, a socket), is refused before anything is opened:
standard output serves for those (`> /dev/null`, `| consumer`).
Write errors (a full disk, a missing directory) become one `OutputError`; a closed pipe stays a
`BrokenPipeError` for the shell to end quietly.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

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
def opened(target: Path | None, guarded: Iterable[tuple[str, str | Path]] = (),
           binary: bool = False) -> Iterator[IO]:
    """A text stream (a byte stream if `binary`) for the output: `target` written atomically, or
    standard output when None."""
    if target is None:
        yield from _checked(sys.stdout.buffer if binary else sys.stdout, "standard output", keep_open=True)
        return
    refuse_clobbering(target, guarded)
    real = Path(os.path.realpath(target))  # through a symlink, the file it names is replaced
    mode = _refuse_special(real, target)
    stream, part = _open_part(real, target, mode, binary)
    try:
        yield from _checked(stream, str(target))
        os.replace(part, real)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _refuse_special(real: Path, shown: Path) -> int | None:
    """The permission bits of the regular file `real` (None when there is none yet); anything else there
    (a directory, device, FIFO or socket) is refused: renaming over it would replace a device node."""
    try:
        st = real.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    if stat.S_ISREG(st.st_mode):
        return stat.S_IMODE(st.st_mode)
    kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    raise OutputError(f"refusing to write {shown}: it is {kind}; -o takes a regular file (write to standard "
                      "output instead, e.g. `> /dev/null` or `| program`)")


def _open_part(real: Path, shown: Path, mode: int | None, binary: bool = False) -> tuple[IO, Path]:
    """A new, exclusively created part file beside `real` (O_EXCL: never an existing file or symlink),
    with the target's permission bits, or those a new file gets under the umask."""
    try:
        fd, name = tempfile.mkstemp(prefix=real.name + ".", suffix=PART_SUFFIX, dir=real.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    part = Path(name)
    try:
        os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
        if binary:
            return os.fdopen(fd, "wb"), part
        return os.fdopen(fd, "w", encoding="utf-8", newline=""), part
    except BaseException:
        os.close(fd)
        part.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # read by setting it; set back at once
    os.umask(mask)
    return mask


def _checked(stream: IO, where: str, keep_open: bool = False) -> Iterator[IO]:
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
