"""extract_article / extract_text_article / extract: fixture pages, the seed article, edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.errors import ExtractionError
from newsarchive.extract import extract, extract_article, extract_text_article
from newsarchive.extract.dense import dense_block
from newsarchive.extract.readable import parse
from newsarchive.models import Article, FetchResult

SEED = SHARED / "seed" / "000_462e5a56550a0a15.txt"
CASES = sorted(path.parent for path in FIXTURES.glob("*/expected.json"))
METADATA_FIELDS = ("headline", "standfirst", "authors", "published", "modified", "site")
METADATA_FIELDS += ("language", "canonical_url", "status")


def _extract_case(case: Path) -> tuple[Article, dict]:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    html = (case / "page.html").read_text(encoding="utf-8")
    return extract_article(html, expected.get("url")), expected


def test_there_are_fixture_cases() -> None:
    assert len(CASES) >= 5
    assert FIXTURES / "independent-style" in CASES


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fixture_paragraphs(case: Path) -> None:
    article, expected = _extract_case(case)
    assert article.text.split("\n") == expected["paragraphs"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fixture_metadata(case: Path) -> None:
    article, expected = _extract_case(case)
    for name in METADATA_FIELDS:
        if name in expected:
            assert getattr(article, name) == expected[name], name


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fixture_boilerplate_is_gone(case: Path) -> None:
    article, expected = _extract_case(case)
    for snippet in expected.get("must_not_contain", []):
        assert snippet not in article.text
    for snippet in expected.get("html_must_not_contain", []):
        assert snippet not in article.html
    rules = {block.rule for block in article.removed}
    assert set(expected.get("removed_rules", [])) <= rules


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fixture_quotes(case: Path) -> None:
    article, expected = _extract_case(case)
    for wanted in expected.get("quotes", []):
        found = [quote for quote in article.quotes if quote.text == wanted["text"]]
        assert found, wanted["text"]
        assert wanted["speaker"] in (found[0].speaker or "")
        for field in ("role", "kind"):
            if field in wanted:
                assert getattr(found[0], field) == wanted[field], (wanted["text"], field)


def test_body_html_is_safe() -> None:
    article, _ = _extract_case(FIXTURES / "share-bar")
    assert "<p>" in article.html
    for unsafe in ("<script", "onclick", "javascript:", "class="):
        assert unsafe not in article.html


def test_page_without_text_raises() -> None:
    with pytest.raises(ExtractionError, match=r"^https://example\.org/x: no article text found$"):
        extract_article(
            "<html><body><nav><a href='/'>Home</a></nav></body></html>", "https://example.org/x"
        )
    with pytest.raises(ExtractionError, match=r"^page: no article text found$"):
        extract_article("")


def test_a_page_without_text_still_says_what_its_metadata_is() -> None:
    page = (
        "<html lang='en'><head><title>Tide tables for May | Port News</title>"
        "<meta property='article:published_time' content='2024-05-02T06:00:00Z'></head>"
        "<body><nav><a href='/'>Home</a></nav></body></html>"
    )
    with pytest.raises(ExtractionError) as raised:
        extract_article(page, "https://port.example/tides")
    assert raised.value.article is not None
    assert raised.value.article.published.startswith("2024-05-02")
    assert raised.value.article.text == ""


def test_extract_dispatches_on_kind_and_prefers_final_url() -> None:
    html = (FIXTURES / "newsletter-box" / "page.html").read_text(encoding="utf-8")
    fetched = FetchResult(
        url="http://a.example/old",
        final_url="https://b.example/2024/06/03/bell",
        text=html,
        raw=html.encode(),
    )
    article = extract(fetched)
    assert article.headline == "Village bell found in river after 40 years"
    text = FetchResult(url="file:///story.txt", final_url=None, text=STORY, raw=b"", kind="text")
    assert extract(text).headline == "Heron nests on the town hall roof"
    assert extract(text).canonical_url == "file:///story.txt"


STORY = """Heron nests on the town hall roof
Staff say the bird has been there since February

