"""Recording the extractor's decisions for `materiel explain`, at next to no cost when nobody asks.

A discard point calls `tracer(doc).drop(reason, at)`, a role filled from outside the sentence's
syntax calls `tracer(doc).origin(frame, role, origin, rule)`. A Doc carries a recorder under
`doc.user_data[TRACE_KEY]` only while an explanation is being made; otherwise `tracer` returns
`NO_TRACE`, whose methods do nothing. `assemble` takes the article's recorder (or `NO_TRACE`) as
its `trace` argument for what it decides about the article as a whole.

Roles that the sentence's own parse gave are not recorded on the way: `ArticleRecorder.build`
describes afterwards how the party's name hangs on the parse ("subject of send", "pobj of to").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc, Token

from ..knowledge.base import KnowledgeBase
from ..model import (Article, ArticleTrace, DropTrace, Event, FrameTrace, MentionKind, Reason, RoleOrigin,
                     RoleTrace, Sentence, SentenceTrace, SkippedSentence)
from .arguments import np_head
from .mentions import spans_of

if TYPE_CHECKING:  # the frames and assemble modules import this one
    from .assemble import ParsedSentence
    from .frames import Frame

TRACE_KEY = "materiel.trace"


class NoTrace:
    """Records nothing: what every Doc and every `assemble` call gets unless a trace is asked for."""

    def drop(self, reason: Reason, at: Any = None, detail: str = "") -> None:
        """`at`: the trigger Token (before a frame exists) or the Frame the decision is about."""

    def origin(self, frame: "Frame", role: str, origin: RoleOrigin, rule: str) -> None:
        """A role of `frame` filled from outside the sentence's syntax."""

    def frame(self, parsed: "ParsedSentence", frame: "Frame", events: list[Event]) -> None:
        """The events `frame` gave (none when it was dropped)."""

    def stage(self, origin: RoleOrigin, rule: str, events: list[Event]) -> None:
        """The article's events after a pass over all of them; what changed came from `rule`."""

    def merged(self, events: list[Event], merged: list[Event]) -> None:
        """The article's events before and after repeated mentions were merged."""


NO_TRACE = NoTrace()


def tracer(doc: Doc) -> NoTrace:
    return doc.user_data.get(TRACE_KEY, NO_TRACE)


@dataclass
class _FrameLog:
    frame: "Frame"
    parsed: "ParsedSentence"
    first: int  # index of its first event in the article's list before merging
    found: list[Event]
    drops: list[DropTrace]
    origins: dict[str, tuple[RoleOrigin, str]]
    changes: list[RoleTrace] = field(default_factory=list)
    final: list[int] = field(default_factory=list)


class SentenceRecorder(NoTrace):
    """What was decided about one parsed sentence; lives in its Doc's user_data."""

    def __init__(self, parsed: "ParsedSentence"):
        self.parsed = parsed
        self.drops: list[DropTrace] = []
        self.frame_drops: dict[int, list[DropTrace]] = {}
        self.origins: dict[int, dict[str, tuple[RoleOrigin, str]]] = {}
        self.frames: list[_FrameLog] = []

    def drop(self, reason: Reason, at: Any = None, detail: str = "") -> None:
        if at is None or isinstance(at, Token):
            self.drops.append(DropTrace(reason, at.text if at is not None else "", detail))
        else:
            self.frame_drops.setdefault(id(at), []).append(DropTrace(reason, at.trigger.text, detail))

    def origin(self, frame: "Frame", role: str, origin: RoleOrigin, rule: str) -> None:
        self.origins.setdefault(id(frame), {})[role] = (origin, rule)


