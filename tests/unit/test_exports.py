"""Exports: every format written from real assessments and read back with an independent parser,
plus hostile article text that must not turn into markup, links or script in the briefs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from materiel import service
from materiel.assess.update import assess
from materiel.errors import MaterielError
from materiel.exports import BINARY_FORMATS, EXPORT_FORMATS, derive_subject, export
from materiel.model import Assessment, Evidence, EventType, Figure, Source, SourceKind
from materiel.store.sqlite import Store

pytestmark = pytest.mark.slow  # ingesting the corpus loads the real spaCy model

ARTICLES = Path(__file__).resolve().parents[1] / "assessments" / "articles.jsonl"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_LINK = "[x](javascript:alert(1))"
HOSTILE_ATTR = '" onerror="alert(1)'
HOSTILE = f"{HOSTILE_SCRIPT} {HOSTILE_LINK} {HOSTILE_ATTR}"


@pytest.fixture(scope="module")
def assessments(tmp_path_factory: pytest.TempPathFactory) -> list[Assessment]:
    db = tmp_path_factory.mktemp("exports") / "ledger.db"
    service.ingest_paths([str(ARTICLES)], db, service.RunSummary())
    with Store(db) as store:
        assess(store)
        found = store.assessments()
    assert len(found) > 5, "the corpus should yield several assessments"
    return found


def render(assessments: list[Assessment], fmt: str, subject: str | None = None) -> str:
    out = io.StringIO()
    export(assessments, fmt, out, subject=subject)
    return out.getvalue()


class _Html(HTMLParser):
    """Collects tags, attributes, ids and text so tests can check structure, not substrings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value))
            if name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> _Html:
    parser = _Html()
    parser.feed(text)
    parser.close()
    return parser


def cites_and_sources(md: str) -> tuple[list[int], list[int]]:
    body, _, sources = md.partition("\n## Sources\n")
    cites = [int(n) for n in re.findall(r"(?<!\\)\[(\d+)\]", body)]
    listed = [int(n) for n in re.findall(r"^- \[(\d+)\] ", sources, flags=re.MULTILINE)]
    return cites, listed


# --- Tables ------------------------------------------------------------------------------------------


def test_csv_has_one_row_per_assessment(assessments: list[Assessment]) -> None:
    rows = list(csv.DictReader(io.StringIO(render(assessments, "csv"))))
    assert len(rows) == len(assessments)
    by_id = {a.id: a for a in assessments}
    assert [r["id"] for r in rows] == [a.id for a in assessments]
    for row in rows:
        a = by_id[row["id"]]
        assert row["grade"] == a.grade.code
        assert int(row["events"]) == len(a.claims)
        assert int(row["independent_origins"]) == len(a.origins)
        assert row["names"] == "; ".join(a.names)
        assert row["grade_explanation"] == " / ".join(a.grade.explanation)
    denied = next(a for a in assessments if a.denials)
    assert "(party)" in rows[assessments.index(denied)]["denied_by"] or \
        "(third party)" in rows[assessments.index(denied)]["denied_by"]


def test_jsonl_round_trips(assessments: list[Assessment]) -> None:
    lines = render(assessments, "jsonl").splitlines()
    assert len(lines) == len(assessments)
    for line, original in zip(lines, assessments):
        assert Assessment.from_dict(json.loads(line)) == original


def test_sipri_lists_transfers_with_display_names(assessments: list[Assessment]) -> None:
    rows = list(csv.DictReader(io.StringIO(render(assessments, "sipri"))))
    transfers = [a for a in assessments if a.type is EventType.TRANSFER]
    assert len(transfers) < len(assessments), "the corpus should include non-transfer flows"
    assert len(rows) == len(transfers)
    for row, a in zip(rows, transfers):
        assert row["Supplier code"] == a.provider and row["Recipient code"] == a.recipient
        assert row["Grade"] == a.grade.code and row["Stage"] == a.max_status.value
    iran = next(row for row in rows if row["Supplier code"] == "IRN")
    assert iran["Supplier"] == "Iran"
    assert all(not re.fullmatch(r"[A-Z]{3}", row["Supplier"]) for row in rows)
    for row in rows:  # years are years; numbers are whole numbers as reported
        assert re.fullmatch(r"(\d{4}(; \d{4})*)?", row["Year(s) of delivery"])
        assert re.fullmatch(r"\d*", row["Number ordered"]) and re.fullmatch(r"\d*", row["Number delivered"])


