"""The trace of `materiel explain` on hand-built parses: drop reasons and role origins, no model.

Each Doc is written out as the parser would give it (words, heads, dependencies, parts of speech,
lemmas) with the scan's mentions set on `doc.spans` by hand, so a rule's trace is checked without
the statistical model deciding the parse.
"""

from __future__ import annotations

import pytest

from materiel.extract.assemble import ParsedSentence, assemble
from materiel.extract.frames import read_frames
from materiel.extract.trace import NO_TRACE, TRACE_KEY, ArticleRecorder, SentenceRecorder, tracer
from materiel.knowledge.base import load_knowledge
from materiel.model import Article, Reason, RoleOrigin, RoleTrace

from handbuilt import parse as parsed


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def recorded(p: ParsedSentence) -> SentenceRecorder:
    recorder = SentenceRecorder(p)
    p.doc.user_data[TRACE_KEY] = recorder
    return recorder


SERBIA_ARMS_ITSELF = parsed(
    [("Serbia", 2, "nsubj", "PROPN", "Serbia"), ("is", 2, "aux", "AUX", "be"), ("arming", 2, "ROOT", "VERB", "arm"),
     ("itself", 2, "dobj", "PRON", "itself"), (".", 2, "punct", "PUNCT", ".")],
    {"party": [(0, 1, "SRB", "name")], "trigger": [(2, 3, "arm", "")]})

IN_ORDER_TO = parsed(
    [("Russia", 1, "nsubj", "PROPN", "Russia"), ("acted", 1, "ROOT", "VERB", "act"), ("in", 1, "prep", "ADP", "in"),
     ("order", 2, "pobj", "NOUN", "order"), ("to", 5, "aux", "PART", "to"), ("win", 3, "acl", "VERB", "win"),
     (".", 1, "punct", "PUNCT", ".")],
    {"party": [(0, 1, "RUS", "name")], "trigger": [(3, 4, "order", "")]})

DELEGATION = parsed(
    [("Iran", 1, "nsubj", "PROPN", "Iran"), ("sent", 1, "ROOT", "VERB", "send"), ("a", 3, "det", "DET", "a"),
     ("delegation", 1, "dobj", "NOUN", "delegation"), ("to", 1, "prep", "ADP", "to"),
     ("Moscow", 4, "pobj", "PROPN", "Moscow"), (".", 1, "punct", "PUNCT", ".")],
    {"party": [(0, 1, "IRN", "name"), (5, 6, "RUS", "capital")], "trigger": [(1, 2, "send", "")]})


@pytest.mark.parametrize("p,reason,at", [
    (SERBIA_ARMS_ITSELF, Reason.REFLEXIVE, "arming"),
    (IN_ORDER_TO, Reason.IN_ORDER_TO, "order"),
    (DELEGATION, Reason.OBJECT_NOT_MATERIEL, "sent"),
], ids=["reflexive", "in-order-to", "object-not-materiel"])
def test_a_dropped_trigger_records_its_reason(kb, p: ParsedSentence, reason: Reason, at: str) -> None:
    recorder = recorded(p)
    assert read_frames(p.doc, kb) == []
    assert [(d.reason, d.at) for d in recorder.drops] == [(reason, at)]


def test_without_a_recorder_the_doc_gets_the_no_op_trace(kb) -> None:
    p = parsed([("Serbia", 1, "nsubj", "PROPN", "Serbia"), ("armed", 1, "ROOT", "VERB", "arm"),
                ("itself", 1, "dobj", "PRON", "itself")],
               {"party": [(0, 1, "SRB", "name")], "trigger": [(1, 2, "arm", "")]})
    assert tracer(p.doc) is NO_TRACE
    assert read_frames(p.doc, kb) == []
    assert TRACE_KEY not in p.doc.user_data


