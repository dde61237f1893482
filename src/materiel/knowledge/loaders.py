"""Read and validate the gazetteers and lexicons shipped in `knowledge/data/`.

Each loader returns plain typed records and raises KnowledgeError naming the file, the row and
what is wrong, so a bad edit to a data file fails loudly at start-up (and in the test suite)
instead of silently mis-resolving names at extraction time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from typing import Iterator


from ..errors import KnowledgeError
from ..model import Category, EventType, SourceKind, Stance, Status

DATA_PACKAGE = "materiel.knowledge.data"
SUBJECT_ROLES = ("provider", "recipient", "both", "item")
STATUS_EFFECTS = {s.value for s in Status} | {Stance.DENIED.value, "realis"}
ORGAN_KINDS = ("government", "ministry", "military", "intelligence", "agency", "exporter", "manufacturer")
GROUP_KINDS = ("armed_group", "pmc", "alliance", "igo")
ESTIMATIVE_SCALES = ("PHIA", "ICD 203")
# Codes that news uses but ISO 3166-1 does not assign to a state we can resolve through pycountry.
EXTRA_STATE_CODES = frozenset({"XKX"})


def squash(name: str) -> str:
    """The key under which two spellings of a designation are the same: 'Su-35' == 'su 35'."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def split_list(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def read_rows(filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a data CSV, skipping '#' comment lines."""
    try:
        text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KnowledgeError(f"knowledge file {filename} is missing from the package; reinstall materiel") from exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise KnowledgeError(f"knowledge file {filename} is empty")
    _, header = lines[0]
    reader = csv.DictReader([header] + [line for _, line in lines[1:]])
    for (n, _), row in zip(lines[1:], reader):
        yield n, {k: (v or "").strip() for k, v in row.items() if k is not None}


def valid_state_code(code: str) -> bool:
    import pycountry  # loaded with the data files, not with every command that imports the knowledge module

    return code in EXTRA_STATE_CODES or pycountry.countries.get(alpha_3=code) is not None


def _require(condition: bool, filename: str, line: int, message: str) -> None:
    if not condition:
        raise KnowledgeError(f"{filename}:{line}: {message}")


@dataclass(frozen=True)
class PartyName:
    """A surface form that stands for a party: 'Tehran' -> IRN (capital)."""

    surface: str
    party: str
    kind: str  # name, demonym, capital, metonym, organ:<kind>, group:<kind>


@dataclass(frozen=True)
class WeaponSystem:
    canonical: str
    category: Category
    origin: str
    aliases: tuple[str, ...]
    nato_name: str | None
    manufacturer: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)


@dataclass(frozen=True)
class Trigger:
    lemma: str
    type: EventType
    subject: str  # provider | recipient | both
    status: Status
    needs_item: bool
    agent: bool = False  # the noun names the subject-role party itself: "instructors"
    past_status: Status | None = None  # the stage a past-tense verb states: "bought" is delivered
    verb_only: bool = False  # reports the act only as a verb: "shares in the maker" is no sharing
    symmetric: bool = False  # a deal's possessor may be either side: "India's deal with Russia"
    ambiguous_forms: tuple[str, ...] = ()  # forms mostly meant otherwise: "arms", "ships", "came"
    alliance_only: bool = False  # tells cooperation only with an alliance: "participation in the CSTO"
    at_school: bool = False  # tells training only with no object, at a school: "studied at Russian academies"
    not_after: tuple[str, ...] = ()  # words that make a compound of another sense just before it: "oil pipeline"
    not_before: tuple[str, ...] = ()  # ... just after it: "came under fire"


@dataclass(frozen=True)
class EstimativeTerm:
    scale: str
    term: str
    low: float
    high: float


def load_states() -> list[PartyName]:
    names: list[PartyName] = []
    for n, row in read_rows("states.csv"):
        code = row["iso3"]
        _require(valid_state_code(code), "states.csv", n, f"unknown ISO 3166 alpha-3 code {code!r}")
        names.append(PartyName(row["name"], code, "name"))
        for column, kind in (("short_forms", "name"), ("demonyms", "demonym"),
                             ("capitals", "capital"), ("metonyms", "metonym")):
            names.extend(PartyName(s, code, kind) for s in split_list(row.get(column)))
    return names