A grey heron has built a nest on the flat roof of the town hall, to the delight of staff.
Sign up for our newsletter to get the top stories delivered to your inbox.
“It watches us arrive every morning,” said receptionist Dawn Mills. “It is very judgmental.”
Advertisement
The council said the roof would not be repaired until the chicks had flown.
"""


def test_text_article_headline_standfirst_and_boilerplate() -> None:
    article = extract_text_article(STORY)
    assert article.headline == "Heron nests on the town hall roof"
    assert article.standfirst == "Staff say the bird has been there since February"
    assert article.text.split("\n") == [
        "A grey heron has built a nest on the flat roof of the town hall, to the delight of staff.",
        "“It watches us arrive every morning,” said receptionist Dawn Mills. “It is very judgmental.”",
        "The council said the roof would not be repaired until the chicks had flown.",
    ]
    assert {block.rule for block in article.removed} == {"newsletter", "advertisement"}
    assert article.html.startswith("<p>A grey heron")


def test_text_article_second_line_ending_like_a_paragraph_is_body() -> None:
    article = extract_text_article("Heron stays put\nThe heron has not moved since Monday.\n")
    assert article.standfirst is None
    assert article.text == "The heron has not moved since Monday."


def test_text_article_without_body_raises() -> None:
    with pytest.raises(ExtractionError, match=r"^notes\.txt: no article text found$"):
        extract_text_article("Only a headline\n\nComments\n", "notes.txt")


@pytest.fixture(scope="module")
def seed_article() -> Article:
    return extract_text_article(SEED.read_text(encoding="utf-8"))


@pytest.mark.skipif(not SEED.exists(), reason="shared seed article not present")
class TestSeedArticle:
    """The plain-text Independent article with its donation appeal and comment boilerplate."""

    @pytest.fixture
    def article(self, seed_article: Article) -> Article:
        return seed_article

    def test_headline_and_standfirst(self, article: Article) -> None:
        assert article.headline == (
            "President Zelensky posts video from Kyiv street and reassures Ukraine he’s staying put"
        )
        assert article.standfirst == (
            "‘We are all here’, Volodymyr Zelensky said, as Russian troops close in on the capital"
        )

    def test_body_bounds(self, article: Article) -> None:
        assert article.text.startswith(
            "Ukraine’s president Volodymyr Zelensky has released a video from the streets of Kyiv"
        )
        assert article.text.endswith("they kill all Europeans.”")

    def test_boilerplate_removed_and_recorded(self, article: Article) -> None:
        for snippet in (
            "Your support",
            "donation",
            "paywalls",
            "Premium",
            "bookmark",
            "commenting forum",
        ):
            assert snippet not in article.text
        assert article.text.split("\n")[-1] != "Comments"
        rules = [block.rule for block in article.removed]
        assert rules.count("appeal") >= 4
        assert {"subscription", "comments"} <= set(rules)

    @pytest.mark.parametrize(
        ("text", "surname"),
        [
            ("We are all here", "Zelensky"),
            ("The situation now - without exaggeration - is threatening for Kyiv", "Klitschko"),
            ("very difficult", "Klitschko"),
            ("When missiles kill our people, they kill all Europeans.", "Zelensky"),
            ("number one target", "Zelensky"),
        ],
    )
    def test_quotes(self, article: Article, text: str, surname: str) -> None:
        speakers = [quote.speaker or "" for quote in article.quotes if quote.text == text]
        assert speakers, text
        assert surname in speakers[0]

    def test_no_apostrophe_quotes(self, article: Article) -> None:
        assert all(quote.text.strip("’‘' ") for quote in article.quotes)


HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='share'>",
        "</div>",
        "<article>",
        "<h1>",
        "</h1>",
        "<script>",
        "<form>",
        "<br>",
        "<!--",
        "&amp;",
        "Subscribe",
        "Your support helps us",
        "“",
        "”",
        ".",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(HTML_PIECES, st.text(max_size=40)), max_size=30))
def test_extraction_never_fails_unexpectedly(pieces: list[str]) -> None:
    html = "".join(pieces)
    for function in (extract_article, extract_text_article):
        try:
            article = function(html)
        except ExtractionError:
            continue
        assert article.text.strip()
        assert "\n\n" not in article.text


def test_lede_named_block_after_the_story_is_not_a_standfirst() -> None:
    story = "".join(
        f"<p>Paragraph {n} of the story about the harbour, long enough to count as real text.</p>"
        for n in range(6)
    )
    html = (
        "<html><body><h1>Harbour news</h1>"
        f"<div class='story'>{story}</div>"
        "<div class='teaser-text'>Another story entirely, about a bakery on the other side of "
        "town.</div></body></html>"
    )
    lines = extract_article(html, None).text.split("\n")
    assert lines[0].startswith("Paragraph 0")  # not put in front of the story as its standfirst


def _story(count: int) -> str:
    return "".join(
        f"<p>Paragraph {n} of the story about the harbour, long enough to count as real text.</p>"
        for n in range(count)
    )


def test_summary_line_under_the_headline_is_the_standfirst_not_the_body() -> None:
    html = (
        "<html><body><header><h1>Harbour news</h1>"
        "<p class='article-dek'>Engineers finished the repairs a week early, the council says.</p>"
        f"</header><div class='story'>{_story(6)}</div></body></html>"
    )
    article = extract_article(html, None)
    assert article.standfirst == "Engineers finished the repairs a week early, the council says."
    assert article.text.split("\n")[0].startswith("Paragraph 0")


def test_opening_paragraph_set_apart_under_the_headline_stays_in_the_body() -> None:
    opening = "Le port a rouvert lundi après trois semaines de travaux sur le quai principal."
    html = (
        f"<html><body><header><h1>Le port rouvre</h1><p class='chapo'>{opening}</p></header>"
        f"<div class='story'>{_story(6)}</div></body></html>"
    )
    assert extract_article(html, None).text.split("\n")[0] == opening


def test_short_story_beside_a_longer_list_of_other_posts_is_the_body() -> None:
    """Readability picks the "You may also like" box, each post an <article> of its own, when
    its text outweighs the story's: the article holding the headline is the story."""
    story = [
        "The ferry to the island will run twice a day from Monday, the harbour office said, "
        "after a winter in which storms cancelled one crossing in three and islanders waited "
        "days for supplies.",
        "The second boat, leased from a northern operator, arrives on Friday and will be "
        "crewed by the harbour's own staff, who trained on it in March. Fares stay as they "
        "are until the autumn, when the council will look at them again.",
        "Islanders had asked for a second crossing for years; a petition last winter gathered "
        "more signatures than the island has voters, its organiser said with a laugh.",
        "The harbour office will publish the new timetable on its noticeboard on Thursday.",
    ]
    other = (
        "<article class='post teaser'><p>{0}, the bakery on the quay, bakes its last loaf "
        "this week after forty years, and its owners say they will miss the early mornings, "
        "the fishermen and the smell of rye most of all, but not the flour bills.</p></article>"
    )
    html = (
        "<html><body><article class='post'><h1>Second ferry for the island</h1>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in story)
        + "</article><div class='more'><h3>You may also like</h3>"
        + "".join(other.format(name) for name in ("Anna", "Brod", "Mill", "Kerr", "Lund", "Moss"))
        + "</div></body></html>"
    )
    assert extract_article(html, None).text == "\n".join(story)


