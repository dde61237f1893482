"""The use cases that the CLI (and later the API and web app) share: extract, ingest, assess,
query, evaluate. Each is one function; the shells only parse arguments and render results."""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .assess.scoring import AssessmentScore, load_flows, score_assessments
from .assess.update import AssessSummary, assess
from .evaluate import Score, load_events, score
from .extract.extractor import Extractor
from .ingest.readers import read_inputs
from .model import Article, ArticleResult, Assessment, Rejection
from .store.sqlite import AssessmentFilter, EventFilter, Store, StoredEvent

log = logging.getLogger(__name__)

RejectionHandler = Callable[[Rejection], None]
# Articles handed to a worker process at a time.
WORKER_CHUNK = 8


@dataclass
class RunSummary:
    """What a run did: counted for the closing line and for the exit code."""

    read: int = 0
    rejected: Counter = field(default_factory=Counter)
    events: int = 0
    stored: int = 0
    already_known: int = 0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def exit_code(self) -> int:
        """0: everything processed; 1: some inputs rejected; 2: nothing could be processed."""
        if self.read == 0:
            return 2
        return 1 if self.rejected_total else 0

    def describe(self) -> str:
        parts = [f"{self.read} article(s) read", f"{self.events} event(s) found"]
        if self.stored or self.already_known:
            parts.append(f"{self.stored} stored, {self.already_known} already in the ledger")
        if self.rejected:
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(self.rejected.items()))
            parts.append(f"{self.rejected_total} input(s) skipped ({reasons})")
        return "; ".join(parts)


_worker_extractor: Extractor | None = None


def _init_worker() -> None:
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = Extractor()


def _extract_in_worker(article: Article) -> ArticleResult:
    assert _worker_extractor is not None
    return _worker_extractor.extract(article)


def _articles(paths: Iterable[str], summary: RunSummary, on_rejection: RejectionHandler | None) -> Iterator[Article]:
    for item in read_inputs(paths):
        if isinstance(item, Rejection):
            summary.rejected[item.reason] += 1
            if on_rejection:
                on_rejection(item)
            continue
        summary.read += 1
        yield item


def extract_articles(articles: Iterable[Article], workers: int = 1) -> Iterator[ArticleResult]:
    """Results in input order; with workers > 1, N processes each load the model once."""
    if workers <= 1:
        yield from Extractor().extract_many(articles)
        return
    _init_worker()  # load once in the parent: forked workers share the loaded model
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        yield from pool.imap(_extract_in_worker, articles, chunksize=WORKER_CHUNK)


def extract_paths(paths: Iterable[str], summary: RunSummary, workers: int = 1,
                  on_rejection: RejectionHandler | None = None) -> Iterator[ArticleResult]:
    """Read inputs and extract their events; rejections go to `on_rejection` and the summary."""
    for result in extract_articles(_articles(paths, summary, on_rejection), workers):
        summary.events += len(result.events)
        yield result


def ingest_paths(paths: Iterable[str], db: str | Path, summary: RunSummary, workers: int = 1,
                 on_rejection: RejectionHandler | None = None,
                 on_result: Callable[[ArticleResult], None] | None = None) -> RunSummary:
    """Extract and store; articles already in the ledger (same content) are left as they are."""
    with Store(db) as store:
        return ingest_into(store, paths, summary, workers, on_rejection, on_result)


def ingest_into(store: Store, paths: Iterable[str], summary: RunSummary, workers: int = 1,
                on_rejection: RejectionHandler | None = None,
                on_result: Callable[[ArticleResult], None] | None = None) -> RunSummary:
    def fresh(articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            if store.has_article(article):
                summary.already_known += 1  # same content already ingested: nothing to do
                continue
            yield article

    for result in extract_articles(fresh(_articles(paths, summary, on_rejection)), workers):
        written = store.add(result)
        summary.events += written
        summary.stored += 1
        if on_result:
            on_result(result)
    return summary


def assess_db(db: str | Path, full: bool = False,
              on_family: Callable[[int, int], None] | None = None) -> AssessSummary:
    """Bring a ledger's assessments up to date (only families touched by new events), or rebuild."""
    with Store(db) as store:
        return assess(store, full=full, on_family=on_family)


def ledger_rows(db: str | Path, flt: AssessmentFilter, limit: int | None = None) -> list[dict[str, object]]:
    with Store.for_reading(db) as store:
        return store.assessment_rows(flt, limit)


def load_assessments(db: str | Path, flt: AssessmentFilter, limit: int | None = None) -> list[Assessment]:
    with Store.for_reading(db) as store:
        return store.assessments(flt, limit)


def load_assessment(db: str | Path, assessment_id: str) -> Assessment | None:
    with Store.for_reading(db) as store:
        return store.assessment(assessment_id)


def evaluate_assessments(gold: str | Path, articles: str | Path, db: str | Path,
                         on_rejection: RejectionHandler | None = None) -> AssessmentScore:
    """Ingest the articles into `db`, assess, and score clustering and origins against gold flows."""
    summary = RunSummary()
    with Store(db) as store:
        ingest_into(store, [str(articles)], summary, on_rejection=on_rejection)
        assess(store)
        return score_assessments(load_flows(gold), store.assessments())


def query_events(db: str | Path, flt: EventFilter, limit: int | None = None) -> list[StoredEvent]:
    with Store.for_reading(db) as store:
        return list(store.events(flt, limit))


def evaluate_paths(gold: str | Path, articles: str | Path, workers: int = 1,
                   on_rejection: RejectionHandler | None = None) -> Score:
    """Extract the articles and score the events against the gold file (ONTOLOGY §8)."""
    summary = RunSummary()
    predicted = {r.article.id: [e.to_dict() for e in r.events]
                 for r in extract_paths([str(articles)], summary, workers, on_rejection)}
    return score(load_events(gold), predicted)


def sample_corpus() -> Path:
    """The demo articles shipped with the package."""
    return Path(__file__).parent / "samples" / "demo.jsonl"
