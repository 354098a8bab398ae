"""Quotations and speakers: invented sentences for every rule, plus the shared seed article."""

from __future__ import annotations

import pytest
from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.extract.quotes import find_quotes
from newsarchive.models import Quote

SEED = SHARED / "seed" / "000_462e5a56550a0a15.txt"


def texts(paragraphs: list[str]) -> list[str]:
    return [quote.text for quote in find_quotes(paragraphs)]


def speaker_of(paragraphs: list[str], text: str) -> str | None:
    found = [quote for quote in find_quotes(paragraphs) if quote.text == text]
    assert found, f"no quote {text!r} in {find_quotes(paragraphs)}"
    return found[0].speaker


# Quote marks


@pytest.mark.parametrize(
    ("paragraph", "text"),
    [
        ("“The river is rising,” the warden said.", "The river is rising"),
        ('"The river is rising," the warden said.', "The river is rising"),
        ("« La rivière monte », a déclaré le gardien.", "La rivière monte"),
        ("«La rivière monte», a déclaré le gardien.", "La rivière monte"),
        ("«\u00a0La rivière monte\u00a0», a déclaré le gardien.", "La rivière monte"),
        ("„Der Fluss steigt“, sagte der Wärter.", "Der Fluss steigt"),
        ("‘The river is rising’, the warden said.", "The river is rising"),
    ],
)
def test_each_kind_of_quote_mark(paragraph: str, text: str) -> None:
    assert texts([paragraph]) == [text]


def test_final_full_stop_inside_the_marks_stays() -> None:
    paragraph = "She looked at the crowd. “When the bridge falls, the whole valley falls.”"
    assert texts([paragraph]) == ["When the bridge falls, the whole valley falls."]


def test_comma_of_the_attribution_is_dropped_but_inner_commas_stay() -> None:
    assert texts(["“Rain, hail, snow,” she said."]) == ["Rain, hail, snow"]


def test_nested_quotes_stay_inside_the_outer_quotation() -> None:
    paragraph = "“He told me ‘run’ and I ran,” the baker said."
    assert texts([paragraph]) == ["He told me ‘run’ and I ran"]


def test_british_single_quotes_with_double_quotes_inside() -> None:
    assert texts(["‘They shouted “stop” twice’, Ana Ruiz said"]) == ["They shouted “stop” twice"]


def test_several_quotes_in_one_paragraph_in_order() -> None:
    paragraph = "“First,” she said, “second.” Then: “third”."
    assert texts([paragraph]) == ["First", "second.", "third"]


def test_quotes_without_letters_are_ignored() -> None:
    assert texts(["He typed “...” and “” and then “!”."]) == []


# Apostrophes are never quote marks


@pytest.mark.parametrize(
    "paragraph",
    [
        "The mayor’s office said the port’s cranes were idle.",
        "He’s sure they’re coming, and it’s Elena’s call.",
        "They played rock ’n’ roll from the ’90s at the Joneses’ party.",
        "They played rock ‘n’ roll from the ‘90s all night, the band’s fans said.",
        "Ms O’Neill and Mr D’Arcy met at the Smiths’ house.",
        "It was 6' tall and 12\" wide.",
    ],
)
def test_apostrophes_and_primes_make_no_quotes(paragraph: str) -> None:
    assert texts([paragraph]) == []


def test_apostrophes_inside_single_quotes_do_not_close_them() -> None:
    paragraph = "‘Marta’s team won’t stop until it’s done’, the coach said."
    assert texts([paragraph]) == ["Marta’s team won’t stop until it’s done"]


def test_plural_possessive_inside_single_quotes_prefers_the_clause_end() -> None:
    paragraph = "‘We fed the Joneses’ cat every day’, Ana Ruiz said."
    assert texts([paragraph]) == ["We fed the Joneses’ cat every day"]


def test_two_single_quoted_spans_stay_apart() -> None:
    paragraph = "She wrote ‘bring bread’ and ‘bring salt’ on the list."
    assert texts([paragraph]) == ["bring bread", "bring salt"]


