"""What a filter accepts: one parser per filter, shared by the CLI, the REST API, the web pages and
the Python API, so that the same input gives the same answer (or the same error) everywhere.

- a party: a state's name, short form, demonym, capital or ISO 3166 code (alpha-3 or alpha-2, any
  case), an `org:` slug or a group's name or alias, resolved through the knowledge base
  (`Iran`, `irn`, `IR`, `Iranian`, `Tehran` -> IRN); `unknown` for the unnamed side;
- an item: a catalogued system by name, alias or designation (`Geran-2` -> Shahed-136), a category
  by its value or a word that names it (`drone`, `UAV` -> uav), otherwise words of the item's name;
- a type or a status: one of the choices, any case, a plural accepted (`transfers`);
- a date: ISO `YYYY-MM-DD`; `YYYY` and `YYYY-MM` stand for the period's first day as a lower bound
  (`since`) and its last day as an upper bound (`until`).

A value that is none of these raises `QueryError` with the closest known values ("did you mean").
The knowledge base is loaded only when a party or an item is asked for: listing the ledger with no
filter starts without it. Nothing here imports spaCy.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Type

from .errors import MaterielError
from .model import Category, EventType, Status
from .model.core import UNKNOWN_PARTY
from .store.sqlite import ID_PREFIX_MIN, AssessmentFilter, EventFilter, ItemMatch

if TYPE_CHECKING:
    from .knowledge.base import KnowledgeBase

SUGGESTIONS = 3  # how many close values an error offers
# How alike (rapidfuzz's normalized Indel ratio, 0-100, case ignored) a known value must be to be
# offered: 'Rusia', 'Ukriane', 'deliverd', 'Geran2' reach 85-95; a short name inside a long word does
# not count ('Atlantis' is not 'ATLA', 'Ukriane' not 'UK'), as it did with WRatio's partial matching.
SUGGEST_SCORE = 80
SUGGEST_BAND = 10  # only values nearly as close as the closest ('Rusia': Russia, not RSA)
ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
OTHER_SEPARATORS = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")  # 2024/01/01, 2024.1.1

PARTY_HELP = ("A party: name, demonym, capital or ISO code of a state (Iran, Iranian, Tehran, IRN, IR), "
              "or a group (Hezbollah, org:hezbollah).")
PARTY_HINT = "a party is a state's name, demonym, capital or ISO code, or a group's name or org: slug"
ITEM_HELP = "A system by name, alias or designation (Shahed-136, Geran-2), a category or a word for one (uav, drone), or words of the item."
DATE_HELP = "YYYY-MM-DD (YYYY or YYYY-MM: the period's first day as --since, its last day as --until)."


class QueryError(MaterielError, ValueError):
    """A filter value that means nothing known; the message names the filter and the closest values."""


def _suggest(value: str, choices: Iterable[str], limit: int = SUGGESTIONS) -> list[str]:
    """The known values closest to what was typed, best first."""
    from rapidfuzz import fuzz, process

    found = process.extract(value, list(dict.fromkeys(choices)), scorer=fuzz.ratio, limit=limit * 3,
                            score_cutoff=SUGGEST_SCORE, processor=str.casefold)
    best = found[0][1] if found else 0
    return list(dict.fromkeys(choice for choice, score, _ in found if score >= best - SUGGEST_BAND))[:limit]


def _unknown(field: str, what: str, value: str, suggestions: Sequence[str], hint: str) -> QueryError:
    said = f"{field}: {what} {value!r}"
    if suggestions:
        return QueryError(f"{said}; did you mean {' or '.join(suggestions)}? ({hint})")
    return QueryError(f"{said}; {hint}")


def _knowledge() -> "KnowledgeBase":
    from .knowledge.base import load_knowledge  # loaded on first use: it costs start-up time

    return load_knowledge()


# --- parties -------------------------------------------------------------------------------------

def parse_party(value: str, field: str = "party") -> str:
    """The party code a user's word names: 'Iran', 'irn', 'IR', 'Iranian', 'Tehran' -> 'IRN';
    'Hezbollah', 'org:hezbollah' -> 'org:hezbollah'. An ISO alpha-3 code wins over a name spelt
    the same (NGA is Nigeria), a name over an alpha-2 code (AU is the African Union)."""
    import pycountry

    from .knowledge.loaders import valid_state_code

    text = " ".join(str(value).split())
    if not text:
        raise QueryError(f"{field}: empty; {PARTY_HELP}")
    kb = _knowledge()
    if text.casefold() == UNKNOWN_PARTY:
        return UNKNOWN_PARTY
    if text.casefold().startswith("org:"):
        slug = text.casefold()
        slugs = {p.party for p in kb.party_names if p.party.startswith("org:")}
        if slug in slugs:
            return slug
        raise _unknown(field, "no group", text, _suggest(slug, sorted(slugs)), PARTY_HINT)
    if len(text) == 3 and text.isalpha() and valid_state_code(text.upper()):
        return text.upper()
    named = kb.party(text)
    if named is not None:
        return named.party
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        if country is not None:
            return str(country.alpha_3)
    party_of = {p.surface: p.party for p in kb.party_names} | {p.party: p.party for p in kb.party_names}
    close = dict.fromkeys(party_of[c] for c in _suggest(text, party_of, SUGGESTIONS * 3))  # one per party
    offered = [f"{kb.party_label(code)} ({code})" if kb.party_label(code) != code else code for code in close]
    raise _unknown(field, "no party named", text, offered[:SUGGESTIONS], PARTY_HINT)


def parse_between(values: Sequence[str] | str, field: str = "between") -> tuple[str, str]:
    """Two parties, either direction: ('Iran', 'Russia'), or one text 'Iran,Russia' as the API takes it."""
    parts = [p.strip() for p in values.split(",")] if isinstance(values, str) else [str(p).strip() for p in values]
    parts = [p for p in parts if p]
    if len(parts) != 2:
        raise QueryError(f"{field}: takes two party codes or names, either direction: between=IRN,RUS or "
                         "Iran,Russia in the API, two values in the CLI and the Python API")
    return parse_party(parts[0], field), parse_party(parts[1], field)


# --- items ---------------------------------------------------------------------------------------

def parse_item(value: str, field: str = "item") -> ItemMatch:
    """What an item filter matches: a catalogued system ('Geran-2' -> Shahed-136), a category
    ('drones', 'UAV' -> uav), otherwise the words in the item's name (any case). Free words are
    not an error: an item nobody catalogued is still worth a search."""
    text = " ".join(str(value).split())
    if not text:
        raise QueryError(f"{field}: empty; {ITEM_HELP}")
    folded = text.casefold()
    categories = {c.value for c in Category}
    if folded.replace(" ", "_") in categories:
        return ItemMatch(category=folded.replace(" ", "_"))
    kb = _knowledge()
    system = kb.system(text)
    if system is not None:
        return ItemMatch(canonical=system.canonical)
    for term in (folded, folded[:-1] if folded.endswith("s") else folded, folded[:-2] if folded.endswith("es") else folded):
        if term in kb.item_terms:
            return ItemMatch(category=kb.item_terms[term].value)
    return ItemMatch(words=folded)


# --- choices and dates ---------------------------------------------------------------------------

def parse_choice(value: str, choices: Type[Enum], field: str) -> str:
    """One of an enum's values, any case; a plural of one is that one ('transfers' -> 'transfer')."""
    text = str(value).strip().casefold()
    known = [str(c.value) for c in choices]
    for candidate in (text, text[:-1] if text.endswith("s") else None):
        if candidate in known:
            return candidate
    raise _unknown(field, "no such value", str(value), _suggest(text, known), f"choose one of {', '.join(known)}")


