"""The cascade end to end: scan every article cheaply, parse only candidate sentences, read
events off the parses. The model is loaded once per process and shared by all articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from spacy.language import Language

from ..knowledge.base import KnowledgeBase, load_knowledge
from ..model import Article, ArticleResult, MentionKind, Sentence
from ..nlp.pipeline import load_model, parseable, sentence_splitter
from ..nlp.scan import ANCHOR_KINDS, Scanner, default_scanner, is_candidate, is_military
from .assemble import ParsedSentence, assemble
from .mentions import attach_mentions, attach_person_parties

# Sentences sent to the parser in one nlp.pipe call.
PARSE_BATCH = 64
# Articles scanned before their candidates are parsed together: larger batches keep the parser's
# matrices full when most articles contribute nothing (128 measured ~20% faster than 16).
ARTICLE_BATCH = 128
# The entity recogniser has its own embedding layer and costs as much as tagging and parsing
# together; people, places and dates are read from the knowledge base and by rule instead.
UNUSED_PIPES = ["ner"]


@dataclass
class ScanResult:
    article: Article
    sentences: list[Sentence]
    candidates: list[Sentence]
    context: list[Sentence] = field(default_factory=list)  # parsed only to learn who speaks


class Extractor:
    """Turns articles into events; holds the model, the knowledge base and the scanner."""

    def __init__(self, nlp: Language | None = None, kb: KnowledgeBase | None = None, scanner: Scanner | None = None):
        self.kb = kb or load_knowledge()
        self.scanner = scanner or (default_scanner() if kb is None else Scanner(self.kb))
        self.nlp = nlp or load_model()
        self.sentencizer = sentence_splitter()

    def scan(self, article: Article) -> ScanResult:
        """Cheap stage: which sentences of the article deserve the parser."""
        text = article.full_text
        mentions = self.scanner.mentions(text)
        kinds = {m.kind for m in mentions}
        if MentionKind.TRIGGER not in kinds or not kinds & ANCHOR_KINDS or not is_military(mentions, text):
            return ScanResult(article, [], [])  # nothing to find: no tokenizing at all
        sentences = self.scanner.sentences(text, self.nlp.tokenizer, self.sentencizer, mentions)
        candidates = [s for s in sentences if is_candidate(s)]
        chosen = {s.index for s in candidates}
        context = [sentences[s.index - 1] for s in candidates
                   if s.index > 0 and s.index - 1 not in chosen and _names_a_speaker(sentences[s.index - 1])]
        return ScanResult(article, sentences, candidates, list({s.index: s for s in context}.values()))

    def extract(self, article: Article) -> ArticleResult:
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article], batch_size: int = ARTICLE_BATCH) -> Iterator[ArticleResult]:
        """Extract a stream of articles, parsing candidate sentences of several articles together."""
        batch: list[ScanResult] = []
        for article in articles:
            batch.append(self.scan(article))
            if len(batch) >= batch_size:
                yield from self._finish(batch)
                batch = []
        if batch:
            yield from self._finish(batch)

    def _finish(self, batch: list[ScanResult]) -> Iterator[ArticleResult]:
        """Parse the candidates (and the sentences naming their speakers) of a batch together."""
        texts = [(parseable(s.text), (i, s)) for i, scan in enumerate(batch)
                 for s in sorted(scan.candidates + scan.context, key=lambda s: s.index)]
        context = {(i, s.index) for i, scan in enumerate(batch) for s in scan.context}
        parsed: dict[int, list[ParsedSentence]] = {}
        for doc, (i, sentence) in self.nlp.pipe(texts, as_tuples=True, batch_size=PARSE_BATCH, disable=UNUSED_PIPES):
            attach_mentions(doc, sentence.mentions, sentence.start)
            attach_person_parties(doc, self.kb.person_country)
            parsed.setdefault(i, []).append(ParsedSentence(sentence, doc, (i, sentence.index) in context))
        for i, scan in enumerate(batch):
            events = assemble(scan.article, scan.sentences, parsed.get(i, []), self.kb) if scan.candidates else []
            yield ArticleResult(scan.article, tuple(events))


SPEECH_WORDS = re.compile(r"\b(?:said|says|told|tells|warned|reported|reports|according|stated|claimed)\b")


def _names_a_speaker(sentence: Sentence) -> bool:
    """'The Ministry of Defence said ...' before a quote that ends '..., it said.'"""
    return bool(SPEECH_WORDS.search(sentence.text)) and any(
        m.kind in (MentionKind.PARTY, MentionKind.OUTLET) for m in sentence.mentions)


_shared: Extractor | None = None


def shared_extractor() -> Extractor:
    """One extractor per process for library callers (the model loads on first use)."""
    global _shared
    if _shared is None:
        _shared = Extractor()
    return _shared
