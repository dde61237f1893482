"""One error tree for the whole project; every message says what to do about it.

    MaterielError
    ├── KnowledgeError       a shipped data file is inconsistent (duplicate alias, bad category)
    ├── ModelNotFoundError   no English spaCy model is installed
    └── StoreError           the SQLite ledger cannot be opened or written

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
