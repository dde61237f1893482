"""The `materiel` command: a thin shell over `service` (argument parsing and rendering only).

A program embedding the app may pass the `Extractor` its commands use as the context object
(`CliRunner().invoke(app, args, obj=extractor)`); `materiel` itself passes none and loads the model.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sys
import tempfile
import traceback
from collections import Counter
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, TextIO

import typer
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import outfile, query, render, service
from .errors import EXIT_INTERNAL, MaterielError
from .evaluate import describe
from .exports import BINARY_FORMATS, EXPORT_FORMATS, EXPORT_UNITS
from .model import ArticleResult, Event, EventType, Rejection, Status
from .query import DATE_HELP, ITEM_HELP, PARTY_HELP
from .store.sqlite import AssessmentFilter, EventFilter, StoredEvent
from .model.core import json_text as json_line
from .render import Format
from .terminal import json_text, markup, path_shown

if TYPE_CHECKING:
    from .ingest.fetch import Fetcher

DEFAULT_DB = "materiel.db"
EVIDENCE_CHARS = 140
EVENT_ID_WIDTH = 26  # an article hash (24) and the event's place in it
app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Extract a sourced ledger of arms transfers and military cooperation from news.")
# Piped output is not squeezed to 80 columns: a table that no terminal constrains is printed wide.
PIPE_WIDTH = 220
# A reader that went away (`materiel extract ... | head`) ends the command as SIGPIPE would (128 + 13).
PIPE_CLOSED_EXIT = 141
LISTEN_BACKLOG = 2048  # uvicorn's default


def stream_consoles() -> tuple[Console, Console]:
    """Consoles for standard output and error as they are now: their width (the terminal's, or
    PIPE_WIDTH when piped) and colours are fixed when a console is made, so each run of the app makes
    them anew (`startup`). Made once at import, a run captured by a program that imported the CLI
    from a terminal (CliRunner, IPython) got the terminal's width and colour codes."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else PIPE_WIDTH), Console(stderr=True)


out, err = stream_consoles()


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


class EvalFormat(str, Enum):
    """How `eval` and `eval-assess` print their scores."""

    table = "table"
    json = "json"


ExportFormat = Enum("ExportFormat", {f.replace("-", "_"): f for f in EXPORT_FORMATS}, type=str)  # type: ignore[misc]
FORMAT_HELP = "table (fits the terminal; full width when piped), json (one array), jsonl (one object a line) or csv."


def db_path(db: Optional[str]) -> str:
    return db or os.environ.get("MATERIEL_DB") or DEFAULT_DB