def test_csv_neutralises_spreadsheet_formulas(assessments: list[Assessment]) -> None:
    hostile = dataclasses.replace(assessments[0], names=("=HYPERLINK(\"http://evil\")",))
    row = next(csv.DictReader(io.StringIO(render([hostile], "csv"))))
    assert row["names"].startswith("'=")


# --- Graph -------------------------------------------------------------------------------------------


def test_graphml_reads_back(assessments: list[Assessment]) -> None:
    graph = nx.read_graphml(io.StringIO(render(assessments, "graphml")))
    parties = {p for a in assessments for p in (a.provider, a.recipient)}
    assert set(graph.nodes) == parties
    assert sum(int(d["flows"]) for _, _, d in graph.edges(data=True)) == len(assessments)
    assert graph.nodes["IRN"]["label"] == "Iran" and graph.nodes["IRN"]["kind"] == "state"
    for provider, recipient, data in graph.edges(data=True):
        flows = [a for a in assessments if (a.provider, a.recipient) == (provider, recipient)]
        assert data["grade"] == min((a.grade for a in flows), key=lambda g: (g.reliability, g.credibility)).code
        assert set(data["types"].split(",")) == {a.type.value for a in flows}


# --- Briefs ------------------------------------------------------------------------------------------


def test_brief_md_citations_all_resolve(assessments: list[Assessment]) -> None:
    md = render(assessments, "brief-md", subject="Test subject")
    assert md.startswith("# Brief: Test subject\n")
    cites, listed = cites_and_sources(md)
    assert cites and set(cites) == set(listed)
    assert listed == list(range(1, len(listed) + 1))
    first_seen = list(dict.fromkeys(cites))
    assert first_seen == sorted(first_seen), "sources are numbered in order of first citation"
    articles = {c.article_id for a in assessments for c in a.claims}
    assert len(listed) == len(articles)
    assert md.count("\n## ") == len(assessments) + 1  # one section per flow, then Sources


def test_brief_html_is_self_contained(assessments: list[Assessment]) -> None:
    html = render(assessments, "brief-html")
    page = parse_html(html)
    assert "script" not in page.tags
    assert not [a for a in page.attrs if a[1] == "src"]
    article_urls = {c.url for a in assessments for c in a.claims if c.url}
    for tag, name, value in page.attrs:
        if name == "href":
            assert value is not None
            if value.startswith("#"):
                assert value[1:] in page.ids, f"dangling citation link {value}"
            else:
                assert value in article_urls, f"unexpected outside link {value}"


def test_briefs_agree(assessments: list[Assessment]) -> None:
    md = render(assessments, "brief-md")
    page = parse_html(render(assessments, "brief-html"))
    cites, listed = cites_and_sources(md)
    html_cites = [v for t, n, v in page.attrs if n == "href" and v and v.startswith("#src-")]
    assert [int(v.removeprefix("#src-")) for v in html_cites] == cites
    assert {i for i in page.ids if i.startswith("src-")} == {f"src-{n}" for n in listed}


def test_subject_is_derived(assessments: list[Assessment]) -> None:
    iran_russia = [a for a in assessments if {a.provider, a.recipient} == {"IRN", "RUS"}]
    assert derive_subject(iran_russia) == "Iran and Russia"
    shahed = [a for a in assessments if a.canonical == "Shahed-136"]
    assert len({(a.provider, a.recipient) for a in shahed}) > 1
    assert derive_subject(shahed) == "Shahed-136"
    assert derive_subject(assessments) == "Selected flows"
    assert render(iran_russia, "brief-md").startswith("# Brief: Iran and Russia\n")


