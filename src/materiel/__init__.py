"""materiel: a sourced, confidence-graded ledger of arms transfers and military cooperation
between states, extracted from news reports, every entry traced to the sentence that says it.

Notebook use::

    import materiel
    events = materiel.extract("Iran agreed to send 6,000 drones to Russia.", published="2022-11-01")
    with materiel.open("ledger.db", create=True) as ledger:
        ledger.ingest(["reports.jsonl"])
        for assessment in ledger.assessments(between=("IRN", "RUS")):
            print(assessment.grade.code, assessment.item_label, assessment.independent_origins)
"""

from __future__ import annotations

import logging

from .ledger import Ledger, open_ledger as open  # noqa: A001  (materiel.open(path), like sqlite3.connect)
from .model import Article, Assessment, Event

# Load the `extract` subpackage (its own module is light: no spaCy) before defining the `extract`
# function below: importing a subpackage sets the parent's attribute of the same name, so it must
# happen first, once. Its submodules, which load spaCy, are imported when `extract` is first called.
from . import extract as _extract_package  # noqa: E402,F401  (order matters, see above)

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Article", "Assessment", "Event", "Ledger", "extract", "open"]
__version__ = "0.1.0"


def extract(text: str, title: str = "", published: str | None = None, article_id: str = "text") -> list[Event]:
    """Events reported in one text, as the same typed `Event` objects the CLI and store use."""
    from .extract.extractor import shared_extractor

    article = Article(id=article_id, text=text, title=title, published=published)
    return list(shared_extractor().extract(article).events)