def load_organs() -> list[PartyName]:
    names: list[PartyName] = []
    for n, row in read_rows("organs.csv"):
        _require(valid_state_code(row["state"]), "organs.csv", n, f"unknown state code {row['state']!r}")
        _require(row["kind"] in ORGAN_KINDS, "organs.csv", n,
                 f"kind {row['kind']!r} is not one of {', '.join(ORGAN_KINDS)}")
        for surface in [row["name"], *split_list(row.get("aliases"))]:
            names.append(PartyName(surface, row["state"], f"organ:{row['kind']}"))
    return names


def load_groups() -> list[PartyName]:
    names: list[PartyName] = []
    for n, row in read_rows("groups.csv"):
        slug = row["slug"]
        _require(re.fullmatch(r"org:[a-z0-9]+(-[a-z0-9]+)*", slug) is not None, "groups.csv", n,
                 f"slug {slug!r} must look like org:lowercase-words")
        _require(row["kind"] in GROUP_KINDS, "groups.csv", n,
                 f"kind {row['kind']!r} is not one of {', '.join(GROUP_KINDS)}")
        for surface in [row["name"], *split_list(row.get("aliases"))]:
            names.append(PartyName(surface, slug, f"group:{row['kind']}"))
    return names


def check_unique_party_names(names: list[PartyName]) -> None:
    """One surface form, one party: a name that could mean two parties is a data bug."""
    seen: dict[str, PartyName] = {}
    for name in names:
        key = name.surface.casefold()
        other = seen.get(key)
        if other is not None and other.party != name.party:
            raise KnowledgeError(
                f"party name {name.surface!r} points at both {other.party} ({other.kind}) and "
                f"{name.party} ({name.kind}); keep it in one row only")
        seen.setdefault(key, name)


def load_systems() -> list[WeaponSystem]:
    systems: list[WeaponSystem] = []
    owner: dict[str, str] = {}
    categories = {c.value for c in Category}
    for n, row in read_rows("systems.csv"):
        canonical = row["canonical"]
        _require(bool(canonical), "systems.csv", n, "empty canonical name")
        _require(row["category"] in categories, "systems.csv", n,
                 f"category {row['category']!r} is not in the ontology ({', '.join(sorted(categories))})")
        _require(valid_state_code(row["origin"]), "systems.csv", n, f"unknown origin code {row['origin']!r}")
        aliases = tuple(a for a in split_list(row.get("aliases")) if squash(a) != squash(canonical))
        for name in (canonical, *aliases):
            key = squash(name)
            _require(bool(key), "systems.csv", n, f"name {name!r} has no letters or digits")
            _require(owner.get(key, canonical) == canonical, "systems.csv", n,
                     f"name {name!r} points at both {owner.get(key)!r} and {canonical!r}")
            owner[key] = canonical
        systems.append(WeaponSystem(canonical, Category(row["category"]), row["origin"], aliases,
                                    row.get("nato_name") or None, row.get("manufacturer") or None))
    return systems


def load_item_terms() -> dict[str, Category]:
    terms: dict[str, Category] = {}
    categories = {c.value for c in Category}
    for n, row in read_rows("item_terms.csv"):
        _require(row["category"] in categories, "item_terms.csv", n, f"category {row['category']!r} unknown")
        term = row["term"].casefold()
        _require(terms.get(term, Category(row["category"])) == Category(row["category"]), "item_terms.csv", n,
                 f"term {term!r} has two categories")
        terms[term] = Category(row["category"])
    return terms


def load_dual_use_terms() -> frozenset[str]:
    """The item terms marked dual_use, with their plurals: the surface forms the scan meets."""
    from .base import plural  # base imports this module

    found: set[str] = set()
    for n, row in read_rows("item_terms.csv"):
        _require(row.get("dual_use", "") in ("", "0", "1"), "item_terms.csv", n, "dual_use must be 1, 0 or empty")
        if row.get("dual_use") == "1":
            term = row["term"].casefold()
            found.update((term, plural(term)))
    return frozenset(found)


