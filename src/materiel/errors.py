"""One error tree for the whole project; every message says what to do about it.

    MaterielError
    ├── ConfigError          a setting or flag has a value we cannot use
    ├── KnowledgeError       a shipped data file is inconsistent (duplicate alias, bad category)
    ├── ModelNotFoundError   no English spaCy model is installed
    ├── InputError           an input file or line cannot be read as an article
    └── StoreError           the SQLite ledger cannot be opened or written

Foreign exceptions are mapped to these at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class MaterielError(Exception):
    """Base class of every error materiel raises on purpose."""


class ConfigError(MaterielError):
    pass


class KnowledgeError(MaterielError):
    pass


class ModelNotFoundError(MaterielError):
    pass


class InputError(MaterielError):
    def __init__(self, message: str, reason: str = "unreadable", line: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.line = line


class StoreError(MaterielError):
    pass
