"""The use cases that the CLI (and later the API and web app) share: extract, ingest, assess,
query, evaluate. Each is one function; the shells only parse arguments and render results."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TextIO

from .errors import EXIT_INTERNAL, EXIT_NOTHING, EXIT_OK, EXIT_REJECTED, MaterielError
from .extract import ARTICLE_TIME_BUDGET
from .model import INTERNAL, Article, ArticleResult, ArticleTrace, Assessment, Rejection
from .query import parse_assessment_id
from .store.sqlite import AssessmentFilter, EventFilter, Store, StoredEvent

if TYPE_CHECKING:
    from .assess.scoring import AssessmentScore
    from .assess.update import AssessSummary
    from .evaluate import Score
    from .extract.extractor import Extractor
    from .ingest.fetch import Fetcher

log = logging.getLogger(__name__)

RejectionHandler = Callable[[Rejection], None]


@dataclass
class RunSummary:
    """What a run did: counted for the closing line and for the exit code."""

    read: int = 0
    rejected: Counter = field(default_factory=Counter)
    events: int = 0
    stored: int = 0  # publications stored: new texts and new copies of stored texts
    copies: int = 0  # of which another outlet's (or URL's, or date's) copy of a text already stored
    already_known: int = 0  # the same publication was stored before
    left_out: Counter = field(default_factory=Counter)  # directory entries left out on purpose (hidden ...)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.rejected, self.read)

    def describe(self) -> str:
        parts = [f"{self.read} article(s) read", f"{self.events} event(s) found"]
        if self.stored or self.already_known:
            copies = f" ({self.stored - self.copies} new text(s), {self.copies} more publication(s) of a text " \
                     "already stored)" if self.copies else ""
            parts.append(f"{self.stored} stored{copies}, {self.already_known} already in the ledger")
        if self.rejected:
            parts.append(f"{self.rejected_total} input(s) skipped ({by_reason(self.rejected)})")
        if self.left_out:
            parts.append(f"{sum(self.left_out.values())} directory entr(ies) left out ({by_reason(self.left_out)})")
        return "; ".join(parts)


def exit_code_for(rejected: Counter, processed: int) -> int:
    """The exit code of every command that reads a batch: 0 everything processed; 1 some inputs
    rejected; 2 nothing could be processed; 3 an internal error (a bug) cost an item, whatever else
    happened."""
    if rejected.get(INTERNAL):
        return EXIT_INTERNAL
    if processed == 0:
        return EXIT_NOTHING
    return EXIT_REJECTED if sum(rejected.values()) else EXIT_OK


def by_reason(counts: Counter) -> str:
    """'2 bad_json, 1 internal': counts by reason, in the reasons' order, for a summary line."""
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))


def _reject(rejection: Rejection, summary: RunSummary, on_rejection: RejectionHandler | None) -> None:
    (summary.left_out if rejection.left_out else summary.rejected)[rejection.reason] += 1
    if on_rejection:
        on_rejection(rejection)


def _articles(paths: Iterable[str], summary: RunSummary, on_rejection: RejectionHandler | None) -> Iterator[Article]:
    from .ingest.readers import read_inputs

    return _counted(read_inputs(paths), summary, on_rejection)


def _counted(items: Iterable[Article | Rejection], summary: RunSummary,
             on_rejection: RejectionHandler | None) -> Iterator[Article]:
    for item in items:
        if isinstance(item, Rejection):
            _reject(item, summary, on_rejection)
            continue
        summary.read += 1
        yield item


def new_extractor(time_budget: float | None = ARTICLE_TIME_BUDGET) -> Extractor:
    """A new extractor (its knowledge base and scanner; the spaCy model is loaded once per process).
    The extraction modules, and spaCy with them, are imported here, on first use, not with this
    module: the commands that only read a ledger start without them."""
    from .extract.extractor import Extractor

    return Extractor(time_budget=time_budget)


