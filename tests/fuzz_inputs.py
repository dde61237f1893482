"""Hostile articles for fuzzing the extractor, shared by the property test
(tests/property/test_fuzz_extract.py, driven by Hypothesis) and the long campaign
(bench/fuzz_extract.py, driven by plain `random.Random`).

Every generator takes a `random.Random`, so Hypothesis can drive it with `st.randoms()` and the
campaign with one seeded `Random` per input (input N of seed S is always the same article).
Seeds are the dev and dev2 articles of the shared eval set when present, plus a few built-in
sentences, so the generators work without shared/. Sizes are bounded so one input stays cheap:
most are a few sentences; a whole article or a very long token is the exception.

`check(article, result)` is the property itself: what must hold of any extraction result.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Callable, Iterable

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_FILES = ("eval/dev/articles.jsonl", "eval/dev2/articles.jsonl")

# Used when shared/ is absent, and mixed into every campaign: dense in parties, systems, triggers.
BUILTIN_SENTENCES = (
    "Iran agreed to send 6,000 drones to Russia, an unnamed official told the Washington Post.",
    "Germany will deliver 14 Leopard 2 tanks to Ukraine, the government said.",
    "India signed a Rs 150 crore deal with Russia for S-400 air defence systems.",
    "North Korea has supplied more than a million artillery shells to Moscow, Seoul says.",
    "The US approved the sale of F-16 jets worth $1.2bn to Turkey.",
    "“China is not sending weapons to Russia,” the foreign ministry said.",
    "Russia paid €140m in cash to Tehran for Shahed-136 drones, a source told Sky News.",
    "Pakistan will buy 36 J-10C fighters from China (the deal is worth about ¥3 billion).",
)
# Money and number fragments that the quantity and money readers must survive.
SPLICES = ("$", "US$", "Rs", "RS", "RS.", "rs.", "€", "£", "¥", "₽", "₹", "bn", "mn", "m", "k", "crore",
           "lakh", "1,2,3", "1,,000", "0.5.5", "1e9", "$$", "€€1", "RS 150", "rs 3", "$1.2bn", "1.2bn euros",
           "10,000,000,000,000,000,000", "999999999999999999999999 dollars", "-5", "½", "٣٤", "१२",
           "two dozen", "hundreds of", "a billion", "forty-two", "dozens", "-", "%", "per cent")
QUOTES_BRACKETS = "\"'“”‘’«»„‚‹›()[]{}<>「」"
RTL = ("إيران سترسل طائرات مسيرة", "רוסיה", "\u202eReversed\u202c", "\u200f", "\u200e", "\u2067ltr\u2069",
       "طهران", "موسكو")
CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r", "\r\n", "\t",
            "\u2028", "\u2029", "\ufeff", "\u200b", "\u200d", "\u00ad", "\ufffd", "\n\n\n")
SURROGATES = ("\ud800", "\udfff", "\udc00", "\ud83d")
COMBINING = tuple(chr(c) for c in (0x0300, 0x0301, 0x0308, 0x0327, 0x0336, 0x20DD, 0x0489, 0x1AB0))
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")

# Bounds that keep one input cheap (the parser is linear but not free).
MAX_TOKEN = 2_000
MAX_SENTENCE = 2_000
MAX_TITLE = 600


def load_seed_articles(shared: Path = SHARED) -> list[dict[str, Any]]:
    """The dev and dev2 articles ({'title', 'text'}), or none when shared/ is absent."""
    seeds = []
    for name in SEED_FILES:
        path = shared / name
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    record = json.loads(line)
                    seeds.append({"title": record.get("title") or "", "text": record.get("text") or ""})
    return seeds


def builtin_seeds() -> list[dict[str, Any]]:
    return [{"title": "", "text": s} for s in BUILTIN_SENTENCES]


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s]


# --- random text ----------------------------------------------------------------------------------

def random_char(rng: random.Random) -> str:
    """Any code point, weighted towards the ones that break text handling."""
    pick = rng.random()
    if pick < 0.35:
        return rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-$€")
    if pick < 0.45:
        return rng.choice(QUOTES_BRACKETS)
    if pick < 0.55:
        return rng.choice(CONTROLS)
    if pick < 0.62:
        return rng.choice(COMBINING)
    if pick < 0.66:
        return rng.choice(SURROGATES)
    if pick < 0.75:
        return chr(rng.randint(0x0590, 0x06FF))  # Hebrew and Arabic
    return chr(rng.randint(0, 0x10FFFF))


def random_text(rng: random.Random, max_len: int = 200) -> str:
    return "".join(random_char(rng) for _ in range(rng.randint(0, max_len)))


def word_soup(rng: random.Random, vocabulary: list[str], max_words: int = 60) -> str:
    """Words of real articles and money fragments in random order: parses of no sentence ever seen."""
    words = [rng.choice(vocabulary) if rng.random() < 0.8 else rng.choice(SPLICES)
             for _ in range(rng.randint(1, max_words))]
    return " ".join(words)


# --- mutations of a text ---------------------------------------------------------------------------

def _insert(text: str, rng: random.Random, piece: str, at_space: bool | None = None) -> str:
    if at_space is None:
        at_space = rng.random() < 0.6
    spaces = [m.start() for m in re.finditer(r"\s", text)] if at_space else []
    pos = rng.choice(spaces) if spaces else rng.randint(0, len(text))
    if at_space:
        piece = f" {piece}"
    return text[:pos] + piece + text[pos:]


def shuffle_sentences(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    rng.shuffle(parts)
    return rng.choice((" ", "\n", "  ", "")).join(parts)


def splice_money(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 6)):
        piece = rng.choice(SPLICES)
        if rng.random() < 0.5:
            piece += rng.choice(("", " ", "\u00a0")) + str(rng.choice((0, 1, 3, 150, 1000, 10**rng.randint(0, 30))))
        if rng.random() < 0.3:
            piece += rng.choice((" ", "")) + rng.choice(SPLICES)
        text = _insert(text, rng, piece)
    return text


NUMBER_WORDS = ("one", "twenty", "hundred", "thousand", "million", "billion", "dozen", "and", "-", "1,000", "9")


def number_runs(text: str, rng: random.Random) -> str:
    """A run of number words, or of digits next to a currency, long enough to outgrow any count."""
    pick = rng.random()
    if pick < 0.3:
        piece = " ".join(rng.choice(NUMBER_WORDS) for _ in range(rng.randint(2, 300)))
    elif pick < 0.5:
        piece = " ".join([rng.choice(NUMBER_WORDS)] * rng.randint(2, 300))
    else:
        piece = rng.choice(("$", "Rs ", "", "€")) + "9" * rng.randint(15, 400) + rng.choice(("", " bn", " dollars", " drones"))
    return _insert(text, rng, piece, at_space=True)


def unbalance(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.7 or not text:
            text = _insert(text, rng, rng.choice(QUOTES_BRACKETS), at_space=rng.random() < 0.5)
        else:
            found = [i for i, c in enumerate(text) if c in QUOTES_BRACKETS]
            if found:
                i = rng.choice(found)
                text = text[:i] + text[i + 1:]
    return text


def long_token(text: str, rng: random.Random) -> str:
    n = rng.randint(200, MAX_TOKEN)
    piece = rng.choice((lambda: "a" * n, lambda: "9" * n, lambda: "-" * n, lambda: "." * n,
                        lambda: "".join(rng.choice("abcdefXYZ0123456789$€,.") for _ in range(n)),
                        lambda: "Iran" * (n // 4), lambda: "e\u0301" * (n // 2)))()
    return _insert(text, rng, piece)


def long_sentence(text: str, rng: random.Random) -> str:
    """The text's sentences run together without stops, or one clause repeated."""
    parts = sentences(text) or [text]
    if rng.random() < 0.5:
        joined = rng.choice((", ", " and ", " ", "; ")).join(p.rstrip(".!?") for p in parts)
    else:
        clause = rng.choice(parts).rstrip(".!?")
        joined = ", ".join([clause] * max(1, MAX_SENTENCE // max(1, len(clause))))
    return joined[:MAX_SENTENCE]


def sprinkle(pieces: tuple[str, ...]) -> Callable[[str, random.Random], str]:
    def mutate(text: str, rng: random.Random) -> str:
        for _ in range(rng.randint(1, 10)):
            text = _insert(text, rng, rng.choice(pieces), at_space=rng.random() < 0.3)
        return text
    mutate.__name__ = f"sprinkle_{len(pieces)}"
    return mutate


def combining_marks(text: str, rng: random.Random) -> str:
    """Marks after random letters, sometimes stacked (zalgo)."""
    chars = list(text)
    for _ in range(rng.randint(1, 20)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        chars[i] += "".join(rng.choice(COMBINING) for _ in range(rng.randint(1, 12)))
    return "".join(chars)


def truncate(text: str, rng: random.Random) -> str:
    return text[:rng.randint(0, len(text))] if rng.random() < 0.5 else text[rng.randint(0, len(text)):]


def change_case(text: str, rng: random.Random) -> str:
    return rng.choice((str.upper, str.lower, str.swapcase, str.title))(text)


def random_slices(text: str, rng: random.Random) -> str:
    """Delete or duplicate a random span (cuts names, numbers and words in two)."""
    if not text:
        return text
    i = rng.randrange(len(text))
    j = min(len(text), i + rng.randint(1, 40))
    return text[:i] + text[j:] if rng.random() < 0.5 else text[:j] + text[i:j] + text[j:]


MUTATIONS: tuple[Callable[[str, random.Random], str], ...] = (
    shuffle_sentences, splice_money, splice_money, number_runs, unbalance, long_token, long_sentence,
    sprinkle(RTL), combining_marks, sprinkle(CONTROLS), sprinkle(SURROGATES), truncate, change_case,
    random_slices, random_slices,
)


def mutate_text(text: str, rng: random.Random, max_mutations: int = 4) -> str:
    for _ in range(rng.randint(1, max_mutations)):
        text = rng.choice(MUTATIONS)(text, rng)
    return text


PUBLISHED = (None, "", "2023-01-25", "2024-02-29", "2023-02-30", "0001-01-01", "0002-01-01", "9999-12-31",
             "9998-12-31", "2023", "20230125", "2023-W04-3", "garbage", "2023-01-25T23:59:59Z")


def fuzz_published(rng: random.Random) -> str | None:
    """A publication date as the readers pass it on: whatever the input gave, cut to 10 characters."""
    if rng.random() < 0.1:
        return random_text(rng, 10)[:10]
    value = rng.choice(PUBLISHED)
    return value[:10] if value else value


def fuzz_title(rng: random.Random, seed_title: str) -> str:
    pick = rng.random()
    if pick < 0.3:
        return ""
    if pick < 0.4:
        return (seed_title or "Iran sends drones to Russia ") * max(1, MAX_TITLE // max(1, len(seed_title) or 27))
    if pick < 0.6:
        return mutate_text(seed_title, rng, 2)
    if pick < 0.7:
        return random_text(rng, 80)
    return seed_title


# --- whole articles --------------------------------------------------------------------------------

def as_read(text: str) -> str:
    """`text` as a JSON input can carry it: a high surrogate followed by a low one is one astral
    character in JSON (\\ud83d\\ude00 reads as one emoji), so no reader can give the two apart."""
    return json.loads(json.dumps(text))


def fuzz_record(rng: random.Random, seeds: list[dict[str, Any]]) -> dict[str, str]:
    """One hostile article as {'title', 'text', 'published'}: mostly a few mutated sentences of a seed article,
    sometimes a whole mutated article, random unicode, or a soup of the seeds' words."""
    title, text = _fuzz_record(rng, seeds)
    published = fuzz_published(rng)
    return {"title": as_read(title), "text": as_read(text), "published": as_read(published) if published else published}


def _fuzz_record(rng: random.Random, seeds: list[dict[str, Any]]) -> tuple[str, str]:
    seed = rng.choice(seeds)
    pick = rng.random()
    if pick < 0.12:
        title, text = random_text(rng, 30), random_text(rng, 400)
    elif pick < 0.27:
        vocabulary = [w for s in rng.sample(seeds, min(3, len(seeds))) for w in s["text"].split()] or ["Iran"]
        title, text = "", word_soup(rng, vocabulary)
    elif pick < 0.37:  # a whole article: the dearest input, so the rarest
        title, text = fuzz_title(rng, seed["title"]), mutate_text(seed["text"], rng)
    else:  # a window of one to four sentences
        parts = sentences(seed["text"]) or [seed["text"]]
        start = rng.randrange(len(parts))
        window = rng.choice(("\n", " ")).join(parts[start:start + rng.randint(1, 4)])
        title, text = fuzz_title(rng, seed["title"]), mutate_text(window, rng)
    return title, text


def campaign_seeds(shared: Path = SHARED) -> list[dict[str, Any]]:
    return load_seed_articles(shared) + builtin_seeds()


# --- the property ----------------------------------------------------------------------------------

def check(article: Any, result: Any) -> list[str]:
    """What must hold of any extraction result; the problems found (empty when it holds).

    Every event is grounded (each evidence span slices the article text to its quoted text, as
    the store requires) and valid: it survives strict interchange JSON (no NaN or Infinity) both
    ways unchanged, and its count fits the ledger's 64-bit integers; and the
    result's interchange line can be written as UTF-8 and is one line to any line splitter.
    """
    from materiel.model import Event
    from materiel.store.sqlite import grounded

    problems = []
    if result.article is not article:
        problems.append("result is for another article")
    line = result.to_json()
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        problems.append(f"the interchange line is not writable as UTF-8: {exc}")
    if len(line.splitlines()) != 1:
        problems.append(f"the interchange line is {len(line.splitlines())} lines to str.splitlines")
    for event in result.events:
        if not grounded(event, article):
            spans = [(e.start, e.end, e.text) for e in event.evidence]
            problems.append(f"ungrounded event: {event.merge_key} with evidence {spans!r}")
        d = event.to_dict()
        if event.quantity and event.quantity.value is not None and not -2**63 <= event.quantity.value < 2**63:
            problems.append(f"count too large to store: {event.quantity.value}")
        try:
            again = Event.from_dict(json.loads(json.dumps(d, allow_nan=False)), event.article_id).to_dict()
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"event does not round-trip: {exc.__class__.__name__}: {exc}")
            continue
        if again != d:
            problems.append(f"event changes in a round trip: {d!r} -> {again!r}")
    return problems


def as_input_records(articles: Iterable[Any]) -> list[dict[str, Any]]:
    """Articles in the project's JSONL input format (id, title, text, published)."""
    return [{"id": a.id, "title": a.title, "text": a.text, "published": a.published} for a in articles]