def test_loose_text_and_its_links_stay_one_paragraph() -> None:
    """Readability wraps a div's loose text in a <p>; the inline link after it joins that <p>."""
    opening = "The harbour reopened on Monday after three weeks of repairs to the quay. " * 3
    html = (
        "<html><body><h1>Harbour reopens</h1><div class='post-body'>"
        f"{opening}See <a href='/plan'>the council's repair plan</a> for details.<br><br>"
        + "<p>Ferries resumed their normal timetable and the first boats were full.</p>" * 4
        + "</div></body></html>"
    )
    first = extract_article(html).text.split("\n")[0]
    assert first.endswith("See the council's repair plan for details.")


def test_dense_block_reads_paragraphs_written_as_divs() -> None:
    """Text-only <div>s count as paragraphs; <div>s that are mostly links (teasers) do not."""
    sentence = "The orchard trust planted two hundred pear trees on the old brickworks site. "
    teaser = (
        "<div><a href='/t'>Council closes the lido</a> The pool will stay shut for repairs"
        " until the spring, the council said on Monday.</div>"
    )
    html = (
        "<html><body><div class='teasers'>"
        + teaser * 6
        + "</div><div class='story'>"
        + f"<div>{sentence * 2}</div>" * 3
        + "</div></body></html>"
    )
    dense, size = dense_block(parse(html))
    assert dense is not None and dense.get("class") == "story"
    assert size == 3 * len((sentence * 2).strip())


@pytest.mark.parametrize(
    "stray", ["", "\x0b", "\x00\x1f\x7f", "\ud800"], ids=["none", "vt", "nul-us-del", "surrogate"]
)
def test_control_characters_and_lone_surrogates_are_dropped_before_parsing(stray: str) -> None:
    from newsarchive.extract.readable import parse

    doc = parse(f"<html><body><p>The ferry{stray} sails at nine.</p></body></html>")
    assert doc.text_content() == "The ferry sails at nine."


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>plain ascii</p></body></html>",
        "<html><head><meta charset='iso-8859-1'></head><body><p>Ærø, café</p></body></html>",
        "<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'><p>é 😀</p>",
        "\ufeff<html><body><p>after a byte order mark</p></body></html>",
        "<p>&eacute;&#x1F600;\u00a0\u2028 entities and odd spaces</p>",
    ],
)
def test_pages_parse_as_utf8_into_the_tree_lxml_builds_from_the_str(page: str) -> None:
    import lxml.html
    from lxml import etree

    from newsarchive.extract.readable import parse_fragment

    expected = lxml.html.document_fromstring(page)
    assert etree.tostring(parse(page)) == etree.tostring(expected)
    fragment = lxml.html.document_fromstring(f"<html><body>{page}</body></html>").body
    assert etree.tostring(parse_fragment(page)) == etree.tostring(fragment)


def test_an_undeclarable_xml_declaration_still_gives_an_empty_page() -> None:
    """lxml refuses a str declaring its encoding; bytes it would read: the str path stays."""
    doc = parse("<?xml version='1.0' encoding='utf-8'><html><body><p>Text</p></body></html>")
    assert doc.text_content() == ""


@pytest.mark.parametrize(
    "names",
    [
        "Share-bar x",
        " SOCIAL",
        "comment_box ",
        "relatedPosts ",
        "promo id",
        "ſhare ",
        "ſhare",
        "",
        "x Related",
        "\u0130nfo related",
        "outbrain-\u212a",
        "Taboola\u00a0feed",
    ],
)
def test_boilerplate_name_fast_path_agrees_with_the_case_insensitive_search(names: str) -> None:
    from newsarchive.extract.prune import NAMED, _has_boilerplate_name

    assert _has_boilerplate_name(names) == (NAMED.search(names) is not None)
