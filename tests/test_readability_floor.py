"""Readability as a floor: our subclass gives readability's own answer, and a page where our
pruning or cleaning finds (almost) nothing gets readability's answer instead of nothing."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from conftest import BRIDGE_STORY, FIXTURES
from readability import Document

from newsarchive.extract import article as html_path
from newsarchive.extract import extract_article
from newsarchive.extract.clean import block_lines
from newsarchive.extract.prune import place_streamed_segments, prune
from newsarchive.extract.readable import (
    _PrunedDocument,
    parse,
    parse_fragment,
    readability_html,
)

PAGES = sorted(FIXTURES.glob("*/page.html"))


def _lines(fragment: str) -> list[str]:
    return block_lines(parse_fragment(fragment)) if fragment.strip() else []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.parent.name)
def test_pruned_document_gives_readabilitys_own_answer(page: Path) -> None:
    """The overridden passes (scoring, unlikely candidates, misused divs) are rewrites for
    speed: on the same pruned tree, readability itself must keep the same text."""
    doc = parse(page.read_text(encoding="utf-8"))
    place_streamed_segments(doc)
    prune(doc)
    ours = _PrunedDocument(doc).summary(html_partial=True)
    theirs = Document(lxml.html.tostring(doc, encoding="unicode")).summary(html_partial=True)
    assert _lines(ours) == _lines(theirs)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.parent.name)
def test_the_floor_is_readabilitys_own_answer(page: Path) -> None:
    """The floor runs readability's own parse and cleaner with the faster passes: on a whole
    page it must return exactly what readability itself returns."""
    html = page.read_text(encoding="utf-8")
    assert readability_html(html) == Document(html).summary(html_partial=True)


def _story_page(wrapper: str = "div") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in BRIDGE_STORY)
    return (
        "<html><head><title>Harbour bridge reopens</title></head><body>"
        f"<{wrapper} class='story'><h1>Harbour bridge reopens</h1>{paragraphs}</{wrapper}>"
        "</body></html>"
    )


def test_an_empty_body_gives_way_to_readabilitys_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_path, "body_html", lambda doc: "")
    article = extract_article(_story_page(), "https://harbour.example/bridge")
    assert article.text.split("\n") == BRIDGE_STORY


def test_a_fragment_gives_way_to_readabilitys_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_path, "body_html", lambda doc: f"<p>{BRIDGE_STORY[2]}</p>")
    article = extract_article(_story_page(), "https://harbour.example/bridge")
    assert article.text.split("\n") == BRIDGE_STORY


def test_a_short_body_explained_by_removed_boilerplate_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What our cleaning removed on purpose is no reason to take readability's longer answer."""
    appeal = "".join(
        f"<p>Subscribe to our newsletter {n} and get every story delivered to your inbox.</p>"
        for n in range(12)
    )
    page = _story_page().replace("</body>", f"<div class='box'>{appeal}</div></body>")
    kept = f"<p>{BRIDGE_STORY[0]}</p>{appeal}"
    monkeypatch.setattr(html_path, "body_html", lambda doc: kept)
    article = extract_article(page, "https://harbour.example/bridge")
    assert article.text == BRIDGE_STORY[0]


def test_a_form_around_a_page_without_paragraphs_is_not_pruned() -> None:
    """ASP.NET pages wrap everything in one <form>; with no <p> on the page, its text is in
    table cells and <br>-separated runs, which the paragraph measure does not see."""
    text = "<br><br>".join(BRIDGE_STORY)
    page = (
        "<html><head><title>Harbour bridge reopens</title></head><body>"
        "<form id='aspnetForm' method='post'><table><tr>"
        "<td><a href='/'>Home</a><br><a href='/news'>News</a><br><a href='/sport'>Sport</a></td>"
        f"<td><font size='2'>{text}</font></td></tr></table></form></body></html>"
    )
    article = extract_article(page, "https://harbour.example/bridge")
    assert article.text.split("\n") == BRIDGE_STORY
