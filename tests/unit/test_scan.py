"""The cheap stage of the cascade: knowledge-base names found in raw text (nlp/scan.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from materiel.model import Mention, MentionKind, Reason, Sentence
from materiel.nlp.pipeline import sentence_splitter
from materiel.nlp.scan import Scanner, skip_reason


def found(scanner: Scanner, text: str, kind: MentionKind | None = None) -> list[Mention]:
    mentions = scanner.mentions(text)
    for m in mentions:
        assert text[m.start:m.end] == m.text  # offsets always slice the scanned text
    return [m for m in mentions if kind is None or m.kind is kind]


def values(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.text, m.value) for m in mentions]


@pytest.mark.parametrize("text, surface, code", [
    ("Tehran sent drones to Moscow.", "Tehran", "IRN"),
    ("Tehran sent drones to Moscow.", "Moscow", "RUS"),
    ("A spokesman for the Kremlin declined to comment.", "the Kremlin", "RUS"),
    ("Officials at the Pentagon said so.", "the Pentagon", "USA"),
    ("North Korean shells were delivered.", "North Korean", "PRK"),
    ("South Korean howitzers were delivered.", "South Korean", "KOR"),
    ("The US has sent more aid.", "US", "USA"),
    ("Troops from Chad arrived.", "Chad", "TCD"),
    ("IRAN TO ARM RUSSIA", "IRAN", "IRN"),  # a shouting headline keeps its names
])
def test_party_mentions(scanner: Scanner, text: str, surface: str, code: str) -> None:
    parties = found(scanner, text, MentionKind.PARTY)
    assert (surface, code) in values(parties)


def test_north_korean_is_prk_not_kor(scanner: Scanner) -> None:
    parties = found(scanner, "Russia fired North Korean missiles.", MentionKind.PARTY)
    assert ("North Korean", "PRK") in values(parties)
    assert all(m.value != "KOR" for m in parties)
    # and no shorter overlapping 'Korean' survives next to the longer name
    assert [m.text for m in parties] == ["Russia", "North Korean"]


@pytest.mark.parametrize("text", [
    "Let us know what you think.",
    "He told us nothing.",
    "The hanging chad was counted again.",
    "We had turkey for dinner.",
])
def test_common_words_are_not_states(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, MentionKind.PARTY) == []


def test_us_in_the_same_sentence_as_us(scanner: Scanner) -> None:
    parties = found(scanner, "The US told us that Chad, not chad, matters.", MentionKind.PARTY)
    assert values(parties) == [("US", "USA"), ("Chad", "TCD")]


@pytest.mark.parametrize("text, surface, canonical", [
    ("Russian technicians repainted them as Geranium-2.", "Geranium-2", "Shahed-136"),
    ("The Geran-2 drones hit Kyiv.", "Geran-2", "Shahed-136"),
    ("Iran is to receive Su-35s from Russia.", "Su-35s", "Su-35"),
    ("Iran is to receive Su-35 jets from Russia.", "Su-35", "Su-35"),
    ("Iran is to receive Su 35 jets from Russia.", "Su 35", "Su-35"),
    ("Germany will deliver Leopard 2 tanks.", "Leopard 2", "Leopard 2"),
])
def test_system_mentions(scanner: Scanner, text: str, surface: str, canonical: str) -> None:
    systems = found(scanner, text, MentionKind.SYSTEM)
    # the mention may take in a generic noun the catalogue lists with the name ('Leopard 2 tanks')
    assert any(m.value == canonical and m.text.startswith(surface) for m in systems), values(systems)


def test_geranium_is_a_uav(scanner: Scanner) -> None:
    [m] = found(scanner, "They used the Geranium-2.", MentionKind.SYSTEM)
    assert m.detail == "uav"


def test_no_duplicate_mentions(scanner: Scanner) -> None:
    """One span of text is one mention of a kind and value.

    Regression: 'Su-35s' is both the plural variant of 'Su-35' and a casing of the alias 'Su-35S';
    the two knowledge entries differed only in their surface's case, so the scanner once emitted
    the identical mention twice (and _resolve_overlaps kept identical spans).
    """
    mentions = found(scanner, "Iran is to receive Su-35s from Russia.")
    keys = [(m.start, m.end, m.kind, m.value) for m in mentions]
    assert len(keys) == len(set(keys)), keys


@pytest.mark.parametrize("text, lemma", [
    ("Iran supplied drones to Russia.", "supply"),
    ("Iran sent drones to Russia.", "send"),
    ("The drones were shipped last week.", "ship"),
])
def test_trigger_mentions(scanner: Scanner, text: str, lemma: str) -> None:
    triggers = found(scanner, text, MentionKind.TRIGGER)
    assert lemma in [m.value for m in triggers]


def test_item_and_outlet_mentions(scanner: Scanner) -> None:
    mentions = found(scanner, "Iran sent drones, an official told the Washington Post.")
    kinds = {(m.kind, m.text) for m in mentions}
    assert (MentionKind.ITEM, "drones") in kinds
    assert any(kind is MentionKind.OUTLET and "Washington Post" in text for kind, text in kinds)


def test_names_inside_words_are_not_matched(scanner: Scanner) -> None:
    # 'Iran' inside 'Iranian' is the demonym, not the state name; 'Oman' inside 'Romania' is nothing
    parties = found(scanner, "Romania and the Iranian regime.", MentionKind.PARTY)
    assert ("Oman", "OMN") not in values(parties)
    assert [m.text for m in parties if m.value == "IRN"] == ["Iranian"]


@pytest.mark.parametrize("prefix", ["Straße: ", "İstanbul: ", "ﬁnal ", "Ǆ "])
def test_offsets_survive_case_folding_that_changes_length(scanner: Scanner, prefix: str) -> None:
    text = prefix + "Iran sent drones to Russia."
    parties = found(scanner, text, MentionKind.PARTY)
    assert [m.text for m in parties] == ["Iran", "Russia"]


ARTICLE = ("Iran to arm Russia\n\nIran agreed to send 6,000 drones to Russia, an unnamed official said. "
           "The weather in Tehran was mild.\nManchester United lost again.  \n\nThe Kremlin declined to comment.")


def test_sentences_slice_the_text(scanner: Scanner, nlp) -> None:
    sentences = scanner.sentences(ARTICLE, nlp.tokenizer, sentence_splitter())
    assert [s.text for s in sentences] == [
        "Iran to arm Russia",
        "Iran agreed to send 6,000 drones to Russia, an unnamed official said.",
        "The weather in Tehran was mild.",
        "Manchester United lost again.",
        "The Kremlin declined to comment.",
    ]
    for i, s in enumerate(sentences):
        assert s.index == i
        assert ARTICLE[s.start:s.end] == s.text
        for m in s.mentions:
            assert s.start <= m.start < m.end <= s.end
            assert ARTICLE[m.start:m.end] == m.text


def test_is_candidate(scanner: Scanner, nlp) -> None:
    sentences = scanner.sentences(ARTICLE, nlp.tokenizer, sentence_splitter())
    assert [scanner.is_candidate(s) for s in sentences] == [True, True, False, False, False]


def test_is_candidate_needs_a_trigger_and_an_anchor(scanner: Scanner) -> None:
    trigger = Mention(0, 4, "sent", MentionKind.TRIGGER, "send")
    party = Mention(5, 9, "Iran", MentionKind.PARTY, "IRN", "name")
    outlet = Mention(10, 14, "Post", MentionKind.OUTLET, "The Washington Post", "USA")
    drones = Mention(15, 21, "drones", MentionKind.ITEM, "uav")
    assert scanner.is_candidate(Sentence(0, 0, 21, "sent Iran Post drones", (trigger, party, drones)))
    assert not scanner.is_candidate(Sentence(0, 0, 14, "sent Iran Post", (trigger,)))
    assert not scanner.is_candidate(Sentence(0, 0, 14, "sent Iran Post", (party,)))
    assert not scanner.is_candidate(Sentence(0, 0, 14, "sent Iran Post", (trigger, outlet)))


@pytest.mark.parametrize("text,worth", [
    ("Iran sent a delegation to Moscow.", False),         # 'send' needs goods, and none are named
    ("Iran sent drones to Moscow.", True),                # an item
    ("Iran denied sending anything to Moscow.", True),    # a denial stands without goods
    ("Iran sent them to Moscow in May.", True),           # goods told before
    ("Iran sent $2 million to Moscow.", True),            # a sum
])
def test_a_word_that_needs_goods_is_worth_parsing_only_with_goods(scanner: Scanner, nlp, text: str,
                                                                   worth: bool) -> None:
    sentences = scanner.sentences(text, nlp.tokenizer, sentence_splitter())
    assert bool(scanner.candidates(sentences)) is worth


WORDS = ["Iran", "Russia", "sent", "drones", "the", "Kremlin", "said", "Su-35s", "Geranium-2", "US", "us",
         "North", "Korean", "Chad", "chad", "Straße", "İ", "6,000", "Mr.", "Dr.", "a", "of"]
SEPARATORS = [" ", " ", " ", ". ", ".\n", "\n\n", ", ", "? ", "! ", "  ", "\t", "\r\n"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=60))
def test_sentence_and_mention_offsets_always_slice(scanner: Scanner, nlp, parts) -> None:
    text = "".join(word + sep for word, sep in parts)
    sentences = scanner.sentences(text, nlp.tokenizer, sentence_splitter())
    previous_end = 0
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text.strip()
        assert previous_end <= s.start  # in order, not overlapping
        previous_end = s.end
        for m in s.mentions:
            assert text[m.start:m.end] == m.text
            assert s.start <= m.start and m.end <= s.end
    for m in scanner.mentions(text):
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text, parties", [
    ("NATO member Norway will donate jets to Ukraine.", ["NOR", "UKR"]),
    ("EU-member Hungary blocked the tranche for Ukraine.", ["HUN", "UKR"]),
    ("Fellow NATO ally Turkey bought S-400s from Russia.", ["TUR", "RUS"]),
    ("Norway, a NATO member, will donate jets to Ukraine.", ["NOR", "UKR"]),
    ("NATO will send more troops to Poland.", ["org:nato", "POL"]),  # the alliance itself acts
    ("NATO and Norway signed a deal.", ["org:nato", "NOR"]),
])
def test_an_alliance_naming_a_states_membership_is_not_a_party(scanner: Scanner, text: str,
                                                                parties: list[str]) -> None:
    assert [m.value for m in found(scanner, text, MentionKind.PARTY)] == parties


@pytest.mark.parametrize("text", ["a deal worth US$5.4 billion", "it cost C$406 million", "A$300m in aid"])
def test_a_currency_prefix_is_no_party(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, MentionKind.PARTY) == []


@pytest.mark.parametrize("text, items", [
    ("an anti-aircraft defence system", [("anti-aircraft defence system", "air_defence")]),
    ("counter-drone guns and drones", [("drones", "uav")]),
    ("anti-ship missiles", [("anti-ship missiles", "cruise_missile")]),
])
def test_what_a_weapon_counters_is_not_the_weapon(scanner: Scanner, text: str, items: list[tuple[str, str]]) -> None:
    assert values(found(scanner, text, MentionKind.ITEM)) == items
    assert found(scanner, "the anti-Houthi coalition", MentionKind.PARTY) == []


def test_no_sentence_end_after_number_abbreviation(nlp) -> None:
    doc = sentence_splitter()(nlp.tokenizer("Crews served with No. 6 Squadron in Kent. They left in May."))
    assert [s.text for s in doc.sents] == ["Crews served with No. 6 Squadron in Kent.", "They left in May."]


def test_an_ambiguous_form_from_the_lexicon_needs_a_party_and_an_item(scanner: Scanner) -> None:
    """triggers.csv marks 'came' an ambiguous form of 'come' and 'sent' none: 'came' with only a party
    is no candidate, 'sent' with only a party is."""
    party = Mention(10, 14, "Iran", MentionKind.PARTY, "IRN", "name")
    came = Mention(0, 4, "came", MentionKind.TRIGGER, "come")
    sent = Mention(0, 4, "sent", MentionKind.TRIGGER, "send")
    assert "came" in scanner.kb.ambiguous_trigger_forms and "sent" not in scanner.kb.ambiguous_trigger_forms
    assert scanner.skip_reason(Sentence(0, 0, 14, "came from Iran", (came, party))) is Reason.AMBIGUOUS_TRIGGER
    assert skip_reason(Sentence(0, 0, 14, "sent from Iran", (sent, party)), scanner.kb.ambiguous_trigger_forms) is None


def test_dual_use_terms_come_from_the_item_lexicon_with_plurals(scanner: Scanner) -> None:
    """item_terms.csv marks 'engine' dual-use: an article naming only engines is not military."""
    assert {"engine", "engines"} <= scanner.kb.dual_use_terms and "drones" not in scanner.kb.dual_use_terms
    text = "Rolls-Royce will deliver engines to Airbus."
    mentions = scanner.mentions(text)
    assert scanner.article_skip_reason(mentions, text) is Reason.ARTICLE_NOT_MILITARY


def test_an_acronym_the_article_defines_as_no_weapon_is_no_system(scanner: Scanner) -> None:
    """'Official Security Assistance (OSA)' is an aid programme, not the Osa air-defence system; an
    acronym defined by a weapon's name ('High Mobility Artillery Rocket System (HIMARS)') stays one."""
    text = ("Japan funds radars under its Official Security Assistance (OSA) programme; OSA grants grow. "
            "Poland bought the High Mobility Artillery Rocket System (HIMARS).")
    systems = [m.text for m in scanner.mentions(text) if m.kind is MentionKind.SYSTEM]
    assert "OSA" not in systems and "HIMARS" in systems
    assert "Osa" in [m.text for m in scanner.mentions("Egypt bought the Osa system.") if m.kind is MentionKind.SYSTEM]


