"""Which events make one flow: aliases across articles, fuzzy designations, pairs that must not merge."""

from __future__ import annotations

import pytest

from materiel.assess.flows import (LETTERS_THRESHOLD, cluster_family, designation_of, family_key,
                                   same_designation)
from materiel.model import Category, Event, EventType, Item, Status


def event(name: str | None, canonical: str | None = None, category: Category = Category.UAV,
          kind: EventType = EventType.TRANSFER, provider: str = "IRN", recipient: str = "RUS") -> Event:
    return Event(kind, provider, recipient, Item(category, name, canonical), Status.DELIVERED)


def resolved(kb, surface: str, category: Category = Category.UAV) -> Event:
    """An event as extraction leaves it: the catalogue resolves the surface name."""
    system = kb.system(surface)
    return event(surface, system.canonical if system else None, system.category if system else category)


def groups(kb, events: list[Event]) -> list[set[int]]:
    return sorted((set(c.members) for c in cluster_family(events, kb)), key=min)


@pytest.mark.parametrize("a, b", [
    ("Geran-2", "Shahed-136"), ("Geranium-2", "Shahed-136"), ("Flanker-E", "Su-35"),
    ("Hwasong-11", "KN-23"), ("SCALP-EG", "Storm Shadow"), ("SCALP", "Storm Shadow")])
def test_catalogue_aliases_across_articles_are_one_flow(kb, a, b):
    first, second = resolved(kb, a), resolved(kb, b)
    assert family_key(first) == family_key(second)
    assert groups(kb, [first, second]) == [{0, 1}]


@pytest.mark.parametrize("a, b", [("Su-35", "Su-34"), ("Mohajer-6", "Mohajer-10"), ("Shahed-136", "Shahed-238"),
                                  ("Kh-101", "Kh-55")])
def test_different_catalogued_systems_never_merge(kb, a, b):
    first, second = resolved(kb, a), resolved(kb, b)
    if family_key(first) == family_key(second):
        assert groups(kb, [first, second]) == [{0}, {1}]


@pytest.mark.parametrize("a, b", [
    ("Toufan-9", "Tufan 9"),        # spelling
    ("Toufan-9", "Toufan-9M"),      # variant suffix
    ("Xuanwu 12", "Xuanwu-12A"),
    ("Arash-2", "Arrash 2"),
])
def test_unknown_designations_that_differ_in_spelling_or_suffix_merge(a, b):
    assert same_designation(a, b)


@pytest.mark.parametrize("a, b", [
    ("Toufan-9", "Toufan-10"),      # the number is exact
    ("Kh-47", "Kh-48"),
    ("Xuanwu 12", "Qiang 12"),      # same number, different letters
    ("M-9", "MX-9"),                # letters too short to be sure: ratio below the threshold
    ("Arash", "Karrar"),            # no number: names must be near-identical
])
def test_unknown_designations_that_must_not_merge(a, b):
    assert not same_designation(a, b)


def test_threshold_is_documented_value():
    assert LETTERS_THRESHOLD == 80  # README "Alias merging" states this figure


def test_designation_read_from_item_names(kb):
    assert designation_of(event("Toufan-9 drones"), kb) == "Toufan-9"
    assert designation_of(event("Xuanwu 12 air defence system", category=Category.AIR_DEFENCE), kb) == "Xuanwu 12"
    assert designation_of(event("Iranian drones"), kb) is None
    assert designation_of(event("$1 billion", category=Category.MONEY), kb) is None
    assert designation_of(event("Shahed-136 drones", canonical="Shahed-136"), kb) is None


def test_fuzzy_unknowns_cluster_and_stay_apart_from_the_category(kb):
    events = [event("Toufan-9 drones"), event("drones"), event("Tufan 9M drones"), event("Toufan-10 drones")]
    assert groups(kb, events) == [{0, 2}, {1}, {3}]


def test_unknown_variant_of_a_catalogued_system_joins_it(kb):
    assert kb.system("Shahed-136B") is None
    events = [resolved(kb, "Shahed-136"), event("Shahed-136B drones"), resolved(kb, "Shahed-238")]
    assert groups(kb, events) == [{0, 1}, {2}]


def test_type_and_direction_are_part_of_the_flow(kb):
    transfer = resolved(kb, "Shahed-136")
    training = transfer.with_changes(type=EventType.TRAINING)
    reverse = transfer.with_changes(provider="RUS", recipient="IRN")
    assert len({family_key(transfer), family_key(training), family_key(reverse)}) == 3


def test_production_parties_are_unordered(kb):
    a = resolved(kb, "Shahed-136").with_changes(type=EventType.PRODUCTION)
    b = a.with_changes(provider="RUS", recipient="IRN")
    assert family_key(a) == family_key(b)
