"""Tabular exports: a flat CSV ledger, the full JSON lines, and a SIPRI-register-style CSV.

CSV is what journalists and analysts open in a spreadsheet, so cells that a spreadsheet would
run as a formula are neutralised; JSON lines is the lossless form for programs and round-trips
through `Assessment.from_dict`.
"""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, TextIO

from materiel.exports import (CATEGORY_WORDS, FIGURE_STATUS_WORDS, format_figure, item_label, largest_quantity,
                              party_label, reviewed_events, reviewed_text, year)
from materiel.model import Assessment, EventType, Stance, Status

CSV_COLUMNS = ("id", "type", "provider", "recipient", "item", "category", "canonical", "max_status",
               "latest_status", "grade", "reliability", "credibility", "events", "reviewed_events", "articles", "outlets",
               "independent_origins", "denials", "first_reported", "last_reported", "names", "origins",
               "denied_by", "largest_quantity", "grade_explanation")

# The SIPRI Trade Register's columns in its order (as its CSV download names them), without its
# unnamed uncertainty-flag columns and its TIV columns (materiel has no trend-indicator values);
# materiel's own columns follow, so a register reader can ignore them.
SIPRI_REGISTER_COLUMNS = ("Recipient", "Supplier", "Year of order", "Number ordered", "Weapon designation",
                          "Weapon description", "Number delivered", "Year(s) of delivery", "status", "Comments")
MATERIEL_SIPRI_COLUMNS = ("Recipient code", "Supplier code", "Stage", "Grade", "Independent origins", "Articles",
                          "Assessment id", "Reviewed")
SIPRI_COLUMNS = SIPRI_REGISTER_COLUMNS + MATERIEL_SIPRI_COLUMNS

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_FIGURES_IN_COMMENT = 5


def safe_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would evaluate with a quote, so a hostile name such as
    '=HYPERLINK(...)' stays text; numbers and empty cells pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _write_rows(columns: tuple[str, ...], rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """CSV with a header; returns the number of rows written (the header not counted)."""
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows:
        writer.writerow({key: safe_cell(row.get(key)) for key in columns})
        written += 1
    return written


def denied_by(a: Assessment) -> str:
    """'IRN (party); USA (third party)': who denies, and whether they are party to the flow."""
    return "; ".join(f"{d.by} ({'party' if d.interested else 'third party'})" for d in a.denials)


def csv_row(a: Assessment) -> dict[str, Any]:
    """One ledger line: the summary counts plus the short lists a spreadsheet user filters on."""
    row = dict(a.summary())
    row.update({
        "reliability": a.grade.reliability,
        "credibility": a.grade.credibility,
        "names": "; ".join(a.names),
        "origins": "; ".join(o.label for o in a.origins),
        "denied_by": denied_by(a),
        "largest_quantity": a.largest_figure.quantity if a.largest_figure else None,
        "reviewed_events": reviewed_events(a),
        "grade_explanation": " / ".join(a.grade.explanation),
    })
    return row


def write_csv(assessments: Iterable[Assessment], out: TextIO) -> int:
    return _write_rows(CSV_COLUMNS, (csv_row(a) for a in assessments), out)


def write_jsonl(assessments: Iterable[Assessment], out: TextIO) -> int:
    """The complete assessment, one JSON object a line (lossless: `Assessment.from_dict` reads it)."""
    written = 0
    for a in assessments:
        out.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
        written += 1
    return written


def sipri_comments(a: Assessment) -> str:
    """Short remarks in register style: denials, then each reported figure with who gave it
    (figures are listed, never reconciled into one number)."""
    parts: list[str] = []
    if a.denials:
        parts.append("denied by " + ", ".join(dict.fromkeys(d.by for d in a.denials)))
    if a.figures:
        shown = [f"{format_figure(f)} ({FIGURE_STATUS_WORDS[f.status]}, {f.source}, {f.article_id})"
                 for f in a.figures[:_MAX_FIGURES_IN_COMMENT]]
        more = len(a.figures) - len(shown)
        parts.append("figures reported: " + ", ".join(shown) + (f" (+{more} more)" if more else ""))
    return "; ".join(parts)


def event_years(a: Assessment, status: Status) -> list[str]:
    """The years, from the events' own dates (never the publication dates), in which the articles
    say the flow reached `status`; asserted claims only, earliest first, unknown dates left out."""
    return sorted({year(c.event.time.iso) for c in a.claims
                   if c.event.status is status and c.event.stance is Stance.ASSERTED and c.event.time} - {""})


def sipri_row(a: Assessment) -> dict[str, Any]:
    """One register line. 'Year of order' is the earliest date the agreement events themselves give;
    'status' (SIPRI's new / second-hand) is left empty: the articles do not say."""
    ordered = event_years(a, Status.AGREED)
    return {
        "Recipient": party_label(a.recipient),
        "Supplier": party_label(a.provider),
        "Year of order": ordered[0] if ordered else "",
        "Number ordered": largest_quantity(a.figures, (Status.AGREED, Status.OFFERED)),
        "Weapon designation": item_label(a),
        "Weapon description": CATEGORY_WORDS.get(a.category, a.category.value),
        "Number delivered": largest_quantity(a.figures, (Status.DELIVERED,)),
        "Year(s) of delivery": "; ".join(event_years(a, Status.DELIVERED)),
        "status": "",
        "Comments": sipri_comments(a),
        "Recipient code": a.recipient,
        "Supplier code": a.provider,
        "Stage": a.max_status.value,
        "Grade": a.grade.code,
        "Independent origins": a.independent_origins,
        "Articles": len(a.publications),
        "Assessment id": a.id,
        "Reviewed": reviewed_text(reviewed_events(a), len(a.claims)),
    }


def write_sipri(assessments: Iterable[Assessment], out: TextIO) -> int:
    """Transfers only, as the SIPRI Arms Transfers Database records them; other flow types
    (payments, training, production) have no place in that register. Returns the rows written."""
    return _write_rows(SIPRI_COLUMNS, (sipri_row(a) for a in assessments if a.type is EventType.TRANSFER), out)
