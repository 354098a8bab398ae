"""The sanitiser against the usual XSS vectors: nothing that runs or loads survives."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from newsarchive.sanitize import (
    ALLOWED_TAGS,
    LINK_REL,
    followable_url,
    safe_url,
    sanitize_html,
)

# Each of these would run script or load something in a browser if it survived.
VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="jav&#x0A;ascript:alert(1);">',
    "<body onload=alert(1)>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<object data=https://evil.example/x.swf></object>",
    "<embed src=https://evil.example/x.swf>",
    "<form action=https://evil.example><input name=q><button>Go</button></form>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" \tjavascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="java&amp;#115;cript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    '<div style="background-image:url(https://evil.example/track.png)">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css'; body{background:url(x)}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<img srcset="https://evil.example/a.png 1x">',
    "<picture><source srcset=https://evil.example/a.webp><img alt=a></picture>",
    "<video src=https://evil.example/v.mp4 poster=https://evil.example/p.png></video>",
    "<audio src=https://evil.example/a.mp3 autoplay></audio>",
    "<details open ontoggle=alert(1)>x</details>",
    "<a href=https://ok.example target=_blank ping=https://evil.example/ping>x</a>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<input autofocus onfocus=alert(1)>",
    "<p><![CDATA[<script>alert(1)</script>]]></p>",
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    '<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<p dir="x" style=x lang=en>fine</p>',
]
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
EVENT_ATTRIBUTE = re.compile(r"^on", re.I)
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "background", "style", "data", "action", "ping"}


def dangers(markup: str) -> list[str]:
    """What in ``markup`` would run or load something when a browser opens it."""
    soup = BeautifulSoup(markup, "html.parser")
    found = []
    for tag in soup.find_all(True):
        if tag.name not in ALLOWED_TAGS:
            found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            text = (" ".join(value) if isinstance(value, list) else value).lower()
            if EVENT_ATTRIBUTE.match(name) or name in LOADING_ATTRIBUTES:
                found.append(f"{tag.name}[{name}]")
            if "".join(text.split()).startswith(SCRIPT_SCHEMES):
                found.append(f"{tag.name}[{name}={text}]")
    if "<!--" in markup or "url(" in markup.lower():
        found.append("comment or css url()")
    return found


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives(vector: str) -> None:
    cleaned = sanitize_html(f"<p>before</p>{vector}<p>after</p>")
    assert dangers(cleaned) == []
    assert cleaned.startswith("<p>before</p>")  # an unclosed <style> may swallow the rest


@pytest.mark.parametrize("vector", VECTORS)
def test_sanitising_twice_changes_nothing(vector: str) -> None:
    once = sanitize_html(vector)
    assert sanitize_html(once) == once


def test_the_checker_sees_the_vectors_unsanitised() -> None:
    # Guards the test above: without the sanitiser nearly every vector is caught.
    caught = [vector for vector in VECTORS if dangers(vector)]
    assert len(caught) >= len(VECTORS) - 3


def test_reading_markup_is_kept() -> None:
    markup = (
        '<h2 title="t">Sub</h2><p lang="uk" dir="rtl">A <em>b</em> <strong>c</strong>'
        '<br><a href="https://example.com/a?b=1&amp;c=2">link</a></p>'
        "<ul><li>one</li></ul><blockquote>quote</blockquote>"
        '<table><tr><td colspan="2">cell</td></tr></table>'
    )
    cleaned = sanitize_html(markup)
    for kept in ("<h2 title=\"t\">Sub</h2>", '<p dir="rtl" lang="uk">', "<em>b</em>",
                 "<li>one</li>", "<blockquote>quote</blockquote>", '<td colspan="2">cell</td>',
                 'href="https://example.com/a?b=1&amp;c=2"'):  # fmt: skip
        assert kept in cleaned


def test_links_are_marked_noopener_noreferrer_nofollow() -> None:
    cleaned = sanitize_html('<a href="https://example.com/" rel="opener">x</a>')
    link = BeautifulSoup(cleaned, "html.parser").a
    assert link["href"] == "https://example.com/"
    assert " ".join(link["rel"]) == LINK_REL


def test_images_are_not_loaded_but_can_be_followed() -> None:
    cleaned = sanitize_html('<img src="https://cdn.example/p.jpg" alt="The bridge" width="10">')
    soup = BeautifulSoup(cleaned, "html.parser")
    assert soup.img is None
    assert soup.a["href"] == "https://cdn.example/p.jpg"
    assert soup.a.get_text() == "[image: The bridge]"


def test_an_image_without_a_usable_source_keeps_only_its_description() -> None:
    assert sanitize_html('<img src="javascript:x" alt="Map">') == "[image: Map]"
    assert sanitize_html("<img onerror=alert(1)>") == ""


def test_unknown_tags_keep_their_text_and_dropped_tags_lose_it() -> None:
    cleaned = sanitize_html("<custom-box><font>kept</font></custom-box><style>p{}</style>")
    assert cleaned == "kept"


def test_text_that_looks_like_markup_stays_text() -> None:
    cleaned = sanitize_html("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert cleaned == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "url",
    ["https://example.com/x", "http://example.com", "/relative/path", "page.html#top",
     "mailto:desk@example.com", "//example.com/x", "?q=1"],
)  # fmt: skip
def test_safe_urls_pass(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JAVASCRIPT:x", "java\nscript:x", "&#106;avascript:x",
     "javascript&colon;x", "java&amp;#115;cript:x", "data:text/html,x", "vbscript:x",
     "jav\u200bascript:x", "file:///etc/passwd", "\x00javascript:x"],
)  # fmt: skip
def test_unsafe_urls_are_refused(url: str) -> None:
    assert safe_url(url) is None


def test_deeply_nested_markup_is_handled() -> None:
    depth = 5000
    cleaned = sanitize_html("<div>" * depth + "<script>x</script>deep" + "</div>" * depth)
    assert cleaned.endswith("deep" + "</div>" * depth)
    assert "script" not in cleaned


def test_an_image_policy_keeps_or_leaves_out_each_image() -> None:
    markup = '<p><img src="data:image/png;base64,AA" alt=" a  chart " onerror="x"><img src="https://t/x.png"></p>'
    kept = sanitize_html(
        markup, embed_image=lambda src: "../images/1.png" if src.startswith("data:") else None
    )
    assert kept == '<p><img alt="a chart" src="../images/1.png"/></p>'
    assert sanitize_html(markup, embed_image=lambda src: None) == "<p></p>"


@pytest.mark.parametrize(
    ("href", "expected"),
    [("/a b(c)", "https://news.example/a%20b%28c%29"), ("#top", None), ("", None),
     ("javascript:alert(1)", None), ("ftp://x.example/", None), ("mailto:a@b.example", "mailto:a@b.example"),
     ("https://x.example/ü?q=1&r=2", "https://x.example/%C3%BC?q=1&r=2")],
)  # fmt: skip
def test_followable_urls_are_absolute_and_encoded(href: str, expected: str | None) -> None:
    assert followable_url(href, "https://news.example/story") == expected


def test_relative_links_are_made_absolute_against_the_page_address() -> None:
    markup = (
        '<p><a href="/timetable">timetable</a> <a href="next.html">next</a>'
        ' <a href="https://other.test/">other</a> <a href="javascript:alert(1)">x</a>'
        ' <img src="photo.jpg" alt="Pier"> <q cite="../source">said</q></p>'
    )
    clean = sanitize_html(markup, "https://news.test/2024/story.html")
    assert 'href="https://news.test/timetable"' in clean
    assert 'href="https://news.test/2024/next.html"' in clean
    assert 'href="https://other.test/"' in clean
    assert 'href="https://news.test/2024/photo.jpg" rel="noopener noreferrer nofollow"' in clean
    assert 'cite="https://news.test/source"' in clean
    assert "javascript" not in clean
    assert 'href="next.html"' in sanitize_html(markup, "urn:sha256:00")  # no web address
