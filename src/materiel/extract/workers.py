"""Extraction over worker processes that outlive a bad article.

The extractor (model loaded once) is set here in the parent and inherited by every forked worker.
An exception in a worker comes back as that article's `Rejection` (see `Extractor.extract_each`).
A worker that dies (a crash, `os._exit`, the out-of-memory killer) breaks its pool; the pool is
replaced, the chunks that had finished keep their results, and every article of the chunks that
had not is run again alone, one at a time, so that an article which kills its worker again is
known for certain and rejected while the others come out. Results keep the input order.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Iterable, Iterator, Union

from ..errors import WorkerDiedError
from ..model import Article, ArticleResult, Rejection
from .extractor import Extractor

log = logging.getLogger(__name__)

# Articles handed to a worker process at a time.
WORKER_CHUNK = 8
# Chunks submitted per worker ahead of the one being read: keeps every worker busy while the
# results are read back in input order.
CHUNKS_AHEAD = 2

Outcome = Union[ArticleResult, Rejection]
Pending = deque[tuple[list[Article], Union["Future[list[Outcome]]", list[Outcome]]]]

_extractor: Extractor | None = None  # the workers' extractor, forked from the parent's


def _extract_chunk(articles: list[Article]) -> list[Outcome]:
    assert _extractor is not None, "workers are forked after the extractor is set"
    return list(_extractor.extract_each(articles))


def extract_in_workers(extractor: Extractor, articles: Iterable[Article], workers: int) -> Iterator[Outcome]:
    """Results (or rejections) of `articles` in input order, extracted by `workers` processes."""
    global _extractor
    _extractor = extractor
    pool = _Pool(workers)
    pending: Pending = deque()
    try:
        stream = iter(articles)
        while chunk := list(islice(stream, WORKER_CHUNK)):
            pending.append((chunk, pool.submit(chunk)))
            if len(pending) >= workers * CHUNKS_AHEAD:
                yield from pool.next_results(pending)
        while pending:
            yield from pool.next_results(pending)
    finally:
        pool.close()


class _Pool:
    """A process pool that is replaced when one of its workers dies."""

    def __init__(self, workers: int):
        self.workers = workers
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"))

    def _restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, chunk: list[Article]) -> "Future[list[Outcome]]":
        return self.executor.submit(_extract_chunk, chunk)

    def next_results(self, pending: Pending) -> list[Outcome]:
        """The results of the oldest pending chunk; if its pool broke, every pending chunk is settled."""
        chunk, work = pending[0]
        if isinstance(work, list):
            pending.popleft()
            return work
        try:
            results = work.result()
        except Exception:  # the pool broke (or a result could not be sent back): settle them all
            self._settle(pending)
            return self.next_results(pending)
        pending.popleft()
        return results

    def _settle(self, pending: Pending) -> None:
        """After a failure: keep what finished, run each article of the rest alone in a fresh pool."""
        finished: list[list[Outcome] | None] = []
        for _, work in pending:
            try:
                finished.append(work if isinstance(work, list) else work.result())
            except Exception:
                finished.append(None)
        unfinished = [a.id for (chunk, _), done in zip(pending, finished) if done is None for a in chunk]
        log.warning("a worker process failed with %d article(s) unfinished (%s); running each alone",
                    len(unfinished), ", ".join(unfinished))
        self._restart()  # nothing else runs in the new pool until every unfinished article is settled
        for n, ((chunk, _), done) in enumerate(zip(list(pending), finished)):
            pending[n] = (chunk, done if done is not None else [self._alone(a) for a in chunk])

    def _alone(self, article: Article) -> Outcome:
        """One article in a pool of its own: if the worker dies now, this article is the cause."""
        try:
            return self.submit([article]).result()[0]
        except BrokenProcessPool:
            self._restart()
            return Rejection.of_article(article, "extracting", WorkerDiedError(
                "the worker process died while extracting it alone (a crash, a kill or out of memory); "
                "a worker took its place"))
        except Exception as exc:
            return Rejection.of_article(article, "extracting", exc)
