"""Speakers across the archive: one row per name, found word by word, listed by quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import save_quoted

from newsarchive.errors import QueryError
from newsarchive.models import Article, FetchResult, Quote, SpeakerSummary
from newsarchive.searching import search, search_quotes
from newsarchive.speakers import list_speakers, speaker_key, speaker_match
from newsarchive.store import Archive

# Each article names the speaker in the fullest form it uses, without titles: the article that
# only says "Mr. Trump" stores "Trump".
STORIES = {
    "rally": [
        Quote("We will build the bridge first", "Donald J. Trump"),
        Quote("The crowd was enormous", "Donald J. Trump"),
        Quote("so-called", kind="term"),
    ],
    "debate": [
        Quote("Nobody asked me about the bridge", "Trump", role="the Republican nominee"),
        Quote("The bridge can wait", "Joanna Ruiz"),
    ],
    "harbour": [
        Quote("Ferries run on time again", "Donald Trump"),
        Quote("The pier needs paint", "Ann Lee", role="the harbour master"),
        Quote("Tomorrow the tide turns", "Zoë Ruiz"),
    ],
}


@pytest.fixture
def archive(archive_path: Path) -> Archive:
    with Archive(archive_path) as opened:
        save_quoted(opened, STORIES)
        yield opened


def speakers_of(hits: list) -> list[str]:
    return sorted({hit.speaker for hit in hits})


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Donald J. Trump", "donald trump"),
        ("DONALD TRUMP", "donald trump"),
        ("Zoë Ruiz", "zoe ruiz"),
        ("Beto O’Rourke", "beto rourke"),
        ("Donald Trump Jr.", "donald trump jr"),
        ("J. K.", "j k"),
        ("—", ""),
    ],
)
def test_names_are_filed_under_their_folded_words_without_initials(name: str, key: str) -> None:
    assert speaker_key(name) == key


def test_a_speaker_query_needs_a_word() -> None:
    assert speaker_match("Donald  TRUMP") == '"donald" "trump"'
    with pytest.raises(QueryError, match="speaker's name"):
        speaker_match(" .. ")


@pytest.mark.parametrize("query", ["trump", "TRUMP", " Trump. "])
def test_quotes_by_speaker_find_every_form_of_the_name(archive: Archive, query: str) -> None:
    found = search_quotes(archive, speaker=query)
    assert speakers_of(found) == ["Donald J. Trump", "Donald Trump", "Trump"]
    assert len(found) == 4


@pytest.mark.parametrize(
    ("query", "speakers"),
    [
        ("donald trump", ["Donald J. Trump", "Donald Trump"]),
        ("ann", ["Ann Lee"]),
        ("ruiz", ["Joanna Ruiz", "Zoë Ruiz"]),
        ("zoe", ["Zoë Ruiz"]),
        ("tru", []),
    ],
)
def test_a_speaker_is_matched_word_by_word(archive: Archive, query: str, speakers: list) -> None:
    assert speakers_of(search_quotes(archive, speaker=query)) == speakers


def test_quotes_by_speaker_and_words(archive: Archive) -> None:
    found = search_quotes(archive, "bridge", speaker="trump")
    assert sorted(hit.text for hit in found) == [
        "Nobody asked me about the bridge",
        "We will build the bridge first",
    ]
    [nominee] = [hit for hit in found if hit.speaker == "Trump"]
    assert (nominee.role, nominee.kind) == ("the Republican nominee", "speech")


def test_terms_are_left_out_unless_asked_for(archive: Archive) -> None:
    assert "so-called" not in [hit.text for hit in search_quotes(archive)]
    assert search_quotes(archive, "called") == []
    [term] = search_quotes(archive, "called", include_terms=True)
    assert (term.text, term.speaker, term.kind) == ("so-called", None, "term")
    everything = search_quotes(archive, include_terms=True)
    assert len(everything) == len(search_quotes(archive)) + 1


def test_the_search_speaker_filter_matches_word_by_word(archive: Archive) -> None:
    assert [hit.headline for hit in search(archive, "story speaker:ann")] == ["Harbour"]
    assert {hit.headline for hit in search(archive, "story speaker:trump")} == {
        "Rally",
        "Debate",
        "Harbour",
    }


def test_speakers_are_listed_most_quoted_first(archive: Archive) -> None:
    assert list_speakers(archive) == [
        SpeakerSummary("Donald J. Trump", 3, 2),
        SpeakerSummary("Ann Lee", 1, 1),
        SpeakerSummary("Joanna Ruiz", 1, 1),
        SpeakerSummary("Trump", 1, 1),
        SpeakerSummary("Zoë Ruiz", 1, 1),
    ]


def test_speakers_are_filtered_word_by_word_and_limited(archive: Archive) -> None:
    assert [s.name for s in list_speakers(archive, "TRUMP")] == ["Donald J. Trump", "Trump"]
    assert [s.name for s in list_speakers(archive, "ann")] == ["Ann Lee"]
    assert [s.name for s in list_speakers(archive, limit=2)] == ["Donald J. Trump", "Ann Lee"]


def test_a_re_extraction_that_drops_a_speaker_drops_it_from_the_list(
    archive: Archive,
) -> None:
    url = "https://port.example/debate"
    page = FetchResult(url=url, final_url=url, text="", raw=b"debate")
    archive.save(page, Article(headline="Debate", text="Story.", quotes=[Quote("Later", None)]))
    assert "Trump" not in [s.name for s in list_speakers(archive)]
    assert "Joanna Ruiz" not in [s.name for s in list_speakers(archive, "ruiz")]
