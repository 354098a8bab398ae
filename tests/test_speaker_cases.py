"""Speakers of quotations in the shapes news writing uses: one invented paragraph or two for each
shape the speaker ranker must handle (issue 11), in English, German and French."""

from __future__ import annotations

import pytest

from newsarchive.extract.quotes import find_quotes, locate
from newsarchive.extract.speaker_context import Context
from newsarchive.extract.speaker_features import Speakers, resolver_features
from newsarchive.models import Quote


def quote(paragraphs: list[str], text: str) -> Quote:
    found = [q for q in find_quotes(paragraphs) if q.text == text]
    assert found, f"no quote {text!r} in {find_quotes(paragraphs)}"
    return found[0]


def speaker(paragraphs: list[str], text: str) -> str | None:
    return quote(paragraphs, text).speaker


@pytest.mark.parametrize(
    ("paragraphs", "text", "expected"),
    [
        # cue verbs after the quotation, with titles and appositions
        (["“The budget is balanced,” added Rep. Jane Moreno, a Democrat from Ohio."],
         "The budget is balanced", "Jane Moreno"),
        (["“We will appeal,” said Alan Brooke, a lawyer for the company."],
         "We will appeal", "Alan Brooke"),
        (["“The port stays open,” Harbour Master Ida Lund told reporters on Tuesday."],
         "The port stays open", "Ida Lund"),
        # material between the cue verb and the quotation
        (["Moreno said at a briefing on Monday: “The budget is balanced.”"],
         "The budget is balanced.", "Moreno"),
        (["Moreno told reporters in Denver that the plan was “dead on arrival”."],
         "dead on arrival", "Moreno"),
        # other cue verbs
        (["Tomas Reyes wrote on Twitter: “Polls close at eight.”"], "Polls close at eight.",
         "Tomas Reyes"),
        (["“Nobody saw it coming,” Ines Vidal said in an interview with the Harbour Ledger."],
         "Nobody saw it coming", "Ines Vidal"),
        (["Carla Dunn was quoted as saying “the money is gone”."], "the money is gone",
         "Carla Dunn"),
        (["According to Paulo Serra, the vote was “a turning point”."], "a turning point",
         "Paulo Serra"),
        # the subject of the cue verb speaks, not the person the words are about
        (["Moreno says Reyes’s plan is “a fantasy”."], "a fantasy", "Moreno"),
        (["Moreno called Reyes’s remarks “locker room talk” and moved on."],
         "locker room talk", "Moreno"),
        (["Trump lawyer Dana Pike said the ruling was “a gift”."], "a gift", "Dana Pike"),
        # a name that only qualifies the next one: a unit before a rank, a place's own person
        (["“The drill went well,” said Navy spokesman Army Capt. Lena Holt."],
         "The drill went well", "Lena Holt"),
        (["“We held the line,” said Air Force 1st Lt. Omar Price."], "We held the line",
         "Omar Price"),
        (["“Turnout will be high,” said Ohio’s Dana Kerr, a pollster."], "Turnout will be high",
         "Dana Kerr"),
        # organisations and publications speak too
        (["The Harbour Ledger reports that the council will “review every contract”."],
         "review every contract", "Harbour Ledger"),
        (["The ferry was late again, according to Metro Transit, which called it “a rare fault”."],
         "a rare fault", "Metro Transit"),
        # a role phrase with a name inside ("The Danish newspaper") qualifies the name after it
        (["The Danish newspaper Vestposten noted that “the talks will fail.”"],
         "the talks will fail.", "Vestposten"),
        # the place after a name and "of" is not the speaker
        (["Sen. Tomas Reyes of North Harbour said he was “outraged” by the vote."], "outraged",
         "Tomas Reyes"),
        # capitals opening a sentence, with a dash aside, are no dateline
        (["UN envoy Ida Lund – in Harbourton on Monday – called the talks “a step back”."],
         "a step back", "Ida Lund"),
        # a heading in capitals before a dash is nobody; the name before the colon speaks
        (["PORT STRIKE ENDS, FOR NOW - Ann Carter: “The union will vote again in May.”"],
         "The union will vote again in May.", "Ann Carter"),
    ],
)  # fmt: skip
def test_speaker_in_the_quotations_own_sentence(
    paragraphs: list[str], text: str, expected: str
) -> None:
    assert speaker(paragraphs, text) == expected


