"""The knowledge base: every gazetteer and lexicon, loaded once, validated, and indexed.

Surface forms are expanded here (plurals of item terms, inflections of trigger words, spelling
variants of designations) so that the cheap scan can find them in raw text without a parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..model import UNKNOWN_PARTY, Category, SourceKind
from . import loaders
from .loaders import EstimativeTerm, PartyName, Trigger, WeaponSystem, squash

# Irregular forms of trigger words; regular ones are built by `inflections`.
IRREGULAR_FORMS = {
    "send": ("sent",), "give": ("gave", "given"), "sell": ("sold",), "get": ("got", "gotten"),
    "buy": ("bought",), "pay": ("paid",), "build": ("built",), "fly": ("flew", "flown", "flies"),
    "seek": ("sought",), "lend": ("lent",), "deal": ("dealt",), "deliver": (), "hand": (),
    "rely": ("relies", "relied"), "supply": ("supplies", "supplied"), "ally": ("allied", "allies"),
    "transfer": ("transferred", "transferring"), "equip": ("equipped", "equipping"),
    "commit": ("committed", "committing"), "sign": (), "drill": (), "arm": (),
    "teach": ("taught", "teaches"), "come": ("came",), "withhold": ("withheld",), "choose": ("chose", "chosen"),
    "make": ("made",), "bind": ("bound",), "turn out": ("turned out", "turning out", "turns out"),
    # reporting verbs (extract.status.SPEECH_LEMMAS)
    "say": ("said", "says"), "tell": ("told",), "write": ("wrote", "written"), "find": ("found",),
    "show": ("shown",), "brief": (), "post": (), "state": (), "add": (), "note": (), "admit": ("admitted", "admitting"),
}


def plural(noun: str) -> str:
    """English plural of the last word of a term: 'air defence system' -> '... systems'."""
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es" if not noun.endswith("s") else noun
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def inflections(lemma: str) -> set[str]:
    """Surface forms of a trigger word, as verb and as noun: supply -> supplies, supplied, supplying."""
    forms = {lemma, plural(lemma), *IRREGULAR_FORMS.get(lemma, ())}
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    if lemma.endswith("y") and lemma[-2:-1] not in ("a", "e", "o", "u"):
        forms |= {lemma[:-1] + "ied", lemma + "ing"}
    else:
        forms |= {stem + "ed", stem + "ing"}
    if len(lemma) <= 4 and lemma[-1] not in "aeiouwy" and lemma[-2:-1] in ("a", "e", "i", "o", "u") \
            and lemma[-3:-2] not in ("a", "e", "i", "o", "u"):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # ship -> shipped, shipping
    return forms


def designation_variants(name: str) -> set[str]:
    """'Su-35' is also written 'Su 35' and 'Su35'; 'Leopard 2' also 'Leopard-2'."""
    variants = {name}
    if "-" in name or " " in name:
        variants |= {name.replace("-", " "), name.replace(" ", "-"), name.replace("-", "").replace(" ", "")}
    return {v for v in variants if len(squash(v)) >= 2}


@dataclass
class KnowledgeBase:
    party_names: list[PartyName]
    systems: list[WeaponSystem]
    item_terms: dict[str, Category]
    triggers: dict[str, list[Trigger]]
    status_cues: dict[str, str]
    source_cues: dict[str, SourceKind]
    outlets: list[PartyName]
    estimative: list[EstimativeTerm]
    people: dict[str, PartyName] = field(default_factory=dict)
    group_bases: dict[str, str] = field(default_factory=dict)
    outlet_homes: dict[str, str] = field(default_factory=dict)
    system_by_key: dict[str, WeaponSystem] = field(default_factory=dict)
    party_by_name: dict[str, PartyName] = field(default_factory=dict)
    state_names: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)  # 'org:hezbollah' -> 'Hezbollah'
    dual_use_terms: frozenset[str] = frozenset()  # item words civil news uses as freely (item_terms.csv)
    ambiguous_trigger_forms: frozenset[str] = frozenset()  # trigger forms mostly meant otherwise
    words_before: dict[str, frozenset[str]] = field(default_factory=dict)  # trigger -> words making another sense
    words_after: dict[str, frozenset[str]] = field(default_factory=dict)  # (the not_after, not_before columns)

    def __post_init__(self) -> None:
        self.ambiguous_trigger_forms = frozenset(
            form for rows in self.triggers.values() for row in rows for form in row.ambiguous_forms)
        self.words_before = {lemma: frozenset(word for row in rows for word in row.not_after)
                             for lemma, rows in self.triggers.items() if any(row.not_after for row in rows)}
        self.words_after = {lemma: frozenset(word for row in rows for word in row.not_before)
                            for lemma, rows in self.triggers.items() if any(row.not_before for row in rows)}
        for system in self.systems:
            for name in system.names:
                self.system_by_key[squash(name)] = system
        for name in self.party_names:
            self.party_by_name.setdefault(name.surface.casefold(), name)
            if name.kind == "name" and name.party not in self.state_names:
                self.state_names[name.party] = name.surface
            if name.kind.startswith("group:"):  # a group's first surface form is its name, the rest aliases
                self.group_names.setdefault(name.party, name.surface)

    def system(self, name: str) -> WeaponSystem | None:
        """The catalogue entry a designation or alias names, spelling variants tolerated."""
        key = squash(name)
        found = self.system_by_key.get(key)
        if found is None and key.endswith("s"):
            found = self.system_by_key.get(key[:-1])  # 'Rafales', 'F-16s'
        return found

    def party(self, surface: str) -> PartyName | None:
        return self.party_by_name.get(surface.casefold())

    def person_country(self, name: str) -> str | None:
        """The state a named official speaks for: the full name, then without leading titles
        ('Mr Reuben Brigety', 'Defence Minister Sergei Shoigu'), then the surname alone."""
        words = name.split()
        for start in range(len(words)):
            person = self.people.get(" ".join(words[start:]).casefold())
            if person is not None:
                return person.party
        return None

    def verb_only(self, lemma: str) -> bool:
        """Does the lexicon word report the act only as a verb ('shares in the maker' is no sharing)?"""
        return any(row.verb_only for row in self.triggers.get(lemma, ()))

    def symmetric(self, lemma: str) -> bool:
        """May the word's possessor or subject be either side of the deal ('India's deal with Russia')?
        A noun the lexicon lists only in the plural ('talks') is looked up by its plural too."""
        return any(row.symmetric for row in (*self.triggers.get(lemma, ()), *self.triggers.get(plural(lemma), ())))

    def party_label(self, code: str) -> str:
        """The display name of a party code, the one every page, export and command shows: a state
        by its name, a group by its listed name, the placeholder as 'unknown party', else the code."""
        if code == UNKNOWN_PARTY:
            return "unknown party"
        return self.state_names.get(code) or self.group_names.get(code, code)


@lru_cache(maxsize=1)
def load_knowledge() -> KnowledgeBase:
    """Load and validate every data file once per process."""
    party_names = loaders.load_states() + loaders.load_organs() + loaders.load_groups()
    loaders.check_unique_party_names(party_names)
    return KnowledgeBase(
        party_names=party_names,
        systems=loaders.load_systems(),
        item_terms=loaders.load_item_terms(),
        dual_use_terms=loaders.load_dual_use_terms(),
        triggers=loaders.load_triggers(),
        status_cues=loaders.load_status_cues(),
        source_cues=loaders.load_source_cues(),
        outlets=loaders.load_outlets(),
        estimative=loaders.load_estimative(),
        people={p.surface.casefold(): p for p in loaders.load_people()},
        group_bases=loaders.load_group_bases(),
        outlet_homes=loaders.load_outlet_homes(),
    )