def existing_db(db: Optional[str]) -> str:
    path = db_path(db)
    if not Path(path).exists():
        err.print(f"[red]error[/red] no ledger at {markup(path_shown(path))}; run `materiel ingest` first or pass --db",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    return path


# Bad lines of one file reported one by one; the rest are summed up in one line.
MAX_ERRORS_PER_FILE = 10
DEBUG_OPTION = typer.Option(False, "--debug", help="Print the traceback of an internal error (a bug) too.")
TIME_BUDGET_OPTION = typer.Option(
    service.ARTICLE_TIME_BUDGET, "--time-budget", min=0.1, metavar="SECONDS",
    help="Give up an article that takes longer than this (a 'timeout' rejection; the rest go on).")


def asked_budget(ctx: typer.Context, time_budget: float) -> Optional[float]:
    """--time-budget when the command line gives it, else None: an extractor an embedding program
    passes as the context object keeps its own budget unless the option overrides it."""
    return None if ctx.get_parameter_source("time_budget") is ParameterSource.DEFAULT else time_budget


def version_line() -> str:
    """'materiel 0.1.0 (spaCy model en_core_web_sm 3.8.0)': the model named from the installed
    packages' metadata, without loading spaCy."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__
    from .nlp.pipeline import installed_model

    try:
        line = f"materiel {version('materiel')}"
    except PackageNotFoundError:  # run from a source tree that is not installed
        line = f"materiel {__version__}"
    model = installed_model()
    return line + (f" (spaCy model {model[0]} {model[1]})" if model else " (no spaCy model installed)")


def show_version(value: bool) -> None:
    if value:
        out.print(version_line(), highlight=False)
        raise typer.Exit()


@app.callback()
def startup(
    version: bool = typer.Option(False, "--version", callback=show_version, is_eager=True,
                                 help="Print the version of materiel and of its spaCy model, and exit."),
) -> None:
    """Extract a sourced ledger of arms transfers and military cooperation from news."""
    global out, err
    out, err = stream_consoles()


def report_rejection(rejection: Rejection, debug: bool = False) -> None:
    """One line per rejected input; an internal error's traceback only under --debug."""
    hint = "; rerun with --debug for the traceback" if rejection.trace and not debug else ""
    label = "[yellow]note[/yellow]" if rejection.left_out else "[red]error[/red]"
    err.print(f"{label} {markup(rejection.describe() + hint)}", highlight=False, soft_wrap=True)
    if debug and rejection.trace:
        err.print(markup(rejection.trace.rstrip(), lines=True), highlight=False, soft_wrap=True)


class Reporter:
    """Prints rejections, one line each, at most `MAX_ERRORS_PER_FILE` per file: a file with
    thousands of bad lines does not bury the rest. `close` says how many more each file had
    (all are counted in the run's summary either way)."""

    def __init__(self, debug: bool):
        self.debug = debug
        self.shown: Counter[str] = Counter()
        self.held: Counter[str] = Counter()

    def __call__(self, rejection: Rejection) -> None:
        if self.shown[rejection.origin] >= MAX_ERRORS_PER_FILE:
            self.held[rejection.origin] += 1
            return
        self.shown[rejection.origin] += 1
        report_rejection(rejection, self.debug)

    def close(self) -> None:
        for origin, n in self.held.items():
            err.print(markup(f"... and {n:,} more rejected line(s) in {origin}"), highlight=False, soft_wrap=True)
        self.held.clear()


def reporter(debug: bool) -> Reporter:
    return Reporter(debug)


@contextmanager
def progress_bar(quiet: bool, label: str) -> Iterator[Optional[Progress]]:
    """A progress bar on stderr when it is a terminal and not silenced."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        yield progress


def tracked(results: Iterable[ArticleResult], progress: Optional[Progress]) -> Iterator[ArticleResult]:
    task = progress.add_task("articles", total=None) if progress else None
    for result in results:
        if progress is not None and task is not None:
            progress.advance(task)
        yield result


EVAL_FORMAT_OPTION = typer.Option(EvalFormat.table, "--format", "-f", help="table or json.")
# `--json` was the only way to ask for JSON before --format: kept, hidden, so that scripts go on working.
JSON_ALIAS_OPTION = typer.Option(False, "--json", hidden=True, help="Deprecated: --format json.")


def printed_as_json(data: object, format: EvalFormat, as_json: bool) -> bool:
    """`--format json` (or the old `--json`): print the data as JSON instead of tables (and say so)."""
    if as_json:
        err.print("[yellow]note[/yellow] --json is deprecated; use --format json", highlight=False, soft_wrap=True)
    if as_json or format is EvalFormat.json:
        out.print_json(json.dumps(data))
        return True
    return False


def fail(exc: MaterielError) -> None:
    err.print(f"[red]error[/red] {markup(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def output_stream(target: Optional[Path], guarded: Iterable[tuple[str, str]] = (),
                  binary: bool = False) -> Iterator[TextIO]:
    """Where a command writes its data (see `outfile`): errors end it with one line, a closed pipe quietly."""
    try:
        with outfile.opened(target, guarded, binary) as sink:
            yield sink
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        raise typer.Exit(PIPE_CLOSED_EXIT)
    except MaterielError as exc:
        fail(exc)


def finish(summary: service.RunSummary, quiet: bool, assessed: Optional[service.AssessSummary] = None,
           report: Optional[Reporter] = None) -> None:
    if report is not None:
        report.close()
    if not quiet:
        err.print(markup(summary.describe()), highlight=False, soft_wrap=True)
    raise typer.Exit(max(summary.exit_code, assessed.exit_code if assessed else 0))


def report_assessed(assessed: service.AssessSummary, quiet: bool, debug: bool) -> None:
    """Flow families that failed to assess, one line each, then (unless quiet) the summary."""
    for failure in assessed.failures:
        report_rejection(failure, debug)
    if not quiet:
        err.print(markup(assessed.describe()), highlight=False, soft_wrap=True)


def party_names(event: Event) -> str:
    return f"{event.provider} → {event.recipient}"


def events_table(rows: Iterable[tuple[str, Event]], title: str,
                 ids: Optional[list[tuple[str, Optional[str]]]] = None) -> Table:
    """Events one a row; `ids`, for stored events, gives each row's event id and review state (shown first,
    since the review commands take the id)."""
    table = Table(title=title, show_lines=True, expand=False)
    if ids is not None:  # the event id names its article's hash: the input's article id goes under it
        table.add_column("event / article", overflow="fold", min_width=10, max_width=EVENT_ID_WIDTH)
    widths = {"article": 8, "type": 11, "provider → recipient": 16, "item": 22, "qty / value": 14, "status": 9,
              "stance": 8, "sources": 30, "confidence": 14, "evidence": 60}
    if ids is not None:
        del widths["article"]
        widths["evidence"] -= EVENT_ID_WIDTH - 8  # the table stays as wide as it was
    for column, width in widths.items():
        table.add_column(column, overflow="fold", min_width=min(width, 10), max_width=width)
    for n, (article_id, e) in enumerate(rows):
        item = e.item.canonical or e.item.name or e.item.category.value
        if e.item.canonical and e.item.name and e.item.canonical.lower() not in e.item.name.lower():
            item = f"{e.item.name} ({e.item.canonical})"
        figures = e.quantity.text if e.quantity else ""
        if e.value:
            figures = f"{e.value.amount:,.0f} {e.value.currency}"
        sources = "; ".join(f"{s.name} ({s.kind.value}{', ' + s.country if s.country else ''}"
                            f"{', via ' + s.via if s.via else ''})" for s in e.sources)
        confidence = f"{e.confidence.text} ({e.confidence.low:.0%}–{e.confidence.high:.0%} {e.confidence.scale})" \
            if e.confidence else ""
        evidence = e.evidence[0].text if e.evidence else ""
        if len(evidence) > EVIDENCE_CHARS:
            evidence = evidence[:EVIDENCE_CHARS - 3] + "..."
        stance = "[red]denied[/red]" if e.stance.value == "denied" else "asserted"
        if ids is not None:
            event_id, review = ids[n]
            first = markup(event_id) + f"\n[dim]{markup(article_id)}[/dim]" + (f"\n{review}" if review else "")
        else:
            first = markup(article_id)
        table.add_row(first, e.type.value, markup(party_names(e)),
                      f"{markup(item)}\n[dim]{e.item.category.value}[/dim]", markup(figures), e.status.value, stance,
                      markup(sources), markup(confidence), markup(evidence))
    return table


@app.command()
def extract(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="JSONL, JSON, .txt or .html files, directories, or - for stdin."),
    format: Format = typer.Option(Format.jsonl, "--format", "-f",
                                  help="jsonl (one line per article, docs/format.md), json (one array of those), "
                                  "table or csv (one row per event)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes (forked once the model is loaded, so it loads once)."),
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Read articles and write the events they report (JSON Lines by default, described in docs/format.md)."""
    from .exports.flat import FLAT_EVENT_COLUMNS, extracted_events, flat_event

    summary, report = service.RunSummary(), reporter(debug)
    with output_stream(output, [("input", p) for p in paths]) as sink:
        with progress_bar(quiet, "extracting") as progress:
            extractor = service.extractor_for(ctx.obj, asked_budget(ctx, time_budget))
            results = tracked(service.extract_paths(paths, summary, workers, report, extractor), progress)
            render.emit(results, format, sink, record=ArticleResult.to_dict,
                        table=lambda done: events_table([(r.article.id, e) for r in done for e in r.events],
                                                        "Extracted events"),
                        csv_rows=lambda r: map(flat_event, extracted_events(r)), columns=FLAT_EVENT_COLUMNS)
    finish(summary, quiet, report=report)


