"""The shipped gazetteers load, are large enough, and the loaders reject inconsistent data."""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

from materiel.errors import KnowledgeError
from materiel.knowledge import loaders
from materiel.knowledge.base import KnowledgeBase, designation_variants
from materiel.knowledge.loaders import PartyName, squash
from materiel.model import Category, MentionKind
from materiel.nlp.scan import Scanner


def test_load_knowledge(kb: KnowledgeBase) -> None:
    assert kb.party_names and kb.systems and kb.item_terms and kb.triggers
    assert kb.party("Tehran").party == "IRN"
    assert kb.party("the Kremlin").party == "RUS"
    assert kb.system("Geranium-2").canonical == "Shahed-136"
    assert kb.system("Flanker-E").canonical == "Su-35"
    assert kb.system("F-16s").canonical == "F-16"
    assert kb.party_label("IRN") == "Iran"


def test_at_least_500_weapon_systems(kb: KnowledgeBase) -> None:
    assert len(kb.systems) >= 500
    assert len({s.canonical for s in kb.systems}) == len(kb.systems)


def test_at_least_300_state_organs() -> None:
    rows = list(loaders.read_rows("organs.csv"))
    assert len(rows) >= 300


def test_every_iso_state_has_a_row() -> None:
    codes = {row["iso3"] for _, row in loaders.read_rows("states.csv")}
    missing = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 not in codes)
    assert missing == []


def test_state_rows_are_unique() -> None:
    codes = [row["iso3"] for _, row in loaders.read_rows("states.csv")]
    assert len(codes) == len(set(codes))


def test_no_name_is_shared_by_two_systems(kb: KnowledgeBase) -> None:
    owner: dict[str, set[str]] = defaultdict(set)
    for system in kb.systems:
        for name in system.names:
            owner[squash(name)].add(system.canonical)
    shared = {key: names for key, names in owner.items() if len(names) > 1}
    assert shared == {}


def test_no_surface_form_the_scanner_matches_points_at_two_systems(kb: KnowledgeBase) -> None:
    """The scanner also matches spelling variants and plurals ('Su 35', 'F-16s', 'Iglas'): each
    such surface form, scanned on its own, must resolve to exactly one system."""
    scanner = Scanner(kb)
    ambiguous = {}
    for system in kb.systems:
        for name in system.names:
            for variant in designation_variants(name):
                for surface in (variant, variant + "s"):
                    found = {m.value for m in scanner.mentions(surface)
                             if m.kind is MentionKind.SYSTEM and (m.start, m.end) == (0, len(surface))}
                    if len(found) > 1:
                        ambiguous[surface] = sorted(found)
    assert ambiguous == {}


def test_every_category_of_the_ontology_is_used(kb: KnowledgeBase) -> None:
    used = {s.category for s in kb.systems} | set(kb.item_terms.values())
    expected = set(Category) - {Category.MONEY, Category.UNSPECIFIED, Category.TECHNOLOGY}
    assert expected <= used


def test_group_slugs_of_the_ontology_exist() -> None:
    slugs = {row["slug"] for _, row in loaders.read_rows("groups.csv")}
    for slug in ("org:wagner", "org:hezbollah", "org:houthis", "org:hamas", "org:pij", "org:donbas-separatists",
                 "org:taliban", "org:isis", "org:sdf", "org:pkk", "org:rsf", "org:nato", "org:eu", "org:csto"):
        assert slug in slugs


def test_party_names_resolve_to_one_party(kb: KnowledgeBase) -> None:
    loaders.check_unique_party_names(kb.party_names)  # raises on a clash


def test_check_unique_party_names_rejects_a_clash() -> None:
    names = [PartyName("Georgia", "GEO", "name"), PartyName("georgia", "USA", "name")]
    with pytest.raises(KnowledgeError, match="Georgia|georgia"):
        loaders.check_unique_party_names(names)
    loaders.check_unique_party_names([PartyName("Iran", "IRN", "name"), PartyName("iran", "IRN", "name")])


# --- the loaders on data files written by the test -------------------------------------------

SYSTEMS_HEADER = "canonical,category,origin,aliases,nato_name,manufacturer\n"
_packages = itertools.count()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the loaders at a real package of data files in tmp_path (swapping the data source only)."""
    name = f"materiel_test_kb_{next(_packages)}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(loaders, "DATA_PACKAGE", name)
    yield package
    sys.modules.pop(name, None)


def test_loader_reads_a_good_systems_file(data_dir: Path) -> None:
    (data_dir / "systems.csv").write_text(
        SYSTEMS_HEADER
        + "# a comment line\n"
        + "Su-35,combat_aircraft,RUS,Su-35S|Flanker-E|Su 35,Flanker-E,Sukhoi\n"
        + "Shahed-136,uav,IRN,Geran-2|Geranium-2,,HESA\n", encoding="utf-8")
    systems = loaders.load_systems()
    assert [s.canonical for s in systems] == ["Su-35", "Shahed-136"]
    su35 = systems[0]
    assert su35.aliases == ("Su-35S", "Flanker-E")  # 'Su 35' is the canonical name spelled differently
    assert su35.category is Category.COMBAT_AIRCRAFT and su35.nato_name == "Flanker-E"


@pytest.mark.parametrize("rows, message", [
    ("Su-35,combat_aircraft,RUS,Flanker-E,,\nSu-27,combat_aircraft,RUS,Flanker E,,\n", r"systems\.csv:3: .*Flanker"),
    ("Su-35,combat_aircraft,RUS,,,\nSu-27,combat_aircraft,RUS,SU 35,,\n", r"systems\.csv:3: .*SU 35"),
    ("Su-35,combat_aircraft,RUS,,,\nSu35,combat_aircraft,RUS,,,\n", r"systems\.csv:3:"),
    ("Su-35,fighter,RUS,,,\n", r"systems\.csv:2: category 'fighter'"),
    ("Su-35,combat_aircraft,XXX,,,\n", r"systems\.csv:2: unknown origin code 'XXX'"),
    (",combat_aircraft,RUS,,,\n", r"systems\.csv:2: empty canonical"),
    ("Su-35,combat_aircraft,RUS,---,,\n", r"systems\.csv:2: name '---' has no letters"),
])
def test_loader_rejects_a_bad_systems_file(data_dir: Path, rows: str, message: str) -> None:
    (data_dir / "systems.csv").write_text(SYSTEMS_HEADER + rows, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        loaders.load_systems()


def test_loader_names_a_missing_or_empty_file(data_dir: Path) -> None:
    with pytest.raises(KnowledgeError, match="systems.csv is missing"):
        loaders.load_systems()
    (data_dir / "systems.csv").write_text("# only a comment\n\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="systems.csv is empty"):
        loaders.load_systems()


def test_loader_rejects_a_bad_organ_kind(data_dir: Path) -> None:
    (data_dir / "organs.csv").write_text("name,aliases,state,kind\nThe Kremlin,,RUS,palace\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"organs\.csv:2: kind 'palace'"):
        loaders.load_organs()


def test_loader_rejects_a_bad_group_slug(data_dir: Path) -> None:
    (data_dir / "groups.csv").write_text("slug,name,aliases,kind\nHezbollah,Hezbollah,,armed_group\n",
                                         encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"groups\.csv:2: slug 'Hezbollah'"):
        loaders.load_groups()


def test_loader_rejects_an_estimative_range_out_of_order(data_dir: Path) -> None:
    (data_dir / "estimative.csv").write_text("scale,term,low,high\nPHIA,likely,0.75,0.55\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"estimative\.csv:2:"):
        loaders.load_estimative()

