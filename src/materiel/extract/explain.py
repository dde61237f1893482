"""One article extracted with every decision recorded: what `materiel explain` prints.

The path is the extractor's own (scan, parse, assemble), with an `ArticleRecorder` on each parsed
sentence and passed to `assemble`; the events are therefore those `materiel extract` gives.
"""

from __future__ import annotations

from ..model import Article, ArticleTrace
from .assemble import assemble
from .extractor import Extractor
from .trace import ArticleRecorder


def explain_article(extractor: Extractor, article: Article) -> ArticleTrace:
    scan = extractor.scan(article)
    recorder = ArticleRecorder(extractor.kb)
    if not scan.sentences:
        reason = extractor.scanner.article_skip_reason(extractor.scanner.mentions(article.full_text), article.full_text)
        return recorder.build(article, [], [], [], reason)
    parsed = extractor.parse_one(scan) if scan.candidates else []
    recorder.attach(parsed)
    events = assemble(article, scan.sentences, parsed, extractor.kb, recorder) if scan.candidates else []
    parsed_indices = {p.sentence.index for p in parsed}
    skipped = [(s, scan.skipped[s.index]) for s in scan.sentences
               if s.index not in parsed_indices and s.index in scan.skipped]  # the scan's own reasons
    return recorder.build(article, events, scan.sentences, skipped)
