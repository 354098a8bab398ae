"""Metadata: headline, standfirst, authors, dates, site, language, canonical URL."""

from __future__ import annotations

import json

import pytest

from newsarchive.extract.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    date_from_url,
    date_in_text,
    normalise_date,
    renderings,
    slashed_order,
)
from newsarchive.extract.headlines import tidy_headline
from newsarchive.extract.metadata import Metadata, normalise_language, read_metadata
from newsarchive.extract.people import clean_authors
from newsarchive.extract.published import _htmldate_search
from newsarchive.extract.readable import parse


def _meta(head: str = "", body: str = "", url: str | None = None, lang: str = "") -> Metadata:
    attribute = f' lang="{lang}"' if lang else ""
    return read_metadata(
        parse(f"<html{attribute}><head>{head}</head><body>{body}</body></html>"), url
    )


def _ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_in_graph_wins() -> None:
    ld = _ld(
        {
            "@graph": [
                {"@type": "WebSite", "name": "The Example"},
                {
                    "@type": ["ReportageNewsArticle"],
                    "headline": "Bridge reopens",
                    "description": "At last",
                    "datePublished": "2024-03-01T08:00:00+01:00",
                    "dateModified": "2024-03-02",
                    "author": [
                        {"@type": "Person", "name": "Ana Ruiz"},
                        {"name": "Li Wei"},
                        {"@type": "Organization", "name": "The Example"},
                    ],
                    "publisher": {"name": "The Example"},
                    "inLanguage": "es-ES",
                    "articleBody": "One.\nTwo.",
                },
            ]
        }
    )
    meta = _meta(ld + '<meta property="og:title" content="Other title">', url="https://x.example/a")
    assert meta == Metadata(
        headline="Bridge reopens",
        standfirst="At last",
        authors=["Ana Ruiz", "Li Wei"],
        published="2024-03-01T08:00:00+01:00",
        modified="2024-03-02",
        site="The Example",
        language="es-ES",
        canonical_url=None,
        article_body="One.\nTwo.",
    )


def test_broken_json_ld_is_skipped() -> None:
    head = '<script type="application/ld+json">{not json</script><meta property="og:title" content="T">'
    assert _meta(head).headline == "T"


@pytest.mark.parametrize(
    ("head", "body", "headline"),
    [
        ('<meta property="og:title" content="Og title">', "<h1>Visible</h1>", "Visible"),
        ('<meta property="og:title" content="Og title">', "<h1>A</h1><h1>B</h1>", "Og title"),
        ('<meta name="twitter:title" content="Tw title">', "", "Tw title"),
        ('<meta property="og:title" content="Og title">', "<h1>Example</h1>", "Og title"),
        ("<title>Page title</title>", "<h1> H1   title </h1>", "H1 title"),
        (
            '<title>Bridge reopens | The Example</title><meta property="og:site_name" '
            'content="The Example">',
            "",
            "Bridge reopens",
        ),
        ("<title>Bridge reopens - example.com</title>", "", "Bridge reopens"),
        (
            "<title>Bridge reopens - the view from the river</title>",
            "",
            "Bridge reopens - the view from the river",
        ),
    ],
)
def test_headline_sources(head: str, body: str, headline: str) -> None:
    assert _meta(head, body, url="https://www.example.com/x").headline == headline


def test_standfirst_sources() -> None:
    assert _meta('<meta name="description" content="Meta desc">').standfirst == "Meta desc"
    assert _meta(body='<p class="article-standfirst">The lede</p>').standfirst == "The lede"


@pytest.mark.parametrize(
    ("head", "body", "authors"),
    [
        ('<meta name="author" content="By Jane Doe and John Roe">', "", ["Jane Doe", "John Roe"]),
        ('<meta property="article:author" content="https://fb.example/jane">', "", []),
        ('<meta property="article:author" content="Jane Doe">', "", ["Jane Doe"]),
        ("", '<a rel="author" href="/a/jd">Jane Doe</a>', ["Jane Doe"]),
        (
            "",
            '<span class="byline">By Jane Doe, Chief Political Correspondent</span>',
            ["Jane Doe"],
        ),
        (
            _ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}}),
            "",
            ["Jane Doe"],
        ),
    ],
)
def test_authors_sources(head: str, body: str, authors: list[str]) -> None:
    assert _meta(head, body).authors == authors


