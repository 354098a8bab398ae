"""Property-based tests (bounded): extraction, URL normalisation and search never raise
anything but their own errors, and keep their invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsarchive.errors import ExtractionError, QueryError
from newsarchive.extract import extract_article, extract_text_article
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.query import parse_query
from newsarchive.searching import search, search_quotes
from newsarchive.store import Archive
from newsarchive.urls import normalize_url

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WORDS = st.sampled_from(
    ["the", "harbour", "bridge", "reopened", "said", "Okafor", "mayor", "“We", "”", '"', "'",
     "’", "«", "»", "„", ":", ";", ".", ",", "!", "?", "council", "Київ", "港口", "جسر", "&",
     "<", ">", "he", "she", "told", "reporters", "\n", "<p>", "</p>", "<br>", "&nbsp;"]
)  # fmt: skip
SENTENCE = st.lists(WORDS, min_size=1, max_size=40).map(" ".join)
TEXT = st.one_of(SENTENCE, st.text(max_size=200))
TAGS = st.sampled_from(
    ["p", "div", "article", "span", "h1", "h2", "blockquote", "li", "a", "script", "aside", "b"]
)


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    """Pages with a random tree of elements holding sentences, quotes and noise."""
    parts = ["<html><head><title>", draw(TEXT), "</title></head><body>"]
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(TAGS)
        closing = draw(st.booleans())
        parts.append(f"<{tag}>{draw(TEXT)}" + (f"</{tag}>" if closing else ""))
    parts.append("</body></html>")
    return "".join(parts)


def squeeze(text: str | None) -> str:
    return " ".join((text or "").split())


def assert_quotes_come_from_the_article(article: Article) -> None:
    """Each paragraph of a quote (one may run over several) is in the standfirst or body."""
    source = squeeze(" ".join([article.standfirst or "", article.text]))
    for quote in article.quotes:
        for piece in quote.text.split("\n"):
            assert squeeze(piece) in source, quote


@BOUNDED
@given(
    st.one_of(html_documents(), st.text(max_size=500)),
    st.sampled_from([None, "https://x.example/a"]),
)
def test_extract_article_raises_only_extraction_errors(html: str, url: str | None) -> None:
    try:
        article = extract_article(html, url)
    except ExtractionError as error:
        assert "\n" not in str(error)
        return
    assert article.status in {"ok", "partial", "not_article", "blocked"}
    assert_quotes_come_from_the_article(article)


@BOUNDED
@given(st.lists(TEXT, max_size=15).map("\n".join))
def test_extract_text_article_raises_only_extraction_errors(text: str) -> None:
    try:
        article = extract_text_article(text)
    except ExtractionError:
        return
    assert_quotes_come_from_the_article(article)


HOSTS = st.sampled_from(
    ["Example.COM", "news.example", "xn--bcher-kva.example", "bücher.example", "127.0.0.1",
     "[::1]", "user:pw@host.example", "HOST.example:80", "host.example:443", "host.example:8080"]
)  # fmt: skip
PATH_PART = st.text(alphabet="aZ09-._~%2Fé /?&=#+", max_size=12)
QUERY_PAIRS = st.lists(
    st.tuples(st.sampled_from(["id", "utm_source", "fbclid", "page", "Q", "a b"]), PATH_PART),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    path = "/".join(draw(st.lists(PATH_PART, max_size=4)))
    query = "&".join(f"{name}={value}" for name, value in draw(QUERY_PAIRS))
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}://{draw(HOSTS)}/{path}" + (f"?{query}" if query else "") + fragment


@BOUNDED
@given(st.one_of(urls(), st.text(max_size=80)))
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once


@BOUNDED
@given(urls())
def test_normalized_urls_lose_fragments_and_tracking(url: str) -> None:
    assume(url.count("?") <= 1)  # "??utm_source=" is a parameter named "?utm_source"
    normalized = normalize_url(url)
    assert "#" not in normalized and "utm_source=" not in normalized
    assert "fbclid=" not in normalized and "pw@" not in normalized


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    path: Path = tmp_path_factory.mktemp("properties") / "archive.db"
    archive = Archive(path)
    for number, headline in enumerate(["Harbour bridge reopens", "Ferry timetable returns"]):
        url = f"https://news.example/{number}"
        archive.save(
            FetchResult(url=url, final_url=url, text="x", raw=b"x"),
            Article(
                headline=headline,
                authors=["Mina Okafor"],
                site="Example News",
                published=f"2024-05-0{number + 1}",
                text="The harbour bridge reopened after the storm, the council said.",
                quotes=[Quote("completely clean", "Mina Okafor")],
            ),
        )
    yield archive
    archive.close()


QUERY_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            ['"', "*", "(", ")", ":", "^", "-", "+", "OR", "AND", "NOT", "NEAR", "{", "}",
             "harbour", "site:", "after:", "before:2024", "speaker:", "quote:", "headline:",
             "'", "\\", "”", "«", "x*", "\x00", ",", "lang:en", "tag:", "note:"]
        ),
        max_size=12,
    ).map(" ".join),
)  # fmt: skip
OPTION = st.one_of(st.none(), st.text(max_size=20))


@BOUNDED
@given(QUERY_TEXT, OPTION, OPTION, OPTION, st.booleans())
def test_search_raises_only_query_errors(
    small_archive: Archive, query: str, site: str | None, since: str | None, author: str | None,
    raw: bool,
) -> None:  # fmt: skip
    try:
        parse_query(query)
        hits = search(small_archive, query, site=site, since=since, author=author, raw=raw, limit=5)
    except QueryError as error:
        assert "\n" not in str(error)
        return
    assert len(hits) <= 5
    assert all(hit.id in (1, 2) for hit in hits)


@BOUNDED
@given(QUERY_TEXT, OPTION, st.booleans())
def test_quote_search_raises_only_query_errors(
    small_archive: Archive, query: str, speaker: str | None, raw: bool
) -> None:
    try:
        hits = search_quotes(small_archive, query or None, speaker=speaker, raw=raw)
    except QueryError:
        return
    assert all(hit.text == "completely clean" for hit in hits)
