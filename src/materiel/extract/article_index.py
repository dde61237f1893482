"""Look-up tables over one article's sentences, built once per article rather than once per frame or
event that needs them, so that the passes reading "what did the article name before this point?"
stay linear in the article's length.

The tables of the article being assembled are kept beside its sentence list (the same list object
for the whole assembly) and dropped when another article's list comes in. Threads extracting
different articles at once only rebuild more often; a table is never shared between articles.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from ..model import Sentence

T = TypeVar("T")

_CURRENT: list = [None, {}]  # [the sentence list, {table name: table}]


def article_index(sentences: list[Sentence], name: str, build: Callable[[list[Sentence]], T]) -> T:
    """The table `name` of the article whose sentences these are, built by `build` on first use."""
    held, tables = _CURRENT
    if held is not sentences:
        tables = {}
        _CURRENT[:] = [sentences, tables]
    if name not in tables:
        tables[name] = build(sentences)
    return tables[name]
