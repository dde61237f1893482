"""Every rule of the Admiralty grade (materiel/assess/grading.py), one case each."""

from __future__ import annotations

import pytest

from materiel.assess.grading import grade, origin_reliability
from materiel.model import Denial, Origin

PARTIES = ("IRN", "RUS")


def origin(key: str, kind: str, reliability: str) -> Origin:
    return Origin(key, key, kind, ("a1",), reliability)


def denial(by: str, interested: bool) -> Denial:
    return Denial(by, interested, (f"{by} foreign ministry",), ("a2",), "2024-01-01")


@pytest.mark.parametrize("kind, country, officials, expected", [
    ("government", "IRN", False, "A"),   # the provider's own government
    ("company", "RUS", False, "A"),      # a company of the recipient
    ("government", "USA", False, "B"),   # a third government
    ("intelligence", "GBR", False, "B"),
    ("joint", None, False, "B"),
    ("organisation", "org:un", False, "B"),
    ("company", "USA", False, "C"),      # a company not party to the flow
    ("expert", None, False, "C"),
    ("press", "USA", True, "C"),         # unnamed officials through an outlet
    ("press", None, False, "D"),         # an outlet's own reporting
    ("witness", None, False, "D"),
    ("official", None, False, "D"),      # an official the knowledge base cannot place
])
def test_reliability_of_each_origin_kind(kind, country, officials, expected):
    assert origin_reliability(kind, country, officials, PARTIES) == expected


def test_no_asserting_origin_is_f6():
    g = grade([], [denial("IRN", True)])
    assert g.code == "F6"
    assert "no source asserts" in g.explanation[0]


@pytest.mark.parametrize("n, expected", [(1, 3), (2, 2), (3, 1), (5, 1)])
def test_credibility_starts_from_independent_origins(n, expected):
    g = grade([origin(f"gov:X{i}", "government", "B") for i in range(n)], [])
    assert g.credibility == expected
    assert g.reliability == "B"
    assert f"{n} independent origin" in g.explanation[1]


def test_reliability_is_the_strongest_origin():
    g = grade([origin("press:x|", "press", "D"), origin("intel:GBR", "intelligence", "B")], [])
    assert g.reliability == "B"
    assert "intel:GBR" in g.explanation[0]


def test_first_party_alone_is_probably_true():
    g = grade([origin("gov:IRN", "government", "A")], [])
    assert g.code == "A2"
    assert any("asserts it itself" in line for line in g.explanation)


def test_first_party_with_another_origin_is_confirmed():
    g = grade([origin("gov:IRN", "government", "A"), origin("press:x|USA", "press", "C")], [])
    assert g.code == "A1"


def test_third_party_denial_lowers_one_step_each():
    origins = [origin("gov:USA", "government", "B"), origin("gov:UKR", "government", "B")]
    assert grade(origins, [denial("EGY", False)]).credibility == 3
    assert grade(origins, [denial("EGY", False), denial("TUR", False)]).credibility == 4


def test_interested_denial_of_a_weak_single_origin_lowers():
    g = grade([origin("press:x|", "press", "D")], [denial("IRN", True)])
    assert g.code == "D4"
    assert any("denied by a party to the flow (IRN)" in line for line in g.explanation)


def test_interested_denial_of_a_well_sourced_flow_is_recorded_only():
    origins = [origin("gov:USA", "government", "B"), origin("intel:GBR", "intelligence", "B")]
    g = grade(origins, [denial("IRN", True), denial("RUS", True)])
    assert g.code == "B2"
    assert "recorded, grade not lowered" in g.explanation[-1]


def test_interested_denial_of_a_single_strong_origin_is_recorded_only():
    g = grade([origin("gov:USA", "government", "B")], [denial("IRN", True)])
    assert g.code == "B3"


def test_credibility_never_passes_improbable_by_rule():
    g = grade([origin("press:x|", "press", "D")],
              [denial("IRN", True), denial("USA", False), denial("GBR", False), denial("FRA", False)])
    assert g.credibility == 5
