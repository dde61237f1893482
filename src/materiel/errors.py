"""One error tree for the whole project; every message says what to do about it.

    MaterielError
    ├── KnowledgeError       a shipped data file is inconsistent (duplicate alias, bad category)
    ├── ModelNotFoundError   no English spaCy model is installed
    ├── OutputError          an output file cannot be written, or would overwrite an input or the ledger
    ├── WorkerDiedError      a worker process ended without a result (a crash, a kill, out of memory)
    ├── ArticleTimeout       one article spent its time budget (it is given up, the batch goes on)
    └── StoreError           the SQLite ledger cannot be opened or written
        ├── OutdatedLedgerError  a ledger needing an upgrade was opened read-only
        └── LedgerNotFoundError  no ledger file where one is to be read (also a FileNotFoundError)

Foreign exceptions are mapped to these at the boundary with ``raise ... from exc``.

The command's exit codes (README, "Bad input"):
"""

from __future__ import annotations

EXIT_OK = 0  # everything was processed
EXIT_REJECTED = 1  # some inputs were rejected (bad input); the rest was processed
EXIT_NOTHING = 2  # nothing could be processed, or a usage error, or an unusable ledger or output
EXIT_INTERNAL = 3  # an internal error (a bug in materiel), with or without bad input besides


class MaterielError(Exception):
    """Base class of every error materiel raises on purpose."""


class KnowledgeError(MaterielError):
    pass


class ArticleTimeout(MaterielError):
    """An article spent the extractor's time budget for one article."""

    def __init__(self, budget: float | None = None):
        super().__init__("time budget spent" + (f" ({budget:g} s)" if budget is not None else ""))
        self.budget = budget


class ModelNotFoundError(MaterielError):
    pass


class StoreError(MaterielError):
    pass


class OutdatedLedgerError(StoreError):
    pass


class LedgerNotFoundError(StoreError, FileNotFoundError):
    """No ledger at the path given where an existing one is to be read: a mistyped path must not
    silently become a new, empty ledger."""

    def __init__(self, path: str, hint: str):
        super().__init__(f"no ledger at {path}; {hint}")
        self.filename = path

    def __str__(self) -> str:
        return str(self.args[0])


class OutputError(MaterielError):
    pass


class WorkerDiedError(MaterielError):
    """The process extracting an article ended without a result."""