def test_clean_authors() -> None:
    raw = [
        "By Jane Doe | Reporter",
        "jane doe",
        "John Roe & Ana Ruiz",
        "12 March 2024",
        "Senior Editor",
        "https://x.example/jd",
    ]
    assert clean_authors(raw) == ["Jane Doe", "John Roe", "Ana Ruiz"]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-03-01", "2024-03-01"),
        ("20240301", "2024-03-01"),
        ("2024-03-01T08:00:00Z", "2024-03-01T08:00:00+00:00"),
        ("2024-03-01T08:00:00.123+0530", "2024-03-01T08:00:00+05:30"),
        ("2024-03-01 08:00:00", "2024-03-01T08:00:00"),
        ("Fri, 01 Mar 2024 08:00:00 GMT", "2024-03-01T08:00:00+00:00"),
        ("13/11/2025 09:21:40", "2025-11-13T09:21:40"),
        ("11/13/2025", "2025-11-13"),
        ("31/12/2024 9:05", "2024-12-31T09:05:00"),
        ("03/04/2025", None),  # March or April: the value alone cannot say
        ("yesterday", None),
        ("2024-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(value: str | None, iso: str | None) -> None:
    assert normalise_date(value) == iso


def test_published_sources_in_order() -> None:
    time = '<time datetime="2024-01-05T10:00:00Z">5 Jan</time>'
    itemprop = '<meta itemprop="datePublished" content="2024-01-04">'
    og = '<meta property="article:published_time" content="2024-01-03T09:00:00+00:00">'
    assert _meta(og + itemprop, time).published == "2024-01-03T09:00:00+00:00"
    assert _meta(itemprop, time).published == "2024-01-04"
    assert _meta("", time).published == "2024-01-05T10:00:00+00:00"
    assert _meta(url="https://x.example/2023/11/09/story").published == "2023-11-09"
    assert _meta(url="https://x.example/2023/11/story").published is None


def test_date_from_url() -> None:
    assert date_from_url("https://x.example/news/2021-07-14/storm") == "2021-07-14"
    assert date_from_url("https://x.example/2021/13/40/x") is None
    assert date_from_url(None) is None


def test_site_falls_back_to_host() -> None:
    assert _meta(url="https://www.example.org/story").site == "example.org"
    assert _meta('<meta property="og:site_name" content="Example News">').site == "Example News"
    assert _meta().site is None


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("en", "en"),
        ("EN-gb", "en-GB"),
        ("de_DE", "de-DE"),
        ("es-419", "es-419"),
        ("fr, en", "fr"),
        ("", None),
        (None, None),
        ("--", None),
    ],
)
def test_normalise_language(value: str | None, language: str | None) -> None:
    assert normalise_language(value) == language


def test_language_sources() -> None:
    assert _meta(lang="en-us").language == "en-US"
    assert _meta('<meta property="og:locale" content="fr_FR">').language == "fr-FR"
    assert _meta('<meta http-equiv="Content-Language" content="de">').language == "de"


def test_canonical_url() -> None:
    link = '<link rel="canonical" href="/news/story-1">'
    assert _meta(link, url="https://x.example/amp/story-1").canonical_url == (
        "https://x.example/news/story-1"
    )
    og = '<meta property="og:url" content="https://x.example/s">'
    assert _meta(og).canonical_url == "https://x.example/s"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("am 20.06.2018", "2018-06-20"),
        ("Posted on 3 June 2024 by Ana", "2024-06-03"),
        ("June 3rd, 2024", "2024-06-03"),
        ("12. März 2019", "2019-03-12"),
        ("le 5 janvier 2020", "2020-01-05"),
        ("2 de mayo de 2021", "2021-05-02"),
        ("Updated 2022-10-01 09:00", "2022-10-01"),
        ("31.02.2020", None),
        ("no date here", None),
    ],
)
def test_date_in_text(text: str, iso: str | None) -> None:
    assert date_in_text(text) == iso


def test_visible_date_is_the_last_resort() -> None:
    body = '<h1>Title</h1><div class="post-meta">von Ana <span>am 20.06.2018</span></div>'
    assert _meta(body=body).published == "2018-06-20"
    assert _meta(body=body, url="https://x.example/2019/01/02/t").published == "2019-01-02"


# --- publication date: URL, shown day, htmldate ---------------------------------------


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://x.example/2023/10/3-questions-for-ana/", None),
        ("https://x.example/news/20200413/storm-hits", "2020-04-13"),
        ("https://x.example/2021-07-14-storm", "2021-07-14"),
        ("https://x.example/2021/7/4/parade.html", "2021-07-04"),
        ("https://x.example/2021/07/parade", None),
    ],
)
def test_date_from_url_needs_a_whole_day(url: str, day: str | None) -> None:
    assert date_from_url(url) == day