@app.command()
def explain(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="JSONL, JSON, .txt or .html files, directories, or - for stdin."),
    format: ExplainFormat = typer.Option(ExplainFormat.text, "--format", "-f",
                                         help="text (a tree per article) or json (a list of article traces)."),
    article: Optional[str] = typer.Option(None, "--article", help="Explain only the article with this id."),
    all: bool = typer.Option(False, "--all", help="Also list the sentences the scan did not parse, with why."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Why was this (not) extracted? Per sentence: triggers, frames, roles and where each came from, and
    every candidate dropped with its reason. The events are those `extract` gives."""
    from .explain_text import article_tree

    summary, report = service.RunSummary(), reporter(debug)
    with output_stream(None) as sink:
        traces = service.explain_paths(paths, summary, report, article, ctx.obj)
        if format is ExplainFormat.json:
            sink.write(json_text(json.dumps([t.to_dict() for t in traces], ensure_ascii=False, indent=2)))
            sink.write("\n")
        else:
            for trace in traces:
                out.print(article_tree(trace, all))
    finish(summary, quiet, report=report)


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Optional[list[str]] = typer.Argument(None, help="JSONL, JSON, .txt or .html files, directories, "
                                                "or - for stdin (or --events DIR)."),
    db: Optional[str] = typer.Option(None, "--db", help=f"Ledger file (default: $MATERIEL_DB or ./{DEFAULT_DB})."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes."),
    events: Optional[Path] = typer.Option(None, "--events", metavar="DIR",
                                          help="Load the events `spark-extract` wrote to DIR instead of extracting."),
    update: bool = typer.Option(True, "--assess/--no-assess",
                                help="Bring the assessments up to date afterwards (only the flows the new events touch)."),
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Extract events and store articles, events, sources and evidence in the SQLite ledger."""
    if events is not None and paths:
        fail(MaterielError("give files to extract or --events DIR, not both"))
    if events is None and not paths:
        fail(MaterielError("nothing to ingest: name files or directories, or --events DIR"))
    if events is not None:  # extracted already (`spark-extract`): no model is loaded
        store_and_assess(ctx, "ingesting", db, update, time_budget, quiet, debug,
                         lambda summary, report, on_result, _: service.ingest_extracted(
                             events, db_path(db), summary, report, on_result))
    else:
        store_and_assess(ctx, "ingesting", db, update, time_budget, quiet, debug,
                         lambda summary, report, on_result, extractor: service.ingest_paths(
                             paths or [], db_path(db), summary, workers, report, on_result=on_result,
                             extractor=extractor()))


# A command's own storing step: (summary, reporter, on_result, the extractor when it needs one).
StoreRun = Callable[[service.RunSummary, "Reporter", Optional[Callable[[ArticleResult], None]], Callable[[], object]],
                    object]


def store_and_assess(ctx: typer.Context, label: str, db: Optional[str], update: bool, time_budget: float,
                     quiet: bool, debug: bool, store: StoreRun) -> None:
    """What every command that puts articles in a ledger does around its own `store` call: progress on
    a terminal, then the assessments brought up to date (also when nothing new was stored: a run
    killed before assessing left events unassessed), the summary line and the exit code."""
    summary, report = service.RunSummary(), reporter(debug)
    assessed = None
    try:
        with progress_bar(quiet, label) as progress:
            task = progress.add_task("articles", total=None) if progress else None
            store(summary, report, (lambda _: progress.advance(task)) if progress and task is not None else None,
                  lambda: service.extractor_for(ctx.obj, asked_budget(ctx, time_budget)))
        if update:
            assessed = service.assess_db(db_path(db))
            report_assessed(assessed, quiet, debug)
    except MaterielError as exc:
        fail(exc)
    finish(summary, quiet, assessed, report)


@app.command()
def events(
    db: Optional[str] = typer.Option(None, "--db", help=f"Ledger file (default: $MATERIEL_DB or ./{DEFAULT_DB})."),
    type: Optional[str] = typer.Option(None, "--type", help=f"Event type, any case: {', '.join(EventType)}."),
    provider: Optional[str] = typer.Option(None, "--provider", help=f"Provider. {PARTY_HELP}"),
    recipient: Optional[str] = typer.Option(None, "--recipient", help=f"Recipient. {PARTY_HELP}"),
    item: Optional[str] = typer.Option(None, "--item", help=ITEM_HELP),
    status: Optional[str] = typer.Option(None, "--status", help=f"Stage the event reports: {', '.join(Status)}."),
    since: Optional[str] = typer.Option(None, "--since", help=f"Published on or after: {DATE_HELP}"),
    until: Optional[str] = typer.Option(None, "--until", help=f"Published on or before: {DATE_HELP}"),
    format: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP),
    limit: Optional[int] = typer.Option(None, "--limit", min=1),
) -> None:
    """List stored events, one row each (newest article first), with filters."""
    path = existing_db(db)
    try:
        flt = query.event_filter(type=type, provider=provider, recipient=recipient, item=item, status=status,
                                 since=since, until=until)
    except MaterielError as exc:
        fail(exc)
    with output_stream(None) as sink:
        render_stored(service.query_events(path, flt, limit), format, sink)


