"""`materiel review ...`: the review queue and the decisions on events, a thin shell over `service`
and `materiel.review` (the same functions as the REST routes and the web pages).

Kept beside `cli.py`, which adds it with `app.add_typer`, and uses its consoles and helpers.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from . import cli as shell
from . import query, render, service
from .errors import MaterielError
from .model.review import FLAG_TEXT, RejectReason, Review
from .query import DATE_HELP, ITEM_HELP, PARTY_HELP
from .render import Format
from .terminal import markup, path_shown

review_app = typer.Typer(no_args_is_help=True, help="Review events: the queue, confirm, reject, correct, add, "
                         "undo, and the reviewed articles as gold.")

REVIEWER_OPTION = typer.Option(None, "--reviewer", envvar="MATERIEL_REVIEWER", show_envvar=True,
                               help="Your name, recorded with each decision (default: your login name).")
NOTE_OPTION = typer.Option(None, "--note", help="Why, in a few words (kept with the decision).")
DB_OPTION = shell.DB_OPTION


def reviewer_name(given: Optional[str]) -> str:
    """--reviewer, $MATERIEL_REVIEWER (typer reads it), else the login name; none of them: exit 2."""
    if given and given.strip():
        return given
    try:
        name = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name (a container without a passwd entry)
        name = ""
    if not name.strip():
        shell.fail(MaterielError("who is reviewing? give --reviewer NAME or set MATERIEL_REVIEWER"))
    return name


def decided_line(made: Review) -> None:
    """One line on stderr per decision: what was done to which event, and the review id that undoes it."""
    what = made.action.value + (f" ({made.reason.value})" if made.reason else "")
    changed = ", ".join(f"{k}: {_short(v[0])} -> {_short(v[1])}" for k, v in made.delta.items())
    shell.err.print(markup(f"review {made.id}: {what} {made.event_id} by {made.reviewer}"
                           f"{'; ' + changed if changed else ''} (undo: materiel review undo {made.id})"),
                    highlight=False, soft_wrap=True)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("text") or value.get("canonical") or value.get("category") or value
    text = "-" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _party(event: Any) -> str:
    return f"{event.provider} → {event.recipient}"


def queue_table(total: int, items: list) -> Table:
    table = Table(title=f"Review queue: {len(items)} of {total} event(s) waiting", show_lines=True)
    for column, width in (("event", 30), ("priority", 8), ("why", 34), ("article", 10), ("type", 11),
                          ("provider → recipient", 16), ("item", 20), ("status", 9), ("evidence", 60)):
        table.add_column(column, overflow="fold", max_width=width)
    for item in items:
        s, e = item.stored, item.stored.event
        evidence = e.evidence[0].text if e.evidence else ""
        evidence = evidence if len(evidence) <= shell.EVIDENCE_CHARS else evidence[:shell.EVIDENCE_CHARS - 3] + "..."
        table.add_row(markup(s.event_id), str(item.priority), markup("; ".join(item.to_dict()["why"])),
                      markup(s.article_key), e.type.value, markup(_party(e)),
                      markup(e.item.canonical or e.item.name or e.item.category.value), e.status.value,
                      markup(evidence))
    return table


def queue_record(item: Any) -> dict[str, Any]:
    data = item.to_dict()
    event = data.pop("event")
    data.update({"type": event["type"], "provider": event["provider"], "recipient": event["recipient"],
                 "item": (event.get("item") or {}).get("canonical") or (event.get("item") or {}).get("name"),
                 "status": event["status"], "stance": event["stance"],
                 "evidence": " … ".join(e["text"] for e in event.get("evidence") or []), "event": event})
    return data


QUEUE_COLUMNS = ("event_id", "priority", "reasons", "assessment_id", "article_id", "article_hash", "type",
                 "provider", "recipient", "item", "status", "stance", "evidence")


@review_app.command("list")
def review_list(
    db: Optional[str] = DB_OPTION,
    type: Optional[str] = typer.Option(None, "--type", help="Event type, any case."),
    provider: Optional[str] = typer.Option(None, "--provider", help=f"Provider. {PARTY_HELP}"),
    recipient: Optional[str] = typer.Option(None, "--recipient", help=f"Recipient. {PARTY_HELP}"),
    item: Optional[str] = typer.Option(None, "--item", help=ITEM_HELP),
    status: Optional[str] = typer.Option(None, "--status", help="Stage the event reports."),
    since: Optional[str] = typer.Option(None, "--since", help=f"Published on or after: {DATE_HELP}"),
    until: Optional[str] = typer.Option(None, "--until", help=f"Published on or before: {DATE_HELP}"),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many (the total is in the title)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help=shell.FORMAT_HELP),
) -> None:
    """The events nobody has decided on, those the ledger rests on most first, each with why."""
    path = shell.existing_db(db)
    try:
        flt = query.event_filter(type=type, provider=provider, recipient=recipient, item=item, status=status,
                                 since=since, until=until)
        total, items = service.review_queue(path, flt, limit)
    except MaterielError as exc:
        shell.fail(exc)
    with shell.output_stream(None) as sink:
        render.emit(items, format, sink, record=queue_record, columns=QUEUE_COLUMNS,
                    csv_rows=lambda i: [{k: v for k, v in queue_record(i).items() if k in QUEUE_COLUMNS}],
                    table=lambda done: queue_table(total, done))


@review_app.command("summary")
def review_summary(db: Optional[str] = DB_OPTION,
                   format: Format = typer.Option(Format.table, "--format", "-f", help=shell.FORMAT_HELP)) -> None:
    """How many of the ledger's events are reviewed, by state; how many wait; how many are suspended."""
    path = shell.existing_db(db)
    try:
        counts = service.review_summary(path)
    except MaterielError as exc:
        shell.fail(exc)
    rows = [{"state": k, "events": v} for k, v in counts.items()]

    def table(done: list) -> Table:
        t = Table(title=f"Reviews: {counts['reviewed']} of {counts['in_ledger']} event(s) in the ledger reviewed")
        t.add_column("state")
        t.add_column("events", justify="right")
        for r in done:
            t.add_row(r["state"], str(r["events"]))
        return t

    with shell.output_stream(None) as sink:
        render.emit(rows, format, sink, record=dict, table=table, columns=("state", "events"))