def test_renderings_cover_common_formats() -> None:
    forms = renderings("2024-03-01T23:00:00+00:00")
    for form in ("march 1, 2024", "mar. 1, 2024", "1 march 2024", "1. märz 2024", "01.03.2024"):
        assert form in forms
    assert "1st march 2024" in forms
    assert "2nd march 2024" in renderings("2024-03-02")
    assert "march 11th, 2024" in renderings("2024-03-11")


def test_url_day_beats_structured_date() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2023-11-09T03:10:00+00:00"})
    assert _meta(ld, url="https://x.example/2023/11/08/vote").published == "2023-11-08"
    same = _ld({"@type": "NewsArticle", "datePublished": "2023-11-08T21:10:00-05:00"})
    url = "https://x.example/2023/11/08/vote"
    assert _meta(same, url=url).published == "2023-11-08T21:10:00-05:00"


def test_utc_timestamp_takes_the_local_day_the_page_shows() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2023-11-09T02:11:03+00:00"})
    shown = '<p class="when">Posted November 8, 2023 at 9:11 pm</p>'
    assert _meta(ld, shown).published == "2023-11-08"
    assert _meta(ld, "<p>No date written here</p>").published == "2023-11-09T02:11:03+00:00"
    eleventh = '<p class="when">Seen 18.11.2023</p>'  # not a "Published" label
    assert _meta(ld, eleventh).published == "2023-11-09T02:11:03+00:00"
    date_only = _ld({"@type": "NewsArticle", "datePublished": "2023-11-09"})
    unlabelled = '<p class="when">November 8, 2023 at 9:11 pm</p>'
    assert _meta(date_only, unlabelled).published == "2023-11-09"


def test_modified_date_wins_only_when_it_is_the_one_shown() -> None:
    ld = _ld(
        {"@type": "Article", "datePublished": "2024-01-29", "dateModified": "2025-08-19T10:00:00Z"}
    )
    assert _meta(ld, "<span>19.08.2025</span>").published == "2025-08-19T10:00:00+00:00"
    assert _meta(ld, "<span>Jan 29, 2024</span> <span>19.08.2025</span>").published == (
        "2024-01-29"
    )
    assert _meta(ld, "<p>Nothing</p>").published == "2024-01-29"


def test_modified_date_labelled_as_an_update_is_not_the_publication_date() -> None:
    ld = _ld({"@type": "Article", "datePublished": "2024-01-29", "dateModified": "2025-08-19"})
    assert _meta(ld, "<p>By Ana Ruiz · August 19, 2025</p>").published == "2025-08-19"
    assert _meta(ld, "<p>By Ana Ruiz · Last updated: August 19, 2025</p>").published == (
        "2024-01-29"
    )


def test_time_element_counts_as_shown() -> None:
    ld = _ld({"@type": "Article", "datePublished": "2024-05-02T01:00:00Z"})
    body = '<time datetime="2024-05-01T21:00:00-04:00">yesterday evening</time>'
    assert _meta(ld, body).published == "2024-05-01"
    assert _meta(ld.replace("Article", "Thing"), body).published == "2024-05-01T21:00:00-04:00"


def test_without_structured_dates_htmldate_reads_the_page() -> None:
    body = "<h1>Title</h1><p>Some text.</p><p>Veröffentlicht am 20. Juni 2018, 10:00 Uhr</p>"
    assert _meta(body=body).published == "2018-06-20"


def test_htmldate_is_not_asked_about_a_page_of_more_than_fifteen_thousand_elements() -> None:
    """Each of its searches copies, cleans and serialises the whole page; 2,961 real pages have
    at most 10,112 elements."""
    body = "<h1>Title</h1><p>Some text.</p><p>Veröffentlicht am 20. Juni 2018, 10:00 Uhr</p>"
    for spans, found in ((100, "2018-06-20"), (15_000, None)):
        doc = parse(f"<html><body>{body}{'<span>x</span>' * spans}</body></html>")
        assert _htmldate_search(doc, None) == found


# --- authors ----------------------------------------------------------------------------


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def test_organisation_author_gives_way_to_a_visible_person() -> None:
    ld = _ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Daily Post"}})
    byline = '<p class="meta">By <a href="/people/ana">Ana Ruiz</a></p>'
    assert _meta(ld, byline).authors == ["Ana Ruiz"]
    assert _meta(ld).authors == ["Daily Post"]


