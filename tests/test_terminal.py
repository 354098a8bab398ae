"""The terminal is not the page's: nothing fetched reaches it with control characters."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import BRIDGE_STORY, LocalServer
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.cli import cli
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive

TITLE = "\x1b]0;pwned\x07"  # sets the window title
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;ZWNobyBoaQ==\x07"
LINK = "\x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\"
C1 = "\x9b31m\x9d0;t\x9c"
# What a terminal would act on: C0 but tab and newline, DEL, C1.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def hostile_page() -> str:
    ld = json.dumps({"@type": "NewsArticle", "headline": f"Bridge {TITLE}reopens{CLEAR}"})
    paragraphs = "".join(f"<p>{text} {CLIPBOARD}{LINK}{C1}</p>" for text in BRIDGE_STORY)
    return (
        f"<html><head><script type='application/ld+json'>{ld}</script>"
        f"<meta property='og:site_name' content='Harbour{TITLE} Post'></head>"
        f"<body><article><h1>Bridge reopens</h1>{paragraphs}</article></body></html>"
    )


def test_a_page_s_control_characters_are_stripped_from_what_is_stored(server) -> None:
    url = server.route("/story", hostile_page())
    added = run("add", url)
    assert added.exit_code == 0, added.output
    for args in (["show", "1"], ["list"], ["search", "ferries"], ["show", "1", "--format", "json"]):
        result = run(*args)
        assert result.exit_code == 0 and not CONTROL.search(result.output), args
    stored = json.loads(run("show", "1", "--format", "json").stdout)
    assert stored["site"] == "Harbour]0;pwned Post"
    texts = [stored["headline"], stored["text"], stored["html"], *stored["authors"]]
    assert stored["text"] and not any(CONTROL.search(value) for value in texts)


def test_the_first_line_of_a_text_article_is_stripped(tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    source.write_text(f"Harbour bridge {TITLE}reopens\n\n" + "\n\n".join(BRIDGE_STORY))
    assert run("add", str(source)).exit_code == 0
    assert not CONTROL.search(run("list").output)
    assert "Harbour bridge ]0;pwnedreopens" in run("list").output


def test_a_reason_phrase_and_a_url_are_escaped_in_errors_and_failures(
    server: LocalServer, tmp_path: Path
) -> None:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(503, f"Busy{CLEAR}{TITLE}")
        handler.send_header("Content-Length", "0")
        handler.send_header("Retry-After", "3600")
        handler.end_headers()

    url = server.handler("/busy", answer)
    result = run("add", url)
    assert result.exit_code == 1 and "Busy\\x1b[2J\\x1b]0;pwned\\x07" in result.stderr
    assert not CONTROL.search(result.output)
    links = tmp_path / "links.csv"
    links.write_text(f'url,title\n"{url}",x\n"{server.url("/x")}\r\ny",y\n')
    imported = run("import", str(links), "--delay", "0")
    assert not CONTROL.search(imported.output)
    assert len(imported.stderr.splitlines()) == 2  # one line per link
    assert not CONTROL.search(run("failures").output)


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=40)
@given(headline=text, body=text, site=text, author=text, quote=text, url_tail=text)
def test_no_field_printed_by_show_list_or_search_holds_a_control_character(
    tmp_path_factory, headline: str, body: str, site: str, author: str, quote: str, url_tail: str
) -> None:
    """Even for an archive written before extraction stripped them."""
    path = tmp_path_factory.mktemp("archive") / "archive.db"
    url = "https://news.example/" + url_tail
    article = Article(
        headline=headline,
        site=site,
        authors=[author],
        text=f"harbour {body}",
        quotes=[Quote(quote, author)],
    )
    with Archive(path) as archive:
        archive.save(FetchResult(url=url, final_url=url, text="", raw=b"x"), article)
    for args in (["show", "1"], ["list"], ["search", "harbour"], ["quotes"], ["speakers"]):
        result = run("--db", str(path), *args)
        assert result.exit_code == 0, (args, result.output)
        assert not CONTROL.search(result.output), (args, result.output)