def test_lone_single_opening_mark_is_not_a_quote() -> None:
    assert texts(["The ‘open door policy was dropped, officials said."]) == []


# Paragraphs and unbalanced marks


def test_quote_running_over_paragraphs_is_one_quote_joined_with_newlines() -> None:
    paragraphs = [
        "“Our crews are on the roads. Everyone is working.",
        "“The schools will stay open.",
        "“And it will go on like this.”",
    ]
    assert texts(paragraphs) == [
        "Our crews are on the roads. Everyone is working.\n"
        "The schools will stay open.\n"
        "And it will go on like this."
    ]


def test_straight_and_guillemet_quotes_also_run_over_paragraphs() -> None:
    assert texts(['"One thing.', '"Another."']) == ["One thing.\nAnother."]
    assert texts(["« Une chose.", "« Une autre. »"]) == ["Une chose.\nUne autre."]


def test_unclosed_quote_ends_at_its_paragraph_end() -> None:
    paragraphs = ["Then she said: “We will rebuild the mill", "The rain stopped at noon."]
    assert texts(paragraphs) == ["We will rebuild the mill"]


def test_unclosed_quote_does_not_swallow_a_differently_marked_paragraph() -> None:
    assert texts(["“Unfinished thought", "‘Another’, someone said."]) == [
        "Unfinished thought",
        "Another",
    ]


def test_quote_after_the_multi_paragraph_quote_is_separate() -> None:
    paragraphs = ["“We start today.", "“We finish tomorrow,” she said. “Then we rest.”"]
    assert texts(paragraphs) == ["We start today.\nWe finish tomorrow", "Then we rest."]


# Speakers


def test_pronoun_after_the_quote_resolves_to_the_last_named_person() -> None:
    paragraphs = ["Fire chief Marta Olsen arrived at dawn.", "“The roof is gone,” she said."]
    assert find_quotes(paragraphs) == [Quote("The roof is gone", "Marta Olsen")]


def test_pronoun_skips_names_inside_quotations() -> None:
    paragraphs = [
        "Marta Olsen arrived at dawn.",
        "“I called Peter Hale first,” she said. “Then I went in,” she added.",
    ]
    assert {quote.speaker for quote in find_quotes(paragraphs)} == {"Marta Olsen"}


def test_pronoun_without_any_named_person_has_no_speaker() -> None:
    assert find_quotes(["“Nobody came,” he said."]) == [Quote("Nobody came", None)]


@pytest.mark.parametrize(
    "paragraph",
    [
        "“The dam will hold,” said Tomas Berg.",
        "“The dam will hold,” Tomas Berg said.",
        "“The dam will hold,” Tomas Berg told reporters.",
        "“The dam will hold,” Tomas Berg, the engineer, insisted on Monday.",
        "“The dam will hold,” said the engineer, Tomas Berg.",
        "“The dam will hold,” said Ostrava’s chief engineer Tomas Berg.",
        "“The dam will hold,” according to Tomas Berg.",
        "“The dam will hold,” Tomas Berg later wrote.",
        "Tomas Berg said: “The dam will hold.”",
        "Tomas Berg warned: “The dam will hold.”",
        "According to Tomas Berg, “the dam will hold”.",
        "Engineer Tomas Berg told the council: “The dam will hold.”",
        "Tomas Berg said the dam “will hold”.",
    ],
)
def test_attribution_patterns(paragraph: str) -> None:
    quotes = find_quotes([paragraph])
    assert len(quotes) == 1
    assert quotes[0].speaker == "Tomas Berg"


@pytest.mark.parametrize(
    "paragraph",
    [
        "„Der Damm hält“, sagte Tomas Berg.",
        "« Le barrage tiendra », a déclaré Tomas Berg.",
        "«Le barrage tiendra», selon Tomas Berg.",
        "“La presa aguantará”, dijo Tomas Berg.",
        "Tomas Berg sagte: „Der Damm hält.“",
    ],
)
def test_reporting_verbs_in_other_languages(paragraph: str) -> None:
    assert find_quotes([paragraph])[0].speaker == "Tomas Berg"


