"""When an act is said to happen: the DATE expression attached to the trigger, resolved against
the article's publication date where the wording allows ('within the next year', 'in March',
'last month', '2023')."""

from __future__ import annotations

import calendar
import re
from datetime import MAXYEAR, MINYEAR, date, timedelta

from spacy.tokens import Token

from ..model import TimeExpr
from .mentions import doc_text

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
RELATIVE_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _parse_date(published: str | None) -> date | None:
    """The publication date as an anchor; None for none, for nonsense, and for a date in the first or
    last year of the calendar, which a shift by a year would carry out of range ('9999-12-31')."""
    if not published:
        return None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return None
    return day if MINYEAR < day.year < MAXYEAR else None


def _shift_years(day: date, years: int) -> date:
    """Same calendar day `years` later, 29 February falling back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def resolve(text: str, published: str | None) -> str | None:
    """An ISO date, month, year or interval for a date expression, or None."""
    lowered = text.lower()
    anchor = _parse_date(published)
    year_match = YEAR.search(lowered)
    month = next((MONTHS[w] for w in re.findall(r"[a-z]+", lowered) if w in MONTHS and len(w) > 2), None)
    day_match = re.search(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b", re.sub(YEAR, "", lowered))
    if year_match:
        year = int(year_match.group(1))
        if month and day_match and 1 <= int(day_match.group(1)) <= 31:
            try:
                return date(year, month, int(day_match.group(1))).isoformat()
            except ValueError:
                return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}" if month else f"{year:04d}"
    if anchor is None:
        return None
    if month:
        year = anchor.year if month <= anchor.month else anchor.year - 1
        if any(w in lowered for w in ("next", "coming")):
            year = anchor.year if month > anchor.month else anchor.year + 1
        return f"{year:04d}-{month:02d}"
    if re.search(r"\btoday\b", lowered):
        return anchor.isoformat()
    if re.search(r"\byesterday\b", lowered):
        return (anchor - timedelta(days=1)).isoformat()
    unit = next((u for u in RELATIVE_UNITS if re.search(rf"\b{u}s?\b", lowered)), None)
    if unit is None:
        return None
    span = timedelta(days=RELATIVE_UNITS[unit])
    if any(w in lowered for w in ("within", "next", "coming")):
        end = _shift_years(anchor, 1) if unit == "year" else anchor + span
        return f"{anchor.isoformat()}/{end.isoformat()}"
    if any(w in lowered for w in ("last", "past", "previous", "ago")):
        start = _shift_years(anchor, -1) if unit == "year" else anchor - span
        return f"{start.isoformat()}/{anchor.isoformat()}"
    if "this" in lowered:
        if unit == "year":
            return f"{anchor.year:04d}"
        if unit == "month":
            return f"{anchor.year:04d}-{anchor.month:02d}"
    return None


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_EXPRESSION = re.compile(
    r"\b(?:(?:early|late|mid)[- ])?(?:\d{1,2}\s+)?" + _MONTH + r"\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d\d)?\b"
    r"|\b(?:the\s+)?(?:next|last|past|coming|this)\s+(?:few\s+)?(?:\d+\s+)?(?:year|month|week|day)s?\b"
    r"|\b(?:\d+|two|three|four|five|six|several)\s+(?:year|month|week|day)s?\s+ago\b"
    r"|\b(?:19[5-9]\d|20\d\d)\b|\b(?:today|yesterday|tomorrow)\b"
    r"|\b(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE)


def date_spans(doc) -> list:
    """Date expressions by rule (no entity recogniser needed); found once per Doc."""
    found = doc.user_data.get("materiel_dates")
    if found is None:
        found = []
        for match in DATE_EXPRESSION.finditer(doc_text(doc)):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None and len(span):
                found.append(span)
        doc.user_data["materiel_dates"] = found
    return list(found)


def time_for(trigger: Token, published: str | None) -> TimeExpr | None:
    """The date expression in the trigger's clause (not in nested reporting clauses)."""
    doc = trigger.doc
    scope = {t.i for t in trigger.subtree}
    for ent in date_spans(doc):
        if ent.root.i in scope:
            start = ent.start
            if start > 0 and doc[start - 1].lower_ in ("within", "by", "in", "until", "before", "after", "since"):
                start -= 1
            text = doc[start:ent.end].text
            return TimeExpr(text, resolve(text, published))
    return None
