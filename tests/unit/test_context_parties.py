"""Parties a sentence leaves unsaid, read from the sentences before it (extract.assemble)."""

from __future__ import annotations

import pytest

from materiel.extract.assemble import _onlooker_mention
from materiel.model import Mention, MentionKind, Sentence


def _party(text: str, surface: str, code: str) -> tuple[Mention, Sentence]:
    start = text.index(surface)
    mention = Mention(start, start + len(surface), surface, MentionKind.PARTY, code, "name")
    return mention, Sentence(0, 0, len(text), text, (mention,))


@pytest.mark.parametrize("text, surface, onlooker", [
    ("On Monday the US Treasury sanctioned two firms over drone engines.", "US", True),
    ("Later the Ambassador of the United States alleged that arms were loaded.", "United States", True),
    ("Washington said the shells had reached Russia.", "Washington", True),
    ("Turkey shipped engines to the plant last year.", "Turkey", False),
    ("The engines came from Turkey.", "Turkey", False),
])
def test_a_party_that_speaks_or_sanctions_is_an_onlooker(text: str, surface: str, onlooker: bool) -> None:
    assert _onlooker_mention(*_party(text, surface, "X")) is onlooker
