"""The filter parsers of `materiel.query`: what a party, an item, a choice and a date may be written as."""

from __future__ import annotations

import subprocess
import sys

import pytest

from materiel.errors import MaterielError
from materiel.query import (QueryError, assessment_filter, event_filter, parse_assessment_id, parse_between,
                            parse_date, parse_item, parse_party, parse_status, parse_type)
from materiel.store.sqlite import ItemMatch


@pytest.mark.parametrize("word, code", [
    ("Iran", "IRN"), ("iran", "IRN"), ("IRN", "IRN"), ("irn", "IRN"), ("IR", "IRN"), ("ir", "IRN"),
    ("Iranian", "IRN"), ("Iranians", "IRN"), ("Tehran", "IRN"), ("  Iran ", "IRN"),
    ("Hezbollah", "org:hezbollah"), ("org:hezbollah", "org:hezbollah"), ("ORG:Hezbollah", "org:hezbollah"),
    ("Russia", "RUS"), ("Moscow", "RUS"), ("United States", "USA"), ("us", "USA"),
    ("NGA", "NGA"),  # an ISO alpha-3 code wins over an organ spelt the same
    ("AU", "org:african-union"),  # a name wins over an alpha-2 code
    ("unknown", "unknown"),
])
def test_party(word, code):
    assert parse_party(word) == code


@pytest.mark.parametrize("word, offered", [("Iranq", "Iran (IRN)"), ("Rusia", "Russia (RUS)"),
                                           ("org:hezbolah", "org:hezbollah")])
def test_unknown_party_offers_the_closest(word, offered):
    with pytest.raises(QueryError, match="did you mean") as caught:
        parse_party(word, "provider")
    assert offered in str(caught.value) and str(caught.value).startswith("provider: ")


def test_query_error_is_a_materiel_error_and_a_value_error():
    with pytest.raises(MaterielError):
        parse_party("Atlantis")
    with pytest.raises(ValueError):
        parse_party("")


def test_between():
    assert parse_between(("Iran", "Russia")) == ("IRN", "RUS")
    assert parse_between("irn, rus") == ("IRN", "RUS")
    with pytest.raises(QueryError, match="two party codes or names"):
        parse_between("IRN")


@pytest.mark.parametrize("word, match", [
    ("Geran-2", ItemMatch(canonical="Shahed-136")), ("shahed 136", ItemMatch(canonical="Shahed-136")),
    ("Su-35", ItemMatch(canonical="Su-35")),
    ("drone", ItemMatch(category="uav")), ("drones", ItemMatch(category="uav")),
    ("UAV", ItemMatch(category="uav")), ("uav", ItemMatch(category="uav")),
    ("air defence", ItemMatch(category="air_defence")), ("armoured_vehicle", ItemMatch(category="armoured_vehicle")),
    ("Widgets X", ItemMatch(words="widgets x")),
])
def test_item(word, match):
    assert parse_item(word) == match


@pytest.mark.parametrize("word, value", [("transfer", "transfer"), ("Transfers", "transfer"),
                                         ("PAYMENT", "payment")])
def test_type(word, value):
    assert parse_type(word) == value


def test_misspelt_choice_says_what_was_meant():
    with pytest.raises(QueryError, match=r"status: no such value 'deliverd'; did you mean delivered\?"):
        parse_status("deliverd")
    with pytest.raises(QueryError, match="choose one of transfer, payment"):
        parse_type("zzz")


@pytest.mark.parametrize("text, first, last", [
    ("2024-02-03", "2024-02-03", "2024-02-03"), ("2024", "2024-01-01", "2024-12-31"),
    ("2024-02", "2024-02-01", "2024-02-29"), ("2023-02", "2023-02-01", "2023-02-28"),
])
def test_date(text, first, last):
    assert parse_date(text) == first and parse_date(text, last=True) == last


@pytest.mark.parametrize("text, said", [
    ("yesterday", "not a date"), ("2024/01/01", "did you mean 2024-01-01?"), ("2024.1.5", "did you mean 2024-01-05?"),
    ("2024-13-01", "no day of the calendar"), ("2024-02-30", "no day of the calendar"), ("24-01-01", "not a date"),
])
def test_bad_date(text, said):
    with pytest.raises(QueryError, match=said.replace("?", r"\?")):
        parse_date(text)


def test_short_assessment_prefix():
    assert parse_assessment_id("abcdef") == "abcdef"
    with pytest.raises(QueryError, match="too short"):
        parse_assessment_id("abcd")


def test_whole_filters():
    flt = assessment_filter(between=("Iran", "Russia"), type="transfers", item="drones", since="2024", until="2024")
    assert (flt.between, flt.type, flt.item, flt.since, flt.until) == (
        ("IRN", "RUS"), "transfer", ItemMatch(category="uav"), "2024-01-01", "2024-12-31")
    assert assessment_filter(between=(None, None)).between is None  # what typer gives for no --between
    assert event_filter(provider="Tehran", status="Delivered").provider == "IRN"
    with pytest.raises(TypeError):
        assessment_filter(colour="red")  # type: ignore[call-arg]


def test_no_filter_needs_no_knowledge_base():
    """Listing the ledger with no party or item filter starts without loading the gazetteers."""
    code = ("import sys; from materiel import query; query.assessment_filter(type='transfer', since='2024'); "
            "query.event_filter(status='delivered'); from materiel.knowledge import base; "
            "print(base.load_knowledge.cache_info().currsize, 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]


def test_suggestions_are_close_names_not_fragments():
    """'Atlantis' was offered Japan and NATO, 'Ukriane' the UK: a short name inside a long word, or a
    weak match beside a strong one, is no suggestion."""
    with pytest.raises(QueryError) as raised:
        parse_party("Atlantis")
    assert "did you mean" not in str(raised.value)
    with pytest.raises(QueryError, match=r"did you mean Russia \(RUS\)\?"):
        parse_party("Rusia")
    with pytest.raises(QueryError, match=r"did you mean Ukraine \(UKR\)\?"):
        parse_party("Ukriane")