def test_author_named_like_the_site_is_kept_only_without_another_person() -> None:
    head = _ld({"@type": "Article", "author": _person("Kim Lee")})
    site = '<meta property="og:site_name" content="Kim Lee">'
    assert _meta(head + site).authors == ["Kim Lee"]
    byline = '<div class="byline">By Joe Park</div>'
    assert _meta(head + site, byline).authors == ["Joe Park"]


def test_structured_single_names_may_be_teams() -> None:
    assert _meta('<meta name="author" content="Newsroom Staff">').authors == ["Newsroom Staff"]
    ld = _ld({"@type": "Article", "author": _person("The Money editors")})
    assert _meta(ld).authors == ["The Money editors"]
    meta = '<meta name="author" content="Jane Doe, Staff Reporter">'
    assert _meta(meta).authors == ["Jane Doe"]


@pytest.mark.parametrize(
    ("body", "authors"),
    [
        (
            '<div class="author-box"><span>By</span><a href="/authors/jd">Jane Doe</a>'
            "<span>Mar 3</span><span>7 min read</span></div>",
            ["Jane Doe"],
        ),
        (
            '<div class="byline">By <a>Jane Doe</a> <span>Reviewed by</span> <a>Max Roe</a></div>',
            ["Jane Doe"],
        ),
        ('<div class="post-author">experienced gardeners</div>', []),
        ('<div class="post-author">Topics</div>', []),
        (
            '<div class="author">Jane Doe<span>Content Marketing Coordinator</span></div>',
            ["Jane Doe"],
        ),
        ("<h1>T</h1><p>By Amy Stone</p>", ["Amy Stone"]),
        ("<h1>T</h1><p>Posted by <a href='/u/1'>Ben Ode</a> on Monday</p>", ["Ben Ode"]),
        ("<div><p>Written by</p><p>Edna Tall</p></div>", ["Edna Tall"]),
        ("<p>Stand by your man, she sang.</p>", []),
        ("<div>Team<!-- byline --> By Amy Stone</div>", ["Amy Stone"]),
        ("<script>by = 'Amy Stone'</script><p>Text.</p>", []),
        ("<p>News</p><style>by Amy Stone</style>by Amy Stone", ["Amy Stone"]),
    ],
)
def test_visible_bylines(body: str, authors: list[str]) -> None:
    assert _meta(body=body).authors == authors


@pytest.mark.parametrize(
    "raw",
    ["admin", "Site Administrator", "jane.roe", "Oleg Ivanov Jul 18", "Former Consultant"],
)
def test_clean_authors_rejects_accounts_dates_and_titles(raw: str) -> None:
    assert clean_authors([raw]) == []


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["Nadia Brandt, MS, RD, FAND"], ["Nadia Brandt"]),
        (["Mara Lindqvist, M.D. FACP"], ["Mara Lindqvist"]),
        (["Tove Aalto, E-RYT 500", "Omar Haddad, CFA®"], ["Tove Aalto", "Omar Haddad"]),
        (["By Ines Kowal, PhD, and Rafe Obi, DVM"], ["Ines Kowal", "Rafe Obi"]),
        (["Ines Kowal PhD", "Rafe Obi M.D."], ["Ines Kowal", "Rafe Obi"]),
        (["Ines Kowal, AP"], ["Ines Kowal"]),  # an agency after the name is no person either
        # Written all in capitals, a part may be a name: nothing to tell credentials by.
        (["INES KOWAL, RAFE OBI"], ["INES KOWAL", "RAFE OBI"]),
        (["Rafe Obi III", "J.R. Mendes"], ["Rafe Obi III", "J.R. Mendes"]),
    ],
)
def test_credentials_after_a_name_are_not_authors(raw: list[str], names: list[str]) -> None:
    assert clean_authors(raw) == names
    assert clean_authors(raw, trusted=True) == names


@pytest.mark.parametrize(
    ("head", "body", "authors"),
    [
        ("", '<p class="byline">By Harbour Post Staff</p><p>Text.</p>', ["Harbour Post Staff"]),
        ("", "<ul><li>by <a href='#'>Marketing Team</a></li></ul>", ["Marketing Team"]),
        ("", '<div class="author-name">The Gazette editors</div>', ["The Gazette editors"]),
        (  # a person named anywhere wins over the group
            "",
            '<div class="author-name">Harbour Post Staff</div><p class="byline">By Ana Ruiz</p>',
            ["Ana Ruiz"],
        ),
        (  # an organisation is one author, whole: never split at "&" into people
            _ld(
                {"@type": "Article", "author": {"@type": "Organization", "name": "Marsh & Fenwick"}}
            ),
            "",
            ["Marsh & Fenwick"],
        ),
        (  # the site's own name as its byline: kept as the only author
            '<meta property="og:site_name" content="Lakeside Clinic">'
            + _ld({"@type": "Article", "author": _person("Lakeside Clinic")}),
            "",
            ["Lakeside Clinic"],
        ),
    ],
)
def test_a_group_or_organisation_byline_is_one_author(
    head: str, body: str, authors: list[str]
) -> None:
    assert _meta(head, body).authors == authors


