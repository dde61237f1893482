"""The extractor's quick attribute ruler and lemmatizer give exactly the model's annotations."""

from __future__ import annotations

import pytest
import spacy

from materiel.extract.extractor import Extractor
from materiel.nlp.pipeline import QuickAttributeRuler, QuickLemmatizer

# Words the model's ruler has rules of its own for: contractions, pronouns, 'but' as an adverb,
# auxiliaries, a space token, regex rules ("nothin'", "y'all"), determiners.
SENTENCES = [
    "I'd say we'll go, but he can't and she ain't sure.",
    "Y'all know nothin' about it, 'cause the shipment was delayed.",
    "Russia has supplied  Iran with drones; those were delivered in May.",
    "Nobody knows whether something like that could happen, but they might.",
    "The missiles, which were co-produced with a Turkish yard, arrived on Tuesday.\n\nThey're here.",
    "",
]


def annotations(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


@pytest.fixture(scope="module")
def quick(nlp):
    ruler, lemmatizer = QuickAttributeRuler.for_model(nlp), QuickLemmatizer.for_model(nlp)
    assert ruler is not None and lemmatizer is not None
    return ruler, lemmatizer


@pytest.mark.parametrize("text", SENTENCES)
def test_same_annotations_as_the_model(nlp, quick, text):
    ruler, lemmatizer = quick
    expected = annotations(nlp(text, disable=["ner"]))
    doc = nlp(text, disable=["ner", "attribute_ruler", "lemmatizer"])
    assert annotations(lemmatizer(ruler(doc))) == expected


def test_extractor_runs_the_quick_components(nlp):
    extractor = Extractor(nlp=nlp)
    assert {"attribute_ruler", "lemmatizer"} <= set(extractor._disabled)
    assert [type(c) for c in extractor._after_pipe] == [QuickAttributeRuler, QuickLemmatizer]


def blank_with_ruler(patterns: list[dict]):
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(patterns)
    return nlp


def test_later_rule_wins_and_index_picks_the_token():
    patterns = [
        {"patterns": [[{"LOWER": "arms"}]], "attrs": {"POS": "NOUN", "LEMMA": "arm"}},
        {"patterns": [[{"LOWER": {"IN": ["arms", "guns"]}}]], "attrs": {"POS": "PROPN"}},
        {"patterns": [[{"LOWER": "small"}, {"LOWER": {"REGEX": "^arm"}}]], "attrs": {"LEMMA": "small-arm"},
         "index": -1},
        {"patterns": [[{"LOWER": {"NOT_IN": ["small", "arms"]}}]], "attrs": {"LEMMA": "other"}},
    ]
    nlp = blank_with_ruler(patterns)
    text = "Small arms and guns, not small guns."
    expected = [(t.pos_, t.lemma_) for t in nlp(text)]
    ruler = QuickAttributeRuler.for_model(nlp)
    assert ruler is not None
    assert [(t.pos_, t.lemma_) for t in ruler(nlp.make_doc(text))] == expected
    assert expected[1] == ("PROPN", "small-arm")


@pytest.mark.parametrize("token", [{"ORTH": "arms"}, {"LOWER": "arms", "OP": "?"}, {"LOWER": {"FUZZY": "arms"}}])
def test_rules_it_cannot_read_leave_the_model_s_ruler(token):
    nlp = blank_with_ruler([{"patterns": [[token]], "attrs": {"POS": "NOUN"}}])
    assert QuickAttributeRuler.for_model(nlp) is None
