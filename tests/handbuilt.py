"""Hand-built parses: a sentence written out as the parser would give it, with the scan's mentions set
on `doc.spans` by hand, so extraction rules are checked on a fixed parse without the model (the way
spaCy's own tests build a `Doc`). `bench/parse_literal.py` prints such a literal for a new sentence.
"""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

from materiel.extract.assemble import ParsedSentence, assemble
from materiel.knowledge.base import KnowledgeBase
from materiel.model import Article, Event, Mention, MentionKind, Sentence

VOCAB = spacy.blank("en").vocab  # English lexical attributes (lower case, like_num), no model

# word, head index, dependency, coarse part of speech, [fine tag,] lemma: the tag only where a rule reads
# it (a past-tense verb, a plural noun), so the simpler rows stay short
Row = tuple
SpanRow = tuple[int, int, str, str]   # start token, end token, label (resolved value), kb_id (detail)


def spaces_in(text: str, words: list[str]) -> list[bool]:
    """Whether each word is followed by a space in `text` (the words cover the text in order)."""
    spaces, at = [], 0
    for word in words:
        at = text.index(word, at) + len(word)
        spaces.append(text[at:at + 1] == " ")
    return spaces


def parse(rows: list[Row], spans: dict[str, list[SpanRow]], index: int = 0, start: int = 0,
          text: str | None = None) -> ParsedSentence:
    """One sentence of an article: `rows` are its tokens, `spans` its mentions by kind; with `text`,
    the words are spaced as written there (else a space follows every word)."""
    full = [row if len(row) == 6 else (*row[:4], "", row[4]) for row in rows]
    words, heads, deps, pos, tags, lemmas = (list(column) for column in zip(*full))
    doc = Doc(VOCAB, words=words, spaces=spaces_in(text, words) if text else None, heads=heads, deps=deps,
              pos=pos, tags=tags, lemmas=lemmas)
    for kind in MentionKind:
        doc.spans[kind.value] = [Span(doc, s, e, label=label, kb_id=detail)
                                 for s, e, label, detail in spans.get(kind.value, [])]
    mentions = tuple(Mention(start + doc[s].idx, start + doc[e - 1].idx + len(doc[e - 1]), doc[s:e].text,
                             MentionKind(kind), label, detail)
                     for kind, found in spans.items() for s, e, label, detail in found)
    return ParsedSentence(Sentence(index, start, start + len(doc.text), doc.text, mentions), doc)


def events_of(kb: KnowledgeBase, *sentences: ParsedSentence, published: str | None = None) -> list[Event]:
    """The events of an article made of these sentences, all of them parsed."""
    article = Article(id="handbuilt", text=" ".join(p.sentence.text for p in sentences), published=published)
    return assemble(article, [p.sentence for p in sentences], list(sentences), kb)
