"""`materiel explain` end to end: the real CLI (in-process, CliRunner), real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import SAMPLE_ARTICLES, Cli, write_jsonl

from materiel.model import Event, Reason, RoleOrigin

pytestmark = pytest.mark.slow

ARTICLES = [
    {"id": "sent", "text": "Iran sent 200 drones to Russia."},
    {"id": "domestic", "text": "Russian forces took delivery of Su-35 jets."},
    {"id": "launched", "text": "Russia launched Iranian drones at Kyiv."},
]


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "explain.jsonl", ARTICLES)


def frames_of(trace: dict) -> list[dict]:
    return [f for s in trace["sentences"] for f in s["frames"]]


def test_json_trace_gives_roles_with_origins_and_drops_with_reasons(invoke: Cli, articles: Path) -> None:
    result = invoke("explain", articles, "--format", "json")
    assert result.returncode == 0, result.stderr
    traces = {t["article_id"]: t for t in json.loads(result.stdout)}
    assert list(traces) == ["sent", "domestic", "launched"]

    sent = traces["sent"]
    assert [(e["provider"], e["recipient"]) for e in sent["events"]] == [("IRN", "RUS")]
    (frame,) = frames_of(sent)
    roles = {r["role"]: r for r in frame["roles"]}
    assert (roles["provider"]["value"], roles["provider"]["origin"], roles["provider"]["rule"]) == \
        ("IRN", "syntax", "subject of send")
    assert (roles["recipient"]["value"], roles["recipient"]["origin"], roles["recipient"]["rule"]) == \
        ("RUS", "syntax", "pobj of to")
    assert frame["events"] == [0] and sent["sentences"][0]["triggers"][0]["lemma"] == "send"

    domestic = traces["domestic"]
    assert domestic["events"] == []
    assert [d["reason"] for f in frames_of(domestic) for d in f["drops"]] == ["domestic-procurement"]

    launched = traces["launched"]
    assert launched["events"] == [] and launched["sentences"] == []
    assert [d["reason"] for d in launched["drops"]] == ["article-no-trigger"]

    # every code in the document is a member of the documented enums
    for trace in traces.values():
        drops = trace["drops"] + [d for s in trace["sentences"] for d in s["drops"]] + \
            [d for f in frames_of(trace) for d in f["drops"]]
        assert all(Reason(d["reason"]) for d in drops)
        assert all(RoleOrigin(r["origin"]) for f in frames_of(trace) for r in f["roles"])


def test_explain_gives_the_events_extract_gives(invoke: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "sample.jsonl", SAMPLE_ARTICLES)
    extracted = {row["article_id"]: row["events"] for row in invoke("extract", path).jsonl()}
    explained = json.loads(invoke("explain", path, "--format", "json").stdout)
    assert {t["article_id"]: t["events"] for t in explained} == extracted
    # the JSON events read back into the model unchanged
    for trace in explained:
        assert [Event.from_dict(e).to_dict() for e in trace["events"]] == trace["events"]
    assert any(t["events"] for t in explained)


def test_text_output_one_article_and_the_skipped_sentences(invoke: Cli, tmp_path: Path) -> None:
    long_tail = "The convoy then drove north through the mountains for many hours " * 6
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "other", "text": "Germany sent tanks to Ukraine."},
        {"id": "one", "title": "Drones for Moscow", "text": f"Iran sent 200 drones to Russia. {long_tail.strip()}."}])
    result = invoke("explain", path, "--article", "one", "--all")
    assert result.returncode == 0, result.stderr
    assert "article one: 1 event(s)" in result.stdout and "article other" not in result.stdout
    assert "provider IRN  syntax: subject of send" in result.stdout
    assert "recipient RUS  syntax: pobj of to" in result.stdout
    assert "(no-trigger)" in result.stdout
    assert long_tail.strip() in " ".join(result.stdout.split())  # piped output is never cut short
    counted = invoke("explain", path, "--article", "one")
    assert "sentence(s) not parsed (--all lists them)" in counted.stdout


def test_unreadable_input_is_reported_like_extract(invoke: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "text": "Iran sent 200 drones to Russia."}\n{not json\n', encoding="utf-8")
    result = invoke("explain", path, "--format", "json")
    assert result.returncode == 1
    assert [t["article_id"] for t in json.loads(result.stdout)] == ["ok"]
    assert len(result.error_lines) == 1 and "bad.jsonl" in result.error_lines[0]
