"""The API reference builds with pdoc without a warning and documents the public names (run in CI
with the rest of the tests, so a docstring that pdoc cannot read or a lost public name fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pdoc")

from materiel._apidoc import PUBLIC_MODULES, write_reference  # noqa: E402

PUBLIC_NAMES = {"materiel.html": ("Ledger", "open", "extract"),
                "materiel/ledger.html": ("Ledger", "events_frame", "assessments_frame", "open_ledger", "export"),
                "materiel/exports/flat.html": ("FLAT_EVENT_COLUMNS", "flat_event"),
                "materiel/model.html": ("Assessment", "Event"),
                "materiel/service.html": ("ingest_paths",)}


def test_api_reference_builds_clean_with_the_public_names(tmp_path: Path) -> None:
    warnings = write_reference(tmp_path)
    assert warnings == []
    for module in PUBLIC_MODULES:
        assert (tmp_path / (module.replace(".", "/") + ".html")).is_file(), module
    for page, names in PUBLIC_NAMES.items():
        html = (tmp_path / page).read_text(encoding="utf-8")
        for name in names:
            assert f'id="{name}"' in html or f'id="Ledger.{name}"' in html, f"{name} missing from {page}"
    assert not (tmp_path / "materiel" / "extract").exists(), "the extraction internals are not public"
