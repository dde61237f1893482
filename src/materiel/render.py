"""Rows as a table, JSON, JSON Lines or CSV: the one renderer that every command printing a list uses.

A command hands over its items (articles' results, stored events, ledger lines), one function that
turns an item into its record (a dict: what JSON and JSON Lines print), and one that draws the table.
CSV writes flat rows: the record itself, a nested value as its JSON text, unless the command gives
its own rows (`extract` writes one flat row per event, as `events` does, not one per article).

Tables fit the terminal when the output is one (every column folds, nothing is cut or elided); a
table written to a pipe or a file is printed at its natural width, so no terminal's 80 columns cut it.
"""

from __future__ import annotations

import csv
import io
from enum import Enum
from typing import Callable, Iterable, Iterator, Optional, Sequence, TextIO, TypeVar

from rich.console import Console, RenderableType
from rich.measure import Measurement

from .exports.tables import safe_cell
from .model.core import json_text as json_line
from .terminal import json_text, plain

T = TypeVar("T")
Record = dict[str, object]
# The widest a piped table may be drawn (a bound, not a target: a table takes only the width it needs).
PIPED_MAX_WIDTH = 10_000


class Format(str, Enum):
    """How a command prints a list: `table` for people, the others for programs."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class TerminalSafe:
    """A text sink for CSV rows: on a terminal, control characters in the values are shown escaped
    (`terminal.plain`); written to a file or a pipe, the data goes through unchanged."""

    def __init__(self, sink: TextIO):
        self.sink = sink
        self.clean = is_terminal(sink)

    def write(self, text: str) -> int:
        return self.sink.write(plain(text, lines=True) if self.clean else text)


def is_terminal(sink: TextIO) -> bool:
    return bool(getattr(sink, "isatty", None) and sink.isatty())


def natural_width(renderable: RenderableType) -> int:
    """The width `renderable` takes when nothing constrains it (a table: every cell on one line,
    up to the columns' own `max_width`)."""
    console = Console(file=io.StringIO(), width=PIPED_MAX_WIDTH)
    return max(1, Measurement.get(console, console.options, renderable).maximum)


def print_table(renderable: RenderableType, sink: TextIO) -> None:
    """On a terminal, `renderable` drawn to the terminal's width ($COLUMNS or the window's);
    elsewhere at its natural width."""
    if is_terminal(sink):
        Console(file=sink, soft_wrap=False).print(renderable)
    else:
        Console(file=sink, soft_wrap=False, width=natural_width(renderable)).print(renderable)


def flat(record: Record) -> Record:
    """A record as one CSV row: None as empty, a list or dict as its JSON text, and text that a
    spreadsheet would run as a formula quoted (as the exports write it)."""
    return {key: safe_cell(json_line(value) if isinstance(value, (dict, list)) else value)
            for key, value in record.items()}


def write_csv(rows: Iterable[Record], sink: TextIO, columns: Optional[Sequence[str]] = None) -> None:
    """A header, then one line per row; the header names `columns`, or the first row's keys."""
    rows = iter(rows)
    first = next(rows, None)
    names = list(columns) if columns else list(first) if first is not None else []
    if not names:
        return
    writer = csv.DictWriter(TerminalSafe(sink), fieldnames=names, lineterminator="\n")
    writer.writeheader()
    if first is not None:
        writer.writerow(flat(first))
        writer.writerows(map(flat, rows))


def emit(items: Iterable[T], format: Format, sink: TextIO, record: Callable[[T], Record],
         table: Callable[[list[T]], RenderableType], csv_rows: Optional[Callable[[T], Iterable[Record]]] = None,
         columns: Optional[Sequence[str]] = None) -> None:
    """Print `items` in `format` to `sink`. JSON Lines and CSV are written as the items come;
    JSON (one array) and the table once all are in."""
    if format is Format.jsonl:
        for item in items:
            sink.write(json_text(json_line(record(item))) + "\n")
    elif format is Format.json:
        sink.write(json_text(json_line([record(item) for item in items], indent=2)) + "\n")
    elif format is Format.csv:
        rows: Callable[[T], Iterable[Record]] = csv_rows or (lambda item: [record(item)])
        write_csv(_chain(rows, items), sink, columns)
    else:
        print_table(table(list(items)), sink)


def _chain(rows: Callable[[T], Iterable[Record]], items: Iterable[T]) -> Iterator[Record]:
    for item in items:
        yield from rows(item)