class ArticleRecorder(NoTrace):
    """Collects the decisions about one article and builds its `ArticleTrace`."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.sentences: dict[int, SentenceRecorder] = {}
        self.owners: list[_FrameLog] = []  # the frame of each event, before merging
        self.found: list[Event] = []
        self.stages: list[tuple[RoleOrigin, str, list[Event]]] = []
        self.drops: list[DropTrace] = []

    def attach(self, parsed: list["ParsedSentence"]) -> None:
        """Give each parsed sentence's Doc a recorder; call before `assemble`."""
        for p in parsed:
            recorder = SentenceRecorder(p)
            self.sentences[p.sentence.index] = recorder
            p.doc.user_data[TRACE_KEY] = recorder

    def frame(self, parsed: "ParsedSentence", frame: "Frame", events: list[Event]) -> None:
        sentence = self.sentences[parsed.sentence.index]
        log = _FrameLog(frame, parsed, len(self.found), list(events),
                        sentence.frame_drops.pop(id(frame), []), sentence.origins.pop(id(frame), {}))
        sentence.frames.append(log)
        self.found.extend(events)
        self.owners.extend(log for _ in events)

    def stage(self, origin: RoleOrigin, rule: str, events: list[Event]) -> None:
        self.stages.append((origin, rule, list(events)))

    def merged(self, events: list[Event], merged: list[Event]) -> None:
        position = {e.merge_key: i for i, e in enumerate(merged)}
        first: dict[tuple[str, ...], int] = {}
        for i, event in enumerate(events):
            if i >= len(self.owners):
                break
            log, target = self.owners[i], position[event.merge_key]
            log.final.append(target)
            if event.merge_key in first:
                log.drops.append(DropTrace(Reason.MERGED, log.frame.trigger.text, f"into event {target}"))
            first.setdefault(event.merge_key, i)
        self._changes()

    def _changes(self) -> None:
        """Roles that a pass over the whole article changed, credited to the frame of each event."""
        before = self.found
        for origin, rule, after in self.stages:
            for i, (old, new) in enumerate(zip(before, after)):
                if i >= len(self.owners):
                    break
                for role, value in _changed_roles(old, new):
                    self.owners[i].changes.append(RoleTrace(role, value, origin, rule))
            before = after

    def build(self, article: Article, events: list[Event], sentences: list[Sentence],
              skipped: list[tuple[Sentence, Reason]], article_drop: Reason | None = None) -> ArticleTrace:
        traced = []
        for index in sorted(self.sentences):
            recorder = self.sentences[index]
            p = recorder.parsed
            frames = tuple(self._frame_trace(log) for log in recorder.frames)
            triggers = tuple(m for m in p.sentence.mentions if m.kind is MentionKind.TRIGGER)
            traced.append(SentenceTrace(index, p.sentence.start, p.sentence.end, p.sentence.text, p.context_only,
                                        triggers, frames, tuple(recorder.drops)))
        drops = ([DropTrace(article_drop, article.id)] if article_drop else []) + self.drops
        return ArticleTrace(article.id, tuple(events), tuple(traced),
                            tuple(SkippedSentence(s.index, s.start, s.end, s.text, r) for s, r in skipped),
                            tuple(drops))

    def _frame_trace(self, log: _FrameLog) -> FrameTrace:
        f, offset = log.frame, log.parsed.sentence.start
        t = f.trigger
        return FrameTrace(t.text, t.lemma_.lower(), offset + t.idx, offset + t.idx + len(t.text), f.type, f.status,
                          f.stance, tuple(self._roles(log)) + tuple(log.changes),
                          tuple(dict.fromkeys(log.final)), tuple(log.drops))

    def _roles(self, log: _FrameLog) -> list[RoleTrace]:
        f = log.frame
        first = log.found[0] if log.found else None
        roles = []
        for role, own, also in (("provider", f.provider, f.also_providers),
                                ("recipient", f.recipient, f.also_recipients)):
            value = getattr(first, role) if first else own
            if value is None:
                continue
            if role in log.origins:
                origin, rule = log.origins[role]
            else:
                origin, rule = self._party_origin(f, value)
            roles.append(RoleTrace(role, value, origin, rule))
            roles += [RoleTrace(role, code, RoleOrigin.SYNTAX, f"coordinated with {value}") for code in also]
        mentions = {m.item: m for m in f.items}
        for item in dict.fromkeys(e.item for e in log.found) if log.found else [m.item for m in f.items]:
            mention = mentions.get(item)
            label = item.canonical or item.name or item.category.value
            if mention is not None:
                roles.append(RoleTrace("item", label, RoleOrigin.SYNTAX, describe(mention.head, f.trigger)))
            else:
                roles.append(RoleTrace("item", label, RoleOrigin.CONTEXT, "the item named before it"))
            if mention is not None and mention.quantity is not None:
                roles.append(RoleTrace("quantity", mention.quantity.text, RoleOrigin.SYNTAX, "number of the item"))
        if first is not None and first.quantity is not None and not f.items:
            roles.append(RoleTrace("quantity", first.quantity.text, RoleOrigin.SYNTAX, "count of 'them', 'those'"))
        if f.money is not None:
            roles.append(RoleTrace("value", f.money.text or f"{f.money.amount} {f.money.currency}",
                                   RoleOrigin.SYNTAX, "sum in the trigger's clause"))
        return roles

    def _party_origin(self, f: "Frame", code: str) -> tuple[RoleOrigin, str]:
        """How a party the frame itself names is attached: the parse, or the catalogue."""
        makers = {m.item.canonical: self.kb.system(m.item.canonical).origin for m in f.items
                  if m.item.canonical and self.kb.system(m.item.canonical) is not None}
        made = next((name for name, origin in makers.items() if origin == code), None)
        spans = [s for s in spans_of(f.trigger.doc, MentionKind.PARTY) if s.label_ == code]
        if made is not None and (not spans or self.kb.symmetric(f.trigger.lemma_.lower())):
            return RoleOrigin.CATALOGUE, f"maker of {made}"
        if not spans:
            return RoleOrigin.SYNTAX, f"reader of {f.trigger.lemma_.lower()}"
        span = min(spans, key=lambda s: abs(s.root.i - f.trigger.i))
        return RoleOrigin.SYNTAX, describe(span.root, f.trigger)


