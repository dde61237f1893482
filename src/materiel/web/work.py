"""Keeping the event loop free: extraction in a bounded pool of its own with a time limit, and a
cache of what only changes when the ledger does.

Extraction is CPU work in Python: run on the event loop, one long sentence stalls every request.
It runs here in dedicated threads instead (threads rather than processes: a thread keeps the
extractor the app was given, and the interpreter hands the loop its turn every few milliseconds,
which measured a 107 ms worst stall of the loop during an 8 s extraction of a 31 KB sentence).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Hashable, TypeVar

from fastapi import HTTPException

T = TypeVar("T")

EXTRACT_WORKERS = 1  # one model, one extraction at a time
EXTRACT_WAITING = 4  # requests that may wait for a worker; more are told to come back later
EXTRACT_SECONDS = 120.0  # the longest a request waits for its extraction
RETRY_AFTER_S = 10
CACHE_BYTES = 64_000_000  # all cached responses together
CACHE_ENTRY_BYTES = 16_000_000  # a larger response is rebuilt each time rather than kept


class Extractions:
    """At most `workers` extractions run at once, at most `waiting` more wait for a worker; a
    request beyond that is answered 503 at once, and one whose extraction takes longer than
    `seconds` is answered 503 then. Its work is told to stop (`stop` is set): the articles not
    started yet are skipped, the one being read finishes."""

    def __init__(self, workers: int = EXTRACT_WORKERS, waiting: int = EXTRACT_WAITING,
                 seconds: float = EXTRACT_SECONDS):
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="materiel-extract")
        self.slots = threading.BoundedSemaphore(workers + waiting)
        self.seconds = seconds
        self.anonymous: set[str] = set()  # clients without the token with an extraction under way
        self.anonymous_lock = threading.Lock()

    async def run(self, work: Callable[[threading.Event], T], anonymous_client: str | None = None) -> T:
        """`anonymous_client`: the address of a client without the write token (the article page's
        trace): such a client gets one extraction at a time (429 for a second), so no one without
        the token can hold every worker."""
        if anonymous_client is not None:
            with self.anonymous_lock:
                if anonymous_client in self.anonymous:
                    raise HTTPException(429, "one extraction at a time per client without the write token; "
                                             "try again when the first is done",
                                        headers={"Retry-After": str(RETRY_AFTER_S)})
                self.anonymous.add(anonymous_client)
        if not self.slots.acquire(blocking=False):
            self._release_client(anonymous_client)
            raise HTTPException(503, "the server is busy extracting other articles; try again in a few seconds",
                                headers={"Retry-After": str(RETRY_AFTER_S)})
        stop = threading.Event()

        def job() -> T:
            try:
                if stop.is_set():  # its request gave up while it waited
                    raise HTTPException(503, "abandoned")
                return work(stop)
            finally:
                self.slots.release()
                self._release_client(anonymous_client)

        future = asyncio.get_running_loop().run_in_executor(self.pool, job)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.seconds)
        except asyncio.TimeoutError:
            stop.set()
            future.add_done_callback(lambda f: f.exception())  # its outcome is no longer wanted
            raise HTTPException(503, f"extraction took longer than {self.seconds:g} s and was abandoned; send "
                                     "fewer or shorter articles per request, or use `materiel ingest` for large "
                                     "texts (articles already stored stay stored: sending them again is safe)",
                                headers={"Retry-After": str(RETRY_AFTER_S)})

    def _release_client(self, client: str | None) -> None:
        if client is not None:
            with self.anonymous_lock:
                self.anonymous.discard(client)


class ResponseCache:
    """Responses keyed on the ledger's version and the request: an entry is never stale, since a
    write gives the ledger a new version. Bounded in bytes, least recently used out first."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, tuple[bytes, str, dict[str, str]]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bytes, str, dict[str, str]] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, body: bytes, media_type: str, headers: dict[str, str]) -> None:
        if len(body) > CACHE_ENTRY_BYTES:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = (body, media_type, headers)
            self.size += len(body)
            while self.size > self.max_bytes:
                _, (old, _, _) = self.entries.popitem(last=False)
                self.size -= len(old)
