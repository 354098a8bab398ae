"""htmldate's date parser reads a text in the few languages it can be in, not every locale."""

from __future__ import annotations

import htmldate.extractors
import pytest

from newsarchive import extract_article
from newsarchive.extract.datelocale import reading_dates


def _languages(text: str) -> tuple[str, ...] | None:
    return htmldate.extractors.get_external_parser().languages(text)


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("12.03.2020", ("en",)),
        ("15 августа 2016, 13:43", ("en", "ru")),
        ("Posted 2/24/2026", ("en",)),
        ("二〇一六年八月十五日", None),  # no name found in a script without spaces: all
    ],
)
def test_a_text_is_read_in_english_and_the_languages_it_names(
    text: str, languages: tuple[str, ...] | None
) -> None:
    with reading_dates():
        assert _languages(text) == languages


def test_outside_htmldate_parser_tries_every_locale() -> None:
    with reading_dates():
        pass
    assert htmldate.extractors.get_external_parser().languages is None


@pytest.mark.parametrize(("lang", "day"), [(" lang='ru'", 15), (" lang='de'", 16), ("", 17)])
def test_a_date_only_htmldate_extensive_search_reads_is_read_in_few_languages(
    monkeypatch: pytest.MonkeyPatch, lang: str, day: int
) -> None:
    """Whatever language the page declares: htmldate caches its answer for a text, whatever
    page the text was on, so the languages must follow from the text alone."""
    asked: list[tuple[str, ...] | None] = []
    external_date = htmldate.extractors._external_date

    def watched(text: str):
        asked.append(_languages(text))
        return external_date(text)

    monkeypatch.setattr(htmldate.extractors, "_external_date", watched)
    html = (
        f"<html{lang}><head><title>Рынок</title></head><body><article><h1>Рынок</h1>"
        + "<p>Крытый рынок открывается рано, и фермеры приезжают туда ещё до шести утра.</p>" * 8
        + f"<footer>{day} августа 2016, 13:43</footer></article></body></html>"
    )
    article = extract_article(html)
    assert asked and set(asked) == {("en", "ru")}
    assert article.published == f"2016-08-{day}"