def test_clean_authors_strips_byline_labels() -> None:
    raw = ["Written by Jane Doe", "Text by John Roe", "By", "Posted by Ana Ruiz"]
    assert clean_authors(raw) == ["Jane Doe", "John Roe", "Ana Ruiz"]


# --- headline -----------------------------------------------------------------------------


def test_headline_is_the_title_part_shown_as_a_heading() -> None:
    head = '<meta property="og:title" content="Bridge reopens at last | Opinion">'
    body = "<h1>Daily Post</h1><h1>Menu</h1><h2>Bridge reopens at last</h2>"
    assert _meta(head, body).headline == "Bridge reopens at last"
    dashed = '<meta property="og:title" content="Bridge reopens at last - Opinion">'
    assert _meta(dashed, "<h1>A</h1><h1>B</h1>").headline == "Bridge reopens at last - Opinion"


def test_headline_drops_the_domain_name() -> None:
    head = "<title>Game day deals | Shopzone.com</title>"
    assert _meta(head, url="https://promo.shopzone.com/x").headline == "Game day deals"
    dashed = "<title>Game day deals - Shopzone.com</title>"
    assert _meta(dashed, url="https://other.example/x").headline == "Game day deals - Shopzone.com"


def test_a_date_at_the_end_of_the_calendar_does_not_break_extraction() -> None:
    from newsarchive.extract.dates import shift_day

    assert shift_day("9999-12-31T23:00:00+00:00", 1) is None
    assert shift_day("0001-01-01", -1) is None
    assert shift_day("2024-02-28T10:00:00Z", 1) == "2024-02-29"


@pytest.mark.parametrize(
    ("shown", "headline"),
    [
        ("Ferry fares frozen&#8230; for now", "Ferry fares frozen… for now"),
        ('"How the harbour was rebuilt"', "How the harbour was rebuilt"),
        ("Mar 3 2025 Council opens the new pier", "Council opens the new pier"),
        ("2025-03-03 Council opens the new pier", "Council opens the new pier"),
        ("Council opens the new pier Posted on March 3, 2025 by Ada", "Council opens the new pier"),
        ("Council opens the new pier (harbourpost.example)", "Council opens the new pier"),
        ("Council opens the new pier at last | Opinion", "Council opens the new pier at last"),
        ("Rovers | United", "Rovers | United"),
        ("“Fair fares” and “free ferries” promised", "“Fair fares” and “free ferries” promised"),
        ("“We never stopped” and “we never will”", "“We never stopped” and “we never will”"),
        ("Q&A: the new timetable", "Q&A: the new timetable"),
    ],
)
def test_furniture_around_a_headline_is_removed(shown: str, headline: str) -> None:
    assert tidy_headline(shown) == headline


# --- dates the page writes near its headline ---------------------------------------------


def test_date_in_text_takes_the_earliest_written() -> None:
    assert date_in_text("May 2, 2024 · first filed 01.03.2024") == "2024-05-02"


def test_published_label_beats_a_teaser_date() -> None:
    body = (
        "<h1>Bridge reopens</h1><p>By Ana Ruiz</p><p>Published on Oct 31, 2025</p>"
        "<p>The bridge reopened.</p><div class='date'>December 4, 2025</div>"
    )
    assert _meta(body=body).published == "2025-10-31"


def test_byline_date_under_the_headline_without_structured_date() -> None:
    body = "<div class='date'>Friday, December 19, 2025</div><h1>Taxes explained</h1>"
    body += "<p>by the editors 12.12.2025</p><p>Taxes pay for roads.</p>"
    assert _meta(body=body).published == "2025-12-12"


def test_unshown_structured_date_gives_way_to_the_byline_date() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2024-08-29T10:00:00+00:00"})
    body = "<h1>Streaming guide</h1><p>By Jo Lee Nov 25, 2025 5:00 am</p><p>Text.</p>"
    assert _meta(ld, body).published == "2025-11-25"


