#!/usr/bin/env python3
"""Print one sentence's parse and scan mentions as a hand-built-Doc literal for a rule test.

Not a test: a writing aid. The model parses the sentence once; the printed rows (word, head, dep,
pos, tag, lemma) and spans go into `tests/unit/test_rules_on_parses.py`, where the rule is then checked
on that fixed parse without the model (so a new model version cannot silently change what the
test means). Check the printed parse by eye before using it: a test is only as good as its parse.

    .venv/bin/python bench/parse_literal.py "Iran sent 200 drones to Russia."
"""

from __future__ import annotations

import sys

from materiel.extract.extractor import Extractor
from materiel.model import Article, MentionKind


def literal(text: str) -> str:
    extractor = Extractor()
    scan = extractor.scan(Article(id="literal", text=text))
    parsed = extractor.parse_one(scan)
    if not parsed:
        return f"# no candidate sentence in {text!r} (the scan found no trigger with a party or item)"
    doc = parsed[0].doc
    rows = ",\n     ".join(f"({t.text!r}, {t.head.i}, {t.dep_!r}, {t.pos_!r}, {t.tag_!r}, {t.lemma_!r})" for t in doc)
    spans = {kind.value: [(s.start, s.end, s.label_, s.kb_id_) for s in doc.spans[kind.value]]
             for kind in MentionKind if kind.value in doc.spans and len(doc.spans[kind.value])}
    return f"parse(\n    [{rows}],\n    {spans!r})"


if __name__ == "__main__":
    for sentence in sys.argv[1:]:
        print(literal(sentence))