def extractor_for(given: Extractor | None, time_budget: float | None = None) -> Extractor:
    """The extractor a command runs: the one it was given (an embedding program's), else a new one;
    with `time_budget` seconds per article when one is asked for (None: the given extractor's own
    budget, or ARTICLE_TIME_BUDGET for a new one). The given extractor is never changed: a budget
    it does not have gets a copy sharing its model."""
    if given is None:
        return new_extractor(ARTICLE_TIME_BUDGET if time_budget is None else time_budget)
    if time_budget is None or time_budget == given.time_budget:
        return given
    budgeted = copy.copy(given)
    budgeted.time_budget = time_budget
    return budgeted


def extract_articles(articles: Iterable[Article], workers: int = 1,
                     extractor: Extractor | None = None) -> Iterator[ArticleResult | Rejection]:
    """Results in input order; an article whose extraction fails (a bug) comes out as its `Rejection`
    (reason `internal`) and the rest go on. With workers > 1, N processes share the model loaded once
    here before they fork, and a worker that dies is replaced."""
    extractor = extractor or new_extractor()
    if workers <= 1:
        yield from extractor.extract_each(articles)
    else:
        from .extract.workers import extract_in_workers

        yield from extract_in_workers(extractor, articles, workers)


def _accepted(outcomes: Iterable[ArticleResult | Rejection], summary: RunSummary,
              on_rejection: RejectionHandler | None) -> Iterator[ArticleResult]:
    for outcome in outcomes:
        if isinstance(outcome, Rejection):
            _reject(outcome, summary, on_rejection)
        else:
            yield outcome


def extract_paths(paths: Iterable[str], summary: RunSummary, workers: int = 1,
                  on_rejection: RejectionHandler | None = None,
                  extractor: Extractor | None = None) -> Iterator[ArticleResult]:
    """Read inputs and extract their events; rejections go to `on_rejection` and the summary."""
    articles = _articles(paths, summary, on_rejection)
    for result in _accepted(extract_articles(articles, workers, extractor), summary, on_rejection):
        summary.events += len(result.events)
        yield result


def explain_articles(articles: Iterable[Article], summary: RunSummary,
                     on_rejection: RejectionHandler | None = None, article_id: str | None = None,
                     extractor: Extractor | None = None) -> Iterator[ArticleTrace]:
    """How each article was read (`materiel explain`, the web article view): its events, which are
    those `extract` gives, and every decision on the way. `article_id` keeps that one article only;
    an article whose extraction fails (a bug) is rejected and the rest go on."""
    from .extract.explain import explain_article

    extractor = extractor or new_extractor()
    for article in articles:
        if article_id is not None and article.id != article_id:
            continue
        try:
            trace = explain_article(extractor, article)
        except Exception as exc:
            _reject(Rejection.of_article(article, "explaining", exc), summary, on_rejection)
            continue
        summary.events += len(trace.events)
        yield trace


def explain_paths(paths: Iterable[str], summary: RunSummary, on_rejection: RejectionHandler | None = None,
                  article_id: str | None = None, extractor: Extractor | None = None) -> Iterator[ArticleTrace]:
    """Read inputs like `extract_paths` and explain each article."""
    yield from explain_articles(_articles(paths, summary, on_rejection), summary, on_rejection, article_id, extractor)


def store_each(store: Store, results: Iterable[ArticleResult], summary: RunSummary,
               on_rejection: RejectionHandler | None = None) -> Iterator[ArticleResult]:
    """Store each result in a transaction of its own (all of its rows or none). An article already in
    the ledger is left as it is; one that fails to store by a bug is rejected and the rest go on,
    while an error of the ledger itself (a `StoreError`: full disk, read-only file) ends the run.
    Another publication of a stored text (a syndicated copy) is recorded beside it."""
    for result in results:
        if store.has_article(result.article):
            _publication(store, result.article, summary)  # same content already ingested: at most a copy
            yield result
            continue
        try:
            written = store.add(result)
        except MaterielError:
            raise
        except Exception as exc:
            _reject(Rejection.of_article(result.article, "storing", exc), summary, on_rejection)
            continue
        summary.events += written
        summary.stored += 1
        yield result


def _publication(store: Store, article: Article, summary: RunSummary) -> None:
    """A stored text seen again: its publication is recorded if new (another outlet's copy), else known."""
    if store.add_publication(article):
        summary.stored += 1
        summary.copies += 1
    else:
        summary.already_known += 1


