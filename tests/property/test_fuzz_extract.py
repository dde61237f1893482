"""The extractor as a property: for any article, `extract` returns without raising, and every event
it returns is grounded and valid (tests/fuzz_inputs.py holds the generators and the property).

A short, reproducible budget for CI; the long campaign is bench/fuzz_extract.py with the same
generators. A failure either finds here becomes a regression test in
tests/integration/test_fuzz_regressions.py and a line of tests/data/fuzz_regressions.jsonl.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fuzz_inputs import SURROGATES, as_read, builtin_seeds, check, fuzz_record, load_seed_articles
from materiel.extract.extractor import Extractor, shared_extractor
from materiel.model import Article

pytestmark = pytest.mark.slow

FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
DEV_SEEDS = load_seed_articles()

# Any code point, lone surrogates included, as a JSON input could carry it.
any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(SURROGATES))
any_text = st.lists(any_char, max_size=400).map("".join).map(as_read)
titles = st.one_of(st.just(""), any_text, st.just("Iran to send drones to Russia " * 70))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return shared_extractor()


def assert_holds(extractor: Extractor, title: str, text: str, published: str | None = "2023-01-25") -> None:
    article = Article(id="fuzz", title=title, text=text, published=published)
    result = extractor.extract(article)
    assert check(article, result) == []


@settings(FUZZ, max_examples=80)
@given(title=titles, text=any_text)
def test_any_unicode_text(extractor: Extractor, title: str, text: str) -> None:
    assert_holds(extractor, title, text)


@settings(FUZZ, max_examples=80)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_builtin_sentences(extractor: Extractor, rng: random.Random) -> None:
    record = fuzz_record(rng, builtin_seeds())
    assert_holds(extractor, record["title"], record["text"], record["published"])


@pytest.mark.skipif(not DEV_SEEDS, reason="shared/eval/dev and dev2 not found next to the repository")
@settings(FUZZ, max_examples=150)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_dev_articles(extractor: Extractor, rng: random.Random) -> None:
    record = fuzz_record(rng, DEV_SEEDS)
    assert_holds(extractor, record["title"], record["text"], record["published"])