@pytest.mark.parametrize(
    ("paragraph", "text"),
    [
        ("With Democratic leaders worried about turnout, Jane Moreno is rolling out a new "
         "message: “Vote early.”", "Vote early."),
        ("Many Jewish leaders fear Moreno's pledge to be “neutral” in the talks.", "neutral"),
        ("Acknowledging that Reyes was “a tough rival,” though, Moreno did praise his campaign.",
         "a tough rival"),
    ],
)  # fmt: skip
def test_a_capitalised_adjective_or_gerund_is_not_the_speaker(paragraph: str, text: str) -> None:
    assert speaker([paragraph], text) in ("Jane Moreno", "Moreno")


def test_speaker_named_after_a_long_quotation() -> None:
    words = " ".join(["The harbour has handled more ships this year than in any before it."] * 4)
    paragraph = f"“{words} We need a second quay,” said Ida Lund, the harbour master."
    found = quote([paragraph], words + " We need a second quay")
    assert (found.speaker, found.role) == ("Ida Lund", "the harbour master")


def test_speaker_named_in_the_sentence_before() -> None:
    paragraphs = ["Ines Vidal was asked about the closure on Monday. “It is temporary.”"]
    assert speaker(paragraphs, "It is temporary.") == "Ines Vidal"


def test_pronoun_and_title_several_sentences_back() -> None:
    paragraphs = [
        "Senator Ines Vidal toured the flooded valley on Monday with Tomas Reyes.",
        "The river had risen two metres overnight. She said later that the dams had held.",
        "“We were lucky this time,” she said.",
    ]
    assert speaker(paragraphs, "We were lucky this time") == "Ines Vidal"


def test_a_pronoun_does_not_stand_for_someone_its_quotation_names() -> None:
    # the last person who spoke is named inside the quotation: it is about him, not by him
    paragraphs = [
        "Omar Tull met voters in the square on Monday. Tomas Reyes said the meeting was short.",
        "“Reyes never turns up for these,” he said.",
    ]
    assert speaker(paragraphs, "Reyes never turns up for these") == "Omar Tull"


def test_speaker_of_a_run_of_quote_paragraphs_carries_forward() -> None:
    paragraphs = [
        "“The first thing we did was close the bridge,” said Harbour Master Ida Lund.",
        "“Then we moved the boats upriver.",
        "“Nobody was hurt.”",
    ]
    assert speaker(paragraphs, "Then we moved the boats upriver.\nNobody was hurt.") == "Ida Lund"


def test_who_spoke_the_quotation_before_is_the_likelier_speaker() -> None:
    paragraphs = [
        "“The bridge will open in May,” said Ines Vidal, the mayor.",
        "Responding to Tomas Reyes on Monday, Vidal repeated that “the money is there.”",
    ]
    assert speaker(paragraphs, "the money is there.") == "Ines Vidal"


def test_one_name_per_person_in_an_article() -> None:
    paragraphs = [
        "Donald J. Trump spoke in Ohio on Friday.",
        "“We will win Ohio,” Mr. Trump said.",
        "Later, Trump added: “And Michigan too.”",
    ]
    speakers = {quote.speaker for quote in find_quotes(paragraphs)}
    assert speakers == {"Donald J. Trump"}


def test_a_role_before_the_name_is_not_part_of_it() -> None:
    found = quote(["“The vote is on,” said Gov. Ines Vidal."], "The vote is on")
    assert found.speaker == "Ines Vidal"


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("“The harbour stays open,” said Walter Dean, a former governor.", "Walter Dean"),
        ("“The harbour stays open,” Rep. Tomas King told reporters.", "Tomas King"),
        ("“The harbour stays open,” Mr. King said.", "King"),
        ("“The harbour stays open,” said Judge Ana Pope.", "Ana Pope"),
    ],
)
def test_a_title_that_is_also_a_surname_ends_a_name(paragraph: str, expected: str) -> None:
    assert speaker([paragraph], "The harbour stays open") == expected


