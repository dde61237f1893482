"""The README's command reference names every command (a group's sub-commands each on a row of their
own: `materiel review list`) and every option the CLI has, so a user can
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


def commands() -> dict:
    """Every command by the words that call it: 'ingest', and for a group its sub-commands, 'review list'."""
    found = {}
    for name, command in typer.main.get_command(app).commands.items():  # click-style groups (typer's classes)
        if command.hidden:
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found[name] = command
        else:
            found.update({f"{name} {sub}": c for sub, c in subcommands.items() if not c.hidden})
    return found


def reference() -> tuple[dict[str, str], str]:
    """Each command's row of the table under '## Commands' (keyed as `commands` keys them), and the
    paragraph that lists FILTERS."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Commands"):]
    section = section[:section.index("\n## ", 1)]
    known = set(commands())
    rows = {}
    for line in section.splitlines():
        found = re.match(r"\| `materiel ([a-z-]+)(?: ([a-z-]+))?", line)
        if found:
            name = " ".join(found.groups()) if f"{found.group(1)} {found.group(2)}" in known else found.group(1)
            rows[name] = rows.get(name, "") + line
    filters = next((p for p in section.split("\n\n") if p.startswith("`FILTERS`")), "")
    return rows, filters


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