def ingest_paths(paths: Iterable[str], db: str | Path, summary: RunSummary, workers: int = 1,
                 on_rejection: RejectionHandler | None = None,
                 on_result: Callable[[ArticleResult], None] | None = None,
                 extractor: Extractor | None = None) -> RunSummary:
    """Extract and store; articles already in the ledger (same content) are left as they are."""
    with Store(db) as store:
        return ingest_into(store, paths, summary, workers, on_rejection, on_result, extractor)


def ingest_into(store: Store, paths: Iterable[str], summary: RunSummary, workers: int = 1,
                on_rejection: RejectionHandler | None = None,
                on_result: Callable[[ArticleResult], None] | None = None,
                extractor: Extractor | None = None) -> RunSummary:
    """Read inputs and `ingest_each` of what they hold."""
    from .ingest.readers import read_inputs

    return ingest_each(store, read_inputs(paths), summary, workers, on_rejection, on_result, extractor)


def ingest_each(store: Store, items: Iterable[Article | Rejection], summary: RunSummary, workers: int = 1,
                on_rejection: RejectionHandler | None = None,
                on_result: Callable[[ArticleResult], None] | None = None,
                extractor: Extractor | None = None) -> RunSummary:
    """The one way articles enter a ledger, for `materiel ingest`, `fetch` and `watch`, the API and the
    web form alike: rejections among the items (what could not be read) are counted and reported; an
    article whose text is stored already is not extracted again (a new outlet's copy is recorded as
    another publication), the others are extracted and each stored in a transaction of its own; a
    failing article is rejected and the rest go on. `on_result` sees each stored result."""
    def fresh(articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            if store.has_article(article):
                _publication(store, article, summary)  # known before extraction: not even extracted
                continue
            yield article

    extracted = _accepted(extract_articles(fresh(_counted(items, summary, on_rejection)), workers, extractor),
                          summary, on_rejection)
    for result in store_each(store, extracted, summary, on_rejection):
        if on_result:
            on_result(result)
    return summary


def ingest_extracted(directory: str | Path, db: str | Path, summary: RunSummary,
                     on_rejection: RejectionHandler | None = None,
                     on_result: Callable[[ArticleResult], None] | None = None) -> RunSummary:
    """`ingest --events`: store the articles and events that `spark-extract` wrote to `directory`
    without extracting again (each article's events read back from its interchange line, so the
    ledger is the one `ingest` of the same articles makes); an article already in the ledger (same
    content) is left as it is, so a second run adds nothing."""
    from .ingest.archives import read_results

    if not (Path(directory) / "articles").is_dir():
        raise MaterielError(f"{directory} holds no articles/ directory: give the --output directory of "
                            "`materiel spark-extract`")

    def counted(results: Iterable[ArticleResult]) -> Iterator[ArticleResult]:
        for result in results:
            summary.read += 1
            yield result

    with Store(db) as store:
        try:
            for result in store_each(store, counted(read_results(directory)), summary, on_rejection):
                if on_result:
                    on_result(result)
        except (OSError, ValueError) as exc:  # pyarrow's errors of a damaged or foreign Parquet file
            raise MaterielError(f"cannot read the events in {directory}: {exc}") from exc
    return summary


def fetch_urls(urls: Iterable[str], db: str | Path, summary: RunSummary, fetcher: Fetcher,
               on_rejection: RejectionHandler | None = None,
               on_result: Callable[[ArticleResult], None] | None = None,
               extractor: Extractor | None = None) -> RunSummary:
    """Download article pages and ingest them as `ingest_paths` does files; a URL that fails (download,
    limits, no article on the page) is a rejection naming it, and the rest go on."""
    from .ingest.news import fetch_article

    with Store(db) as store:
        return ingest_each(store, (fetch_article(fetcher, url) for url in urls), summary, 1, on_rejection,
                            on_result, extractor)


@dataclass
class PollSummary:
    """One poll of the watched feeds: the feeds read, unchanged (HTTP 304) and failed, and the new
    entries fetched; the articles they gave are counted in `run` as any ingest's."""

    feeds: int = 0
    unchanged: int = 0
    failed: int = 0
    entries: int = 0
    run: RunSummary = field(default_factory=RunSummary)

    def describe(self) -> str:
        feeds = f"{self.feeds} feed(s) polled ({self.unchanged} unchanged, {self.failed} failed), " \
                f"{self.entries} new entr(ies)"
        return f"{feeds}; {self.run.describe()}"


def poll_feeds(feeds: Iterable[str], db: str | Path, fetcher: Fetcher, summary: PollSummary | None = None,
               on_rejection: RejectionHandler | None = None,
               on_result: Callable[[ArticleResult], None] | None = None,
               on_feed: Callable[[str], None] | None = None,
               extractor: Callable[[], Extractor] = new_extractor) -> tuple[PollSummary, AssessSummary]:
    """Poll each feed once (a conditional request with what the ledger remembers of it), fetch and
    ingest the entries never fetched before, then assess. An entry is marked seen once its article is
    stored (or once its page proved to be no article); one whose download failed for a reason that may
    pass (timeout, 5xx) is left unseen and its feed is read whole next time, so it is tried again.
    Interrupted anywhere, the ledger holds whole articles only and the next poll takes up the rest.
    `extractor` is called for the extractor only when a poll brings an article (a poll with nothing new
    loads no model)."""
    from .assess.update import assess
    from .ingest.fetch import TRANSIENT, FetchError
    from .ingest.news import fetch_article, read_feed
    from .store import feeds as state

    summary = summary if summary is not None else PollSummary()
    with Store(db) as store:
        for feed in feeds:
            if on_feed:
                on_feed(feed)
            summary.feeds += 1
            etag, last_modified = state.validators(store, feed)
            try:
                read = read_feed(fetcher, feed, etag, last_modified)
            except FetchError as exc:
                summary.failed += 1
                _reject(Rejection(feed, exc.reason, f"feed not read: {exc.message}"), summary.run, on_rejection)
                state.record_poll(store, feed, exc.reason, etag, last_modified)
                continue
            if read.unchanged:
                summary.unchanged += 1
                state.record_poll(store, feed, "unchanged", read.etag, read.last_modified)
                continue
            links = state.unseen(store, read.links)
            summary.entries += len(links)
            fetched = [(link, fetch_article(fetcher, link)) for link in links]
            if fetched:
                needed = extractor() if any(isinstance(item, Article) for _, item in fetched) else None
                ingest_each(store, (item for _, item in fetched), summary.run, 1, on_rejection, on_result, needed)
            missed = [link for link, item in fetched if isinstance(item, Rejection) and item.reason in TRANSIENT]
            state.mark_seen(store, feed, [(link, item.content_id if isinstance(item, Article) else None)
                                          for link, item in fetched if link not in missed])
            state.record_poll(store, feed, "partial" if missed else "ok", read.etag, read.last_modified,
                              keep_validators=not missed)
        assessed = assess(store)
    return summary, assessed


def ingest_articles(articles: Iterable[Article], summary: RunSummary, on_rejection: RejectionHandler | None = None,
                    store: Store | None = None, extractor: Extractor | None = None) -> list[ArticleResult]:
    """Extract articles already read (posted to the API) and, given a store, store them as
    `ingest_each` does; without one, only extract (a preview). The results stored or extracted."""
    if store is None:
        return list(_accepted(extract_articles(articles, 1, extractor), summary, on_rejection))
    results: list[ArticleResult] = []
    ingest_each(store, articles, summary, 1, on_rejection, results.append, extractor)
    return results


def assess_db(db: str | Path, full: bool = False,
              on_family: Callable[[int, int], None] | None = None) -> AssessSummary:
    """Bring a ledger's assessments up to date (only families touched by new events), or rebuild."""
    from .assess.update import assess

    with Store(db) as store:
        return assess(store, full=full, on_family=on_family)


def ledger_rows(db: str | Path, flt: AssessmentFilter, limit: int | None = None) -> list[dict[str, object]]:
    """Ledger lines, each with `reviewed_events`: how many of its events a person has decided on."""
    from .store.reviews import assessment_review_counts

    with Store.for_reading(db) as store:
        rows = store.assessment_rows(flt, limit)
        reviewed = assessment_review_counts(store, [str(r["id"]) for r in rows])
    for r in rows:
        r["reviewed_events"] = reviewed.get(str(r["id"]), (0, 0))[0]
    return rows


def load_assessments(db: str | Path, flt: AssessmentFilter, limit: int | None = None) -> list[Assessment]:
    with Store.for_reading(db) as store:
        return store.assessments(flt, limit)


def load_assessment(db: str | Path, assessment_id: str) -> Assessment | None:
    """The assessment with this id or unique prefix; `QueryError` for a prefix too short to name one."""
    wanted = parse_assessment_id(assessment_id)
    with Store.for_reading(db) as store:
        return store.assessment(wanted)


def evaluate_assessments(gold: str | Path, articles: str | Path, db: str | Path,
                         on_rejection: RejectionHandler | None = None) -> AssessmentScore:
    """Ingest the articles into `db`, assess, and score clustering and origins against gold flows."""
    from .assess.scoring import load_flows, score_assessments
    from .assess.update import assess

    summary = RunSummary()
    with Store(db) as store:
        ingest_into(store, [str(articles)], summary, on_rejection=on_rejection)
        for failure in assess(store).failures:
            _reject(failure, summary, on_rejection)
        return score_assessments(load_flows(gold), store.assessments())


def query_events(db: str | Path, flt: EventFilter, limit: int | None = None) -> list[StoredEvent]:
    with Store.for_reading(db) as store:
        return list(store.events(flt, limit))


def evaluate_paths(gold: str | Path, articles: str | Path, workers: int = 1,
                   on_rejection: RejectionHandler | None = None, extractor: Extractor | None = None,
                   summary: RunSummary | None = None) -> Score:
    """Extract the articles and score the events against the gold file (docs/format.md); articles
    rejected on the way are counted in `summary` (a score over fewer articles is not the full score)."""
    from .evaluate import load_events, score

    summary = summary if summary is not None else RunSummary()
    predicted = {r.article.id: [e.to_dict() for e in r.events]
                 for r in extract_paths([str(articles)], summary, workers, on_rejection, extractor)}
    return score(load_events(gold), predicted)


def sample_corpus() -> Path:
    """The demo articles shipped with the package."""
    return Path(__file__).parent / "samples" / "demo.jsonl"


# --- reviews: the queue, decisions, gold, extracting stored articles again ---------------------------

def review_queue(db: str | Path, flt: EventFilter, limit: int | None = 50) -> tuple[int, list]:
    """Events nobody has decided on, those the ledger rests on most first (`review.queue`)."""
    from . import review

    with Store.for_reading(db) as store:
        return review.queue(store, flt, limit)


def review_summary(db: str | Path) -> dict[str, int]:
    """How many of the ledger's events are reviewed, by state, and how many wait or are suspended."""
    from .store.reviews import review_counts

    with Store.for_reading(db) as store:
        return review_counts(store)


def review_history(db: str | Path, event_id: str) -> tuple[str, list]:
    """(the stored event id, every decision on it, oldest first) for an id or a unique start of one."""
    from . import review

    with Store.for_reading(db) as store:
        full = review.resolve_event_id(store, event_id)
        return full, review.history(store, full)


def suspended_reviews(db: str | Path) -> list:
    from . import review

    with Store.for_reading(db) as store:
        return review.suspended_reviews(store)


def review_events(db: str | Path, event_ids: Iterable[str], action: str, reviewer: str,
                  changes: dict | None = None, reason: str | None = None, note: str | None = None,
                  on_review: Callable[[Any], None] | None = None) -> list:
    """The same decision on each event named (ids or unique starts of them), each in a transaction of its
    own, in order, `on_review` told of each as it is taken; the first that cannot be taken raises, the
    ones before it stay taken."""
    from . import review

    made = []
    with Store(db) as store:
        for event_id in event_ids:
            made.append(review.decide(store, event_id, action, reviewer, changes=changes, reason=reason, note=note))
            if on_review:
                on_review(made[-1])
    return made


def add_reviewed_event(db: str | Path, article_hash: str, reviewer: str, parts: dict,
                       start: int | None = None, end: int | None = None, evidence: str | None = None,
                       note: str | None = None):
    """Add an event the extractor missed to a stored article, its evidence given by offsets into the
    article's full text or as the text itself (which must occur exactly once there)."""
    from . import review

    with Store(db) as store:
        if evidence is not None:
            article = store.article(article_hash)
            if article is None:
                raise review.UnknownReviewTarget(f"no article {article_hash!r} in the ledger")
            start, end = review.evidence_offsets(article, evidence)
        if start is None or end is None:
            raise review.ReviewError("an added event needs its evidence: --start and --end, or --evidence TEXT")
        return review.add_event(store, article_hash, reviewer, start, end, parts, note)


def undo_review(db: str | Path, review_id: int, reviewer: str):
    from . import review

    with Store(db) as store:
        return review.undo(store, review_id, reviewer)


def export_gold(db: str | Path, out: TextIO, articles_out: TextIO | None = None, partial: bool = False):
    """The reviewed articles as gold in the interchange format (`review.export_gold`)."""
    from . import review

    with Store.for_reading(db) as store:
        return review.export_gold(store, out, articles_out, partial)


def ledger_articles(db: str | Path, article_ids: Iterable[str]) -> list[Article]:
    """The stored articles with these ids (the ids their inputs gave them, as in a gold file), in the
    order given; `MaterielError` naming every id the ledger does not hold."""
    from . import review

    wanted = list(dict.fromkeys(article_ids))
    with Store.for_reading(db) as store:
        found = store.content_ids(wanted)
        missing = [k for k in wanted if k not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise MaterielError(f"{len(missing)} article(s) of the gold are not in the ledger {db}: {shown}; "
                                "give their texts as ARTICLES, or ingest them first")
        articles = list(review.stored_articles(store, [found[k] for k in wanted]))
    # each scored under the id the gold uses (a copy of a stored text may have been stored under another)
    return [a if a.id == k else dataclasses.replace(a, id=k) for k, a in zip(wanted, articles)]


def evaluate_ledger(gold: str | Path, db: str | Path, workers: int = 1,
                    on_rejection: RejectionHandler | None = None, extractor: Extractor | None = None,
                    summary: RunSummary | None = None) -> Score:
    """Score the current extractor on the gold's articles as the ledger stores them (`eval GOLD --db`):
    the team's own reviewed news, exported by `review export`, measured without a separate article file."""
    from .evaluate import load_events, score

    summary = summary if summary is not None else RunSummary()
    expected = load_events(gold)
    articles = ledger_articles(db, expected)
    summary.read += len(articles)
    outcomes = _accepted(extract_articles(articles, workers, extractor), summary, on_rejection)
    predicted = {}
    for result in outcomes:
        summary.events += len(result.events)
        predicted[result.article.id] = [e.to_dict() for e in result.events]
    return score(expected, predicted)


def reextract_db(db: str | Path, summary: RunSummary, article_hashes: Iterable[str] | None = None,
                 workers: int = 1, on_rejection: RejectionHandler | None = None,
                 on_result: Callable[[ArticleResult], None] | None = None,
                 extractor: Extractor | None = None):
    """Extract stored articles (all, or those named by content hash) again with the current extractor and
    put each new extraction in place, reviews carried over (`review.replace_extraction`), one transaction
    per article; an article whose extraction fails is rejected (counted in `summary`) and the rest go on.
    Returns the `ReextractCounts`."""
    from . import review

    counts = review.ReextractCounts()
    with Store(db) as store:
        hashes = list(article_hashes) if article_hashes is not None else None

        def articles() -> Iterator[Article]:  # read one at a time: a large ledger is never all in memory
            for article in review.stored_articles(store, hashes):
                summary.read += 1
                yield article

        for result in _accepted(extract_articles(articles(), workers, extractor), summary, on_rejection):
            try:
                review.replace_extraction(store, result, counts)
            except MaterielError:
                raise
            except Exception as exc:
                _reject(Rejection.of_article(result.article, "re-extracting", exc), summary, on_rejection)
                continue
            summary.events += len(result.events)
            summary.stored += 1
            if on_result:
                on_result(result)
    return counts
