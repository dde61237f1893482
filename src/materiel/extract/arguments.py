"""Reading the arguments of a trigger off the dependency tree: which parties and which items
a phrase names. Pure functions over spaCy tokens and the mention spans on the Doc."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from ..model import Category, Item, MentionKind, Quantity
from .mentions import span_at, spans_of
from .quantities import quantity_of

# Dependencies that open a new clause: a phrase's own arguments stop there.
CLAUSE_DEPS = frozenset({"relcl", "ccomp", "advcl", "acl", "parataxis", "csubj", "xcomp"})
# Head nouns that keep an item's identity: "S-400 systems", "two Su-35 squadrons".
ITEM_HEAD_NOUNS = frozenset({
    "system", "unit", "battery", "launcher", "platform", "variant", "model", "version", "squadron",
    "kit", "complex", "vehicle", "aircraft", "plane", "ship", "vessel", "boat", "craft", "round",
    "piece", "type", "class", "example", "airframe", "copy"})
# Dependencies by which a modifier hangs on the noun it describes, inside one noun phrase.
NP_INTERNAL_DEPS = frozenset({"compound", "amod", "nmod", "nummod", "npadvmod", "poss"})


@dataclass(frozen=True)
class ItemMention:
    """An item named in a sentence: its head token, what it is, and how many."""

    head: Token
    item: Item
    quantity: Quantity | None
    start: int  # token indices of the item's name in the Doc
    end: int


def phrase(token: Token) -> list[Token]:
    """The token's subtree without the clauses nested in it."""
    out = [token]
    stack = [c for c in token.children if c.dep_ not in CLAUSE_DEPS]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in CLAUSE_DEPS)
    return sorted(out, key=lambda t: t.i)


def parties_in(tokens: list[Token]) -> list[tuple[str, Span]]:
    """Parties mentioned in the tokens, in order, each once (a state that only qualifies a group
    named with it, 'Russia's Wagner Group', is not one: the group is)."""
    if not tokens:
        return []
    doc = tokens[0].doc
    indices = {t.i for t in tokens}
    spans = [span for span in spans_of(doc, MentionKind.PARTY) if span.start in indices]
    seen: list[tuple[str, Span]] = []
    for span in spans:
        if span.label_ not in (code for code, _ in seen) and not _qualifies_a_group(span, spans):
            seen.append((span.label_, span))
    return seen


def _qualifies_a_group(span: Span, spans: list[Span]) -> bool:
    """'Russia's Wagner Group', 'the Russian Wagner mercenaries': the state modifies a group's name."""
    root = span.root
    if span.label_.startswith("org:") or root.dep_ not in ("poss", "compound", "amod", "nmod"):
        return False
    head = root.head
    return any(other.label_.startswith("org:") and other.start <= head.i < other.end for other in spans)


def np_head(token: Token) -> Token:
    """Climb from a modifier to the head noun of its noun phrase."""
    while token.dep_ in NP_INTERNAL_DEPS and token.head.pos_ in ("NOUN", "PROPN", "NUM") and token.head != token:
        token = token.head
    return token


def _designation_modifiers(head: Token) -> list[int]:
    """Token indices of an uncatalogued designation modifying the item ('Toufan-9 drones', 'the
    Xuanwu 12 system'): proper nouns or letter-and-digit words that name no party."""
    doc = head.doc
    found = []
    for child in head.lefts:
        if child.dep_ not in ("compound", "nmod", "nummod") or span_at(doc, child, MentionKind.PARTY) is not None:
            continue
        word = child.text
        lettered = any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)
        if lettered or (child.pos_ == "PROPN" and word[:1].isupper()):
            found.append(child.i)
    return found


def _is_item_head(head: Token) -> bool:
    doc = head.doc
    return (span_at(doc, head, MentionKind.ITEM) is not None or span_at(doc, head, MentionKind.SYSTEM) is not None
            or head.lemma_.lower() in ITEM_HEAD_NOUNS)


# Markers of an alternative the act passed over: "sending instructors rather than tanks".
SET_ASIDE_MARKERS = frozenset({("rather", "than"), ("instead", "of"), ("place", "of")})
# Words that may stand between such a marker and an item in a list: "rather than tanks, jets or artillery".
LIST_POS = frozenset({"NOUN", "PROPN", "ADJ", "DET", "NUM", "CCONJ", "PUNCT"})


def set_aside(doc, start: int) -> bool:
    """The item stands in a list after 'rather than', 'instead of' or 'in place of': the
    alternative not chosen ('sent instructors rather than tanks', 'instead of jets, Norway sent drones')."""
    i = start - 1
    while i >= 1 and doc[i].pos_ in LIST_POS and doc[i].lower_ not in (";", ":", "(", ")"):
        i -= 1
    return i >= 1 and (doc[i - 1].lower_, doc[i].lower_) in SET_ASIDE_MARKERS