def test_place_after_a_preposition_is_not_a_speaker() -> None:
    assert find_quotes(["Officials in Ostrava said: “We are ready.”"])[0].speaker != "Ostrava"


def test_organisation_after_the_is_a_speaker() -> None:
    assert find_quotes(["“We are ready,” the Kremlin said."])[0].speaker == "Kremlin"


def test_german_pronoun_resolves_like_an_english_one() -> None:
    paragraphs = ["Kanzlerin Ines Kahl besuchte Brno.", "„Wir helfen“, sagte sie."]
    assert find_quotes(paragraphs) == [Quote("Wir helfen", "Ines Kahl")]


def test_titles_and_honorifics_are_not_part_of_the_speaker() -> None:
    assert find_quotes(["“We vote today,” said Mayor Ines Kahl."])[0].speaker == "Ines Kahl"
    assert find_quotes(["“We vote today,” said Mr. Kahl."])[0].speaker == "Kahl"


def test_bare_surname_maps_to_the_full_name_seen_earlier() -> None:
    paragraphs = [
        "Ostrava’s mayor Ines Kahl toured the flooded streets.",
        "Later Kahl insisted: “No one will be left behind.”",
    ]
    assert find_quotes(paragraphs) == [Quote("No one will be left behind.", "Ines Kahl")]


def test_possessive_surname_counts_as_a_mention_for_pronouns() -> None:
    paragraphs = [
        "Tomas Berg met Ines Kahl at the town hall. She had asked for the meeting.",
        "Kahl’s deputy was absent. “We start at six,” she said.",
    ]
    assert find_quotes(paragraphs)[0].speaker == "Ines Kahl"


def test_places_with_possessives_are_not_people() -> None:
    paragraphs = [
        "Tomas Berg spoke after Ostrava’s council met on Friday in Brno.",
        "“The plan is ready,” he said.",
    ]
    assert find_quotes(paragraphs)[0].speaker == "Tomas Berg"


def test_partial_quote_takes_the_subject_of_the_reporting_verb() -> None:
    paragraphs = ["Ines Kahl visited the shelter.", "She said the week would be “very long”."]
    assert find_quotes(paragraphs) == [Quote("very long", "Ines Kahl")]


def test_partial_quote_after_a_participle_takes_the_sentence_subject() -> None:
    paragraph = "Earlier, Tomas Berg asked for sandbags after saying the town was “on its own”."
    assert find_quotes([paragraph]) == [Quote("on its own", "Tomas Berg")]


def test_quote_without_attribution_in_its_sentence_takes_its_neighbours_speaker() -> None:
    paragraph = "“The water came fast,” said Ana Ruiz. “We lost everything.”"
    assert speaker_of([paragraph], "We lost everything.") == "Ana Ruiz"


def test_run_of_quote_paragraphs_keeps_the_speaker() -> None:
    paragraphs = [
        "“We are staying,” said Ana Ruiz.",
        "“Our neighbours are staying too.”",
        "“Nobody is leaving.”",
    ]
    assert {quote.speaker for quote in find_quotes(paragraphs)} == {"Ana Ruiz"}


def test_multi_paragraph_quote_takes_the_attribution_at_its_end() -> None:
    paragraphs = ["“We are staying.", "“Nobody is leaving,” said Ana Ruiz."]
    assert find_quotes(paragraphs) == [Quote("We are staying.\nNobody is leaving", "Ana Ruiz")]


def test_quote_after_a_narrative_paragraph_has_no_inherited_speaker() -> None:
    paragraphs = ["“We are staying,” said Ana Ruiz.", "The rain stopped.", "“Nobody is leaving.”"]
    assert speaker_of(paragraphs, "Nobody is leaving.") is None


def test_unattributed_partial_quote_keeps_no_speaker() -> None:
    paragraphs = ["The report called the plan “reckless”. “We disagree,” said Ana Ruiz."]
    assert speaker_of(paragraphs, "reckless") is None
    assert speaker_of(paragraphs, "We disagree") == "Ana Ruiz"


