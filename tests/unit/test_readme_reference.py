"""The README's command reference names every command and every option the CLI has, so a user can
learn the tool from it without reading `--help` for each command; a new option without a line
there fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from materiel.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
# Options every command has, documented once beside the table rather than on every row.
EVERYWHERE = {"--help", "-h"}


def reference() -> tuple[dict[str, str], str]:
    """Each command's row of the table under '## Commands', and the paragraph that lists FILTERS."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Commands"):]
    section = section[:section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        found = re.match(r"\| `materiel ([a-z-]+)", line)
        if found:
            rows[found.group(1)] = rows.get(found.group(1), "") + line
    filters = next((p for p in section.split("\n\n") if p.startswith("`FILTERS`")), "")
    return rows, filters


def commands() -> dict:
    group = typer.main.get_command(app)  # a click-style group (typer's own classes)
    return {name: command for name, command in group.commands.items() if not command.hidden}


def test_every_command_has_a_row() -> None:
    rows, _ = reference()
    missing = sorted(set(commands()) - set(rows))
    assert not missing, f"README's command table lacks: {missing}"


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_option_is_documented(name: str) -> None:
    rows, filters = reference()
    row = rows.get(name, "")
    documented = row + (filters if "FILTERS" in row else "")
    missing = []
    for param in commands()[name].params:
        if param.param_type_name != "option" or param.hidden:
            continue
        names = [n for n in (*param.opts, *param.secondary_opts) if n not in EVERYWHERE]
        if names and not any(re.search(re.escape(n) + r"(?![\w-])", documented) for n in names):
            missing.append("/".join(names))
    assert not missing, f"README's row for `materiel {name}` does not mention {missing}"