def describe(token: Token, trigger: Token) -> str:
    """How a word hangs on the parse, in a few words: 'subject of send', 'pobj of to', 'possessive'."""
    doc = token.doc
    if token.dep_ == "poss":
        return f"possessive of {token.head.text}"
    if token.head == trigger and token.dep_ in ("npadvmod", "compound", "amod", "nmod") and token != trigger:
        return "participle agent" if trigger.dep_ in ("amod", "compound", "acl") else f"modifier of {trigger.text}"
    if token.i + 2 == trigger.i and doc[token.i + 1].text == "-":
        return "participle agent"  # "Russian-supplied"
    head = np_head(token)
    if head != token and token.dep_ in ("amod", "compound", "nmod", "npadvmod"):
        return f"modifier of {head.text}"
    dep, governor = head.dep_, head.head
    if dep == "nsubj":
        return f"subject of {governor.lemma_.lower()}"
    if dep == "nsubjpass":
        return f"passive subject of {governor.lemma_.lower()}"
    if dep == "pobj":
        return f"pobj of {governor.lower_}"
    if dep == "dobj":
        return f"object of {governor.lemma_.lower()}"
    if dep in ("dative", "iobj"):
        return f"indirect object of {governor.lemma_.lower()}"
    if head == governor:
        return "root of the sentence"
    return f"{dep} of {governor.text}"


def _changed_roles(old: Event, new: Event) -> list[tuple[str, str]]:
    out = []
    for role in ("provider", "recipient"):
        if getattr(old, role) != getattr(new, role):
            out.append((role, getattr(new, role)))
    if old.item != new.item:
        out.append(("item", new.item.canonical or new.item.name or new.item.category.value))
    if old.value != new.value and new.value is not None:
        out.append(("value", new.value.text or f"{new.value.amount} {new.value.currency}"))
    return out