@pytest.mark.parametrize(
    "opening", ["One", "What", "Another", "He’d", "She’ll", "They’re", "I’m", "Once", "Of"]
)
def test_a_capitalised_function_word_is_nobody(opening: str) -> None:
    # a pronoun with a clitic or a word opening a sentence is not a person to quote
    paragraphs = [f"{opening} saw “a quiet revolution” at the depot."]
    assert speaker(paragraphs, "a quiet revolution") != opening


@pytest.mark.parametrize(
    ("paragraph", "text"),
    [
        # a preposition or an adverb opening a sentence
        ("Amid the cheering, the mayor’s rival called the plan “a quiet revolution”.",
         "a quiet revolution"),
        ("Shortly after the vote, the council called it “a quiet revolution”.",
         "a quiet revolution"),
        ("During the debate, critics called the plan “a quiet revolution”.", "a quiet revolution"),
        ("Between May and June, the port called its growth “a quiet revolution”.",
         "a quiet revolution"),
        # the dateline opening a paragraph
        ("HARBOURTON (Wire) - The union said on Monday that the strike was “over for now”.",
         "over for now"),
        ("NORTH HARBOUR, Maine — The union called the strike “over for now”.", "over for now"),
        ("Harbourton (Wire) – The union called the strike “over for now”.", "over for now"),
    ],
)  # fmt: skip
def test_what_opens_a_sentence_or_a_paragraph_is_nobody(paragraph: str, text: str) -> None:
    assert speaker([paragraph], text) is None


def test_a_word_opening_a_sentence_and_written_in_lower_case_elsewhere_is_nobody() -> None:
    # "Fundraising was slow" is not a person who was slow, since the article also writes
    # "fundraising": "he" stands for the man named before
    paragraphs = [
        "Dana Whitfield has run the shelter for ten years, and its fundraising is never easy.",
        "Fundraising was slow in the spring, he said, “but it picked up in the summer.”",
    ]
    assert speaker(paragraphs, "but it picked up in the summer.") == "Dana Whitfield"


@pytest.mark.parametrize(
    "paragraph",
    [
        "Tomas Reyes’s surge in the polls does not surprise the pollster Ana Ruiz: “{}”",
        "The result did not surprise Reyes’s rival, the pollster Ana Ruiz: “{}”",
    ],
)
def test_a_name_and_a_colon_right_before_the_quotation_is_its_speaker(paragraph: str) -> None:
    text = "Turnout was always going to rise."
    assert speaker([paragraph.format(text)], text) == "Ana Ruiz"


def test_scare_quotes_and_titles_are_terms() -> None:
    paragraphs = [
        "The so-called “experts” were wrong, Ines Vidal said on “Morning Harbour” today.",
        "“We expected more rain,” she said.",
    ]
    kinds = {quote.text: quote.kind for quote in find_quotes(paragraphs)}
    assert kinds == {
        "experts": "term",
        "Morning Harbour": "term",
        "We expected more rain": "speech",
    }


def test_each_turn_of_a_quoted_transcript_is_its_labels_speaker() -> None:
    paragraphs = [
        "Governor Ida Lund and the moderator, Paul Serra, spoke on Sunday. A partial transcript:",
        "“SERRA: Will the bridge reopen this year?",
        "“LUND: It will, and the ferry will run until it does.",
        "“SERRA: And the tolls, Governor, what happens to them?”",
    ]
    speakers = [(q.text.split(":")[0], q.speaker) for q in find_quotes(paragraphs)]
    assert speakers == [("SERRA", "Paul Serra"), ("LUND", "Ida Lund"), ("SERRA", "Paul Serra")]


