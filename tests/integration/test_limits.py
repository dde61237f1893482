"""Limits that keep one article from stalling a run: sentences read in bounded windows, and a time
budget per article after which the article is given up (reason `timeout`) and the batch goes on.
Real model, real console script."""

from __future__ import annotations

import json
import time

from materiel.extract.extractor import Extractor
from materiel.model import Article, ArticleResult, Rejection
from materiel.nlp.scan import MAX_SENTENCE_CHARS
from support import IRAN_ARTICLE, write_jsonl

# Hundreds of short relevant sentences: parsing them all takes seconds, far past a budget of 0.3 s.
FLOOD = " ".join(f"Country number {n} said Iran sent drones to Russia and Poland bought tanks from Korea."
                 for n in range(900))


def test_an_article_past_its_budget_is_given_up_and_the_batch_goes_on() -> None:
    extractor = Extractor(time_budget=0.3)
    articles = [Article(id="before", text=IRAN_ARTICLE["text"]), Article(id="flood", text=FLOOD),
                Article(id="after", text=IRAN_ARTICLE["text"])]
    started = time.monotonic()
    outcomes = list(extractor.extract_each(articles))
    assert time.monotonic() - started < 30  # all 900 sentences would take far longer on this machine
    assert [type(o) for o in outcomes] == [ArticleResult, Rejection, ArticleResult]
    assert outcomes[1].reason == "timeout" and "'flood'" in outcomes[1].message
    flows = [[(e.type, e.provider, e.recipient, e.status) for e in o.events] for o in (outcomes[0], outcomes[2])]
    assert flows[0] and flows[0] == flows[1]


def test_without_a_budget_the_same_article_is_read_to_the_end() -> None:
    result = next(Extractor(time_budget=None).extract_each([Article(id="flood", text=FLOOD[:20_000])]))
    assert isinstance(result, ArticleResult) and result.events


def test_the_command_reports_a_timeout_and_exits_1(invoke, tmp_path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [IRAN_ARTICLE, {"id": "flood", "text": FLOOD}])
    proc = invoke("extract", path, "--time-budget", "0.3")
    assert proc.returncode == 1, proc.stderr
    assert "timeout" in proc.stderr and "flood" in proc.stderr
    assert [json.loads(line)["article_id"] for line in proc.stdout.splitlines()] == [IRAN_ARTICLE["id"]]


def test_a_run_on_sentence_is_read_in_windows_at_clause_breaks() -> None:
    clause = "Iran sent 200 drones to Russia in 2023 according to officials, "
    text = clause * 700  # 46,000 characters with no full stop
    scan = Extractor().scan(Article(id="run-on", text=text))
    assert len(scan.sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in scan.sentences)
    assert all(s.text.endswith(",") for s in scan.sentences[:-1])  # cut after a comma, not inside a clause
    assert "".join(s.text.replace(" ", "") for s in scan.sentences) == text.replace(" ", "")