def explained(kb, sentences: list[ParsedSentence], parsed_ones: list[ParsedSentence]):
    article = Article(id="a", text=" ".join(p.sentence.text for p in sentences))
    recorder = ArticleRecorder(kb)
    recorder.attach(parsed_ones)
    events = assemble(article, [p.sentence for p in sentences], parsed_ones, kb, recorder)
    return events, recorder.build(article, events, [p.sentence for p in sentences], [])


def test_roles_read_off_the_parse_say_which_position_gave_them(kb) -> None:
    p = parsed([("Iran", 1, "nsubj", "PROPN", "Iran"), ("sent", 1, "ROOT", "VERB", "send"),
                ("200", 3, "nummod", "NUM", "200"), ("drones", 1, "dobj", "NOUN", "drone"),
                ("to", 1, "prep", "ADP", "to"), ("Russia", 4, "pobj", "PROPN", "Russia"),
                (".", 1, "punct", "PUNCT", ".")],
               {"party": [(0, 1, "IRN", "name"), (5, 6, "RUS", "name")], "item": [(3, 4, "uav", "")],
                "trigger": [(1, 2, "send", "")]})
    events, trace = explained(kb, [p], [p])
    assert [(e.provider, e.recipient) for e in events] == [("IRN", "RUS")]
    frame = trace.sentences[0].frames[0]
    assert RoleTrace("provider", "IRN", RoleOrigin.SYNTAX, "subject of send") in frame.roles
    assert RoleTrace("recipient", "RUS", RoleOrigin.SYNTAX, "pobj of to") in frame.roles
    assert frame.events == (0,) and frame.drops == ()


def test_a_provider_from_the_previous_sentence_is_context(kb) -> None:
    before = parsed([("Iran", 1, "nsubj", "PROPN", "Iran"), ("denies", 1, "ROOT", "VERB", "deny"),
                     ("it", 1, "dobj", "PRON", "it"), (".", 1, "punct", "PUNCT", ".")],
                    {"party": [(0, 1, "IRN", "name")]})
    p = parsed([("The", 1, "det", "DET", "the"), ("drones", 3, "nsubjpass", "NOUN", "drone"),
                ("were", 3, "auxpass", "AUX", "be"), ("sent", 3, "ROOT", "VERB", "send"),
                ("to", 3, "prep", "ADP", "to"), ("Russia", 4, "pobj", "PROPN", "Russia"),
                (".", 3, "punct", "PUNCT", ".")],
               {"party": [(5, 6, "RUS", "name")], "item": [(1, 2, "uav", "")], "trigger": [(3, 4, "send", "")]},
               index=1, start=len(before.sentence.text) + 1)
    events, trace = explained(kb, [before, p], [p])
    assert [(e.provider, e.recipient) for e in events] == [("IRN", "RUS")]
    roles = trace.sentences[0].frames[0].roles
    assert RoleTrace("provider", "IRN", RoleOrigin.CONTEXT, "party of the sentence 1 before") in roles
    assert RoleTrace("recipient", "RUS", RoleOrigin.SYNTAX, "pobj of to") in roles


def test_a_repeated_event_is_dropped_as_merged_into_the_first(kb) -> None:
    rows = [("Iran", 1, "nsubj", "PROPN", "Iran"), ("sent", 1, "ROOT", "VERB", "send"),
            ("drones", 1, "dobj", "NOUN", "drone"), ("to", 1, "prep", "ADP", "to"),
            ("Russia", 3, "pobj", "PROPN", "Russia"), (".", 1, "punct", "PUNCT", ".")]
    spans = {"party": [(0, 1, "IRN", "name"), (4, 5, "RUS", "name")], "item": [(2, 3, "uav", "")],
             "trigger": [(1, 2, "send", "")]}
    first = parsed(rows, spans)
    second = parsed(rows, spans, index=1, start=len(first.sentence.text) + 1)
    events, trace = explained(kb, [first, second], [first, second])
    assert len(events) == 1
    later = trace.sentences[1].frames[0]
    assert later.events == (0,)
    assert [(d.reason, d.detail) for d in later.drops] == [(Reason.MERGED, "into event 0")]
