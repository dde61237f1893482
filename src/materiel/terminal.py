"""Text from inputs made safe to print on a terminal.

Article ids, titles, texts, outlets and file names come from whoever wrote the input. Printed as
they are, an escape sequence among them would drive the terminal: recolour or hide what follows
(`ESC[31m`, `ESC[8m`), move the cursor over earlier lines (`\\r`, `ESC[A`), reverse the order of
what is shown (U+202E) or write the user's clipboard (OSC 52, `ESC]52;c;...BEL`). Every place the
CLI prints such text passes it through `plain` (for `rich.text.Text` and plain writes) or `markup`
(for strings that rich reads as console markup, where `[red]` in a title would otherwise style
what follows). Control characters are shown as their Python escape (`\\x1b`), so nothing is
hidden and the text stays recognisable; printable text is left exactly as it is.
"""

from __future__ import annotations

import os
import re

from rich.markup import escape

# C0 and C1 control characters and DEL, the Unicode controls that reorder how a line is shown
# (bidirectional embeddings, overrides and isolates), the Unicode line and paragraph separators,
# and lone surrogates (a file name's undecodable bytes), which no terminal encoding can write.
# In a text shown on several lines, newline and tab are kept.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
_CONTROLS_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]


def plain(value: object, lines: bool = False) -> str:
    """`value` as text with no character that drives a terminal. One line (the default: ids, names,
    table cells): every such character, newline and tab included, is escaped. With
    `lines` (a text shown on several lines: a sentence, evidence): newlines and tabs are kept, a
    Windows line end becomes a newline. Other characters (no-break spaces, letters of any script)
    are kept as they are."""
    text = value if isinstance(value, str) else str(value)
    if lines:
        return _CONTROLS_KEEP_LINES.sub(_escaped, text.replace("\r\n", "\n"))
    return _CONTROLS.sub(_escaped, text)


def markup(value: object, lines: bool = False) -> str:
    """`plain(value)` with rich's console markup escaped, for a string that rich renders as markup."""
    return escape(plain(value, lines))


def path_shown(path: object) -> str:
    """A file name as one printable line: bytes that are not UTF-8 as \\xNN, control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace") if isinstance(path, (str, bytes, os.PathLike)) \
        else str(path)
    return plain(text)


# JSON escapes C0 controls itself; these it leaves raw when `ensure_ascii` is off.
_JSON_RAW_CONTROLS = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029]")


def json_text(dumped: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1 and bidirectional controls
    and line separators written as `\\uXXXX` escapes: the same JSON value, nothing a terminal obeys.
    These characters can only stand inside JSON strings, where the escape means the same."""
    return _JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