def reviews_table(title: str, reviews: list[Review]) -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("review", "event", "action", "reviewer", "when", "changes", "reason / note", "state"):
        table.add_column(column, overflow="fold", max_width=40)
    for r in reviews:
        changes = r.to_dict()["changes"]
        shown = "; ".join(f"{k}: {_short(v[0])} -> {_short(v[1])}" if isinstance(v, list) and len(v) == 2
                          else f"{k}: {_short(v)}" for k, v in changes.items()) if r.action.value != "add" else \
            f"{r.changes.get('type')} {r.changes.get('provider')} → {r.changes.get('recipient')}"
        state = (f"undone by {r.undone_by} at {r.undone_at}" if r.undone_at else
                 f"suspended: {FLAG_TEXT.get(r.flag or '', r.flag)}" if r.flag else "active")
        why = "; ".join(x for x in (r.reason.value if r.reason else "", r.note or "") if x)
        table.add_row(str(r.id), markup(r.event_id), r.action.value, markup(r.reviewer), r.created_at,
                      markup(shown), markup(why), markup(state))
    return table


@review_app.command("history")
def review_history(
    event_id: str = typer.Argument(..., help="Event id (or its unique start)."),
    db: Optional[str] = DB_OPTION,
    format: Format = typer.Option(Format.table, "--format", "-f", help=shell.FORMAT_HELP),
) -> None:
    """Every decision on one event, oldest first: who, when, what changed, why; undone and suspended ones too."""
    path = shell.existing_db(db)
    try:
        full, reviews = service.review_history(path, event_id)
    except MaterielError as exc:
        shell.fail(exc)
    with shell.output_stream(None) as sink:
        render.emit(reviews, format, sink, record=Review.to_dict,
                    table=lambda done: reviews_table(f"Reviews of {full}: {len(done)}", done))


@review_app.command("suspended")
def review_suspended(
    db: Optional[str] = DB_OPTION,
    format: Format = typer.Option(Format.table, "--format", "-f", help=shell.FORMAT_HELP),
) -> None:
    """Reviews a new extraction suspended (their event reads differently now, or is gone): decide again."""
    path = shell.existing_db(db)
    try:
        reviews = service.suspended_reviews(path)
    except MaterielError as exc:
        shell.fail(exc)
    with shell.output_stream(None) as sink:
        render.emit(reviews, format, sink, record=Review.to_dict,
                    table=lambda done: reviews_table(f"Suspended reviews: {len(done)}", done))