def parse_type(value: str, field: str = "type") -> str:
    return parse_choice(value, EventType, field)


def parse_status(value: str, field: str = "status") -> str:
    return parse_choice(value, Status, field)


def parse_date(value: str, field: str = "since", last: bool = False) -> str:
    """An ISO date 'YYYY-MM-DD'; 'YYYY' and 'YYYY-MM' give the period's first day, or its last day
    when `last` (an upper bound: --until 2024 keeps all of 2024)."""
    text = str(value).strip()
    shape = ISO_DATE.fullmatch(text)
    if shape is None:
        other = OTHER_SEPARATORS.fullmatch(text)
        if other is not None:
            guess = f"{other[1]}-{int(other[2]):02d}-{int(other[3]):02d}"
            raise QueryError(f"{field}: {text!r} is not an ISO date; did you mean {guess}? (dates are YYYY-MM-DD)")
        raise QueryError(f"{field}: {text!r} is not a date; write it YYYY-MM-DD (or YYYY, YYYY-MM)")
    year, month, day = int(shape[1]), shape[2], shape[3]
    try:
        if month is None:
            return date(year, 12, 31).isoformat() if last else date(year, 1, 1).isoformat()
        if day is None:
            end = calendar.monthrange(year, int(month))[1] if 1 <= int(month) <= 12 else 0
            return date(year, int(month), end if last else 1).isoformat()
        return date(year, int(month), int(day)).isoformat()
    except ValueError as exc:
        raise QueryError(f"{field}: {text!r} is no day of the calendar ({exc}); write it YYYY-MM-DD") from exc