@pytest.mark.parametrize("text, parsed", [
    ("Three squadrons have been delivered since 2021.", True),
    ("By the deadline only about half had arrived.", True),
    ("The rest will be delivered by 2030.", True),
    ("The first ship was handed over in May.", True),
    ("They arrived in March.", True),
    ("The deal was signed on Monday.", False),
    ("Crew training starts on 3 April.", False),
])
def test_a_trigger_with_goods_named_before_is_worth_parsing(scanner: Scanner, text: str, parsed: bool) -> None:
    """No party or item, but a count, a portion or a pronoun standing for goods named before."""
    sentence = Sentence(0, 0, len(text), text, tuple(scanner.mentions(text)))
    assert (scanner.skip_reason(sentence) is None) is parsed


def test_a_reference_to_goods_is_read_only_soon_after_goods_were_told(scanner: Scanner, nlp) -> None:
    """'Three squadrons have been delivered' continues the transfer told just before; with no sentence
    naming a party or an item in the GOODS_TOLD_WINDOW before it, it is not worth the parser."""
    told = "India signed for five S-400 squadrons with Russia in 2018. Three squadrons have been delivered."
    alone = ("The weather was fine. The market rose. Shares fell. Prices rose. Rates held. "
             "Three squadrons have been delivered.")
    for text, expected in ((told, ["Three squadrons have been delivered."]), (alone, [])):
        sentences = scanner.sentences(text, nlp.tokenizer, sentence_splitter())
        chosen = [s.text for s in scanner.candidates(sentences) if "squadrons have" in s.text]
        assert chosen == expected, text