def render_stored(rows: list[StoredEvent], format: Format, sink: TextIO) -> None:
    """Events as a table, or as the flat rows of `exports.flat` (the columns of `export --format events-csv`)."""
    from .exports.flat import FLAT_EVENT_COLUMNS, flat_event

    render.emit(rows, format, sink, record=flat_event, columns=FLAT_EVENT_COLUMNS,
                table=lambda done: events_table([(r.article_key, r.event) for r in done], f"Events: {len(done)} event(s)",
                                                [(r.event_id, r.review) for r in done]))


@app.command()
def demo(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="Where to write the demo ledger, to keep and explore (default: "
                                     "a temporary one, removed on exit); an existing file is refused unless --force."),
    force: bool = typer.Option(False, "--force", help="Replace the file --db names if it exists (its ledger is lost)."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Ingest the bundled sample articles into a fresh ledger, assess it, and print events and assessments."""
    if db is None:
        # Nothing is left behind: the folder goes on every exit, an error or Ctrl-C included.
        with tempfile.TemporaryDirectory(prefix="materiel-demo-") as tmp:
            run_demo(ctx, Path(tmp) / "demo.db", debug, kept=False)
    path = Path(db)
    if path.exists() or path.is_symlink():
        if not force:
            err.print(f"[red]error[/red] {escape(str(path))} already exists; the demo writes a fresh ledger and "
                      "would delete what it holds. Choose another --db, or add --force to replace it",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        if path.is_dir():
            err.print(f"[red]error[/red] {escape(str(path))} is a directory; give --db a file name",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        for suffix in ("", "-wal", "-shm"):  # the old ledger's write-ahead log must not outlive it
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    run_demo(ctx, path, debug, kept=True)


def run_demo(ctx: typer.Context, path: Path, debug: bool, kept: bool) -> None:
    """The demo into a fresh ledger at `path`; ends with the exit code. A `kept` ledger is named with
    the commands that explore it; a temporary one is not, since it is about to go."""
    summary = service.RunSummary()
    try:
        service.ingest_paths([str(service.sample_corpus())], path, summary, on_rejection=reporter(debug),
                             extractor=ctx.obj)
        assessed = service.assess_db(path)
        for failure in assessed.failures:
            report_rejection(failure, debug)
        rows = service.query_events(path, EventFilter())
        flows = service.ledger_rows(path, AssessmentFilter())
    except MaterielError as exc:
        fail(exc)
    render_stored(rows, Format.table, sys.stdout)
    render.print_table(ledger_table(flows), sys.stdout)
    shown = path if kept else "demo.db"
    where = (f"ledger written to {path}; explore it with:" if kept else
             "the demo ledger was temporary and is removed now; to keep one, run `materiel demo --db demo.db` "
             "and explore it with:")
    err.print(escape(f"{summary.describe()}\n{assessed.describe()}\n{where}\n"
                     f"  materiel events --db {shown}\n  materiel ledger --db {shown}\n"
                     f"  materiel show {flows[0]['id'] if flows else 'ID'} --db {shown}\n"
                     f"  materiel export --format brief-md --db {shown}\n"
                     f"  materiel serve --db {shown}    (then open http://127.0.0.1:8000)"), highlight=False,
              soft_wrap=True)
    raise typer.Exit(max(summary.exit_code, assessed.exit_code))


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold events (JSON Lines, as docs/format.md describes)."),
    articles: Optional[Path] = typer.Argument(None, exists=True, help="The articles the gold describes (with --db: "
                                              "read from the ledger by the gold's article ids when left out)."),
    db: Optional[str] = typer.Option(None, "--db", help="A ledger holding the gold's articles (e.g. the one "
                                     "`review export` wrote the gold from)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1),
    errors: int = typer.Option(0, "--show-errors", help="Also print the first N errors."),
    format: EvalFormat = EVAL_FORMAT_OPTION,
    as_json: bool = JSON_ALIAS_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Score extraction against gold: event P/R/F1 per type and slot accuracies (see docs/format.md).
    Exits 1 when an article was rejected, since the score then leaves it out."""
    summary, report = service.RunSummary(), reporter(debug)
    if articles is None and db is None:
        fail(MaterielError("name the ARTICLES the gold describes, or a ledger holding them with --db"))
    try:
        if articles is None:
            result = service.evaluate_ledger(gold, existing_db(db), workers, report, ctx.obj, summary)
        else:
            result = service.evaluate_paths(gold, articles, workers, report, ctx.obj, summary)
    except MaterielError as exc:
        fail(exc)
    report.close()
    data = result.to_dict()
    code = EXIT_INTERNAL if summary.exit_code == EXIT_INTERNAL else 1 if summary.rejected_total else 0
    if printed_as_json(data, format, as_json):
        raise typer.Exit(code)
    table = Table(title=f"Events by type ({data['articles']} articles)")
    for column in ("type", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="right" if column != "type" else "left")
    for name, c in [*data["by_type"].items(), ("all", data["events"])]:
        table.add_row(str(name), f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}",
                      str(c["tp"]), str(c["fp"]), str(c["fn"]))
    render.print_table(table, sys.stdout)
    slots = Table(title="Slot accuracy over matched events")
    slots.add_column("slot")
    slots.add_column("accuracy", justify="right")
    slots.add_column("n", justify="right")
    for name, s in data["slots"].items():
        slots.add_row(name, f"{s['accuracy']:.3f}", str(s["n"]))
    render.print_table(slots, sys.stdout)
    out.print(f"negative articles: {data['negative_articles']}, spurious events on them: "
              f"{data['spurious_on_negatives']}")
    for aid, kind, g, p in result.errors[:errors]:
        out.print(markup(f"  {aid} {kind}: gold {describe(g)} | pred {describe(p)}"), highlight=False)
    raise typer.Exit(code)


