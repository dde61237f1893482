"""The loaded pipeline's tokenizer keeps joint-prefixed words whole."""

from __future__ import annotations

import pytest

from materiel.nlp.pipeline import JOINT_PREFIXED_WORD


@pytest.mark.parametrize("word", ["co-produced", "Co-develop", "co-manufacturing", "co-production"])
def test_joint_prefixed_words_match(word):
    assert JOINT_PREFIXED_WORD.match(word)


@pytest.mark.parametrize("word", ["co-produced.", "cobalt", "re-export", "co-", "Franco-German"])
def test_other_words_do_not_match(word):
    assert not JOINT_PREFIXED_WORD.match(word)


def test_model_keeps_co_prefixed_verb_whole(nlp):
    doc = nlp("The corvettes are co-produced with a Turkish yard.")
    verb = next(t for t in doc if t.text == "co-produced")
    assert verb.dep_ == "ROOT" and verb.lemma_ == "co-produce"
