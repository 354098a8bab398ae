"""htmldate's date parser reads a page's texts in a few languages, not in every locale."""

from __future__ import annotations

import htmldate.extractors
import pytest

from newsarchive import extract_article
from newsarchive.extract.datelocale import use_language


def _languages(text: str) -> tuple[str, ...] | None:
    return htmldate.extractors.get_external_parser().languages(text)


@pytest.mark.parametrize(
    ("declared", "text", "languages"),
    [
        ("de-AT", "12.03.2020", ("de", "en")),
        ("en", "15 августа 2016, 13:43", ("en", "ru")),
        (None, "15 августа 2016, 13:43", ("ru", "en")),
        (None, "Posted 2/24/2026", ("en",)),
        ("xx", "Posted 2/24/2026", ("en",)),  # a language dateparser does not know
        (None, "二〇一六年八月十五日", None),  # no name found in a script without spaces: all
    ],
)
def test_a_text_is_read_in_the_declared_named_and_english_languages(
    declared: str | None, text: str, languages: tuple[str, ...] | None
) -> None:
    with use_language(declared):
        assert _languages(text) == languages


def test_outside_a_page_htmldate_parser_tries_every_locale() -> None:
    with use_language("de"):
        pass
    assert htmldate.extractors.get_external_parser().languages is None


@pytest.mark.parametrize(("lang", "day"), [(" lang='ru'", 15), ("", 16)])  # htmldate caches texts
def test_a_date_only_htmldate_extensive_search_reads_is_read_in_few_languages(
    monkeypatch: pytest.MonkeyPatch, lang: str, day: int
) -> None:
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
    assert asked and set(asked) == {("ru", "en")}
    assert article.published == f"2016-08-{day}"