# --- assessments: assess, ledger, show, export ------------------------------------------------

class ShowFormat(str, Enum):
    """A dossier is one nested record: text for people, json (indented) or jsonl (one line) for programs."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


DB_OPTION = typer.Option(None, "--db", help=f"Ledger file (default: $MATERIEL_DB or ./{DEFAULT_DB}).")
# What the filter options accept is parsed by `materiel.query`, the same for the API and the Python API.
TYPE_OPTION = typer.Option(None, "--type", help=f"Event type, any case: {', '.join(EventType)}.")
PROVIDER_OPTION = typer.Option(None, "--provider", help=f"Provider. {PARTY_HELP}")
RECIPIENT_OPTION = typer.Option(None, "--recipient", help=f"Recipient. {PARTY_HELP}")
BETWEEN_OPTION = typer.Option(None, "--between", help="Two parties, either direction, each as --provider takes "
                              "it: --between Iran Russia.")
PARTY_OPTION = typer.Option(None, "--party", help=f"A party on either side. {PARTY_HELP}")
ITEM_OPTION = typer.Option(None, "--item", help=ITEM_HELP)
STATUS_OPTION = typer.Option(None, "--status", help=f"Most advanced stage reached: {', '.join(Status)}.")
ORIGINS_OPTION = typer.Option(None, "--min-origins", min=0, help="At least this many independent origins.")
CONTESTED_OPTION = typer.Option(None, "--contested/--uncontested", help="Only flows someone denies / nobody denies.")
SINCE_OPTION = typer.Option(None, "--since", help=f"Last reported on or after: {DATE_HELP}")
UNTIL_OPTION = typer.Option(None, "--until", help=f"First reported on or before: {DATE_HELP}")


def assessment_filter(type: Optional[str], provider: Optional[str], recipient: Optional[str],
                      between: Optional[tuple[Optional[str], Optional[str]]], party: Optional[str], item: Optional[str],
                      status: Optional[str], min_origins: Optional[int], contested: Optional[bool],
                      since: Optional[str], until: Optional[str]) -> AssessmentFilter:
    """The filter the options ask for; a value that means nothing ends the command with one line (exit 2)."""
    try:
        return query.assessment_filter(type=type, provider=provider, recipient=recipient, between=between,
                                       party=party, item=item, status=status, min_origins=min_origins,
                                       contested=contested, since=since, until=until)
    except MaterielError as exc:
        fail(exc)
        raise  # fail() always exits


@app.command()
def assess(
    db: Optional[str] = DB_OPTION,
    full: bool = typer.Option(False, "--full", help="Rebuild every assessment instead of only those new events touch."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Group stored events into assessments of flows: corroboration, status history, denials, grade."""
    path = existing_db(db)
    try:
        with progress_bar(quiet, "assessing") as progress:
            task = progress.add_task("families", total=None) if progress else None
            summary = service.assess_db(path, full, on_family=(lambda n, total: progress.update(
                task, completed=n, total=total)) if progress and task is not None else None)
    except MaterielError as exc:
        fail(exc)
    report_assessed(summary, quiet, debug)
    raise typer.Exit(summary.exit_code)


def ledger_table(rows: list[dict]) -> Table:
    table = Table(title=f"Ledger: {len(rows)} assessment(s)")
    for column in ("id", "type", "provider → recipient", "item", "status (max / latest)", "grade", "origins",
                   "articles", "outlets", "denials", "reviewed", "last reported"):
        table.add_column(column, justify="right" if column in ("origins", "articles", "outlets", "denials", "reviewed")
                         else "left",
                         overflow="fold")
    for r in rows:
        status = r["max_status"] if r["max_status"] == r["latest_status"] else f"{r['max_status']} / {r['latest_status']}"
        table.add_row(str(r["id"])[:10], str(r["type"]), markup(f"{r['provider']} → {r['recipient']}"),
                      markup(str(r["item"])), str(status), str(r["grade"]), str(r["independent_origins"]),
                      str(r["articles"]), str(r["outlets"]),
                      f"[red]{r['denials']}[/red]" if r["denials"] else "0",
                      f"{r.get('reviewed_events', 0)}/{r['events']}", markup(r["last_reported"] or ""))
    return table