def test_structured_date_shown_only_in_teasers_gives_way_to_the_byline_date() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2026-03-13T12:00:00+00:00"})
    teasers = "".join(f"<p>Another story {n} by A. Writer Mar 13, 2026</p>" for n in range(3))
    body = f"<h1>Podcasts to hear</h1><p>Feature Mar 27, 2025</p><p>{'Words. ' * 80}</p>{teasers}"
    assert _meta(ld, body).published == "2025-03-27"


def test_structured_date_shown_in_the_byline_stays() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2025-03-27T12:00:00+00:00"})
    body = "<h1>Podcasts to hear</h1><p>Mar 27, 2025</p><p>Words.</p><p>Teaser Mar 13, 2026</p>"
    assert _meta(ld, body).published == "2025-03-27T12:00:00+00:00"


# --- headline characters -----------------------------------------------------------------


def test_headline_marks_stay_as_published() -> None:
    assert (
        tidy_headline("A Beginner’s Guide to ‘Slow’ Travel")
        == "A Beginner’s Guide to ‘Slow’ Travel"
    )
    assert tidy_headline("“Quoted” words") == "“Quoted” words"
    body = "<h1>The Ferryman’s ‘Last’ Crossing</h1><p>The ferry made its last crossing.</p>"
    assert _meta(body=body).headline == "The Ferryman’s ‘Last’ Crossing"


@pytest.mark.parametrize(
    ("title", "body", "headline"),
    [
        (  # the part of the <title> that the page shows as a heading
            "Home | The Ferryman's 'Last' Crossing | Port News",
            "<h2>The Ferryman’s ‘Last’ Crossing</h2><p>The ferry made its last crossing.</p>",
            "The Ferryman's 'Last' Crossing",
        ),
        (  # of two <h1>s, the one the <title> starts with
            "The Ferryman's 'Last' Crossing | Port News",
            "<h1>Port News</h1><h1>The Ferryman’s ‘Last’ Crossing</h1>",
            "The Ferryman’s ‘Last’ Crossing",
        ),
    ],
)
def test_headlines_are_compared_with_their_marks_folded(
    title: str, body: str, headline: str
) -> None:
    """A page may type ' in its <title> and ’ in its heading: the same headline."""
    assert _meta(head=f"<title>{title}</title>", body=body).headline == headline


def test_headline_set_on_two_lines_keeps_a_space() -> None:
    assert (
        _meta(body="<h1>Weekend<br>Coding <!-- x -->Agent</h1>").headline == "Weekend Coding Agent"
    )


def test_cut_json_ld_headline_is_completed_from_the_title() -> None:
    full = (
        "Fix It Friday: " + "a long question about arranging a small living room " * 2 + "(Solved)"
    )
    cut = full[:105]
    head = (
        _ld({"@type": "Article", "headline": cut}) + f'<meta property="og:title" content="{full}">'
    )
    assert _meta(head).headline == full
    short = _ld({"@type": "Article", "headline": "The Best Earbuds"})
    short += '<meta property="og:title" content="The Best Earbuds (of 500 Tested)">'
    assert _meta(short).headline == "The Best Earbuds"


# --- slashed dates, other declared dates, datelines ---------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "order"),
    [
        ("posted 01/31/2025 and 03/01/2017", "en-GB", MONTH_FIRST),  # 31 cannot be a month
        ("posted 31/01/2025 and 03/01/2017", "en-US", DAY_FIRST),
        ("03/01/2017", "en-GB", DAY_FIRST),
        ("03/01/2017", "de", DAY_FIRST),
        ("03/01/2017", "en_US", MONTH_FIRST),
        ("03/01/2017, teasers: 26 October 2023, 3 October 2023", "en", DAY_FIRST),
        ("03/01/2017, teasers: October 26, 2023", None, MONTH_FIRST),
        ("03/01/2017", "en", MONTH_FIRST),
        ("03/01/2017", None, None),
    ],
)
def test_slashed_order_follows_the_page(text: str, language: str | None, order: object) -> None:
    assert slashed_order(text, language) == order


def test_date_in_text_reads_slashes_only_with_an_order() -> None:
    assert date_in_text("by Ana 03/01/2017") is None
    assert date_in_text("by Ana 03/01/2017", MONTH_FIRST) == "2017-03-01"
    assert date_in_text("by Ana 03/01/2017", DAY_FIRST) == "2017-01-03"