def test_every_sentence_not_read_carries_the_reason_the_scan_used(scanner: Scanner, nlp) -> None:
    """A reference to goods far from any goods told is skipped as no-anchor (what `explain` shows),
    and a word that needs goods with none near as no-item-near."""
    text = ("The weather was fine. The market rose. Shares fell. Prices rose. Rates held. "
            "Three squadrons have been delivered. Iran sent a delegation to Moscow.")
    read = scanner.read(scanner.sentences(text, nlp.tokenizer, sentence_splitter()))
    reasons = {s.text: reason for s, reason in read}
    assert reasons["Three squadrons have been delivered."] is Reason.NO_ANCHOR
    assert reasons["Iran sent a delegation to Moscow."] is Reason.NO_ITEM_NEAR
    assert all(reason is not None for reason in reasons.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Iran", "sent", "drones", "to", "Russia", ",", ".", "!", "?", "U.S.", "3.5",
                                 "\u201d", '"', ")", "(", "'", "No.", "6", "\u3002", "...", "said", "\n"]),
                min_size=1, max_size=14))
def test_one_sentence_agrees_with_the_sentencizer(nlp, words: list[str]) -> None:
    """The shortcut that leaves a paragraph untokenized may claim one sentence only where
    spaCy's Sentencizer finds one (spaces alone are no sentence: the scan trims them away)."""
    text = " ".join(words)
    splitter = sentence_splitter()
    if splitter.one_sentence(text):
        assert len([s for s in splitter(nlp.tokenizer(text), text).sents if s.text.strip()]) <= 1


def test_one_sentence_needs_no_final_mark_inside() -> None:
    splitter = sentence_splitter()
    assert splitter.one_sentence('Iran sent drones to Russia, officials said."')
    assert not splitter.one_sentence("Iran sent drones. Russia paid.")
    assert not splitter.one_sentence("The U.S. sent drones")  # unsure without tokens: split the usual way


@pytest.mark.parametrize("text, lemma, found", [
    ("Drones hit the Druzhba oil pipeline overnight.", "pipeline", False),
    ("Iran's drone pipeline to Russia keeps flowing.", "pipeline", True),
    ("The tanker came under fire from drones off Hodeidah.", "come", False),
    ("The drones came from Iran.", "come", True),
    ("Both sides resumed peace talks in Doha.", "talks", False),
])
def test_a_compound_of_another_sense_is_no_trigger(scanner: Scanner, text: str, lemma: str, found: bool) -> None:
    """The lexicon's not_after and not_before words: 'oil pipeline', 'came under fire', 'peace talks'."""
    assert (lemma in [m.value for m in scanner.mentions(text) if m.kind is MentionKind.TRIGGER]) is found
