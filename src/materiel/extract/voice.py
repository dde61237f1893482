"""Who speaks for an article as a whole, beyond any one sentence: the state of its dateline, a
research publication's own voice, the interviewee of a Q&A."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from ..knowledge.base import KnowledgeBase
from ..model import Article, MentionKind, Sentence, Source, SourceKind
from .attribution import SourceMemory, resolve_source
from .mentions import is_person, proper_name_runs, spans_of

QUESTION_MARKERS = ("Q:", "Q.", "Question:")
# A research publication speaking of itself: its own voice is an expert's, not a reporter's.
SELF_REFERENCE = re.compile(r"\b(?:this|our) (?:brief|paper|summary|research note|note|study|assessment)\b"
                            r"|\bwe assess\b|\bour judge?ments\b", re.IGNORECASE)


QUOTE_MARKS = frozenset('"\u201c\u201d')


def _quoted(text: str, at: int) -> bool:
    """Whether position `at` lies inside a quotation opened earlier in its paragraph: '"We assess
    that ...," the official said' is a speaker's word, not the publication's."""
    paragraph_start = text.rfind("\n", 0, at) + 1
    return sum(ch in QUOTE_MARKS for ch in text[paragraph_start:at]) % 2 == 1


def publication_voice(article: Article) -> Source | None:
    """'This brief reviews ...', 'We assess ...': a think-tank publication; its voice is expert."""
    text = article.full_text
    if not any(not _quoted(text, m.start()) for m in SELF_REFERENCE.finditer(text)):
        return None
    return Source(name=article.outlet or "the publication (own analysis)", kind=SourceKind.EXPERT)


INTRO_SENTENCES = 4
INTERVIEW_VERBS = frozenset({"ask", "interview", "speak", "talk", "to", "with"})
INTERVIEW_FRAMING = re.compile(
    r"\b(?:asked|spoke (?:to|with)|interviewed|talked (?:to|with))\s+(?:an?|the|one)\s+(?:[\w-]+\s+){0,3}?"
    r"(?P<role>researcher|analyst|expert|official|diplomat|scholar|professor|specialist|officer|witness|source)\b",
    re.IGNORECASE)


def interviewee(sentences: list[Sentence], parsed: list[tuple[Sentence, Doc]], kb: KnowledgeBase,
                memory: SourceMemory) -> tuple[Source, ...] | None:
    """In a Q&A the answers are the interviewee's: the first person the introduction describes
    ('We asked Meera Raghavan, a defence analyst, ...')."""
    if not any(s.text.lstrip().startswith(QUESTION_MARKERS) for s in sentences):
        return None
    for sentence, doc in parsed:
        if sentence.index >= INTRO_SENTENCES:
            break
        for ent in proper_name_runs(doc) + [s for s in spans_of(doc, MentionKind.PARTY) if s.kb_id_ == "person"]:
            # the person the framing verb names: "We asked Meera Raghavan, a defence analyst, ..."
            if ent.root.dep_ in ("dobj", "pobj", "dative") and ent.root.head.lemma_.lower() in INTERVIEW_VERBS \
                    and is_person(ent.root):
                phrase_tokens = sorted(ent.root.subtree, key=lambda t: t.i)
                source = resolve_source(phrase_tokens, kb, memory, None)
                if source is not None:
                    return (source,)
    for sentence in sentences[:INTRO_SENTENCES]:
        # "We asked a researcher who follows the arms trade ...": an interviewee without a name
        match = INTERVIEW_FRAMING.search(sentence.text)
        if match and match.group("role").lower() in kb.source_cues:
            kind = kb.source_cues[match.group("role").lower()]
            if kind in (SourceKind.UNNAMED_OFFICIAL, SourceKind.EXPERT, SourceKind.WITNESS):
                return (Source(name=f"unnamed {match.group('role').lower()} (interviewee)", kind=kind),)
    return None
