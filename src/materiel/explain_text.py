"""`materiel explain` as text: one rich tree per article (sentences, frames, roles, drops). Every
text taken from the article (ids, sentences, words, values) passes through `terminal.plain`."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from .model import ArticleTrace, DropTrace, Event, FrameTrace, SentenceTrace
from .terminal import plain


def event_line(index: int, e: Event) -> Text:
    item = e.item.canonical or e.item.name or e.item.category.value
    count = f" x{e.quantity.text}" if e.quantity else ""
    value = f" {e.value.text or e.value.amount} " if e.value else " "
    return Text(plain(f"event {index}: {e.type.value} {e.provider} -> {e.recipient}, {item}{count}"
                      f" ({e.item.category.value}),{value}{e.status.value}, {e.stance.value}"))


def drop_line(drop: DropTrace) -> Text:
    line = Text("dropped: ", style="red")
    line.append(drop.reason.value, style="bold red")
    if drop.at:
        line.append(plain(f" at '{drop.at}'"))
    if drop.detail:
        line.append(plain(f" ({drop.detail})"))
    return line


def frame_tree(frame: FrameTrace) -> Tree:
    label = Text(plain(f"frame '{frame.trigger}' ({frame.lemma}): "), style="bold")
    label.append(f"{frame.type.value}, {frame.status.value}, {frame.stance.value}")
    label.append(f" -> event {', '.join(map(str, frame.events))}" if frame.events else " -> no event")
    node = Tree(label)
    for role in frame.roles:
        line = Text(f"{role.role} ", style="cyan")
        line.append(plain(role.value), style="bold")
        line.append(plain(f"  {role.origin.value}" + (f": {role.rule}" if role.rule else "")), style="dim")
        node.add(line)
    for drop in frame.drops:
        node.add(drop_line(drop))
    return node


def sentence_tree(sentence: SentenceTrace) -> Tree:
    kind = " (parsed for its speaker only)" if sentence.context_only else ""
    node = Tree(Text(f"sentence {sentence.index} [{sentence.start}:{sentence.end}]{kind}: ", style="bold")
                .append(plain(sentence.text, lines=True), style="not bold"))
    if sentence.triggers:
        node.add(Text(plain("triggers: " + ", ".join(f"'{m.text}' ({m.value})" for m in sentence.triggers))))
    for frame in sentence.frames:
        node.add(frame_tree(frame))
    for drop in sentence.drops:
        node.add(drop_line(drop))
    return node


def article_tree(trace: ArticleTrace, show_skipped: bool = False) -> Tree:
    root = Tree(Text(f"article {plain(trace.article_id)}: {len(trace.events)} event(s)", style="bold green"))
    for i, event in enumerate(trace.events):
        root.add(event_line(i, event))
    for drop in trace.drops:
        root.add(drop_line(drop))
    for sentence in trace.sentences:
        root.add(sentence_tree(sentence))
    if trace.skipped:
        if show_skipped:
            skipped = root.add(Text(f"{len(trace.skipped)} sentence(s) not parsed:", style="dim"))
            for s in trace.skipped:
                skipped.add(Text(f"sentence {s.index} ({s.reason.value}): {plain(s.text, lines=True)}", style="dim"))
        else:
            root.add(Text(f"{len(trace.skipped)} sentence(s) not parsed (--all lists them)", style="dim"))
    return root
