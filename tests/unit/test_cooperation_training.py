"""Cooperation and training as news reports them: pacts among several states, drills with
partners, instructors sent abroad, people trained in another country. Sentences written for
these tests, read through the real model."""

from __future__ import annotations

import pytest

from test_extract_steps import events

pytestmark = pytest.mark.slow

# An article needs a plainly military word to be read at all (scan.is_military).
TITLE = "Armed forces"


def pairs(text: str, kind: str) -> set[frozenset[str]]:
    return {frozenset((e.provider, e.recipient)) for e in events(text, title=TITLE) if e.type.value == kind}


def flows(text: str, kind: str) -> set[tuple[str, str, str]]:
    return {(e.provider, e.recipient, e.status.value) for e in events(text, title=TITLE) if e.type.value == kind}


def test_a_pact_of_three_states_is_one_event_per_pair() -> None:
    assert pairs("Kenya, Uganda and Rwanda signed a defence pact on Monday.", "cooperation") == {
        frozenset({"KEN", "UGA"}), frozenset({"KEN", "RWA"}), frozenset({"UGA", "RWA"})}


def test_an_exercise_held_with_two_partners_names_them_on_the_verb() -> None:
    # the partners hang from "held", not from "exercise"; "exercise" alone is too ambiguous to parse
    assert pairs("The Chinese army held a joint exercise with Tanzania and Mozambique.", "cooperation") == {
        frozenset({"CHN", "TZA"}), frozenset({"CHN", "MOZ"}), frozenset({"TZA", "MOZ"})}


def test_plural_pacts_with_several_states_are_bilateral() -> None:
    assert pairs("Japan already has similar access pacts with Australia and Britain.", "cooperation") == {
        frozenset({"JPN", "AUS"}), frozenset({"JPN", "GBR"})}


def test_an_alliance_naming_its_own_pact_is_not_a_member() -> None:
    found = pairs("Australia joined the AUKUS pact with the United States and Britain.", "cooperation")
    assert frozenset({"AUS", "org:aukus"}) not in found
    assert frozenset({"USA", "GBR"}) in found