def test_a_transcript_without_quote_marks_is_quoted_turn_by_turn() -> None:
    paragraphs = [
        "The station's evening show spoke to a harbour pilot.",
        "NORA BAKKE, HOST: How long have you guided ships into this port?",
        "ANDERS VIK: Thirty-one years, and never in fog like this week's.",
        "BAKKE: What made this week different?",
        "VIK: The wind died and the fog sat on the water for three days.",
    ]
    quotes = [(q.text, q.speaker) for q in find_quotes(paragraphs)]
    assert quotes == [
        ("How long have you guided ships into this port?", "NORA BAKKE"),
        ("Thirty-one years, and never in fog like this week's.", "ANDERS VIK"),
        ("What made this week different?", "NORA BAKKE"),
        ("The wind died and the fog sat on the water for three days.", "ANDERS VIK"),
    ]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # two labelled paragraphs are no transcript
        ["SERRA: Will the bridge reopen this year?", "LUND: It will, and soon enough."],
        # a fact box: short values after the labels
        ["CEO: Ida Lund", "CFO: Paul Serra", "CEO: Ines Vidal", "FOUNDED: In 1921"],
        # letters to an advice column open with a salutation, not a speaker
        ["DEAR PENNY: My brother borrowed my car and never gave it back to me.",
         "DEAR SISTER: Ask him for the keys and set a date for their return.",
         "DEAR PENNY: My neighbour plays the drums at night and will not stop."],
    ],
)  # fmt: skip
def test_labelled_paragraphs_that_are_no_transcript_quote_nobody(paragraphs: list[str]) -> None:
    assert find_quotes(paragraphs) == []


# German and French: „…“ and « … » with their own cue verbs


@pytest.mark.parametrize(
    ("paragraphs", "text", "expected"),
    [
        (["„Die Brücke bleibt gesperrt“, sagte Bürgermeisterin Ines Vogt am Montag."],
         "Die Brücke bleibt gesperrt", "Ines Vogt"),
        (["Ines Vogt erklärte: „Die Brücke bleibt gesperrt.“"], "Die Brücke bleibt gesperrt.",
         "Ines Vogt"),
        (["„Wir bauen neu“, so Ines Vogt."], "Wir bauen neu", "Ines Vogt"),
        (["Laut Ines Vogt ist die Lage „sehr ernst“."], "sehr ernst", "Ines Vogt"),
        (["« Le pont restera fermé », a déclaré Paul Morel, le maire."],
         "Le pont restera fermé", "Paul Morel"),
        (["Paul Morel a expliqué : « Le pont restera fermé. »"], "Le pont restera fermé.",
         "Paul Morel"),
        (["Selon Paul Morel, la situation est « très grave »."], "très grave", "Paul Morel"),
    ],
)  # fmt: skip
def test_german_and_french_cues(paragraphs: list[str], text: str, expected: str) -> None:
    assert speaker(paragraphs, text) == expected


def test_german_and_french_pronouns() -> None:
    german = ["Ines Vogt besuchte am Montag die Baustelle.", "„Wir sind im Plan“, sagte sie."]
    french = [
        "Paul Morel a visité le chantier lundi.",
        "« Nous sommes dans les temps », a-t-il dit.",
    ]
    assert speaker(german, "Wir sind im Plan") == "Ines Vogt"
    assert speaker(french, "Nous sommes dans les temps") == "Paul Morel"


def person_features(paragraphs: list[str], anaphor: str, candidate: str) -> list[str]:
    """The resolver's features of the last mention ``candidate`` for the pronoun ``anaphor``."""
    located = locate(paragraphs)
    mentions = located.mentions()
    known = Context(located.masked, mentions, located.ends)
    pronoun = next(m for m in mentions if m.text == anaphor)
    person = [m for m in mentions if m.text == candidate and m.paragraph <= pronoun.paragraph][-1]
    return list(resolver_features(known, pronoun, person, 0, Speakers(), None, frozenset()).names())


@pytest.mark.parametrize(
    ("title", "gender"), [("Mr.", "he"), ("Mrs.", "she"), ("Ms.", "she"), ("Sen.", "")]
)
def test_a_names_title_anywhere_in_the_article_says_which_pronoun_fits(
    title: str, gender: str
) -> None:
    paragraphs = [
        f"{title} Tomas Reyes met Ann Carter at the depot on Monday.",
        "Later Carter and Reyes toured the yard. “The trains are late,” she said.",
    ]
    assert f"title_gender={gender}" in person_features(paragraphs, "she", "Reyes")
    assert "title_gender=" in person_features(paragraphs, "she", "Carter")


def test_a_name_only_ever_after_a_preposition_is_a_place() -> None:
    paragraphs = [
        "Ann Carter spoke in Denver on Monday, and Reyes was at Denver too.",
        "Reyes was asked about the depot. “It will close,” he said.",
    ]
    assert "placed=True" in person_features(paragraphs, "he", "Denver")
    assert "placed=False" in person_features(paragraphs, "he", "Reyes")