def _decide(db: Optional[str], event_ids: list[str], action: str, reviewer: Optional[str], **kwargs: Any) -> None:
    path = shell.existing_db(db)
    name = reviewer_name(reviewer)
    try:  # each decision its own transaction: those before a bad id stay taken, and are said as they are
        service.review_events(path, event_ids, action, name, on_review=decided_line, **kwargs)
    except MaterielError as exc:
        shell.fail(exc)


@review_app.command("confirm")
def review_confirm(
    event_ids: list[str] = typer.Argument(..., help="Event ids (or unique starts of them)."),
    note: Optional[str] = NOTE_OPTION, reviewer: Optional[str] = REVIEWER_OPTION, db: Optional[str] = DB_OPTION,
) -> None:
    """Confirm events as the extractor read them."""
    _decide(db, event_ids, "confirm", reviewer, note=note)


@review_app.command("reject")
def review_reject(
    event_ids: list[str] = typer.Argument(..., help="Event ids (or unique starts of them)."),
    reason: RejectReason = typer.Option(..., "--reason", help="Why: " + ", ".join(r.value for r in RejectReason) + "."),
    note: Optional[str] = NOTE_OPTION, reviewer: Optional[str] = REVIEWER_OPTION, db: Optional[str] = DB_OPTION,
) -> None:
    """Reject events: they stay stored with their history but leave the ledger, its assessments and exports."""
    _decide(db, event_ids, "reject", reviewer, reason=reason.value, note=note)


# The parts of an event a correction or an addition takes, as options: slot -> help.
PART_HELP = {
    "type": "Event type: transfer, payment, training, production or cooperation.",
    "provider": f"Provider. {PARTY_HELP}",
    "recipient": f"Recipient. {PARTY_HELP}",
    "item": "A catalogued system ('Geran-2'), a category word ('drones'), or 'category: name' ('uav: Mohajer-10').",
    "quantity": "How many: 12, 'about 20' ('' clears it).",
    "value": "What it is worth: 'USD 1.2bn', '$300 million' ('' clears it).",
    "status": "Stage: offered, agreed, delivered, ...",
    "stance": "asserted or denied.",
    "sources": "Who says so: 'Name (kind)' or 'Name (kind, country)', several separated by ';' "
               "(kind: official, media, expert, ...).",
    "time": "When: an ISO date or the words of the article ('' clears it).",
}


def _parts(values: dict[str, Optional[str]]) -> dict[str, Any]:
    try:
        from .review import parse_changes

        return parse_changes({k: v for k, v in values.items() if v is not None})
    except MaterielError as exc:
        shell.fail(exc)
        raise


@review_app.command("correct")
def review_correct(
    event_id: str = typer.Argument(..., help="Event id (or its unique start)."),
    type: Optional[str] = typer.Option(None, "--type", help=PART_HELP["type"]),
    provider: Optional[str] = typer.Option(None, "--provider", help=PART_HELP["provider"]),
    recipient: Optional[str] = typer.Option(None, "--recipient", help=PART_HELP["recipient"]),
    item: Optional[str] = typer.Option(None, "--item", help=PART_HELP["item"]),
    quantity: Optional[str] = typer.Option(None, "--quantity", help=PART_HELP["quantity"]),
    value: Optional[str] = typer.Option(None, "--value", help=PART_HELP["value"]),
    status: Optional[str] = typer.Option(None, "--status", help=PART_HELP["status"]),
    stance: Optional[str] = typer.Option(None, "--stance", help=PART_HELP["stance"]),
    sources: Optional[str] = typer.Option(None, "--sources", help=PART_HELP["sources"]),
    time: Optional[str] = typer.Option(None, "--time", help=PART_HELP["time"]),
    note: Optional[str] = NOTE_OPTION, reviewer: Optional[str] = REVIEWER_OPTION, db: Optional[str] = DB_OPTION,
) -> None:
    """Correct parts of an event; the extractor's reading is kept beside the correction."""
    changes = _parts({"type": type, "provider": provider, "recipient": recipient, "item": item, "quantity": quantity,
                      "value": value, "status": status, "stance": stance, "sources": sources, "time": time})
    if not changes:
        shell.fail(MaterielError("nothing to correct: give at least one of " +
                                 ", ".join(f"--{k}" for k in PART_HELP)))
    _decide(db, [event_id], "correct", reviewer, changes=changes, note=note)


