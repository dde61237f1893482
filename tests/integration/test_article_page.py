"""The article page over real HTTP (`materiel serve` on localhost, a real ledger file): highlights
come from the spans extraction stored, and the page shows how the article was read (the trace of
`materiel explain --article`)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest

from materiel.extract.extractor import shared_extractor
from materiel.model import Article
from materiel.store.sqlite import Store
from support import Server

pytestmark = pytest.mark.slow

# The provider is named only in the first sentence ('it' in the second): its span lies outside the
# evidence sentence, where finding the parts again in the evidence could never put it.
ARTICLE = Article(id="plant-and-drones", title="", published="2024-03-01", outlet="Example Wire",
                  text="Iran has opened a new drone plant near Isfahan. Last month it sent 40 Shahed-136 drones "
                       "to Russia, officials said.")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("article-page") / "ledger.db"
    with Store(db) as store:
        assert store.add(shared_extractor().extract(ARTICLE)) == 1
    server = Server(db)
    yield server
    server.stop()


def highlighted(page: str) -> list[tuple[set[str], str]]:
    """(highlight kinds, text) of every highlighted run of the article text."""
    text = page.split('<div class="article-text">', 1)[1].split("</div>", 1)[0]
    return [({k[3:] for k in cls.split()}, html.unescape(words))
            for cls, words in re.findall(r'<span class="([^"]*)"[^>]*>([^<]*)</span>', text)]


def test_the_article_page_highlights_the_stored_spans(site: Server) -> None:
    page = httpx.get(f"{site.url}/articles/{ARTICLE.content_id}", timeout=60)
    assert page.status_code == 200
    runs = highlighted(page.text)
    assert ({"party"}, "Iran") in runs  # the stored provider span, in the sentence before the evidence
    assert ({"evidence", "party"}, "Russia") in runs
    assert ({"evidence", "quantity"}, "40") in runs
    assert any(kinds == {"evidence", "item"} and "Shahed-136" in words for kinds, words in runs)
    spans = httpx.get(f"{site.url}/api/articles/{ARTICLE.content_id}", timeout=60).json()["events"][0]["spans"]
    assert {"start": 0, "end": 4, "kind": "party", "slot": "provider"} in spans


def test_the_article_page_shows_how_the_article_was_read(site: Server) -> None:
    plain = httpx.get(f"{site.url}/articles/{ARTICLE.content_id}", timeout=60).text
    assert 'href="?explain=1#explain"' in plain  # the trace is a click away: it parses the text again
    page = httpx.get(f"{site.url}/articles/{ARTICLE.content_id}?explain=1", timeout=120)
    assert page.status_code == 200
    section = html.unescape(re.sub(r"<[^>]+>", " ", page.text.split('<section id="explain">', 1)[1]))
    section = " ".join(section.split())
    assert "article plant-and-drones: 1 event(s)" in section
    assert "event 0: transfer IRN → RUS, Shahed-136 ×40 (uav)" in section
    assert "frame ‘sent’ (send): transfer, delivered, asserted → event 0" in section
    assert "provider IRN context: the party the subject pronoun stands for" in section
    assert "recipient RUS syntax: pobj of to" in section
    assert "sentence(s) not parsed" in section or "sentence 0" in section