def test_unknown_format_lists_valid_ones(assessments: list[Assessment]) -> None:
    with pytest.raises(MaterielError) as err:
        render(assessments, "xlsx")
    assert all(fmt in str(err.value) for fmt in EXPORT_FORMATS)


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f not in BINARY_FORMATS])
def test_empty_selection_exports(fmt: str) -> None:
    text = render([], fmt)
    if fmt in ("csv", "sipri"):
        assert list(csv.DictReader(io.StringIO(text))) == []
    elif fmt == "graphml":
        assert nx.read_graphml(io.StringIO(text)).number_of_nodes() == 0
    elif fmt.startswith("brief"):
        assert "No flows match" in text


# --- Hostile article text ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(assessments: list[Assessment]) -> Assessment:
    """A real assessment whose article-derived text is an injection attempt in every field."""
    a = next(x for x in assessments if len(x.claims) >= 2 and x.figures)
    claims = list(a.claims)
    first = claims[0]
    event = dataclasses.replace(
        first.event,
        sources=(Source(name=HOSTILE, kind=SourceKind.OFFICIAL),),
        evidence=(Evidence(0, 10, f"He said {HOSTILE}\n# not a heading"),))
    claims[0] = dataclasses.replace(first, event=event, title=HOSTILE, outlet=HOSTILE,
                                    url="javascript:alert(1)")
    second = claims[1]
    if second.article_id != first.article_id:
        claims[1] = dataclasses.replace(second, url='https://example.org/a?b=1&c="2"')
    figures = tuple(dataclasses.replace(f, source=HOSTILE) if i == 0 else f for i, f in enumerate(a.figures))
    return dataclasses.replace(a, claims=tuple(claims), figures=figures, names=(HOSTILE,))


def test_hostile_text_html(hostile: Assessment) -> None:
    html = render([hostile], "brief-html", subject=HOSTILE)
    assert "<script" not in html.lower()
    page = parse_html(html)
    assert "script" not in page.tags
    assert not [a for a in page.attrs if a[1].startswith("on")], "no event-handler attribute may appear"
    hrefs = [v for _, n, v in page.attrs if n == "href"]
    assert not [h for h in hrefs if h and "javascript" in h.lower()]
    external = [h for h in hrefs if h and not h.startswith("#")]
    assert all(h.startswith(("http://", "https://")) for h in external)
    if hostile.claims[1].article_id != hostile.claims[0].article_id:
        assert 'https://example.org/a?b=1&c="2"' in external
    text = "".join(page.text)
    assert HOSTILE_SCRIPT in text and "javascript:alert(1)" in text  # shown to the reader, as text


def test_hostile_text_markdown(hostile: Assessment) -> None:
    md = render([hostile], "brief-md", subject=HOSTILE)
    assert r"\[x\](javascript:alert(1))" in md
    assert r"\<script\>" in md
    assert not re.search(r"(?<!\\)<", md), "every < from an article is escaped"
    assert "[x](" not in md, "no live Markdown link"
    assert "\n# not a heading" not in md
    cites, listed = cites_and_sources(md)
    assert set(cites) == set(listed)


def test_hostile_figure_source_in_sipri_stays_in_its_cell(hostile: Assessment) -> None:
    if hostile.type is not EventType.TRANSFER:
        pytest.skip("hostile assessment is not a transfer")
    rows = list(csv.DictReader(io.StringIO(render([hostile], "sipri"))))
    assert len(rows) == 1 and HOSTILE in rows[0]["Comments"]


def test_figures_are_never_averaged(assessments: list[Assessment]) -> None:
    a = next(x for x in assessments if len([f for f in x.figures if f.quantity]) >= 2)
    md = render([a], "brief-md")
    figures = md.split("### Figures", 1)[1].split("###", 1)[0]
    for f in a.figures:
        assert isinstance(f, Figure)
        if f.quantity is not None:
            assert f"{f.quantity:,}" in figures
