"""Who may write: reads are open, writes need the operator's token, and a writable server never
listens beyond this machine without one."""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from ..errors import MaterielError

TOKEN_ENV = "MATERIEL_TOKEN"
MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that is not localhost may resolve anywhere


def write_token(host: str, token: str | None, writable: bool) -> str | None:
    """The token writes must present, or None for a read-only server. Refuses a writable server
    on a non-loopback address without a token; on loopback, invents one when none is given."""
    if not writable:
        return None
    if token:
        if len(token) < MIN_TOKEN_CHARS:
            raise MaterielError(f"the write token must have at least {MIN_TOKEN_CHARS} characters; "
                                f"generate one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
        return token
    if not is_loopback(host):
        raise MaterielError(f"refusing to serve writable on {host} without a write token: set {TOKEN_ENV} "
                            "(or pass --token), or serve --read-only, or listen on 127.0.0.1")
    return secrets.token_hex(24)  # hex: safe to paste into any shell or header


def token_matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())
