from __future__ import annotations

import pytest
from spacy.language import Language

from materiel.knowledge.base import KnowledgeBase, load_knowledge
from materiel.nlp.pipeline import load_model
from materiel.nlp.scan import Scanner


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The real installed English pipeline (loaded once per test session)."""
    return load_model()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def scanner(kb: KnowledgeBase) -> Scanner:
    return Scanner(kb)
