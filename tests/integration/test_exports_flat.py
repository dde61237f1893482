"""Exports that join and cite (issue 10, item 4): the flat event rows, the SIPRI register, the SQL
views and the DataFrames, on a real ledger of the 44 cross-article reports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from materiel.exports.flat import FLAT_EVENT_COLUMNS
from materiel.exports.tables import SIPRI_COLUMNS
from support import ASSESSMENT_SET

SIPRI_REGISTER_ORDER = ["Recipient", "Supplier", "Year of order", "Number ordered", "Weapon designation",
                        "Weapon description", "Number delivered", "Year(s) of delivery", "status", "Comments"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_events_csv_joins_the_ledger_and_the_articles(invoke, ledger: Path) -> None:
    result = invoke("events", "--db", ledger, "--format", "csv")
    assert result.returncode == 0, result.stderr
    events = rows(result.stdout)
    assert events and list(events[0]) == list(FLAT_EVENT_COLUMNS)
    ledger_ids = {r["id"] for r in rows(invoke("ledger", "--db", ledger, "--format", "csv").stdout)}
    articles = {json.loads(line)["id"]: json.loads(line)
                for line in (ASSESSMENT_SET / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    assert {e["assessment_id"] for e in events} <= ledger_ids and all(e["assessment_id"] for e in events)
    assert len({e["event_id"] for e in events}) == len(events)
    for e in events:
        article = articles[e["article_id"]]
        assert e["published"] == (article.get("published") or "") and e["outlet"] == (article.get("outlet") or "")
        title = (article.get("title") or "").strip()
        full = f"{title}\n\n{article['text']}" if title else article["text"]
        first = e["evidence"].split(" … ")[0]
        if first[:2] in {"'" + c for c in "=+-@"}:
            first = first[1:]  # quoted against spreadsheet formulas (CSV only)
        assert full[int(e["evidence_start"]):].startswith(first)  # the offsets cite the article text
        assert e["provider_name"] and e["recipient_name"]
    iran = next(e for e in events if e["provider"] == "IRN")
    assert iran["provider_name"] == "Iran"
    dated = [e for e in events if e["event_date"]]
    assert dated and any(e["event_date"][:4] != e["published"][:4] for e in dated)  # the event's own time


def test_events_jsonl_and_the_events_export_give_the_same_rows(invoke, ledger: Path) -> None:
    listed = [json.loads(line) for line in invoke("events", "--db", ledger, "-f", "jsonl").stdout.splitlines()]
    exported = [json.loads(line) for line in
                invoke("export", "--db", ledger, "-f", "events-jsonl").stdout.splitlines()]
    assert listed and all(list(row) == list(FLAT_EVENT_COLUMNS) for row in listed)
    assert sorted(listed, key=lambda r: r["event_id"]) == sorted(exported, key=lambda r: r["event_id"])


def test_events_parquet_round_trips(invoke, ledger: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "events.parquet"
    result = invoke("export", "--db", ledger, "-f", "events-parquet", "-o", target)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(target)
    assert table.column_names == list(FLAT_EVENT_COLUMNS)
    assert f"{table.num_rows} row(s) written" in result.stderr
    expected = [json.loads(line) for line in invoke("export", "--db", ledger, "-f", "events-jsonl").stdout.splitlines()]
    assert table.to_pylist() == expected
    refused = invoke("export", "--db", ledger, "-f", "events-parquet")
    assert refused.returncode == 2 and "-o" in refused.stderr


def test_sipri_register_columns_order_year_and_count(invoke, ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "register.csv"
    result = invoke("export", "--db", ledger, "-f", "sipri", "-o", target)
    assert result.returncode == 0, result.stderr
    register = rows(target.read_text(encoding="utf-8"))
    assert list(register[0])[:len(SIPRI_REGISTER_ORDER)] == SIPRI_REGISTER_ORDER == list(SIPRI_COLUMNS)[:10]
    assert f"{len(register)} row(s) written" in result.stderr  # rows, not the assessments selected
    assessments = len(rows(invoke("ledger", "--db", ledger, "-f", "csv").stdout))
    assert len(register) < assessments
    # Poland's second K2 order was reported in 2025; the agreement the article dates was signed in 2022
    k2 = next(r for r in register if r["Weapon designation"] == "K2" and r["Recipient"] == "Poland")
    assert k2["Year of order"] == "2022"


def test_export_format_is_a_choice(invoke, ledger: Path) -> None:
    result = invoke("export", "--db", ledger, "--format", "bogus")
    assert result.returncode == 2
    assert "'bogus' is not one of" in result.stderr and "events-parquet" in result.stderr
    from materiel.exports import EXPORT_FORMATS

    assert all(f"'{fmt}'" in result.stderr for fmt in EXPORT_FORMATS)  # the parser lists every choice


def test_views_read_with_sqlite3_and_pandas(invoke, ledger: Path) -> None:
    with sqlite3.connect(ledger) as conn:
        cursor = conn.execute("SELECT * FROM events_flat")
        assert [d[0] for d in cursor.description] == list(FLAT_EVENT_COLUMNS)
        view = {r[0]: dict(zip(FLAT_EVENT_COLUMNS, r)) for r in cursor}
        flows = conn.execute("SELECT provider_name, recipient_name, item, max_status, first_reported"
                             " FROM assessments_flat WHERE provider = 'IRN' AND recipient = 'RUS'").fetchall()
    assert flows and all(f[:2] == ("Iran", "Russia") for f in flows)
    exported = [json.loads(line) for line in invoke("events", "--db", ledger, "-f", "jsonl").stdout.splitlines()]
    assert set(view) == {e["event_id"] for e in exported}
    for e in exported:  # the view and the export agree where they overlap
        v = view[e["event_id"]]
        for key in ("assessment_id", "article_id", "url", "outlet", "published", "event_date", "provider_name",
                    "recipient_name", "system", "quantity", "status", "sources", "evidence", "evidence_start",
                    "evidence_end"):
            assert v[key] == e[key], (key, v[key], e[key])
    pandas = pytest.importorskip("pandas")
    with sqlite3.connect(ledger) as conn:
        frame = pandas.read_sql("SELECT * FROM assessments_flat", conn)
    assert len(frame) == len(rows(invoke("ledger", "--db", ledger, "-f", "csv").stdout))
    assert {"provider_name", "recipient_name", "item", "max_status", "last_reported"} <= set(frame.columns)


def test_datasette_reads_a_view(ledger: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")

    async def fetch() -> dict:
        ds = datasette_app.Datasette([str(ledger)], settings={"num_sql_threads": 1})
        response = await ds.client.get(f"/{ledger.stem}/events_flat.json?_shape=objects&provider=IRN")
        assert response.status_code == 200, response.text
        return response.json()

    data = asyncio.run(fetch())
    assert data["rows"] and all(r["provider_name"] == "Iran" for r in data["rows"])
    assert list(data["rows"][0]) == list(FLAT_EVENT_COLUMNS)


def test_frames_have_the_flat_columns(ledger: Path) -> None:
    pytest.importorskip("pandas")
    import materiel

    with materiel.open(ledger) as opened:
        events = opened.events_frame(provider="IRN")
        flows = opened.assessments_frame(between=("IRN", "RUS"))
        assert list(events.columns) == list(FLAT_EVENT_COLUMNS)
        assert len(events) == len(opened.events(provider="IRN")) > 0
        assert list(flows["assessment_id"]) == [a.id for a in opened.assessments(between=("IRN", "RUS"))]
        assert set(flows["provider_name"]) <= {"Iran", "Russia"}
