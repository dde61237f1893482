"""The cascade end to end: scan every article cheaply, parse only candidate sentences, read
events off the parses. The model is loaded once per process and shared by all articles.

One article never costs the others: `extract_each` turns an exception met while scanning,
parsing or assembling one article into a `Rejection` of that article (reason `internal`) and goes
on; when the parser fails on a batch, its articles are parsed again one by one so that only the
article that fails is given up. `extract_many` is the strict form for library callers: it raises.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Union

from spacy.language import Language

from ..errors import ArticleTimeout
from ..knowledge.base import KnowledgeBase, load_knowledge
from ..model import Article, ArticleResult, MentionKind, Reason, Rejection, Sentence
from ..nlp.pipeline import QuickAttributeRuler, QuickLemmatizer, load_model, parseable, sentence_splitter
from ..nlp.scan import Scanner, default_scanner
from . import ARTICLE_TIME_BUDGET
from .assemble import ParsedSentence, assemble
from .mentions import attach_mentions, attach_person_parties
from .status import SPEAKER_CUES

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
    skipped: dict[int, Reason] = field(default_factory=dict)  # sentence index -> why it was not parsed
    spent: float = 0.0  # seconds the scan took


@dataclass
class Failure:
    """An article whose extraction raised: the exception, kept for the strict caller or the report."""

    article: Article
    stage: str  # scanning, parsing, assembling
    error: Exception

    def rejection(self) -> Rejection:
        if isinstance(self.error, ArticleTimeout):
            return Rejection.timed_out(self.article, self.error.budget, self.stage)
        return Rejection.of_article(self.article, self.stage, self.error)


@dataclass
class _Clock:
    """Seconds each article of a batch has spent so far, and the articles whose budget ran out
    while their sentences were being parsed."""

    budget: float | None
    begun: dict[int, float] = field(default_factory=dict)  # article -> when its work began (monotonic)
    spent: dict[int, float] = field(default_factory=dict)  # article -> seconds spent by the end of parsing
    over: set[int] = field(default_factory=set)

    def exhausted(self, i: int, scan_spent: float) -> bool:
        if self.budget is None:
            return False
        now = time.monotonic()
        begun = self.begun.setdefault(i, now - scan_spent)
        if now - begun > self.budget:
            self.over.add(i)
        return i in self.over

    def deadline(self, i: int, scan_spent: float) -> float | None:
        """When assembling article `i` must end."""
        if self.budget is None:
            return None
        return time.monotonic() + self.budget - self.spent.get(i, scan_spent)


Outcome = Union[ArticleResult, Failure]


def _pipe_plan(nlp: Language) -> tuple[list[str], list]:
    """The components `nlp.pipe` leaves out, and those run after it on each parsed sentence: the
    attribute ruler by `QuickAttributeRuler` (the model's rules by dictionary look-ups instead of
    spaCy's Matcher) and the lemmatizer by `QuickLemmatizer` (each word, part of speech and
    morphology lemmatized once), which give the same annotations as the model's components at a
    fraction of their cost. A model whose ruler the quick one cannot read runs as it is."""
    ruler = QuickAttributeRuler.for_model(nlp)
    if ruler is None:
        return list(UNUSED_PIPES), []
    after = [name for name in nlp.pipe_names[nlp.pipe_names.index("attribute_ruler"):] if name not in UNUSED_PIPES]
    lemmatizer = QuickLemmatizer.for_model(nlp)
    return UNUSED_PIPES + after, [ruler, *(lemmatizer if name == "lemmatizer" and lemmatizer is not None
                                           else nlp.get_pipe(name) for name in after[1:])]


class Extractor:
    """Turns articles into events; holds the model, the knowledge base and the scanner."""

    def __init__(self, nlp: Language | None = None, kb: KnowledgeBase | None = None, scanner: Scanner | None = None,
                 time_budget: float | None = ARTICLE_TIME_BUDGET):
        self.time_budget = time_budget  # seconds per article; None: no limit
        self.kb = kb or load_knowledge()
        self.scanner = scanner or (default_scanner() if kb is None else Scanner(self.kb))
        self.nlp = nlp or load_model()
        self.sentencizer = sentence_splitter()
        self._disabled, self._after_pipe = _pipe_plan(self.nlp)

    def scan(self, article: Article) -> ScanResult:
        """Cheap stage: which sentences of the article deserve the parser."""
        text = article.full_text
        mentions = self.scanner.mentions(text)
        if self.scanner.article_skip_reason(mentions, text) is not None:
            return ScanResult(article, [], [])  # nothing to find: no tokenizing at all
        sentences = self.scanner.sentences(text, self.nlp.tokenizer, self.sentencizer, mentions)
        read = self.scanner.read(sentences, attributed=_attributes, interview=_interview)
        candidates = [s for s, reason in read if reason is None]
        chosen = {s.index for s in candidates}
        context = [sentences[s.index - 1] for s in candidates
                   if s.index > 0 and s.index - 1 not in chosen and _names_a_speaker(sentences[s.index - 1])]
        return ScanResult(article, sentences, candidates, list({s.index: s for s in context}.values()),
                          {s.index: reason for s, reason in read if reason is not None})

    def extract(self, article: Article) -> ArticleResult:
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article], batch_size: int = ARTICLE_BATCH) -> Iterator[ArticleResult]:
        """Extract a stream of articles, parsing candidate sentences of several articles together;
        an exception in one article is raised (use `extract_each` to skip that article instead)."""
        for outcome in self._outcomes(articles, batch_size):
            if isinstance(outcome, Failure):
                raise outcome.error
            yield outcome

    def extract_each(self, articles: Iterable[Article],
                     batch_size: int = ARTICLE_BATCH) -> Iterator[ArticleResult | Rejection]:
        """Like `extract_many`, in input order, but an article whose extraction raises becomes a
        `Rejection` (reason `internal`, with its id, file, line and the exception) and the rest go on."""
        for outcome in self._outcomes(articles, batch_size):
            yield outcome.rejection() if isinstance(outcome, Failure) else outcome

    def _outcomes(self, articles: Iterable[Article], batch_size: int) -> Iterator[Outcome]:
        batch: list[ScanResult | Failure] = []
        for article in articles:
            begun = time.monotonic()
            try:
                scan = self.scan(article)
                scan.spent = time.monotonic() - begun
                if self.time_budget is not None and scan.spent > self.time_budget:
                    raise ArticleTimeout(self.time_budget)
                batch.append(scan)
            except Exception as exc:
                batch.append(Failure(article, "scanning", exc))
            if len(batch) >= batch_size:
                yield from self._finish(batch)
                batch = []
        if batch:
            yield from self._finish(batch)

    def _finish(self, batch: list[ScanResult | Failure]) -> Iterator[Outcome]:
        """Parse the candidates (and the sentences naming their speakers) of a batch together, then
        read each article's events; a batch the parser fails on is parsed again article by article."""
        clock = _Clock(self.time_budget)
        try:
            parsed = self._parse(batch, clock)
        except Exception as exc:
            if len(batch) > 1:
                for item in batch:
                    yield from self._finish([item])
            else:
                yield Failure(batch[0].article, "parsing", exc) if isinstance(batch[0], ScanResult) else batch[0]
            return
        for i, scan in enumerate(batch):
            if isinstance(scan, Failure):
                yield scan
                continue
            if i in clock.over:
                yield Failure(scan.article, "parsing", ArticleTimeout(self.time_budget))
                continue
            try:
                events = assemble(scan.article, scan.sentences, parsed.get(i, []), self.kb,
                                  deadline=clock.deadline(i, scan.spent)) if scan.candidates else []
            except ArticleTimeout:
                yield Failure(scan.article, "assembling events of", ArticleTimeout(self.time_budget))
                continue
            except Exception as exc:
                yield Failure(scan.article, "assembling events of", exc)
                continue
            yield ArticleResult(scan.article, tuple(events))

    def parse_one(self, scan: ScanResult) -> list[ParsedSentence]:
        """The parsed candidate and speaker sentences of one scanned article."""
        return self._parse([scan]).get(0, [])

    def _parse(self, batch: list[ScanResult | Failure], clock: "_Clock | None" = None) -> dict[int, list[ParsedSentence]]:
        """Parsed candidate and speaker sentences by position of their article in the batch. The
        parser pulls sentences as it goes: an article whose budget runs out gets no more parsed."""
        clock = clock or _Clock(None)
        scans = [(i, scan) for i, scan in enumerate(batch) if isinstance(scan, ScanResult)]
        context = {(i, s.index) for i, scan in scans for s in scan.context}

        def texts() -> Iterator[tuple[str, tuple[int, Sentence]]]:
            for i, scan in scans:
                for s in sorted(scan.candidates + scan.context, key=lambda s: s.index):
                    if clock.exhausted(i, scan.spent):
                        break
                    yield parseable(s.text), (i, s)

        parsed: dict[int, list[ParsedSentence]] = {}
        for doc, (i, sentence) in self.nlp.pipe(texts(), as_tuples=True, batch_size=PARSE_BATCH, disable=self._disabled):
            for component in self._after_pipe:
                doc = component(doc)
            attach_mentions(doc, sentence.mentions, sentence.start)
            attach_person_parties(doc, self.kb.person_country)
            parsed.setdefault(i, []).append(ParsedSentence(sentence, doc, (i, sentence.index) in context))
            if i in clock.begun:
                clock.spent[i] = time.monotonic() - clock.begun[i]
        return parsed


SPEECH_WORDS = re.compile(r"\b(?:%s)\b" % "|".join(sorted(SPEAKER_CUES, key=len, reverse=True)))


# "We asked Meera Raghavan, a defence analyst, what India has received": the interview that the
# article's answers are attributed to.
INTERVIEW_WORDS = re.compile(r"\b(?:asked|interview\w*|spoke|speaking)\b", re.IGNORECASE)


def _attributes(sentence: Sentence) -> bool:
    """Does the sentence attribute what it says (a reporting verb)?"""
    return bool(SPEECH_WORDS.search(sentence.text))


def _interview(sentence: Sentence) -> bool:
    """Does the sentence set up an interview whose answers the article reports?"""
    return bool(INTERVIEW_WORDS.search(sentence.text))


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