def test_slashed_byline_date_is_read_in_the_page_order() -> None:
    body = "<h1>Wine styles</h1><p>03/10/2023 by Ana Ruiz</p><p>Wine is made of grapes.</p>"
    assert _meta(body=body, lang="en").published == "2023-03-10"
    assert _meta(body=body, lang="en-GB").published == "2023-10-03"
    teasers = "<ul><li>Sake careers 26 October 2023</li><li>Jargon 13 October 2023</li></ul>"
    assert _meta(body=body + teasers, lang="en").published == "2023-10-03"


def test_meta_date_the_page_shows_beats_an_unshown_structured_date() -> None:
    ld = _ld({"@type": "NewsArticle", "datePublished": "2024-08-29T10:00:00+00:00"})
    body = (
        f"<h1>Streaming guide</h1><p>{'Which service to choose. ' * 6}</p>"
        "<p>By Jo Lee Nov 25, 2025 5:00 am</p><p>Text.</p>"
    )
    assert _meta(ld, body).published == "2024-08-29T10:00:00+00:00"
    shown = '<meta name="date" content="November 25, 2025">'
    assert _meta(ld + shown, body).published == "2025-11-25"
    unshown = '<meta name="date" content="November 26, 2025">'
    assert _meta(ld + unshown, body).published == "2024-08-29T10:00:00+00:00"


def test_dateline_right_before_the_headline_without_structured_date() -> None:
    body = (
        "<p>Back to all articles</p><p>February 4, 2025 - 11 minutes</p>"
        f"<h1>Cloud trends</h1><p>{'Clouds are computers. ' * 6}</p>"
        "<div class='date'>April 6, 2025</div>"
    )
    assert _meta(body=body).published == "2025-02-04"


def test_last_published_names_the_blogs_latest_post_not_this_one() -> None:
    ld = _ld({"@type": "BlogPosting", "datePublished": "2024-08-07T12:00:00+00:00"})
    body = f"<h1>Lessons</h1><p>{'Words. ' * 20}</p><p>Follow · Last published Apr 8, 2024</p>"
    assert _meta(ld, body).published == "2024-08-07T12:00:00+00:00"
    labelled = body.replace("Last published", "Published")
    assert _meta(ld, labelled).published == "2024-04-08"


# The lookups below replace slower equivalents; each must find exactly what the slow one does.
_PINNED_PAGE = (
    "<html><head><meta itemprop='description' content='x'><title>T</title></head><body>"
    "<div class='post-meta'><span class='dateline'>March 3, 2024</span><time>3 March</time></div>"
    "<p class='standfirst-text'>Lede.</p><p class='Date'>no: the test is case-sensitive</p>"
    "<section class='subtitles'><div itemprop='description'>Also.</div></section>"
    "<!-- a comment class='date' --><aside class='byline autor'>By Ann Lee</aside>"
    "<div itemprop='datePublished' content='2024-03-03'></div><span id='date'>no class</span>"
    "</body></html>"
)


def test_date_and_standfirst_elements_are_those_the_xpaths_find() -> None:
    from newsarchive.extract.metadata import _date_elements, _standfirst_elements

    doc = parse(_PINNED_PAGE)
    date_xpath = (
        "//body//*[contains(@class, 'date') or contains(@class, 'time')"
        " or contains(@class, 'posted') or contains(@class, 'meta')"
        " or contains(@class, 'byline') or contains(@class, 'autor') or self::time]"
    )
    standfirst_xpath = (
        "//*[contains(@class, 'standfirst') or contains(@class, 'lede')"
        " or contains(@class, 'dek') or contains(@class, 'subtitle')"
        " or contains(@class, 'subheadline') or @itemprop='description']"
    )
    assert list(_date_elements(doc)) == doc.xpath(date_xpath)
    assert len(doc.xpath(date_xpath)) == 4
    assert list(_standfirst_elements(doc)) == doc.xpath(standfirst_xpath)
    assert len(doc.xpath(standfirst_xpath)) == 4


def test_attribute_value_xpath_finds_what_the_predicate_does() -> None:
    doc = parse(_PINNED_PAGE)
    fast = doc.xpath("/descendant::*/@itemprop[. = 'description']/..")
    assert fast == doc.xpath("//*[@itemprop='description']")
    assert [element.tag for element in fast] == ["meta", "div"]


