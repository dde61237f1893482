"""Which events describe the same flow (type, provider, recipient, item).

Catalogued systems are already one name per system (aliases resolve to the canonical name at
extraction), so two events with the same canonical system always share a flow and two different
canonical systems never do. Systems the catalogue does not know keep their designation as
written; designations that differ only in spelling or in a variant suffix ('Toufan-9' / 'Tufan 9M')
merge by fuzzy matching of the letters with the number held exact, so 'Kh-101' and 'Kh-102'
stay apart. Items without any designation fall back to their category.

Clustering never crosses a *family* (type, the two parties, category): a family is also the unit
that incremental re-assessment recomputes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..knowledge.base import KnowledgeBase
from ..model import UNORDERED_TYPES, Category, Event, EventType, content_hash

# Minimum rapidfuzz ratio (0-100) between the letter parts of two designations whose numbers are
# equal: 'Shahed'/'Shaheed' 92, 'Toufan'/'Tufan' 91, 'Mohajer'/'Mohadjer' 93, 'Sayyad'/'Sayad' 91.
LETTERS_THRESHOLD = 80
# Minimum ratio between two names that carry no number at all ('Arash'/'Arrash'): stricter,
# because without a number nothing else anchors the match.
NAME_THRESHOLD = 90
# Items that are never a weapon system: money, technology, unspecified aid.
NO_DESIGNATION = frozenset({Category.MONEY, Category.TECHNOLOGY, Category.UNSPECIFIED})
NUMBER_PART = re.compile(r"\d+[A-Za-z]{0,3}")  # '12', '9M', '2A4'
DESIGNATION_PARTS = re.compile(r"^(?P<letters>[^\W\d_]*)(?P<number>\d*)(?P<suffix>.*)$")


@dataclass(frozen=True)
class Designation:
    """A system name split into letters, the first number and the rest: 'Tu-22M3' -> tu, 22, m3."""

    letters: str
    number: str
    suffix: str

    @classmethod
    def parse(cls, name: str) -> "Designation":
        squashed = "".join(ch for ch in name.casefold() if ch.isalnum())
        m = DESIGNATION_PARTS.match(squashed)
        assert m is not None  # the pattern matches any string
        return cls(m["letters"], m["number"], m["suffix"])


def same_designation(a: str, b: str) -> bool:
    """True when two written names denote one system: equal numbers and near-equal letters
    (variant suffixes ignored), or, with no number on either side, near-equal names."""
    da, db = Designation.parse(a), Designation.parse(b)
    if da.number or db.number:
        if da.number != db.number or not da.letters or not db.letters:
            return False
        return fuzz.ratio(da.letters, db.letters) >= LETTERS_THRESHOLD
    whole_a, whole_b = da.letters + da.suffix, db.letters + db.suffix
    return bool(whole_a and whole_b) and fuzz.ratio(whole_a, whole_b) >= NAME_THRESHOLD


def designation_of(event: Event, kb: KnowledgeBase) -> str | None:
    """The uncatalogued designation an item name carries ('Toufan-9 drones' -> 'Toufan-9', 'Xuanwu
    12 air defence system' -> 'Xuanwu 12'): a word with letters and digits, or capitalised words
    followed by a number. Names without a number ('Iranian drones') carry none."""
    if event.item.canonical or not event.item.name or event.item.category in NO_DESIGNATION:
        return None
    words = [w.strip(",.;:()\"'") for w in event.item.name.split()]
    for i, word in enumerate(words):
        if any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word) and word[0].isalpha():
            return word
        if NUMBER_PART.fullmatch(word) and i > 0 and words[i - 1][:1].isupper() and kb.party(words[i - 1]) is None \
                and words[i - 1].casefold() not in kb.item_terms:
            return f"{words[i - 1]} {word}"
    return None


def ordered_parties(event: Event) -> tuple[str, str]:
    pair = (event.provider, event.recipient)
    return tuple(sorted(pair)) if event.type in UNORDERED_TYPES else pair  # type: ignore[return-value]


def family_key(event: Event) -> str:
    """The unit of clustering and of incremental recomputation: type, parties, category."""
    a, b = ordered_parties(event)
    return "|".join((event.type.value, a, b, event.item.category.value))


def family_parts(family: str) -> tuple[EventType, str, str, str]:
    kind, a, b, category = family.split("|")
    return EventType(kind), a, b, category


def assessment_id(family: str, item_key: str) -> str:
    return content_hash("assessment", family, item_key.casefold())


@dataclass
class Cluster:
    """Events of one flow: keyed by canonical system, designation, or category."""

    item_key: str
    canonical: str | None
    designation: str | None
    members: list[int]  # indices into the family's event list
    names: list[str]  # canonical name and aliases, or the designations seen


def cluster_family(events: list[Event], kb: KnowledgeBase) -> list[Cluster]:
    """Group one family's events (given in a stable order) into flows."""
    by_key: dict[str, Cluster] = {}
    pending: list[tuple[int, str]] = []
    for index, event in enumerate(events):
        canonical = event.item.canonical
        if canonical:
            cluster = by_key.get(canonical.casefold())
            if cluster is None:
                system = kb.system(canonical)
                names = list(system.names) if system else [canonical]
                cluster = by_key[canonical.casefold()] = Cluster(canonical, canonical, None, [], names)
            cluster.members.append(index)
            continue
        designation = designation_of(event, kb)
        if designation:
            pending.append((index, designation))
        else:
            key = event.item.category.value
            by_key.setdefault(key, Cluster(key, None, None, [], [])).members.append(index)
    systems = [c for c in by_key.values() if c.canonical]
    unknown: list[Cluster] = []
    for index, designation in pending:
        home = next((c for c in systems if any(same_designation(designation, n) for n in c.names)), None)
        home = home or next((c for c in unknown if any(same_designation(designation, n) for n in c.names)), None)
        if home is None:
            home = Cluster(f"~{designation}", None, designation, [], [])
            unknown.append(home)
        home.members.append(index)
        if home.canonical is None and designation not in home.names:
            home.names.append(designation)
    return [*by_key.values(), *unknown]
