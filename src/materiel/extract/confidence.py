"""Estimative language: 'highly likely' -> 0.80-0.90 on the UK PHIA yardstick; 'very likely'
-> 0.80-0.95 on the US ICD 203 scale. American sources are read on ICD 203, others on PHIA; a
term that only one scale has is read on that scale. Plain hedges ('reportedly', 'is believed
to') are not yardstick terms and give no confidence (ONTOLOGY §6)."""

from __future__ import annotations

import re

from spacy.tokens import Token

from ..knowledge.base import KnowledgeBase
from ..model import Confidence
from .status import governing_chain

US_CODE = "USA"
MAX_TERM_WORDS = 3


def _term_index(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    """The yardstick terms and the words they start with, built once per knowledge base."""
    index = kb.__dict__.get("_estimative_index")
    if index is None:
        terms = frozenset(t.term for t in kb.estimative)
        index = (terms, frozenset(re.match(r"[\w']+", term).group() for term in terms if re.match(r"[\w']+", term)))
        kb.__dict__["_estimative_index"] = index
    return index


def estimative_term(trigger: Token, kb: KnowledgeBase) -> str | None:
    """The yardstick term that qualifies the trigger's clause, longest first."""
    doc = trigger.doc
    terms, first_words = _term_index(kb)
    clause = [trigger, *governing_chain(trigger)]
    if trigger.head != trigger:
        clause.append(trigger.head)
    anchors = {t.i for t in clause}
    for t in clause:
        anchors.update(c.i for c in t.children if c.dep_ in ("advmod", "acomp", "aux", "auxpass"))
    best: str | None = None
    for i in sorted(anchors):
        for width in range(MAX_TERM_WORDS, 0, -1):
            for start in range(max(0, i - width + 1), i + 1):
                if doc[start].lower_ not in first_words:
                    continue  # no yardstick term starts with this word
                words = doc[start:start + width]
                if len(words) == width and words.text.lower() in terms:
                    if best is None or len(words.text) > len(best):
                        best = words.text.lower()
    return best


def confidence_for(trigger: Token, kb: KnowledgeBase, source_country: str | None) -> Confidence | None:
    term = estimative_term(trigger, kb)
    if term is None:
        return None
    preferred = "ICD 203" if source_country == US_CODE else "PHIA"
    matches = [t for t in kb.estimative if t.term == term]
    chosen = next((t for t in matches if t.scale == preferred), matches[0])
    return Confidence(term, chosen.low, chosen.high, chosen.scale)
