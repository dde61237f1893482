"""Persistence: the SQLite ledger (the only module that knows SQL)."""

from .sqlite import EventFilter, Store, StoredEvent

__all__ = ["EventFilter", "Store", "StoredEvent"]
