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


@pytest.mark.parametrize("sentence,expected", [
    ("Chinese military instructors arrived in Harare on Tuesday.", ("CHN", "ZWE", "delivered")),
    ("Ankara sent military instructors to Tripoli last spring.", ("TUR", "LBY", "delivered")),
    ("Burkina Faso hired Russian military instructors after the coup.", ("RUS", "BFA", "delivered")),
    ("French military advisers in Chad help the army plan operations.", ("FRA", "TCD", "delivered")),
])
def test_instructors_and_advisers_posted_abroad_are_training(sentence: str, expected: tuple) -> None:
    assert expected in flows(sentence, "training"), sentence


def test_instructors_with_no_trainee_side_named_are_no_event() -> None:
    assert not flows("The Russian instructors said the army was ready.", "training")


def test_the_object_of_a_coordinated_verb_is_the_trainee() -> None:
    # "trained and directed X": X is trained, not the trainers' own side
    assert ("EGY", "SDN", "delivered") in flows("Egyptian officers trained and directed Sudan's army units.", "training")


def test_general_training_takes_no_system_from_the_story() -> None:
    found = [e for e in events("Germany delivered Leopard 2 tanks to Ukraine. The UK has trained 30,000 Ukrainian "
                               "army recruits.", title=TITLE) if e.type.value == "training"]
    assert [(e.provider, e.recipient, e.item.category.value) for e in found] == [("GBR", "UKR", "unspecified")]


def test_training_of_crews_takes_the_system_from_the_story() -> None:
    found = [e for e in events("Germany delivered Leopard 2 tanks to Ukraine. Ukrainian crews were trained in "
                               "Germany.", title=TITLE) if e.type.value == "training"]
    assert [(e.provider, e.recipient, e.item.category.value) for e in found] == [("DEU", "UKR", "armoured_vehicle")]


def test_an_act_added_in_another_clause_is_not_the_training_item() -> None:
    found = [e for e in events("Spain has trained and equipped Mauritania's navy since 2015, handing over patrol boats.",
                               title=TITLE) if e.type.value == "training"]
    assert [e.item.category.value for e in found] == ["unspecified"]


def test_as_part_of_is_not_a_spare_part() -> None:
    found = [e for e in events("Kenyan pilots were trained in China as part of the deal.", title=TITLE)
             if e.type.value == "training"]
    assert [e.item.category.value for e in found] == ["unspecified"]


def test_a_trained_state_force_is_not_replaced_by_an_armed_group() -> None:
    text = ("Smugglers delivered rifles to the Houthis in Yemen. Saudi officers trained Yemen's coastguard.")
    assert ("SAU", "YEM", "delivered") in flows(text, "training")


def test_a_security_agreement_is_a_partnership() -> None:
    assert pairs("Ghana and Togo signed a security agreement on border patrols.", "cooperation") == {
        frozenset({"GHA", "TGO"})}


def test_a_defence_agreement_for_named_goods_stays_a_sale() -> None:
    found = events("Poland signed a defence agreement with South Korea for 180 K2 tanks.", title=TITLE)
    assert {e.type.value for e in found} == {"transfer"}


def test_withdrawing_from_a_programme_cancels_it() -> None:
    assert ("BRA", "FRA", "cancelled") in flows("Brazil withdrew from the military partnership with France.",
                                                 "cooperation")


def _hand_built(words: list[str], heads: list[int], deps: list[str], tags: list[str], lemmas: list[str]):
    from spacy.tokens import Doc
    import spacy
    return Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, tags=tags, lemmas=lemmas)


@pytest.mark.parametrize("words, named", [
    (["the", "two", "navies"], True),
    (["both", "governments"], True),
    (["the", "two", "systems"], False),  # an item counted as two, not a pair of parties
    (["the", "navies"], False),
])
def test_a_plural_counted_as_two_names_the_story_pair(words: list[str], named: bool) -> None:
    from materiel.extract.roles import names_a_pair
    n = len(words) - 1
    deps = ["det" if w in ("the", "both") else "nummod" for w in words[:-1]] + ["ROOT"]
    tags = ["DT" if w != "two" else "CD" for w in words[:-1]] + ["NNS"]
    lemmas = [*words[:-1], {"navies": "navy", "governments": "government", "systems": "system"}[words[-1]]]
    doc = _hand_built(words, [n] * n + [n], deps, tags, lemmas)
    assert names_a_pair(doc[n]) is named


def test_the_two_countries_are_the_pair_the_story_named() -> None:
    text = ("Vietnam's defence minister visited Manila on Monday. "
            "The two countries agreed to hold a joint naval exercise next year.")
    assert frozenset({"VNM", "PHL"}) in pairs(text, "cooperation")


def test_onlookers_are_not_the_pair() -> None:
    text = ("Serbia and Hungary signed a defence pact in Budapest. "
            "Croatian officials called the two governments' partnership a worry.")
    found = pairs(text, "cooperation")
    assert frozenset({"SRB", "HUN"}) in found
    assert not any("HRV" in pair for pair in found)


def test_a_partnership_to_be_strengthened_already_exists() -> None:
    assert ("KEN", "UGA", "agreed") in flows(
        "Kenya and Uganda signed papers aiming to strengthen their defence cooperation.", "cooperation")