@review_app.command("add")
def review_add(
    article_hash: str = typer.Argument(..., help="The stored article's hash (`article_hash` in `events -f json`)."),
    start: Optional[int] = typer.Option(None, "--start", min=0, help="Where the evidence starts in the article's "
                                        "full text (title, blank line, body)."),
    end: Optional[int] = typer.Option(None, "--end", min=0, help="Where the evidence ends."),
    evidence: Optional[str] = typer.Option(None, "--evidence", help="The evidence as exact text of the article "
                                           "(instead of --start/--end); it must occur there exactly once."),
    type: str = typer.Option(..., "--type", help=PART_HELP["type"]),
    provider: str = typer.Option(..., "--provider", help=PART_HELP["provider"]),
    recipient: str = typer.Option(..., "--recipient", help=PART_HELP["recipient"]),
    item: str = typer.Option(..., "--item", help=PART_HELP["item"]),
    quantity: Optional[str] = typer.Option(None, "--quantity", help=PART_HELP["quantity"]),
    value: Optional[str] = typer.Option(None, "--value", help=PART_HELP["value"]),
    status: Optional[str] = typer.Option(None, "--status", help=PART_HELP["status"] + " (default: unclear)"),
    stance: Optional[str] = typer.Option(None, "--stance", help=PART_HELP["stance"] + " (default: asserted)"),
    sources: Optional[str] = typer.Option(None, "--sources", help=PART_HELP["sources"] + " (default: the article)"),
    time: Optional[str] = typer.Option(None, "--time", help=PART_HELP["time"]),
    note: Optional[str] = NOTE_OPTION, reviewer: Optional[str] = REVIEWER_OPTION, db: Optional[str] = DB_OPTION,
) -> None:
    """Add an event the extractor missed, with a stretch of the article as its evidence."""
    if evidence is not None and (start is not None or end is not None):
        shell.fail(MaterielError("give the evidence as --evidence TEXT or as --start and --end, not both"))
    if evidence is None and (start is None or end is None):
        shell.fail(MaterielError("an added event needs its evidence: --start N --end N, or --evidence TEXT"))
    parts = _parts({"type": type, "provider": provider, "recipient": recipient, "item": item, "quantity": quantity,
                    "value": value, "status": status, "stance": stance, "sources": sources, "time": time})
    parts = {k: v for k, v in parts.items() if v is not None}
    path = shell.existing_db(db)
    name = reviewer_name(reviewer)
    try:
        made = service.add_reviewed_event(path, article_hash, name, parts, start, end, evidence, note)
    except MaterielError as exc:
        shell.fail(exc)
    decided_line(made)


@review_app.command("undo")
def review_undo(
    review_id: int = typer.Argument(..., help="The review's id (printed when it was made; `review history`)."),
    reviewer: Optional[str] = REVIEWER_OPTION, db: Optional[str] = DB_OPTION,
) -> None:
    """Undo an event's latest decision: the event goes back to what the one before (or the extractor) said."""
    path = shell.existing_db(db)
    name = reviewer_name(reviewer)
    try:
        undone = service.undo_review(path, review_id, name)
    except MaterielError as exc:
        shell.fail(exc)
    shell.err.print(markup(f"review {undone.id} ({undone.action.value} {undone.event_id}) undone by {name}"),
                    highlight=False, soft_wrap=True)


@review_app.command("export")
def review_export(
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the gold here instead of stdout."),
    articles: Optional[Path] = typer.Option(None, "--articles", help="Also write the reviewed articles' texts here "
                                            "(an ARTICLES file for `materiel eval`)."),
    partial: bool = typer.Option(False, "--partial", help="Include articles some of whose events nobody has "
                                 "decided on yet (their gold is then as incomplete as the review)."),
    db: Optional[str] = DB_OPTION,
) -> None:
    """The reviewed articles as gold in the interchange format (events as reviewed, with evidence)."""
    path = shell.existing_db(db)
    guarded = [("ledger", path)]
    with shell.output_stream(output, guarded) as sink:
        if articles is not None:
            with shell.output_stream(articles, guarded) as texts:
                counts = service.export_gold(path, sink, texts, partial)
        else:
            counts = service.export_gold(path, sink, None, partial)
    where = f" to {path_shown(output)}" if output else ""
    shell.err.print(markup(counts.describe() + where), highlight=False, soft_wrap=True)
