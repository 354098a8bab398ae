"""Metadata: headline, standfirst, authors, dates, site, language, canonical URL."""

from __future__ import annotations

import json

import pytest

from newsarchive.extract.dates import date_from_url, date_in_text, normalise_date
from newsarchive.extract.metadata import Metadata, normalise_language, read_metadata
from newsarchive.extract.people import clean_authors
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
