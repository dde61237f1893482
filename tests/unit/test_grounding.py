"""Slot-level grounding: each part of an extracted event points at the words that write it
(`Event.spans`, article offsets like `Evidence`), through the real model, on sentences written
for these tests."""

from __future__ import annotations

import json

import pytest

import materiel
from materiel.extract.grounding import join_spans
from materiel.model import ArticleResult, Article, Event, SlotSpan

pytestmark = pytest.mark.slow


def only_event(text: str, title: str = "") -> Event:
    found = materiel.extract(text, title=title, published="2024-03-01")
    assert len(found) == 1, found
    return found[0]


def words(event: Event, text: str) -> dict[str, list[str]]:
    """slot -> the words each span slices out of the text (checked to equal the span's own text)."""
    out: dict[str, list[str]] = {}
    for s in event.spans or ():
        assert text[s.start:s.end] == s.text, s
        out.setdefault(s.slot, []).append(s.text)
    return out


def test_each_part_of_a_sentence_points_at_its_words() -> None:
    text = "Chile will buy 18 Rafale jets from France for $2 billion, the defence ministry said."
    event = only_event(text)
    assert (event.provider, event.recipient) == ("FRA", "CHL")
    assert words(event, text) == {"provider": ["France"], "recipient": ["Chile"], "item": ["Rafale jets"],
                                  "quantity": ["18"], "value": ["$2 billion"], "source": ["defence ministry"]}


def test_a_party_filled_from_context_points_at_the_earlier_sentence() -> None:
    text = "Iran has opened a new drone plant near Isfahan. Last month it sent 40 Shahed-136 drones to Russia."
    event = only_event(text)
    assert event.provider == "IRN"
    provider = [s for s in event.spans or () if s.slot == "provider"]
    assert provider == [SlotSpan("provider", 0, 4, "Iran")]  # 'Iran' of the first sentence, not 'it'


def test_an_item_named_before_points_at_its_mention() -> None:
    text = "Crews trained on the Patriot batteries for months. Germany delivered them to Ukraine in April."
    event = only_event(text)
    item = [s for s in event.spans or () if s.slot == "item"]
    assert item == [SlotSpan("item", text.index("Patriot"), text.index("Patriot") + 7, "Patriot")]


def test_a_provider_only_the_catalogue_gives_has_no_span() -> None:
    text = "Belarus received Su-35 fighters last week."
    event = only_event(text)
    assert event.provider == "RUS"  # the maker of the Su-35, by the catalogue
    assert words(event, text) == {"recipient": ["Belarus"], "item": ["Su-35 fighters"]}


def test_offsets_index_the_title_and_text_like_the_evidence() -> None:
    title, text = "Jets for Santiago", "Chile will buy 18 Rafale jets from France."
    event = only_event(text, title=title)
    full = f"{title}\n\n{text}"
    assert words(event, full)["recipient"] == ["Chile"]
    assert all(event.evidence[0].start <= s.start < event.evidence[0].end for s in event.spans or ())


def test_merging_keeps_the_spans_of_every_mention() -> None:
    a, b = SlotSpan("item", 0, 4, "jets"), SlotSpan("item", 20, 26, "Rafale")
    assert join_spans((a,), (b, a)) == (a, b)
    assert join_spans(None, None) is None
    assert join_spans(None, (b,)) == (b,)


def test_spans_are_an_optional_field_of_the_interchange_line() -> None:
    text = "Chile will buy 18 Rafale jets from France."
    event = only_event(text)
    line = json.loads(ArticleResult(Article("x", text), (event,)).to_json())
    spans = line["events"][0]["spans"]
    assert {"slot": "recipient", "start": 0, "end": 5, "text": "Chile"} in spans
    assert Event.from_dict(line["events"][0]).spans == event.spans
    del line["events"][0]["spans"]  # a line without them (an older version's, or gold) still reads
    assert Event.from_dict(line["events"][0]).spans is None
    assert "spans" not in Event.from_dict(line["events"][0]).to_dict()
