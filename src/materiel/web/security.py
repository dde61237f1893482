"""Who may write: reads are open, writes need the operator's token, and a writable server never
listens beyond this machine without one that is hard to guess."""

from __future__ import annotations

import hmac
import ipaddress
import math
import secrets
import string

from ..errors import MaterielError

TOKEN_ENV = "MATERIEL_TOKEN"
MIN_TOKEN_CHARS = 16
# Beyond loopback: the least entropy a token may show, counted as its length times log2 of the
# alphabet its character classes span (a 16-character hex token has 64 bits; 16 spaces none).
MIN_TOKEN_BITS = 64
MIN_TOKEN_CLASSES = 2  # of lower case, upper case, digits, other printable characters
MIN_DISTINCT_CHARS = 8
MAKE_TOKEN = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
CHARACTER_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
READ_ONLY = ("this server is read-only; the operator can enable writes with `materiel serve --writable` and a "
             "token (MATERIEL_TOKEN)")
NEEDS_TOKEN = "writes need the operator's token: send the header 'Authorization: Bearer <token>'"


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that is not localhost may resolve anywhere


def token_weakness(token: str) -> str | None:
    """Why a token is too easy to guess to guard a server others can reach, or None."""
    if any(c.isspace() or not c.isprintable() for c in token):
        return "it contains spaces or control characters"
    classes = [chars for chars in CHARACTER_CLASSES if any(c in chars for c in token)]
    others = {c for c in token if not any(c in chars for chars in CHARACTER_CLASSES)}
    alphabet = sum(len(chars) for chars in classes) + (32 if others else 0)
    if len(classes) + bool(others) < MIN_TOKEN_CLASSES:
        return "it uses a single kind of character"
    if len(set(token)) < MIN_DISTINCT_CHARS:
        return f"it repeats a few characters (fewer than {MIN_DISTINCT_CHARS} distinct ones)"
    if len(token) * math.log2(alphabet) < MIN_TOKEN_BITS:
        return f"it is too short for its characters (under {MIN_TOKEN_BITS} bits)"
    return None


def write_token(host: str, token: str | None, writable: bool) -> str | None:
    """The token writes must present, or None for a read-only server. Refuses a writable server
    on a non-loopback address without a token, or with a token of little entropy; on loopback,
    invents one when none is given."""
    if not writable:
        return None
    if token:
        if len(token) < MIN_TOKEN_CHARS:
            raise MaterielError(f"the write token must have at least {MIN_TOKEN_CHARS} characters; "
                                f"generate one with: {MAKE_TOKEN}")
        weakness = None if is_loopback(host) else token_weakness(token)
        if weakness:
            raise MaterielError(f"refusing to serve writable on {host} with a weak write token ({weakness}); "
                                f"generate one with: {MAKE_TOKEN}")
        return token
    if not is_loopback(host):
        raise MaterielError(f"refusing to serve writable on {host} without a write token: set {TOKEN_ENV} "
                            f"(generate one with: {MAKE_TOKEN}), or serve --read-only, or listen on 127.0.0.1")
    return secrets.token_hex(24)  # hex: safe to paste into any shell or header


def token_matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


# The reviewer a lone operator's token (MATERIEL_TOKEN, --token, or one invented on loopback) stands for.
OPERATOR = "operator"
REVIEWERS_HELP = ("a reviewers file has one line per reviewer: the reviewer's name, then whitespace, then the "
                  "reviewer's write token (blank lines and lines starting with # are ignored)")


def read_reviewers(path: str) -> dict[str, str]:
    """token -> reviewer name, from a reviewers file (see REVIEWERS_HELP); every problem names its line."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MaterielError(f"cannot read the reviewers file {path}: {exc}") from exc
    tokens: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        words = text.rsplit(None, 1)  # the token is the last word, after any whitespace (spaces or tabs)
        name, token = (" ".join(words[0].split()), words[1]) if len(words) == 2 else ("", "")
        if not name or not token:
            raise MaterielError(f"{path}:{number}: {REVIEWERS_HELP}")
        if len(token) < MIN_TOKEN_CHARS:
            raise MaterielError(f"{path}:{number}: the token of {name} has fewer than {MIN_TOKEN_CHARS} characters; "
                                f"generate one with: {MAKE_TOKEN}")
        if token in tokens:
            raise MaterielError(f"{path}:{number}: {name} has the same token as {tokens[token]}; give each reviewer "
                                "a token of their own")
        tokens[token] = name
    if not tokens:
        raise MaterielError(f"the reviewers file {path} names no reviewer; {REVIEWERS_HELP}")
    return tokens


def writers_for(host: str, token: str | None, writable: bool, reviewers: dict[str, str] | None) -> dict[str, str]:
    """token -> the name recorded with its writes; empty for a read-only server. The operator's token
    (see `write_token`) writes as OPERATOR; a reviewers file adds a token per named reviewer, each held to
    the same strength as the operator's where the server is reachable from other machines."""
    writers: dict[str, str] = {}
    if reviewers and writable:
        for reviewer_token, name in reviewers.items():
            weakness = None if is_loopback(host) else token_weakness(reviewer_token)
            if weakness:
                raise MaterielError(f"refusing to serve writable on {host}: the token of {name} is weak ({weakness}); "
                                    f"generate one with: {MAKE_TOKEN}")
        writers.update(reviewers)
    operator = write_token(host, token, writable) if (token or not writers) else None
    if operator is not None and operator in writers:  # its writes would be recorded as the operator's
        raise MaterielError(f"the operator's token ({TOKEN_ENV}) is the token of {writers[operator]} in the reviewers "
                            "file; give the operator a token of their own")
    if operator is not None:
        writers[operator] = OPERATOR
    return writers


def writer_name(writers: dict[str, str], presented: str | None) -> str | None:
    """The reviewer whose token was presented, or None; compares with every token in constant time."""
    if presented is None:
        return None
    found = None
    for token, name in writers.items():
        if token_matches(presented, token):
            found = name
    return found
