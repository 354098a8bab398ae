"""htmldate's date parser tries the page's language and English, not every locale."""

from __future__ import annotations

import htmldate.extractors
import pytest

from newsarchive import extract_article
from newsarchive.extract.datelocale import use_language


def _languages() -> list[str] | None:
    return htmldate.extractors.get_external_parser().languages


def test_a_page_language_and_english_are_what_the_parser_tries() -> None:
    with use_language("de-AT"):
        assert _languages() == ["de", "en"]
    with use_language("en"):
        assert _languages() == ["en"]


def test_without_a_language_every_locale_is_tried() -> None:
    with use_language(None):
        assert _languages() is None
    assert _languages() is None


def test_a_language_the_parser_does_not_know_tries_every_locale() -> None:
    with use_language("xx"):
        assert _languages() is None


def test_a_date_only_htmldate_extensive_search_reads_uses_the_page_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[str] | None] = []
    external_date = htmldate.extractors._external_date

    def watched(text: str):
        asked.append(_languages())
        return external_date(text)

    monkeypatch.setattr(htmldate.extractors, "_external_date", watched)
    html = (
        "<html lang='ru'><head><title>Рынок</title></head><body><article><h1>Рынок</h1>"
        + "<p>Крытый рынок открывается рано, и фермеры приезжают туда ещё до шести утра.</p>" * 8
        + "<footer>15 августа 2016, 13:43</footer></article></body></html>"
    )
    article = extract_article(html)
    assert asked and set(map(tuple, asked)) == {("ru", "en")}
    assert article.published == "2016-08-15"
