"""URL validation, redaction and the normalised deduplication key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.errors import InputError
from newsarchive.urls import normalize_url, redact_url, validate_url


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("https://example.com/news/story", "https://example.com/news/story"),
        ("  http://example.com  \n", "http://example.com"),
        ("HTTPS://Example.COM/a?b=c#top", "HTTPS://Example.COM/a?b=c#top"),
        ("https://user:secret@example.com/x", "https://user:secret@example.com/x"),
        ("https://bücher.de/artikel", "https://bücher.de/artikel"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_validate_url_accepts_absolute_http_urls(given_url: str, expected: str) -> None:
    assert validate_url(given_url) == expected


@pytest.mark.parametrize(
    ("bad", "cause"),
    [
        ("", "empty URL"),
        ("   ", "empty URL"),
        ("/news/story.html", "not an absolute URL"),
        ("example.com/news", "not an absolute URL"),
        ("//example.com/news", "not an absolute URL"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("ftp://example.com/file.html", "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("mailto:editor@example.com", "unsupported scheme 'mailto'"),
        ("http://", "no host"),
        ("https:///path/only", "no host"),
        ("http://[::1/x", "malformed URL"),
        ("http://example.com:99999/", "malformed URL"),
        ("http://exa mple.com/", "invalid host name"),
        ("http://example.com/" + "a" * 9000, "longer than 8192"),
    ],
)
def test_validate_url_rejects_with_a_one_line_message(bad: str, cause: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_url(bad)
    message = str(caught.value)
    assert cause in message
    assert "\n" not in message
    assert len(message) < 250


def test_validate_url_message_names_the_url() -> None:
    with pytest.raises(InputError, match=r"^ftp://example\.com/a\.html: unsupported scheme"):
        validate_url("ftp://example.com/a.html")


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://reader:hunter2@example.com/x",
        "https://reader:hunter2@/nohost",
        "https://reader:hunter2@example.com/" + "x" * 9000,
        "gopher://reader:hunter2@[::1/x",
    ],
)
def test_errors_never_print_credentials(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_url(bad)
    assert "hunter2" not in str(caught.value)
    assert "reader" not in str(caught.value)


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("https://user:pw@example.com/a?x=1", "https://example.com/a?x=1"),
        ("https://user@example.com/", "https://example.com/"),
        ("http://a:b@c@example.com/p@q", "http://example.com/p@q"),
        ("https://example.com/path@at", "https://example.com/path@at"),
        ("not a url at all", "not a url at all"),
        ("http://[::1/x", "http://[::1/x"),
    ],
)
def test_redact_url(given_url: str, expected: str) -> None:
    assert redact_url(given_url) == expected


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://user:pw@example.com/a", "https://example.com/a"),
        ("https://example.com/news/", "https://example.com/news/"),
        ("https://example.com/news", "https://example.com/news"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?b=2&a=1&b=1", "https://example.com/a?a=1&b=2&b=1"),
        (
            "https://example.com/a?utm_source=x&UTM_Medium=y&fbclid=1&gclid=2&id=7&mc_cid=3"
            "&mc_eid=4&igshid=5&_ga=6&yclid=8&msclkid=9&dclid=10&ref_src=twsrc",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?utm_source=newsletter", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?&&x=1&", "https://example.com/a?x=1"),
        ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
        ("https://xn--bcher-kva.de/buch", "https://bücher.de/buch"),
        ("https://BÜCHER.de/buch", "https://bücher.de/buch"),
        ("https://example.com./a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("just some words", "just some words"),
        ("", ""),
    ],
)
def test_normalize_url(given_url: str, expected: str) -> None:
    assert normalize_url(given_url) == expected


def test_normalize_url_keeps_different_pages_apart() -> None:
    keys = {
        normalize_url(url)
        for url in (
            "https://example.com/a",
            "https://example.com/a/",
            "http://example.com/a",
            "https://example.com/A",
            "https://example.com/a?page=2",
            "https://www.example.com/a",
        )
    }
    assert len(keys) == 6


_URL_PIECES = st.sampled_from(
    ["http://", "HTTPS://", "ftp://", "//", ":", "/", "?", "#", "@", "&", "=", "%", "%7e", "%2F",
     "[", "]", ".", "xn--bcher-kva", "ü", "İ", "ß", "utm_x=1", "a", "B", "0", "80", " ", "\t"]
)  # fmt: skip
_URLISH = st.lists(_URL_PIECES, max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), _URLISH))
def test_normalize_url_is_idempotent_and_never_raises(text: str) -> None:
    once = normalize_url(text)
    assert normalize_url(once) == once


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), _URLISH))
def test_validate_url_raises_only_input_errors_of_one_line(text: str) -> None:
    try:
        validate_url(text)
    except InputError as error:
        assert "\n" not in str(error)