def load_triggers() -> dict[str, list[Trigger]]:
    triggers: dict[str, list[Trigger]] = {}
    for n, row in read_rows("triggers.csv"):
        _require(row["type"] in {t.value for t in EventType}, "triggers.csv", n, f"type {row['type']!r} unknown")
        _require(row["subject"] in SUBJECT_ROLES, "triggers.csv", n, f"subject must be one of {SUBJECT_ROLES}")
        _require(row["status"] in {s.value for s in Status}, "triggers.csv", n, f"status {row['status']!r} unknown")
        past = row.get("past_status") or None
        _require(past is None or past in {s.value for s in Status}, "triggers.csv", n, f"past_status {past!r} unknown")
        for flag in ("needs_item", "agent", "verb_only", "symmetric", "alliance_only", "at_school"):
            _require(row.get(flag, "") in ("", "0", "1"), "triggers.csv", n, f"{flag} must be 1, 0 or empty")
        trigger = Trigger(row["lemma"], EventType(row["type"]), row["subject"], Status(row["status"]),
                          row.get("needs_item") == "1", row.get("agent") == "1", Status(past) if past else None,
                          row.get("verb_only") == "1", row.get("symmetric") == "1",
                          tuple(f.casefold() for f in split_list(row.get("ambiguous_forms"))),
                          row.get("alliance_only") == "1", row.get("at_school") == "1",
                          tuple(w.casefold() for w in split_list(row.get("not_after"))),
                          tuple(w.casefold() for w in split_list(row.get("not_before"))))
        same_word = triggers.setdefault(trigger.lemma, [])
        _require(all((t.verb_only, t.symmetric) == (trigger.verb_only, trigger.symmetric) for t in same_word),
                 "triggers.csv", n, f"the rows of {trigger.lemma!r} disagree on verb_only or symmetric")
        same_word.append(trigger)
    return triggers


def load_status_cues() -> dict[str, str]:
    cues: dict[str, str] = {}
    for n, row in read_rows("status_cues.csv"):
        _require(row["effect"] in STATUS_EFFECTS, "status_cues.csv", n, f"effect {row['effect']!r} unknown")
        cues[row["lemma"]] = row["effect"]
    return cues


def load_source_cues() -> dict[str, SourceKind]:
    cues: dict[str, SourceKind] = {}
    for n, row in read_rows("source_cues.csv"):
        _require(row["kind"] in {k.value for k in SourceKind}, "source_cues.csv", n, f"kind {row['kind']!r} unknown")
        cues[row["word"].casefold()] = SourceKind(row["kind"])
    return cues


def load_outlets() -> list[PartyName]:
    """News organisations; `party` holds the outlet's display name, `kind` its country."""
    outlets: list[PartyName] = []
    for n, row in read_rows("outlets.csv"):
        _require(valid_state_code(row["country"]), "outlets.csv", n, f"unknown country {row['country']!r}")
        for surface in [row["name"], *split_list(row.get("aliases"))]:
            outlets.append(PartyName(surface, row["name"], row["country"]))
    return outlets


OUTLET_SCOPES = ("national", "international")


def load_outlet_homes() -> dict[str, str]:
    """National outlets and their state: an official such an outlet quotes without saying whose
    is, as a reader would take it, that state's. International outlets and wires have no home."""
    homes: dict[str, str] = {}
    for n, row in read_rows("outlets.csv"):
        scope = row.get("scope") or "national"
        _require(scope in OUTLET_SCOPES, "outlets.csv", n, f"scope must be one of {OUTLET_SCOPES}, not {scope!r}")
        if scope == "national":
            homes[row["name"]] = row["country"]
    return homes


def load_estimative() -> list[EstimativeTerm]:
    terms: list[EstimativeTerm] = []
    for n, row in read_rows("estimative.csv"):
        _require(row["scale"] in ESTIMATIVE_SCALES, "estimative.csv", n, f"scale must be one of {ESTIMATIVE_SCALES}")
        low, high = float(row["low"]), float(row["high"])
        _require(0.0 <= low <= high <= 1.0, "estimative.csv", n, "need 0 <= low <= high <= 1")
        terms.append(EstimativeTerm(row["scale"], row["term"].casefold(), low, high))
    return terms


def load_people() -> list[PartyName]:
    """Named officials and the party they speak for; `kind` holds the role."""
    people: list[PartyName] = []
    owner: dict[str, str] = {}
    for n, row in read_rows("people.csv"):
        party = row["country"]
        _require(valid_state_code(party) or party.startswith("org:"), "people.csv", n, f"unknown party {party!r}")
        for surface in [row["name"], *split_list(row.get("aliases"))]:
            key = surface.casefold()
            _require(owner.get(key, party) == party, "people.csv", n,
                     f"name {surface!r} is given to two parties ({owner.get(key)} and {party})")
            owner[key] = party
            people.append(PartyName(surface, party, row.get("role") or "official"))
    return people


def load_group_bases() -> dict[str, str]:
    """Armed groups and the state whose territory they hold or operate from ('org:houthis' -> YEM)."""
    return {row["slug"]: row["base"] for _, row in read_rows("groups.csv")
            if row.get("base") and row["kind"] in ("armed_group", "pmc")}