# People who go with weapons but are none: "sending instructors and fighters".
PERSONNEL_NOUNS = frozenset({"instructor", "adviser", "advisor", "trainer", "troop", "soldier", "mercenary",
                             "contractor", "officer", "personnel", "militant", "volunteer", "commander"})
GROUP_KINDS = frozenset({"group:armed_group", "group:pmc"})


def _combatants(head: Token) -> bool:
    """Bare 'fighters' named beside people ('instructors and fighters') or as an armed group's own
    ('Wagner, whose fighters ...', 'Hezbollah's fighters'): combatants, not fighter jets."""
    if head.lower_ not in ("fighter", "fighters") or any(c.dep_ == "compound" for c in head.children):
        return False
    beside = [c for c in head.children if c.dep_ == "conj"] + ([head.head] if head.dep_ == "conj" else [])
    if any(b.lemma_.lower() in PERSONNEL_NOUNS for b in beside):
        return True
    owners = [c for c in head.children if c.dep_ == "poss"]
    return any(o.lower_ == "whose" or any(sp.kb_id_ in GROUP_KINDS and sp.start <= o.i < sp.end
                                          for sp in spans_of(head.doc, MentionKind.PARTY)) for o in owners)


def _part_of_idiom(head: Token) -> bool:
    """'as part of the deal', 'part of a wider package': a share of something, not a spare part."""
    return head.lower_ == "part" and any(c.dep_ == "prep" and c.lower_ == "of" for c in head.children) \
        and not any(c.dep_ in ("amod", "compound", "nummod") for c in head.children)


# Nouns for what a system consumes or is built from: "HIMARS ammunition", "F-16 spare parts" (not
# "GM200 radars", where the system is the radar).
SUPPLY_NOUNS = frozenset({"ammunition", "munition", "round", "shell", "cartridge", "part", "spare", "component"})


def _supplies_for_system(head: Token, systems: list[Span], generic: list[Span]) -> Category | None:
    """'HIMARS ammunition', 'F-35 parts': a system named only as the modifier of an ammunition or
    parts noun is not the item; the rounds or parts are (ONTOLOGY §9.6)."""
    if not systems or any(s.start <= head.i < s.end for s in systems):
        return None
    at_head = [s for s in generic if s.start <= head.i < s.end]
    if at_head and head.lemma_.lower() in SUPPLY_NOUNS:
        return Category(at_head[-1].label_)
    return None


def items_in(tokens: list[Token], include_modifiers: bool = False) -> list[ItemMention]:
    """Items named in the tokens, one per noun phrase, system and generic name combined.

    A weapon word that only modifies another noun ("drone factory", "missile strikes") is not an
    item of the phrase unless `include_modifiers` is set (production reads its product that way).
    """
    if not tokens:
        return []
    doc = tokens[0].doc
    indices = {t.i for t in tokens}
    groups: dict[int, list[tuple[MentionKind, Span]]] = {}
    for kind in (MentionKind.SYSTEM, MentionKind.ITEM):
        for span in spans_of(doc, kind):
            if span.root.i not in indices:
                continue
            head = np_head(span.root)
            if _part_of_idiom(head):
                continue
            if not _is_item_head(head):
                if not include_modifiers:
                    continue
                head = span.root
            groups.setdefault(head.i, []).append((kind, span))
    out = []
    system_heads = {i for i, found in groups.items() if any(k is MentionKind.SYSTEM for k, _ in found)}
    for head_i, found in sorted(groups.items()):
        head = doc[head_i]
        if head_i not in system_heads and head.dep_ == "appos" and head.head.i in system_heads:
            continue  # "the Fath-360, a satellite-guided missile": the description is the system
        systems = [s for k, s in found if k is MentionKind.SYSTEM]
        generic = [s for k, s in found if k is MentionKind.ITEM]
        spans = systems + generic
        canonical = systems[0].label_ if systems else None
        category = Category(systems[0].kb_id_) if systems else Category(generic[-1].label_)
        supplies = _supplies_for_system(head, systems, generic)
        if supplies is not None:
            category, canonical = supplies, None
        start = min([s.start for s in spans] + ([] if systems else _designation_modifiers(head)))
        end = max(head.i + 1, max(s.end for s in spans))
        if set_aside(doc, start) or (not systems and _combatants(head)):
            continue
        name = doc[start:end].text
        out.append(ItemMention(head, Item(category, name, canonical), quantity_of(head), start, end))
    return out
