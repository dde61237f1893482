"""Write the API reference of materiel's public modules as HTML with pdoc (the `docs` extra).

    python -m materiel._apidoc [OUTPUT_DIR]      # default: docs/api

The pages are generated, not kept in git: run this to read them. A test runs it on every CI run and
fails on any pdoc warning, so a broken docstring or a renamed public name is caught there.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

# The modules a user of the package imports: the package (`materiel.open`, `materiel.extract`), the
# ledger, the shared use cases, the typed model and the exports.
PUBLIC_MODULES = ("materiel", "materiel.ledger", "materiel.service", "materiel.model", "materiel.exports",
                  "materiel.exports.flat", "materiel.exports.tables")
# Subpackages pdoc would otherwise document beside them (the extraction internals load spaCy).
INTERNAL = ("!materiel.extract.*",)
DEFAULT_OUTPUT = Path("docs/api")


def write_reference(output: Path) -> list[str]:
    """Render the public modules to `output`; returns pdoc's warnings (empty when the docs are clean)."""
    try:
        import pdoc
    except ImportError as exc:
        raise SystemExit("the API reference needs pdoc: install materiel[docs]") from exc
    pdoc.render.configure(docformat="markdown", show_source=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*PUBLIC_MODULES, *INTERNAL, output_directory=output)
    return [str(w.message) for w in caught]


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    problems = write_reference(output)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"API reference written to {output}/index.html", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
