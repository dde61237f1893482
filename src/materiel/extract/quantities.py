"""Counts and sums of money as news writes them: '6,000', 'two dozen', 'hundreds', '$1 billion',
'1.2bn euros', '$400m'. Pure functions over strings and spaCy tokens."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from spacy.tokens import Span, Token

from ..model import Money, Quantity

UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000, "dozen": 12, "k": 1_000, "m": 1_000_000, "mn": 1_000_000,
          "mln": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "tn": 1_000_000_000_000}
# Vague amounts: no value, but clearly a count ("hundreds of ballistic missiles").
VAGUE_COUNTS = frozenset({"hundreds", "thousands", "dozens", "tens", "scores", "millions", "several",
                          "many", "handful", "numerous", "some", "few", "multiple", "batch", "batches"})
APPROX_WORDS = frozenset({"about", "around", "some", "roughly", "approximately", "nearly", "almost",
                          "up", "over", "more", "than", "at", "least", "least", "estimated", "an",
                          "less", "fewer", "under", "approx", "approximately", "close", "to"})
# Keyed in upper case: MONEY matches symbols in any case ("Rs 150", "RS 150", "rs. 3").
CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "₹": "INR",
                    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "RS": "INR", "RS.": "INR"}
CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR",
                  "eur": "EUR", "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "gbp": "GBP",
                  "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB", "yuan": "CNY",
                  "renminbi": "CNY", "yen": "JPY", "rupee": "INR", "rupees": "INR", "won": "KRW",
                  "shekel": "ILS", "shekels": "ILS", "rial": "IRR", "rials": "IRR", "lira": "TRY"}
# The largest count there is: the ledger stores counts as 64-bit integers, and nothing reported as a
# number of pieces comes near it ('hundred hundred hundred ...' or a 300-digit run is no count).
MAX_COUNT = 2**63 - 1
NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
MONEY = re.compile(
    r"(?<![^\W\d_])(?P<sym>US\$|\$|€|£|¥|₽|₹|USD|EUR|GBP|Rs\.?)\s?(?P<num>\d[\d,]*(?:\.\d+)?)\s?(?P<scale>trillion|billion|million|thousand|bn|mn|mln|tn|m|b|k)?\b"
    r"|(?<![\d,.])(?P<num2>\d[\d,]*(?:\.\d+)?)\s?(?P<scale2>trillion|billion|million|thousand|bn|mn|mln|tn|m|b|k)?\s?"
    r"(?P<cur>dollars?|euros?|pounds?|roubles?|rubles?|yuan|yen|rupees?|shekels?|rials?|USD|EUR|GBP|RUB|CNY)\b",
    re.IGNORECASE)


def parse_number(text: str) -> int | float | None:
    """'6,000' -> 6000; 'two dozen' -> 24; '1.2' -> 1.2; 'forty-two' -> 42; None if not a number."""
    cleaned = text.strip().lower().replace("-", " ")
    if not cleaned:
        return None
    if NUMBER.match(cleaned):
        return _bounded(_digits(cleaned))
    total, current, seen = 0, 0, False
    for word in cleaned.split():
        if word == "and":
            continue
        if NUMBER.match(word):
            current += _digits(word)
        elif word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            current = (current or 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
        if current > MAX_COUNT or total > MAX_COUNT:
            return None  # stop before a run of scale words grows past any count
    if not seen:
        return None
    return _bounded(total + current)


def _digits(text: str) -> Decimal:
    """'6,000' -> 6000, exactly: a float rounds 20-digit numbers, and int() refuses over 4,300 digits."""
    return Decimal(text.replace(",", ""))


def _bounded(value: int | Decimal) -> int | float | None:
    """Whole numbers as int, fractions as float; None for anything larger than a count can be."""
    if value > MAX_COUNT:
        return None
    return int(value) if value == int(value) else float(value)


# How many 'of' phrases up a count is looked for: '1,000 rounds of ammunition' needs one, '5 crates
# of boxes of rounds of ammunition' three.
# Unbounded, a chain 'sale of X, sale of Y, ...' made every item climb the whole sentence.
COUNT_LEVELS = 3


def quantity_of(head: Token, levels: int = COUNT_LEVELS) -> Quantity | None:
    """The count attached to an item's head noun, or to the quantity noun governing it.

    Handles 'six thousand drones' (nummod), 'more than 160 drones' (quantmod), 'hundreds of
    missiles' / 'a batch of jets' (the item is the object of 'of'), 'two dozen tanks'.
    """
    # the number words to the left of the head inside its own noun phrase, calibres and years
    # excluded: 'one million 155mm rounds' is 1,000,000; '14 Leopard 2A4s' is 14
    # read between the subtree's left edge and the head, not by walking the whole subtree: an item
    # heading a long chain ('sale of X, sale of Y, ...') has the rest of the sentence under it
    left = [t for t in head.doc[head.left_edge.i: head.i]
            if t.dep_ not in ("prep", "pobj", "relcl", "acl") and head.is_ancestor(t)]
    numbers = [t for t in left if _count_word(t)]
    if numbers:
        run = [numbers[0]]
        for t in numbers[1:]:
            gap = t.i - run[-1].i
            if gap > 2 or (gap == 2 and t.doc[t.i - 1].text not in ("-", "and")):
                break  # '14 Leopard 2 tanks' is 14, not 16
            run.append(t)
        value = parse_number(" ".join(t.text for t in run))
        if all(t.lower_ in SCALES for t in run):
            value = None  # a lone 'M' or 'million' counts nothing ('Toufan 9M drones')
        if value is not None:
            start = next((t.i for t in left if t.i <= run[0].i and (t.lower_ in APPROX_WORDS or t.i == run[0].i)), run[0].i)
            text = head.doc[start: run[-1].i + 1].text
            words = {t.lower_ for t in left if t.i < run[0].i}
            approx = bool(words & APPROX_WORDS)
            return Quantity(int(value) if float(value).is_integer() else None, approx, _strip_det(text))
    # 'hundreds of missiles', 'a handful of jets', '1,000 of its drones'
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ in ("NOUN", "NUM", "PRON"):
        owner = head.head.head
        if owner.lower_ in VAGUE_COUNTS:
            det = [c for c in owner.children if c.dep_ in ("det", "quantmod", "amod")]
            start = min([owner.i] + [c.i for c in det])
            return Quantity(None, True, _strip_det(head.doc[start: owner.i + 1].text))
        if owner.like_num and not _names_money(owner):  # "$900 million of assistance" is a sum, not a count
            value = parse_number(owner.text)
            if value is not None and float(value).is_integer():
                return Quantity(int(value), False, owner.text)
        if owner.pos_ == "NOUN" and owner.lower_ not in VAGUE_COUNTS and levels > 0:
            counted = quantity_of(owner, levels - 1)  # "15,000 rounds of 155mm ammunition", "49 pieces of equipment"
            if counted is not None:
                return counted
    for child in head.children:
        if child.dep_ == "amod" and child.lower_ in ("several", "numerous", "multiple", "many"):
            return Quantity(None, True, child.text)
    return None


def _names_money(number: Token) -> bool:
    """'$900 million', '1.2 billion euros': the number is a sum of money."""
    return any(t.tag_ == "$" or t.text.upper() in CURRENCY_SYMBOLS or t.lower_ in CURRENCY_WORDS
               for t in number.subtree)


MEASURE_UNITS = frozenset({"mm", "cm", "km", "kg", "lb", "lbs", "m", "tonne", "tonnes", "ton", "tons", "pound"})


def _is_measure(t: Token) -> bool:
    """'155mm', '500-lb': a calibre or weight written as a number, not a count."""
    nxt = t.nbor(1) if t.i + 1 < len(t.doc) else None
    if nxt is not None and nxt.text == "-" and t.i + 2 < len(t.doc):
        nxt = t.nbor(2)
    return nxt is not None and nxt.lower_ in MEASURE_UNITS or any(u in t.lower_ for u in ("mm", "km"))


def _count_word(t: Token) -> bool:
    """A word that can be part of a count: not a calibre, not a year, not the article 'a'."""
    if not _numeric_word(t) or _is_measure(t):
        return False
    word = t.lower_
    following = t.nbor(1).lower_ if t.i + 1 < len(t.doc) else ""
    if word in ("a", "an"):
        return following in SCALES
    if t.like_num and re.fullmatch(r"(19|20)\d\d", word):
        return False  # a year
    if t.i > 0 and t.nbor(-1).pos_ == "PROPN" and t.nbor(-1).head == t.head and t.nbor(-1).text[:1].isupper() \
            and t.dep_ == "nummod" and not t.nbor(-1).ent_type_ and t.nbor(-1).dep_ in ("nmod", "compound"):
        return False  # 'the Xuanwu 12 system': the number is part of a designation
    return True


def _numeric_word(t: Token) -> bool:
    word = t.lower_
    return t.like_num or word in UNITS or word in TENS or word in SCALES


def _strip_det(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)


def parse_money(text: str) -> Money | None:
    """The first sum of money in `text`: '$1 billion' -> 1e9 USD; '1.2bn euros' -> 1.2e9 EUR."""
    match = MONEY.search(text)
    if not match:
        return None
    if match.group("sym"):
        number, scale, currency = match.group("num"), match.group("scale"), CURRENCY_SYMBOLS[match.group("sym").upper()]
    else:
        number, scale = match.group("num2"), match.group("scale2")
        currency = CURRENCY_WORDS.get(match.group("cur").lower(), match.group("cur").upper())
    amount = float(number.replace(",", ""))
    if scale:
        amount *= SCALES[scale.lower()]
    if not math.isfinite(amount):
        return None  # hundreds of digits: too large for a float, and no sum anyone paid
    return Money(amount, currency, match.group(0).strip())


def money_spans(span: Span) -> list[tuple[int, int, Money]]:
    """Every sum of money in a span, as (start_char, end_char, Money) relative to the doc."""
    out = []
    for match in MONEY.finditer(span.text):
        money = parse_money(match.group(0))
        if money is not None:
            out.append((span.start_char + match.start(), span.start_char + match.end(), money))
    return out