def parse_assessment_id(value: str, field: str = "assessment id") -> str:
    """An assessment id, or a prefix of at least `ID_PREFIX_MIN` characters of one."""
    text = str(value).strip()
    if len(text) < ID_PREFIX_MIN:
        raise QueryError(f"{field}: {text!r} is too short; give the whole id or its first {ID_PREFIX_MIN} "
                         "characters or more (`materiel ledger` lists the ids)")
    return text


# --- whole filters -------------------------------------------------------------------------------

def _maybe(parse, value, *args, **kwargs):  # type: ignore[no-untyped-def]
    return None if value is None or (isinstance(value, str) and not value.strip()) else parse(value, *args, **kwargs)


def event_filter(type: Optional[str] = None, provider: Optional[str] = None, recipient: Optional[str] = None,
                 item: Optional[str] = None, status: Optional[str] = None, since: Optional[str] = None,
                 until: Optional[str] = None) -> EventFilter:
    """A filter of stored events from what a user typed; raises `QueryError` on a value that means nothing."""
    return EventFilter(type=_maybe(parse_type, type), provider=_maybe(parse_party, provider, "provider"),
                       recipient=_maybe(parse_party, recipient, "recipient"), item=_maybe(parse_item, item),
                       status=_maybe(parse_status, status), since=_maybe(parse_date, since, "since"),
                       until=_maybe(parse_date, until, "until", last=True))


def assessment_filter(type: Optional[str] = None, provider: Optional[str] = None, recipient: Optional[str] = None,
                      between: Sequence[str] | str | None = None, party: Optional[str] = None,
                      item: Optional[str] = None, status: Optional[str] = None, min_origins: Optional[int] = None,
                      max_credibility: Optional[int] = None, contested: Optional[bool] = None,
                      since: Optional[str] = None, until: Optional[str] = None) -> AssessmentFilter:
    """A filter of assessments from what a user typed; raises `QueryError` on a value that means nothing."""
    pair = None if between is None or (not isinstance(between, str) and not any(between)) else between
    return AssessmentFilter(
        type=_maybe(parse_type, type), provider=_maybe(parse_party, provider, "provider"),
        recipient=_maybe(parse_party, recipient, "recipient"), between=_maybe(parse_between, pair),
        party=_maybe(parse_party, party, "party"), item=_maybe(parse_item, item), status=_maybe(parse_status, status),
        min_origins=min_origins, max_credibility=max_credibility, contested=contested,
        since=_maybe(parse_date, since, "since"), until=_maybe(parse_date, until, "until", last=True))
