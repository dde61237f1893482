"""The README's command reference has a row for every `materiel review` sub-command that names each of
its options (test_readme_reference.py checks the top-level commands; a group's sub-commands are here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from materiel.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
EVERYWHERE = {"--help", "-h"}


def rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Commands"):]
    section = section[:section.index("\n## ", 1)]
    found: dict[str, str] = {}
    for line in section.splitlines():
        hit = re.match(r"\| `materiel review ([a-z-]+)", line)
        if hit:
            found[hit.group(1)] = found.get(hit.group(1), "") + line
    return found


def subcommands() -> dict:
    group = typer.main.get_command(app).commands["review"]
    return {name: c for name, c in group.commands.items() if not c.hidden}


def test_every_review_subcommand_has_a_row() -> None:
    assert not sorted(set(subcommands()) - set(rows())), f"README lacks rows for review {set(subcommands()) - set(rows())}"


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_review_option_is_documented(name: str) -> None:
    row = rows().get(name, "")
    missing = []
    for param in subcommands()[name].params:
        if param.param_type_name != "option" or param.hidden:
            continue
        names = [n for n in (*param.opts, *param.secondary_opts) if n not in EVERYWHERE]
        if names and not any(re.search(re.escape(n) + r"(?![\w-])", row) for n in names):
            missing.append("/".join(names))
    assert not missing, f"README's row for `materiel review {name}` does not mention {missing}"
