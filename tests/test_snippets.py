"""Search snippets: one paragraph or one quote, cut to a window, the matched words marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.models import Article, FetchResult, Quote
from newsarchive.searching import search
from newsarchive.snippets import SNIPPET_WORDS, Marked, snippet, window
from newsarchive.store import Archive

BODY = [
    "The mayor said five blasts had been reported overnight in the north of the city.",
    "“The situation now is threatening for Kyiv,” he said.",
    "He said the night would be “very difficult” and that the city had been “left alone”.",
]
QUOTES = [
    Quote("The situation now is threatening for Kyiv", "Vitali Klitschko"),
    Quote("very difficult", "Vitali Klitschko"),
    Quote("left alone", "Vitali Klitschko"),
]


@pytest.fixture
def archive(archive_path: Path) -> Archive:
    with Archive(archive_path) as opened:
        for url, text in [
            ("https://kyiv.example/1", "\n".join(BODY)),
            ("https://kyiv.example/2", ""),
        ]:
            page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
            story = Article(headline="Blasts in the capital", text=text, quotes=QUOTES)
            opened.save(page, story)
        yield opened


def _marked_words(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_a_snippet_is_the_one_paragraph_holding_the_words(archive: Archive) -> None:
    hit = next(
        hit for hit in search(archive, "threatening for Kyiv", all_copies=True) if hit.id == 1
    )
    assert hit.snippet == BODY[1]
    assert _marked_words(hit.snippet, hit.highlights) == ["threatening", "for", "Kyiv"]


def test_words_found_only_in_quotes_show_one_quote_never_several_run_together(
    archive: Archive,
) -> None:
    hit = next(hit for hit in search(archive, "threatening", all_copies=True) if hit.id == 2)
    assert hit.snippet == QUOTES[0].text
    assert _marked_words(hit.snippet, hit.highlights) == ["threatening"]


def test_the_paragraph_with_the_most_distinct_words_wins(archive: Archive) -> None:
    hits = search(archive, "city OR night OR difficult", all_copies=True)
    assert next(hit for hit in hits if hit.id == 1).snippet == BODY[2]


def test_a_long_paragraph_is_cut_to_a_window_around_its_marks() -> None:
    words = [f"w{number}" for number in range(100)]
    text = " ".join(words)
    start = text.index("w60")
    cut = window(Marked(text, ((start, start + 3),)))
    assert cut.text.startswith("…") and cut.text.endswith("…")
    assert len(cut.text.strip("…").split()) == SNIPPET_WORDS
    assert [cut.text[low:high] for low, high in cut.spans] == ["w60"]


def test_without_a_marked_unit_the_first_one_is_shown_unmarked() -> None:
    shown = snippet([Marked(""), Marked("First paragraph."), Marked("Second.")])
    assert (shown.text, shown.spans) == ("First paragraph.", ())
