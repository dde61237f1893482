"""The typed model: JSON round trips (ONTOLOGY §7) and the merge key (ONTOLOGY §1)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from materiel.model import (Article, ArticleResult, Category, Confidence, Event, EventType, Evidence, Item,
                            Location, Money, Quantity, Rejection, Source, SourceKind, Stance, Status, TimeExpr,
                            content_hash, events_from_jsonl_lines)

PARTIES = st.sampled_from(["IRN", "RUS", "USA", "UKR", "PRK", "org:hezbollah", "org:wagner", "unknown"])
TEXT = st.text(max_size=40)
NAME = st.text(min_size=1, max_size=30)
FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)

items = st.builds(Item, category=st.sampled_from(Category), name=st.none() | NAME, canonical=st.none() | NAME,
                  manufacturer=st.none() | NAME)
quantities = st.builds(Quantity, value=st.none() | st.integers(min_value=0, max_value=10**9), approx=st.booleans(),
                       text=TEXT)
# Money.text is not part of the interchange format, so it cannot survive a round trip.
moneys = st.builds(Money, amount=FINITE, currency=st.sampled_from(["USD", "EUR", "GBP", "RUB", "IRR"]), text=st.just(""))
times = st.builds(TimeExpr, text=TEXT, iso=st.none() | st.sampled_from(["2023", "2023-03", "2022-12-10/2023-12-10"]))
locations = st.builds(Location, name=TEXT, country=st.none() | PARTIES)
sources = st.builds(Source, name=TEXT, kind=st.sampled_from(SourceKind), country=st.none() | PARTIES,
                    via=st.none() | NAME)
confidences = st.builds(Confidence, text=NAME, low=st.floats(0, 1), high=st.floats(0, 1),
                        scale=st.sampled_from(["PHIA", "ICD 203"]))
evidences = st.builds(Evidence, start=st.integers(0, 10**6), end=st.integers(0, 10**6), text=TEXT)
events = st.builds(
    Event, type=st.sampled_from(EventType), provider=PARTIES, recipient=PARTIES, item=items,
    status=st.sampled_from(Status), stance=st.sampled_from(Stance), quantity=st.none() | quantities,
    value=st.none() | moneys, time=st.none() | times, location=st.none() | locations,
    sources=st.lists(sources, max_size=3).map(tuple), confidence=st.none() | confidences,
    evidence=st.lists(evidences, min_size=1, max_size=3).map(tuple),
    article_id=st.none() | st.text(min_size=1, max_size=12))


@given(events)
def test_event_round_trips_through_json(event: Event) -> None:
    line = json.dumps(event.to_dict(), ensure_ascii=False)
    back = Event.from_dict(json.loads(line), event.article_id)
    assert back == event
    assert back.to_dict() == event.to_dict()
    assert back.id == event.id


@given(st.lists(events, max_size=4), st.text(min_size=1, max_size=10))
def test_article_result_lines_read_back(evs: list[Event], article_id: str) -> None:
    evs = [e.with_changes(article_id=article_id) for e in evs]
    result = ArticleResult(Article(id=article_id, text="body"), tuple(evs))
    line = result.to_json()
    assert "\n" not in line
    assert json.loads(line)["article_id"] == article_id
    assert events_from_jsonl_lines([line, ""]) == {article_id: evs}


def test_event_dict_has_the_interchange_keys() -> None:
    event = Event(EventType.TRANSFER, "IRN", "RUS", Item(Category.UAV, "drones", "Shahed-136"), Status.AGREED,
                  quantity=Quantity(6000, False, "6,000"), value=Money(1e9, "USD", "$1 billion"),
                  evidence=(Evidence(0, 4, "Iran"),))
    d = event.to_dict()
    assert list(d) == ["type", "provider", "recipient", "item", "quantity", "value", "status", "stance", "time",
                       "location", "sources", "confidence", "evidence"]
    assert d["value"] == {"amount": 1000000000, "currency": "USD"}
    assert isinstance(d["value"]["amount"], int)
    assert Money(1.5e9, "EUR").to_dict() == {"amount": 1.5e9, "currency": "EUR"}


def test_from_dict_fills_defaults_for_sparse_gold() -> None:
    event = Event.from_dict({"type": "cooperation", "provider": None, "evidence": [{"text": "allies"}]})
    assert event.provider == event.recipient == "unknown"
    assert event.item == Item(Category.UNSPECIFIED)
    assert event.status is Status.UNCLEAR and event.stance is Stance.ASSERTED
    assert event.evidence == (Evidence(-1, -1, "allies"),)


def _pair(type_: EventType) -> tuple[Event, Event]:
    a = Event(type_, "IRN", "RUS", Item(Category.UAV, "drones", "Shahed-136"), Status.AGREED, article_id="a1")
    return a, a.with_changes(provider="RUS", recipient="IRN")


@pytest.mark.parametrize("type_", [EventType.COOPERATION, EventType.PRODUCTION])
def test_merge_key_ignores_party_order_for_unordered_types(type_: EventType) -> None:
    a, b = _pair(type_)
    assert a.merge_key == b.merge_key
    assert a.id == b.id


@pytest.mark.parametrize("type_", [EventType.TRANSFER, EventType.PAYMENT, EventType.TRAINING])
def test_merge_key_keeps_direction_for_ordered_types(type_: EventType) -> None:
    a, b = _pair(type_)
    assert a.merge_key != b.merge_key
    assert a.id != b.id


def test_merge_key_uses_the_system_else_the_category() -> None:
    base = Event(EventType.TRANSFER, "IRN", "RUS", Item(Category.UAV, "drones"), Status.DELIVERED)
    named = base.with_changes(item=Item(Category.UAV, "Geranium-2", "Shahed-136"))
    other_name = base.with_changes(item=Item(Category.UAV, "kamikaze drones"))
    assert base.merge_key == other_name.merge_key  # same category, no system: one event
    assert base.merge_key != named.merge_key
    assert base.merge_key != base.with_changes(stance=Stance.DENIED).merge_key
    assert base.merge_key != base.with_changes(status=Status.AGREED).merge_key
    # quantities, sources and evidence do not split an event
    assert base.merge_key == base.with_changes(quantity=Quantity(5, False, "5"),
                                               sources=(Source("x", SourceKind.MEDIA),)).merge_key


def test_ids_are_deterministic_content_hashes() -> None:
    assert content_hash("a", "b") == content_hash("a", "b")
    assert content_hash("a", "b") != content_hash("ab", "")
    assert len(content_hash("x")) == 16 and len(content_hash("x", length=24)) == 24
    article = Article(id="x", title="T", text="body")
    assert article.content_id == Article(id="other", title="T", text="body").content_id
    assert article.content_id != Article(id="x", title="T", text="body!").content_id


def test_full_text_is_what_offsets_index() -> None:
    assert Article(id="x", title="Title", text="Body").full_text == "Title\n\nBody"
    assert Article(id="x", text="Body").full_text == "Body"


def test_rejection_describe_names_file_and_line() -> None:
    assert Rejection("a.jsonl", "malformed_json", "not valid JSON", 3).describe() == "a.jsonl:3: not valid JSON"
    assert Rejection("b.txt", "empty", "file is empty").describe() == "b.txt: file is empty"