@app.command()
def ledger(
    db: Optional[str] = DB_OPTION, type: Optional[str] = TYPE_OPTION, provider: Optional[str] = PROVIDER_OPTION,
    recipient: Optional[str] = RECIPIENT_OPTION, between: Optional[tuple[str, str]] = BETWEEN_OPTION,
    party: Optional[str] = PARTY_OPTION, item: Optional[str] = ITEM_OPTION, status: Optional[str] = STATUS_OPTION,
    min_origins: Optional[int] = ORIGINS_OPTION, contested: Optional[bool] = CONTESTED_OPTION,
    since: Optional[str] = SINCE_OPTION, until: Optional[str] = UNTIL_OPTION,
    format: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP),
    limit: Optional[int] = typer.Option(None, "--limit", min=1),
) -> None:
    """List assessments, most recently reported first, with grade and counts."""
    path = existing_db(db)
    flt = assessment_filter(type, provider, recipient, between, party, item, status, min_origins, contested,
                            since, until)
    with output_stream(None) as sink:
        render.emit(service.ledger_rows(path, flt, limit), format, sink, record=dict, table=ledger_table)


@app.command()
def show(
    assessment_id: str = typer.Argument(..., help="Assessment id (or a unique prefix of 6+ characters)."),
    db: Optional[str] = DB_OPTION,
    format: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f",
                                      help="text (the dossier), json (indented) or jsonl (the same on one line)."),
) -> None:
    """Print the full dossier of one assessment: timeline, claims with evidence, denials, figures."""
    path = existing_db(db)
    try:
        found = service.load_assessment(path, assessment_id)
    except MaterielError as exc:
        fail(exc)
    if found is None:
        err.print(f"[red]error[/red] no assessment {markup(assessment_id)} in {markup(path_shown(path))}; "
                  "list them with `materiel ledger`", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    from .dossier import render_dossier

    with output_stream(None) as sink:
        if format is not ShowFormat.text:
            sink.write(json_text(json_line(found.to_dict(), indent=2 if format is ShowFormat.json else None)) + "\n")
        else:
            render_dossier(found, out)


@app.command()
def export(
    format: ExportFormat = typer.Option(..., "--format", "-f", help="What to write: assessments (csv, jsonl), the "
                                        "SIPRI-style register (sipri), a network (graphml), a brief (brief-md, "
                                        "brief-html), or one flat row per event of the selected assessments "
                                        "(events-csv, events-jsonl, events-parquet; Parquet needs -o)."),
    db: Optional[str] = DB_OPTION, type: Optional[str] = TYPE_OPTION, provider: Optional[str] = PROVIDER_OPTION,
    recipient: Optional[str] = RECIPIENT_OPTION, between: Optional[tuple[str, str]] = BETWEEN_OPTION,
    party: Optional[str] = PARTY_OPTION, item: Optional[str] = ITEM_OPTION, status: Optional[str] = STATUS_OPTION,
    min_origins: Optional[int] = ORIGINS_OPTION, contested: Optional[bool] = CONTESTED_OPTION,
    since: Optional[str] = SINCE_OPTION, until: Optional[str] = UNTIL_OPTION,
    subject: Optional[str] = typer.Option(None, "--title", help="Title of a brief (default: from the selection)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
) -> None:
    """Export assessments: CSV, JSON Lines, a SIPRI-style register, GraphML, a brief (Markdown/HTML), or
    their events as flat rows (CSV, JSON Lines, Parquet)."""
    from .exports import export as write_export

    fmt = format.value
    binary = fmt in BINARY_FORMATS
    if binary and output is None:
        err.print(f"[red]error[/red] --format {fmt} writes a binary file: give it one with -o FILE", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(2)
    path = existing_db(db)
    flt = assessment_filter(type, provider, recipient, between, party, item, status, min_origins, contested,
                            since, until)
    with output_stream(output, [("ledger", path)], binary=binary) as sink:
        selected = service.load_assessments(path, flt)
        written = write_export(selected, fmt, sink, subject=subject)
    if output:
        err.print(markup(f"{written} {EXPORT_UNITS[fmt]}(s) written to {path_shown(output)}"), highlight=False,
                  soft_wrap=True)


@app.command("eval-assess")
def evaluate_assessments(
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold flows (tests/assessments/gold.jsonl)."),
    articles: Path = typer.Argument(..., exists=True, help="The articles the gold describes."),
    format: EvalFormat = EVAL_FORMAT_OPTION,
    as_json: bool = JSON_ALIAS_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Score assessment clustering (pairwise F1) and independent-origin counts against gold flows."""
    with tempfile.TemporaryDirectory(prefix="materiel-eval-") as tmp:
        try:
            report = reporter(debug)
            result = service.evaluate_assessments(gold, articles, Path(tmp) / "eval.db", report)
        except MaterielError as exc:
            fail(exc)
        report.close()
    data = result.to_dict()
    if printed_as_json(data, format, as_json):
        return
    p = data["pairwise"]
    out.print(f"clustering: pairwise P {p['precision']:.3f} R {p['recall']:.3f} F1 {p['f1']:.3f} "
              f"({data['found']} of {data['elements']} article-flow elements found by extraction; "
              f"missed ones count as singletons)")
    out.print(f"independent origins exact: {data['origins_exact']} of {data['flows']} flows "
              f"({data['origins_accuracy']:.1%})")
    table = Table(title="Per flow")
    for column in ("flow", "origins gold", "origins", "max status gold/ours", "latest gold/ours"):
        table.add_column(column, overflow="fold")
    for f in data["per_flow"]:
        table.add_row(markup(f["flow"]), str(f["origins_gold"]), str(f["origins"]), " / ".join(map(str, f["max_status"])),
                      " / ".join(map(str, f["latest_status"])))
    render.print_table(table, sys.stdout)


@app.command()
def serve(
    db: Optional[str] = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535),
    token: Optional[str] = typer.Option(None, "--token", envvar="MATERIEL_TOKEN", show_envvar=True,
                                        help="Write token for POST requests (prefer the environment variable)."),
    writable: bool = typer.Option(False, "--writable", help="Accept ingest (POST) with the token; on 127.0.0.1 "
                                  "without a token one is generated and printed."),
    read_only: bool = typer.Option(False, "--read-only", help="Refuse every write, even with a token."),
    reviewers: Optional[Path] = typer.Option(
        None, "--reviewers", envvar="MATERIEL_REVIEWERS", show_envvar=True, exists=True, dir_okay=False,
        help="File of reviewers' names and write tokens, one 'NAME TOKEN' per line: each decision is recorded "
             "under the name of the token that made it. Makes the server writable."),
) -> None:
    """Serve the REST API and the web pages over the ledger (OpenAPI at /docs); reads are open, writes
    (ingest, reviews) need a write token."""
    import uvicorn

    from .web.app import create_app
    from .web.security import OPERATOR, read_reviewers, writers_for

    try:
        named = read_reviewers(str(reviewers)) if reviewers else None
        writers = writers_for(host, token, (writable or bool(token) or bool(named)) and not read_only, named)
        operator = next((t for t, name in writers.items() if name == OPERATOR), None)
        application = create_app(db_path(db), operator, reviewers={t: n for t, n in writers.items() if n != OPERATOR})
    except MaterielError as exc:
        fail(exc)
    sock = listening_socket(host, port)  # bound before the banner, which names the port really taken
    bound = sock.getsockname()[1]
    mode = "read-only" if not writers else "writable (POST needs 'Authorization: Bearer <token>')"
    shown = f"[{host}]" if ":" in host else host
    err.print(markup(f"serving {path_shown(db_path(db))} on http://{shown}:{bound} ({mode}); API at /api, schema at /docs"),
              highlight=False, soft_wrap=True)
    if named and writers:
        err.print(markup(f"reviewers: {', '.join(sorted(set(named.values())))}"), highlight=False, soft_wrap=True)
    if operator is not None and not token:
        err.print(markup(f"write token for this run: {operator}"), highlight=False, soft_wrap=True)
    uvicorn.Server(uvicorn.Config(application, host=host, port=bound, log_level="warning")).run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (0: any free port); a busy port or unknown host ends with one line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        err.print(f"[red]error[/red] cannot listen on {markup(host)}:{port}: {markup(exc.strerror or str(exc))}; "
                  "check --host", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)  # connections wait in the queue until the server takes them
    except OSError as exc:
        sock.close()
        err.print(f"[red]error[/red] cannot listen on {markup(host)}:{port}: {markup(exc.strerror or str(exc))}; "
                  "stop what uses the port or choose another with --port (0 picks a free one)",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    return sock


# --- news from the web: fetch, watch --------------------------------------------------------

TIMEOUT_OPTION = typer.Option(20.0, "--timeout", min=0.1, metavar="SECONDS",
                              help="Give up a request that gets no answer for this long (after the retries).")
MAX_BYTES_OPTION = typer.Option(5_000_000, "--max-bytes", min=1, metavar="N",
                                help="Stop reading a page or feed larger than this (a 'too_large' rejection).")
RETRIES_OPTION = typer.Option(3, "--retries", min=0, help="Further attempts after a connection error, 5xx or 429.")
BACKOFF_OPTION = typer.Option(1.0, "--backoff", min=0.0, metavar="SECONDS",
                              help="Pause before the first retry, doubled for each further one.")


def fetcher_for(timeout: float, max_bytes: int, retries: int, backoff: float) -> "Fetcher":
    from .ingest.fetch import Fetcher, FetchSettings

    return Fetcher(FetchSettings(timeout=timeout, max_bytes=max_bytes, retries=retries, backoff=backoff))


@app.command()
def fetch(
    ctx: typer.Context,
    urls: list[str] = typer.Argument(..., help="Article pages (http or https URLs)."),
    db: Optional[str] = DB_OPTION,
    timeout: float = TIMEOUT_OPTION, max_bytes: int = MAX_BYTES_OPTION, retries: int = RETRIES_OPTION,
    backoff: float = BACKOFF_OPTION,
    update: bool = typer.Option(True, "--assess/--no-assess", help="Bring the assessments up to date afterwards."),
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Download article pages and ingest them (main text, title, date and outlet by trafilatura)."""
    with fetcher_for(timeout, max_bytes, retries, backoff) as fetcher:
        store_and_assess(ctx, "fetching", db, update, time_budget, quiet, debug,
                         lambda summary, report, on_result, extractor: service.fetch_urls(
                             urls, db_path(db), summary, fetcher, report, on_result=on_result,
                             extractor=extractor()))


@app.command()
def watch(
    ctx: typer.Context,
    feeds: Optional[list[str]] = typer.Argument(None, help="RSS or Atom feed URLs."),
    feed_file: Optional[Path] = typer.Option(None, "--feeds", exists=True, dir_okay=False,
                                             help="A file of feed URLs, one per line (# starts a comment)."),
    db: Optional[str] = DB_OPTION,
    interval: str = typer.Option("15m", "--interval", help="Time between polls: 30s, 15m, 1h (at least 30s)."),
    once: bool = typer.Option(False, "--once", help="Poll once and exit (for cron); exit code as `ingest`."),
    timeout: float = TIMEOUT_OPTION, max_bytes: int = MAX_BYTES_OPTION, retries: int = RETRIES_OPTION,
    backoff: float = BACKOFF_OPTION,
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no summary lines."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Poll RSS/Atom feeds, fetch the entries not seen before, ingest and assess them; what was seen
    is kept in the ledger, so a restart neither misses nor repeats an article. Ctrl-C stops it."""
    import time

    from .ingest.news import feed_list, parse_interval

    try:
        every = parse_interval(interval)
    except ValueError as exc:
        err.print(f"[red]error[/red] --interval: {markup(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    try:
        urls = [*(feeds or []), *(feed_list(feed_file) if feed_file else [])]
    except (OSError, UnicodeDecodeError) as exc:
        err.print(markup(f"error cannot read the feed list {path_shown(feed_file)}: {exc}"), highlight=False,
                  soft_wrap=True)
        raise typer.Exit(2)
    if not urls:
        err.print("[red]error[/red] no feeds: name feed URLs or a list file with --feeds", highlight=False)
        raise typer.Exit(2)
    extractor = functools.cache(lambda: service.extractor_for(ctx.obj, asked_budget(ctx, time_budget)))  # loaded when first needed
    polls = 0
    code = 0
    try:
        with fetcher_for(timeout, max_bytes, retries, backoff) as fetcher:
            while True:
                report = reporter(debug)
                with progress_bar(quiet, "polling") as progress:
                    task = progress.add_task("feeds", total=len(urls)) if progress else None
                    on_feed = (lambda _: progress.advance(task)) if progress and task is not None else None
                    summary, assessed = service.poll_feeds(urls, db_path(db), fetcher, None, report,
                                                           on_feed=on_feed, extractor=extractor)
                polls += 1
                report.close()
                for failure in assessed.failures:
                    report_rejection(failure, debug)
                code = max(summary.run.exit_code if summary.run.read or summary.run.rejected else 0,
                           assessed.exit_code)
                if not quiet:
                    stamp = time.strftime("%H:%M:%S")
                    err.print(markup(f"{stamp} poll {polls}: {summary.describe()}"), highlight=False, soft_wrap=True)
                if once:
                    break
                time.sleep(every)
    except MaterielError as exc:
        fail(exc)
    except KeyboardInterrupt:
        if not quiet:
            err.print(markup(f"stopped after {polls} complete poll(s); the next run takes up where this one "
                             "left off"), highlight=False, soft_wrap=True)
        raise typer.Exit(130)
    raise typer.Exit(code)

@app.command()
def reextract(
    ctx: typer.Context,
    db: Optional[str] = DB_OPTION,
    article: Optional[list[str]] = typer.Option(None, "--article", metavar="HASH",
                                                help="Only this stored article (its hash); repeat for more."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes."),
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Extract stored articles again with the current extractor; each review follows its evidence (kept
    where the event reads as before, suspended for another look where it changed), flows re-assessed."""
    path = existing_db(db)
    summary, report = service.RunSummary(), reporter(debug)
    try:
        with progress_bar(quiet, "re-extracting") as progress:
            task = progress.add_task("articles", total=None) if progress else None
            counts = service.reextract_db(
                path, summary, article or None, workers, report,
                on_result=(lambda _: progress.advance(task)) if progress and task is not None else None,
                extractor=service.extractor_for(ctx.obj, asked_budget(ctx, time_budget)))
    except MaterielError as exc:
        fail(exc)
    report.close()
    if not quiet:
        rejected = f"; {summary.rejected_total} article(s) failed ({service.by_reason(summary.rejected)}) and were " \
                   "left as they were" if summary.rejected else ""
        err.print(markup(counts.describe() + rejected), highlight=False, soft_wrap=True)
    raise typer.Exit(summary.exit_code)


@app.command("spark-extract")
def spark_extract(
    paths: list[str] = typer.Argument(..., help="JSON Lines, Parquet or WARC (.warc, .warc.gz) files or directories; "
                                               "local paths or URIs Spark and pyarrow read (s3://, hdfs://)."),
    output: str = typer.Option(..., "--output", "-o", metavar="DIR",
                               help="Writes Parquet directories DIR/articles, DIR/events, DIR/rejections."),
    master: Optional[str] = typer.Option(None, "--master", help="local[N], spark://HOST:PORT or yarn "
                                         "(default: spark-submit's, else local[*])."),
    partitions: Optional[int] = typer.Option(None, "--partitions", min=1,
                                             help="Partitions the articles are extracted in (default: 2 per core)."),
    time_budget: float = TIME_BUDGET_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
) -> None:
    """Extract events on Apache Spark (materiel[spark]): the same extraction as `extract`, run in the executors."""
    try:
        from . import spark
    except ImportError as exc:
        fail(MaterielError(f"spark-extract needs pyspark: install materiel[spark] ({exc})"))
    try:
        summary = spark.spark_extract(paths, output, master, partitions, time_budget)
    except MaterielError as exc:
        fail(exc)
    if not quiet:
        err.print(markup(summary.describe()), highlight=False, soft_wrap=True)
    raise typer.Exit(summary.exit_code)


from .cli_review import review_app  # noqa: E402  (it uses this module's consoles and helpers)

app.add_typer(review_app, name="review")


def main(obj: object = None) -> None:
    """The `materiel` command. A bug that escapes every command's own handling ends it with one line
    (the traceback too under --debug) and exit code 3, never a bare traceback and exit code 1."""
    try:
        app(obj=obj)
    except Exception as exc:  # a bug: bad input and unusable files never get here
        detail = " ".join(str(exc).split())[:300]
        err.print(markup(f"error internal error: {type(exc).__name__}{': ' + detail if detail else ''} (a bug in "
                         "materiel; rerun with --debug for the traceback and please report it)"),
                  highlight=False, soft_wrap=True)
        if "--debug" in sys.argv[1:]:
            err.print(markup("".join(traceback.format_exception(exc)), lines=True), highlight=False, soft_wrap=True)
        sys.exit(EXIT_INTERNAL)
