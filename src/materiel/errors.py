"""One error tree for the whole project; every message says what to do about it.

    MaterielError
    ├── KnowledgeError       a shipped data file is inconsistent (duplicate alias, bad category)
    ├── ModelNotFoundError   no English spaCy model is installed
    ├── OutputError          an output file cannot be written, or would overwrite an input or the ledger
    ├── WorkerDiedError      a worker process ended without a result (a crash, a kill, out of memory)
    └── StoreError           the SQLite ledger cannot be opened or written
        └── OutdatedLedgerError  a ledger needing an upgrade was opened read-only

Foreign exceptions are mapped to these at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class MaterielError(Exception):
    """Base class of every error materiel raises on purpose."""


class KnowledgeError(MaterielError):
    pass


class ModelNotFoundError(MaterielError):
    pass


class StoreError(MaterielError):
    pass


class OutdatedLedgerError(StoreError):
    pass


class OutputError(MaterielError):
    pass


class WorkerDiedError(MaterielError):
    """The process extracting an article ended without a result."""
