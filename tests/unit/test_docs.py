"""The user documentation ships with the project: no help text or README line sends a user to a
file outside the package, and docs/ documents every key an event's JSON has and every value its
closed vocabularies take."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from materiel.cli import app
from materiel.model import (Category, Confidence, Event, EventType, Evidence, Item, Location, Money, Quantity,
                            Source, SourceKind, Stance, Status, TimeExpr)
from materiel.model.core import SlotSpan

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = ("ONTOLOGY", "../shared")


def command_paths() -> list[list[str]]:
    """Every command of the CLI as the argument list that names it ([] is the top level)."""
    paths: list[list[str]] = [[]]

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():  # a group has subcommands
            paths.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(typer.main.get_command(app), [])
    assert len(paths) > 10, paths
    return paths


@pytest.mark.parametrize("args", command_paths(), ids=lambda a: " ".join(a) or "materiel")
def test_help_names_no_file_outside_the_package(args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for word in OUTSIDE:
        assert word not in result.output, f"`materiel {' '.join(args)} --help` mentions {word!r}"


def test_readme_names_no_file_outside_the_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in OUTSIDE:
        lines = [n for n, line in enumerate(readme.splitlines(), 1) if word in line]
        assert not lines, f"README.md mentions {word!r} on lines {lines}"


def full_event() -> Event:
    """An event with every optional part filled, so its JSON has every key there is."""
    return Event(
        type=EventType.TRANSFER, provider="RUS", recipient="BLR",
        item=Item(Category.HELICOPTER, name="Mi-8 helicopters", canonical="Mi-8", manufacturer="Russian Helicopters"),
        status=Status.DELIVERED, stance=Stance.ASSERTED,
        quantity=Quantity(12, False, "12"), value=Money(3e8, "USD", "$300 million"),
        time=TimeExpr("in May", "2024-05"), location=Location("Machulishchy", "BLR"),
        sources=(Source("the defence ministry", SourceKind.OFFICIAL, "BLR", "Reuters"),),
        confidence=Confidence("highly likely", 0.8, 0.9, "PHIA"),
        evidence=(Evidence(0, 6, "Russia"),), article_id="a1",
        spans=(SlotSpan("provider", 0, 6, "Russia"),),
    )


def keys(data: object) -> set[str]:
    """Every key of the nested JSON object, at any depth."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys(v)}
    return set()


def test_format_doc_documents_every_key_of_an_event() -> None:
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    event_keys = keys(full_event().to_dict())
    assert {"spans", "manufacturer", "via", "scale"} <= event_keys  # the event really is full
    missing = sorted(k for k in event_keys | {"article_id", "events"} if f"`{k}`" not in doc)
    assert not missing, f"docs/format.md does not document {missing}"


@pytest.mark.parametrize("vocabulary", [EventType, Status, Stance, SourceKind, Category], ids=lambda e: e.__name__)
def test_events_doc_lists_every_value(vocabulary: type) -> None:
    doc = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    missing = [m.value for m in vocabulary if f"`{m.value}`" not in doc]
    assert not missing, f"docs/events.md does not list {missing}"
    assert "`org:" in doc and "`unknown`" in doc