@pytest.mark.parametrize(
    ("lang", "days"),
    [
        ("en-GB", ("2016-11-12", "2017-01-03", "2018-02-04")),
        ("en-US", ("2016-12-11", "2017-03-01", "2018-04-02")),
    ],
)
def test_shown_days_read_slashed_dates_in_the_page_order(lang: str, days: tuple) -> None:
    """The page's day/month order is only worked out when a slashed date is read."""
    from newsarchive.extract.published import ShownDays

    doc = parse(
        f"<html lang='{lang}'><body><p>Oslo 12/11/2016</p><h1>Ferry returns</h1>"
        "<p>By Ann Lee 03/01/2017</p><p>Posted: 04/02/2018</p></body></html>"
    )
    shown = ShownDays(doc)
    after = shown.after("Ferry returns")
    assert (shown.before("Ferry returns"), after and after[1], shown.labelled()) == days


# --- dates: labels, apostrophes, page-level JSON-LD, datelines ----------------------------


def test_byline_date_is_found_under_a_headline_with_a_curly_apostrophe() -> None:
    body = "<div class='date'>Friday, December 19, 2025</div><h1>Why We’ve Moved</h1>"
    body += "<p>By Jo Lee · March 3, 2024</p><p>We moved.</p>"
    meta = _meta(body=body)
    assert meta.headline == "Why We’ve Moved"
    assert meta.published == "2024-03-03"


@pytest.mark.parametrize("label", ["Datum:", "Erschienen am", "Erstellt am:", "Publiziert:"])
def test_german_date_labels_mark_the_publication_date(label: str) -> None:
    body = f"<h1>Neue Brücke eröffnet</h1><p>{'Bewertung und Lesezeit. ' * 6}</p>"
    body += f"<p>{label} 03.02.2022 Autor: ab</p><p>Die Brücke ist offen.</p>"
    body += "<div class='comment'><span class='date'>04.02.2022</span> Gut so.</div>"
    assert _meta(body=body, lang="de").published == "2022-02-03"


def test_web_page_json_ld_gives_the_date_when_no_article_is_declared() -> None:
    ld = _ld(
        {
            "@graph": [
                {"@type": "WebSite", "name": "Tested Apps"},
                {
                    "@type": "WebPage",
                    "name": "Apps compared",
                    "datePublished": "2024-03-17T19:47:39+00:00",
                },
            ]
        }
    )
    head = ld + '<meta property="article:modified_time" content="2024-05-03T10:57:58+00:00">'
    meta = _meta(head, "<h1>Apps compared</h1><p>We tried them all.</p>")
    assert meta.published == "2024-03-17T19:47:39+00:00"


def test_unreadable_json_ld_modified_date_gives_way_to_the_meta_tag() -> None:
    ld = _ld({"@type": "Article", "dateModified": "Nov 21, 2025"})
    head = ld + '<meta property="article:modified_time" content="2025-11-21T18:51:10+00:00">'
    assert _meta(head, "<h1>Travel cover</h1>").modified == "2025-11-21T18:51:10+00:00"


def test_unshown_structured_date_gives_way_to_the_dateline_above_the_headline() -> None:
    head = '<meta name="dc.date" content="2024-07-05T14:20:08Z">'
    body = "<p>Nutrition March 1, 2024</p><h1>Healthy eating tips</h1><p>Eat greens.</p>"
    assert _meta(head, body).published == "2024-03-01"


# --- headlines: logos and blog names in <h1> ---------------------------------------------


def test_headline_is_the_h1_the_title_confirms_among_several() -> None:
    head = "<title>The Fold Problem (Jane Doe)</title>"
    body = "<h1>Jane Doe's Folding:</h1><h1>The Fold Problem</h1><p>Fold, then cut.</p>"
    assert _meta(head, body).headline == "The Fold Problem"


@pytest.mark.parametrize("logo", ["Antoine's Blog", "The Acme Blog", "Our BLOG", "Blog"])
def test_a_blog_name_in_the_only_h1_is_not_the_headline(logo: str) -> None:
    head = "<title>Progress report #39</title>"
    body = f"<h1>{logo}</h1><p>This month we fixed the compiler.</p>"
    assert _meta(head, body).headline == "Progress report #39"


@pytest.mark.parametrize("headline", ["Why I Blog", "Wie man fürs Blog schreibt"])
def test_a_headline_about_blogging_stays(headline: str) -> None:
    body = f"<h1>{headline}</h1><p>Some reasons.</p>"
    assert _meta("<title>Other</title>", body).headline == headline


def test_headline_drops_a_blog_name_before_a_colon_when_a_heading_shows_the_rest() -> None:
    head = '<meta property="og:title" content="Acme Blog: Signed builds for all">'
    body = "<h1>Signed builds for all</h1><p>Intro.</p><h1>What signing is</h1><p>More.</p>"
    assert _meta(head, body).headline == "Signed builds for all"