def test_duplicates_keep_the_first_position_and_a_known_speaker() -> None:
    paragraphs = [
        "‘Hold the line’: the call went out at dawn",
        "Commander Lena Frost spoke from the bridge.",
        "“Hold the line,” she said.",
    ]
    assert find_quotes(paragraphs) == [Quote("Hold the line", "Lena Frost")]


def test_empty_input() -> None:
    assert find_quotes([]) == []
    assert find_quotes(["", "   "]) == []


# Invariants on arbitrary text

MARKS = st.sampled_from(["“", "”", "„", "«", "»", '"', "‘", "’", "'", ",", ".", " ", "\n"])
PARAGRAPH = st.lists(
    st.one_of(MARKS, st.text(max_size=8), st.sampled_from(["he said", "Ana Ruiz", "said"])),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PARAGRAPH, max_size=6))
def test_never_raises_and_every_line_comes_from_one_paragraph(paragraphs: list[str]) -> None:
    """Guaranteed: each line of a quotation (pieces are joined with "\\n") is a substring of one
    input paragraph, and a speaker is a substring of one input paragraph."""
    quotes = find_quotes(paragraphs)
    assert len({quote.text for quote in quotes}) == len(quotes)
    for quote in quotes:
        assert quote.text
        assert all(any(line in p for p in paragraphs) for line in quote.text.split("\n"))
        assert quote.speaker is None or any(quote.speaker in p for p in paragraphs)


# The shared seed article


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not available")
def test_seed_article() -> None:
    paragraphs = SEED.read_text(encoding="utf-8").splitlines()[1:]
    quotes = {quote.text: quote.speaker for quote in find_quotes(paragraphs)}
    expected = {
        "We are all here": "Zelensky",
        "The situation now - without exaggeration - is threatening for Kyiv": "Klitschko",
        "very difficult": "Klitschko",
        "When missiles kill our people, they kill all Europeans.": "Zelensky",
        "number one target": "Zelensky",
        "left alone": "Zelensky",
    }
    for text, speaker in expected.items():
        assert speaker in (quotes[text] or ""), text
    long_quote = [text for text in quotes if text.startswith("Our troops are here,")]
    assert len(long_quote) == 1
    assert long_quote[0].endswith("And it will continue to be this way.")
    assert "Zelensky" in (quotes[long_quote[0]] or "")
    assert len(quotes) == 9
    for text in quotes:  # no quote is made of the text between two apostrophes (he’s, Ukraine’s)
        assert text[0].isupper() or text in ("very difficult", "number one target", "left alone")
        assert not text.startswith(("s ", "’")), text


def test_a_pronoun_after_thousands_of_mentions_still_finds_who_just_spoke() -> None:
    # a pronoun looks back a bounded number of mentions (a page of one name repeated thousands
    # of times stays linear); the person it stands for was named just before
    filler = "Dana Reyes met Lee Park. " * 3000
    paragraphs = [filler, "Dana Reyes spoke next. “We are ready,” she said."]
    quotes = find_quotes(paragraphs)
    assert [(q.text, q.speaker) for q in quotes] == [("We are ready", "Dana Reyes")]


def test_the_fullest_name_is_found_among_thousands_of_mentions() -> None:
    paragraphs = ["Reyes met Park. " * 2000, "Dana Maria Reyes arrived.", "“Go,” Reyes said."]
    assert [(q.text, q.speaker) for q in find_quotes(paragraphs)] == [("Go", "Dana Maria Reyes")]


def test_speakers_are_looked_for_in_a_bounded_number_of_quotations() -> None:
    from newsarchive.extract.attribution import ATTRIBUTED_QUOTATIONS

    count = ATTRIBUTED_QUOTATIONS + 200
    paragraph = " ".join(f"“Line {n} is here,” said Ana Ruiz." for n in range(count))
    quotes = find_quotes([paragraph])
    assert len(quotes) == count
    assert quotes[0].speaker == "Ana Ruiz"
    assert quotes[-1].speaker is None
