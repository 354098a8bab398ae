"""The regexes the quotation finder reads names and speech verbs with."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarchive.extract.names import WORD, alternation, word_count, word_start

WORDS = "said,says,sa,he,her,hers,He,it,à,über"


def spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [found.span() for found in re.finditer(pattern, text)]


def test_word_start_finds_whole_words_only_from_their_start() -> None:
    text = "He said it; resaid, 2said, _said, he’s, it-her, über à"
    found = [text[start:end] for start, end in spans(word_start(WORDS) + r"\b", text)]
    assert found == ["He", "said", "it", "he", "it", "her", "über", "à"]


# words that start with more different letters than most lists, as the speech verbs do, which
# ``word_start`` writes another way
MANY_FIRST_LETTERS = "sa,sad,sa da,ya,ia,da,ea,ra,ha,ta,ba,na,ma,la,ka,ga,fa,ca,pa,àa"


@pytest.mark.parametrize("words", [WORDS, MANY_FIRST_LETTERS])
@given(st.text(alphabet="sayidherHtàüb’'-_2 .nmlkgfcp", max_size=40), st.integers(0, 40))
def test_word_start_matches_where_a_boundary_and_the_alternation_do(
    words: str, text: str, at: int
) -> None:
    plain = re.compile(rf"\b(?:{alternation(words)})")
    fast = re.compile(word_start(words))
    assert spans(fast.pattern, text) == spans(plain.pattern, text)
    plain_match, fast_match = plain.search(text, at), fast.search(text, at)
    assert (fast_match and fast_match.span()) == (plain_match and plain_match.span())


@given(st.text(alphabet="ab Z09_'-.,|\t") | st.text(alphabet="ab Z09_'-.,|’éß²½—“”\u00a0"))
def test_word_count_counts_the_words_that_word_finds(text: str) -> None:
    assert word_count(text) == len(WORD.findall(text))


def test_word_count_counts_a_word_once_whatever_it_goes_on_with() -> None:
    assert word_count("Jane's co-worker, 2nd in line_up -- said: 42 x") == 7
