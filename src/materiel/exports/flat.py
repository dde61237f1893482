"""One flat row per stored event, in the manner of GDELT's and ACLED's event tables: every row says
which event it is, which assessment and article it belongs to, where that article was published, and
the sentence that reports it, so a row can be joined to the ledger and cited without materiel.

`FLAT_EVENT_COLUMNS` is the one column list: the CSV, JSON Lines and Parquet exports, the CLI's
`events --format csv|jsonl`, `Ledger.events_frame()` and the SQL view `events_flat` all use it.
"""

from __future__ import annotations

import csv
import json
from typing import Any, BinaryIO, Iterable, Iterator, TextIO

from materiel.errors import MaterielError
from materiel.exports import party_label
from materiel.model import ArticleResult, Assessment
from materiel.store.sqlite import StoredEvent, kept_events, stored_event_id

FLAT_EVENT_COLUMNS = (
    "event_id", "assessment_id", "article_id", "article_hash", "url", "outlet", "published",
    "event_date", "event_date_text", "location", "location_country",
    "type", "provider", "provider_name", "recipient", "recipient_name",
    "category", "item_name", "system", "quantity", "quantity_approx", "quantity_text", "value", "currency",
    "status", "stance", "sources", "confidence", "confidence_low", "confidence_high",
    "evidence", "evidence_start", "evidence_end", "review",
)

# Several evidence spans of one event are joined with this in the `evidence` cell.
EVIDENCE_JOINER = " … "
# How the Parquet file types each column that is not text (every other column is a string).
FLAT_INTEGER_COLUMNS = ("quantity", "evidence_start", "evidence_end")
FLAT_FLOAT_COLUMNS = ("value", "confidence_low", "confidence_high")
FLAT_BOOLEAN_COLUMNS = ("quantity_approx",)


def flat_event(row: StoredEvent) -> dict[str, Any]:
    """The flat row of one stored event (keys: `FLAT_EVENT_COLUMNS`; None where the article says nothing).

    `event_date` is the event's own time as ISO 8601 (a date, or an interval `start/end`), not the
    publication date; `evidence_start`/`evidence_end` are offsets into the article's full text
    (title, blank line, body) that span every evidence sentence of the event."""
    e = row.event
    q, v, t, loc, c = e.quantity, e.value, e.time, e.location, e.confidence
    return {
        "event_id": row.event_id, "assessment_id": row.assessment_id, "article_id": row.article_key,
        "article_hash": row.article_hash, "url": row.url, "outlet": row.outlet, "published": row.published,
        "event_date": t.iso if t else None, "event_date_text": t.text if t else None,
        "location": loc.name if loc else None, "location_country": loc.country if loc else None,
        "type": e.type.value, "provider": e.provider, "provider_name": party_label(e.provider),
        "recipient": e.recipient, "recipient_name": party_label(e.recipient),
        "category": e.item.category.value, "item_name": e.item.name, "system": e.item.canonical,
        "quantity": q.value if q else None, "quantity_approx": q.approx if q else None,
        "quantity_text": q.text if q else None,
        "value": v.amount if v else None, "currency": v.currency if v else None,
        "status": e.status.value, "stance": e.stance.value,
        "sources": "; ".join(f"{s.name} ({s.kind.value})" for s in e.sources) or None,
        "confidence": c.text if c else None, "confidence_low": c.low if c else None,
        "confidence_high": c.high if c else None,
        "evidence": EVIDENCE_JOINER.join(ev.text for ev in e.evidence) or None,
        "evidence_start": min((ev.start for ev in e.evidence), default=None),
        "evidence_end": max((ev.end for ev in e.evidence), default=None),
        "review": row.review,  # confirmed, corrected or added by a person; None: as the extractor gave it
    }


def assessed_events(assessments: Iterable[Assessment]) -> Iterator[StoredEvent]:
    """The events of the assessments, each as stored, with the assessment that holds it."""
    for a in assessments:
        for c in a.claims:
            yield StoredEvent(c.event, c.article_id, c.published, c.outlet, c.title, c.event_id, c.article_hash,
                              c.url, a.id, c.review)


def extracted_events(result: ArticleResult) -> Iterator[StoredEvent]:
    """The events of one extraction result (`materiel extract`, `spark-extract`) as the store would keep
    them, each with the id it would give it; no assessment holds them yet."""
    article = result.article
    for position, event in enumerate(kept_events(result)):
        yield StoredEvent(event, article.id, article.published, article.outlet, article.title,
                          stored_event_id(article.content_id, position), article.content_id, article.url)


def write_events_csv(rows: Iterable[StoredEvent], out: TextIO) -> int:
    """The flat rows as CSV (header first, cells a spreadsheet would run as formulas quoted); returns rows written."""
    from materiel.exports.tables import safe_cell

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLAT_EVENT_COLUMNS)
    written = 0
    for row in rows:
        flat = flat_event(row)
        writer.writerow([safe_cell(flat[key]) for key in FLAT_EVENT_COLUMNS])
        written += 1
    return written


def write_events_jsonl(rows: Iterable[StoredEvent], out: TextIO) -> int:
    """The flat rows as JSON Lines (null where the article says nothing); returns rows written."""
    written = 0
    for row in rows:
        out.write(json.dumps(flat_event(row), ensure_ascii=False) + "\n")
        written += 1
    return written


def write_events_parquet(rows: Iterable[StoredEvent], out: BinaryIO) -> int:
    """The flat rows as one Parquet file written to the binary stream `out` (typed columns);
    needs the `parquet` extra (pyarrow)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MaterielError("the Parquet export needs pyarrow: install materiel[parquet]") from exc
    flat = [flat_event(r) for r in rows]
    types = {**{c: pa.int64() for c in FLAT_INTEGER_COLUMNS}, **{c: pa.float64() for c in FLAT_FLOAT_COLUMNS},
             **{c: pa.bool_() for c in FLAT_BOOLEAN_COLUMNS}}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in FLAT_EVENT_COLUMNS])
    table = pa.Table.from_pylist(flat, schema=schema)
    pq.write_table(table, out)
    return len(flat)
