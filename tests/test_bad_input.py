"""Hostile and broken input through the command line: every case ends in one clear line on
stderr (or, for pages, a recorded status), never a traceback, and leaves the archive as it was."""

from __future__ import annotations

import gzip
import json
import socket
import struct
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BRIDGE_STORY as PARAGRAPHS

from newsarchive.cli import cli
from newsarchive.errors import FetchError
from newsarchive.fetch import fetch_url
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive

FTS_SPECIALS = [
    *"\"*():^-+{}[],.;\\'`~!@#$%&=|<>?/",
    "NEAR",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "a OR",
    "NOT a",
    '"unbalanced',
    "col:word",
    "{headline}: x",
    "^start",
    "a*b",
    "**",
    "\x00",
    "\u202e",
]
INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "%' UNION SELECT sql FROM sqlite_master --",
    "x) OR (1=1",
]


def page(body: str = "", head: str = "") -> str:
    paragraphs = body or "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        f"<!doctype html><html lang='en'><head><title>Harbour bridge reopens</title>{head}</head>"
        f"<body><article><h1>Harbour bridge reopens</h1>{paragraphs}</article></body></html>"
    )


def run(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def snapshot(path: Path) -> list[str]:
    """Everything the archive holds, as SQL."""
    with Archive(path) as archive:
        return list(archive.db.conn.iterdump())


@pytest.fixture
def archived(archive_path: Path) -> Path:
    """An archive holding one article, so "unchanged" means something."""
    with Archive(archive_path) as archive:
        url = "https://news.example/2024/05/bridge.html"
        archive.save(
            FetchResult(url=url, final_url=url, text=page(), raw=page().encode()),
            Article(
                headline="Harbour bridge reopens",
                site="Example News",
                authors=["Mina Okafor"],
                published="2024-05-01",
                text="\n".join(PARAGRAPHS),
                quotes=[Quote("completely clean", "Mina Okafor")],
            ),
        )
    return archive_path


def assert_refused(result: Result, archive_path: Path, before: list[str]) -> str:
    """Non-zero exit, one ``Error:`` line on stderr, no traceback, archive unchanged."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(archive_path) == before
    return lines[0]


# ---- URLs -----------------------------------------------------------------------------------

BAD_URLS = {
    "empty": "",
    "blank": "   ",
    "relative": "/2024/05/story.html",
    "javascript": "javascript:alert(document.cookie)",
    "ftp": "ftp://news.example/story.html",
    "file URL": "file:///etc/passwd",
    "data URL": "data:text/html,<p>hi</p>",
    "10 kB": "http://127.0.0.1/" + "a" * 10_000,
    "unresolvable": "http://no-such-host.invalid/story.html",
    "unresolvable IDN": "http://bücher-nachrichten.invalid/artikel.html",
    "bad port": "http://127.0.0.1:99999/story.html",
    "spaces in host": "http://news example.com/story.html",
}


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_urls_are_refused(url: str, archived: Path) -> None:
    before = snapshot(archived)
    assert_refused(run("add", url), archived, before)
    if ".invalid" not in url:  # each unresolvable lookup is retried: ask once, not twice
        assert_refused(run("extract", url), archived, before)


def test_credentials_never_appear_in_messages_or_the_archive(server, archived: Path) -> None:
    before = snapshot(archived)
    url = server.url("/missing").replace("http://", "http://reader:s3cr3t-pw@")
    line = assert_refused(run("add", url), archived, before)
    assert "s3cr3t" not in line and "reader" not in line
    kept = server.route("/story.html", page()).replace("http://", "http://reader:s3cr3t-pw@")
    assert run("add", kept).exit_code == 0
    assert not any("s3cr3t" in statement for statement in snapshot(archived))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "mailto:a@b.example"])
def test_schemes_without_slashes_are_named(url: str, archived: Path) -> None:
    line = assert_refused(run("add", url), archived, snapshot(archived))
    assert "unsupported scheme" in line and "did you mean" not in line


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/", "not a url"])
def test_bad_url_option_for_a_file(url: str, archived: Path, tmp_path: Path) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page())
    assert_refused(run("add", str(saved), "--url", url), archived, snapshot(archived))


# ---- responses ------------------------------------------------------------------------------


def reset_mid_body(handler: BaseHTTPRequestHandler) -> None:
    """Promise 100 kB, send a little, then reset the connection (RST, not a clean close)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(page().encode()[:200])
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def one_byte_per(seconds: float, count: int = 40) -> Iterator[bytes]:
    for byte in page().encode()[:count]:
        yield bytes([byte])


BINARY = bytes(range(256)) * 64
RESPONSES = {
    "PDF": dict(body=b"%PDF-1.7\n" + BINARY, headers={"Content-Type": "application/pdf"}),
    "image": dict(body=b"\x89PNG\r\n\x1a\n" + BINARY, headers={"Content-Type": "image/png"}),
    "JSON": dict(body=b'{"a": 1}', headers={"Content-Type": "application/json"}),
    "empty 200": dict(body=b""),
    "whitespace only": dict(body=b" \n\t\r\n "),
    "NUL bytes only": dict(body=b"\x00" * 5000),
    "NUL bytes and tags": dict(body=b"<html><body>" + b"\x00" * 5000 + b"</body></html>"),
    "404": dict(body=page(), status=404),
    "410": dict(body=b"gone", status=410),
    "429 retry in an hour": dict(body=b"slow down", status=429, headers={"Retry-After": "3600"}),
    "a byte a second": dict(body=one_byte_per(1.0), chunk_delay=1.0),
}


@pytest.mark.parametrize("response", RESPONSES.values(), ids=RESPONSES.keys())
def test_bad_responses_are_refused(response: dict, server, archived: Path) -> None:
    response = dict(response)
    # Connection: close, so the server never waits on a socket the client dropped.
    headers = {**response.pop("headers", {"Content-Type": "text/html"}), "Connection": "close"}
    url = server.route("/story.html", response.pop("body"), headers=headers, **response)
    before = snapshot(archived)
    started = time.monotonic()
    line = assert_refused(run("add", url, "--timeout", "0.5"), archived, before)
    assert url in line
    if "429" in line:
        assert time.monotonic() - started < 60  # recorded, not slept through
        assert server.hits("/story.html") == 1


@pytest.mark.parametrize("body", [BINARY, b"%PDF-1.7\n" + BINARY], ids=["binary", "PDF"])
def test_binary_labelled_html_is_refused(body: bytes, server, archived: Path) -> None:
    url = server.route("/story.html", body, headers={"Content-Type": "text/html"})
    assert_refused(run("add", url), archived, snapshot(archived))


def two_hundred_megabytes() -> Iterator[bytes]:
    yield b"<html><body><p>"
    for _ in range(200):
        yield b"a" * 1_048_576


def test_a_huge_body_is_cut_at_the_size_limit(server, archived: Path) -> None:
    url = server.route("/huge.html", two_hundred_megabytes())
    line = assert_refused(run("add", url, "--max-size", "1"), archived, snapshot(archived))
    assert "larger than the 1 MiB limit" in line


def test_a_gzip_bomb_is_cut_at_the_size_limit(server, archived: Path) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"a" * 50_000_000, compresslevel=9)
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip", "Connection": "close"}
    url = server.route("/bomb.html", bomb, headers=headers)
    line = assert_refused(run("add", url, "--max-size", "1"), archived, snapshot(archived))
    assert "larger than the 1 MiB limit" in line


def test_connection_reset_mid_body(server, archived: Path) -> None:
    url = server.handler("/story.html", reset_mid_body)
    line = assert_refused(run("add", url), archived, snapshot(archived))
    assert "reading the body failed" in line or "connect" in line


def test_redirects_that_go_nowhere(server, archived: Path) -> None:
    loop = server.route("/a", b"", status=302, headers={"Location": "/b"})
    server.route("/b", b"", status=302, headers={"Location": "/a"})
    to_file = server.route("/c", b"", status=302, headers={"Location": "file:///etc/passwd"})
    to_ftp = server.route("/d", b"", status=301, headers={"Location": "ftp://x.example/"})
    to_js = server.route("/e", b"", status=301, headers={"Location": "javascript:alert(1)"})
    before = snapshot(archived)
    assert "redirect loop" in assert_refused(run("add", loop), archived, before)
    for url in (to_file, to_ftp, to_js):
        assert "refused a redirect" in assert_refused(run("add", url), archived, before)
    assert server.hits("/etc/passwd") == 0


def test_a_byte_a_second_cannot_outlast_the_total_deadline(server) -> None:
    # Each byte comes well within the read timeout: only the deadline can stop this.
    url = server.route("/drip.html", one_byte_per(0.3, 200), chunk_delay=0.3)
    with pytest.raises(FetchError, match="deadline"):
        fetch_url(url, read_timeout=5.0, deadline=1.5, retries=0)


# ---- pages ----------------------------------------------------------------------------------


def extract_json(tmp_path: Path, html: str | bytes, name: str = "page.html") -> Result:
    source = tmp_path / name
    source.write_bytes(html if isinstance(html, bytes) else html.encode())
    return run("extract", str(source), "--url", "https://news.example/story", "--format", "json")


def test_deeply_nested_page(tmp_path: Path) -> None:
    depth = 100_000
    nested = page(
        body="<div>" * depth + "".join(f"<p>{t}</p>" for t in PARAGRAPHS) + "</div>" * depth
    )
    result = extract_json(tmp_path, nested)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:
        assert "harbour bridge reopened" in json.loads(result.stdout)["text"]
    else:
        assert len(result.stderr.strip().splitlines()) == 1


def test_text_nested_three_hundred_deep_is_kept(tmp_path: Path) -> None:
    depth = 300
    nested = page(
        body="<div>" * depth + "".join(f"<p>{t}</p>" for t in PARAGRAPHS) + "</div>" * depth
    )
    result = extract_json(tmp_path, nested)
    assert result.exit_code == 0, result.output


def test_fifty_thousand_paragraphs_are_read_up_to_the_element_limit(tmp_path: Path) -> None:
    many = "".join(
        f"<p>Paragraph {n} of the council minutes, read aloud.</p>" for n in range(50_000)
    )
    result = extract_json(tmp_path, page(body=many))
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert article["text"].count("\n") >= 19_000 and article["status"] == "partial"
    assert article["note"] == (
        "the page has more than 20,000 elements; only the first 20,000 were read"
    )


@pytest.mark.parametrize(
    "markup",
    [
        page().replace("</p>", ""),
        page().replace("</article></body></html>", ""),
        page().replace("<p>", "<p><b><i>").replace("</p>", "</b></p>"),
        page().replace("<h1>", '<h1 class=x"y id==z>').replace("<article>", "<article <<>"),
        "<p>" + "</p><p>".join(PARAGRAPHS),
        page().replace("<title>", "<title><![CDATA[").replace("</title>", "]]></title>"),
    ],
    ids=["unclosed p", "truncated", "misnested", "broken attributes", "fragment", "cdata"],
)
def test_malformed_markup_still_gives_the_text(markup: str, tmp_path: Path) -> None:
    result = extract_json(tmp_path, markup)
    assert result.exit_code == 0, result.output
    assert "worst storm the town has seen" in json.loads(result.stdout)["text"]


FRENCH = (
    "Le café était très chaud à Noël, déjà fermé après la tempête, dit l’éditeur du journal"
    " régional, qui a vu les ferries reprendre leur service habituel."
)


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("shift_jis", "utf-8"), ("utf-8", "windows-1252"), ("iso-8859-5", "utf-8"), ("nonsense", "utf-8")],
)  # fmt: skip
def test_wrong_declared_charset(declared: str, encoding: str, tmp_path: Path) -> None:
    body = "".join(f"<p>{text}</p>" for text in [FRENCH, *PARAGRAPHS])
    raw = page(body=body, head=f'<meta charset="{declared}">').encode(encoding)
    result = extract_json(tmp_path, raw)
    assert result.exit_code == 0, result.output
    assert "café était très chaud à Noël" in json.loads(result.stdout)["text"]


def test_wrong_http_charset(server, archived: Path) -> None:
    body = "".join(f"<p>{text}</p>" for text in [FRENCH, *PARAGRAPHS])
    url = server.route(
        "/fr.html", page(body=body).encode(), headers={"Content-Type": "text/html; charset=koi8-r"}
    )
    result = run("add", url)
    assert result.exit_code == 0, result.output
    shown = json.loads(run("show", url, "--format", "json").stdout)
    assert "café était très chaud à Noël" in shown["text"]


RTL_CJK = {
    "hebrew": "גשר הנמל נפתח מחדש לתנועה ביום שלישי בבוקר לאחר שבוע של תיקונים בעקבות הסערה הקשה.",
    "arabic": "أعيد فتح جسر الميناء أمام حركة المرور صباح الثلاثاء بعد أسبوع من الإصلاحات بسبب العاصفة.",
    "chinese": "港口大桥在经历了一周的维修之后，于星期二上午重新开放通车，这场风暴是几十年来最严重的。",
    "japanese": "港の橋は嵐の後の一週間の修理を経て、火曜日の朝に通行が再開されました。",
}


@pytest.mark.parametrize("text", RTL_CJK.values(), ids=RTL_CJK.keys())
def test_right_to_left_and_cjk_text_survive(text: str, tmp_path: Path) -> None:
    body = "".join(f"<p>{text} {text}</p>" for _ in range(4))
    result = extract_json(tmp_path, page(body=body).replace("lang='en'", "dir='rtl'"))
    assert result.exit_code == 0, result.output
    assert text in json.loads(result.stdout)["text"]


def test_a_page_that_is_all_comments(tmp_path: Path, archived: Path) -> None:
    comments = "".join(f"<!-- {text} -->" for text in PARAGRAPHS * 5)
    source = tmp_path / "comments.html"
    source.write_text(f"<html><head>{comments}</head><body>{comments}</body></html>")
    before = snapshot(archived)
    assert_refused(run("extract", str(source)), archived, before)
    added = run("add", str(source), "--url", "https://x.example/c")
    assert added.exit_code == 3, "kept without text"
    assert added.stderr.startswith("Error: https://x.example/c: no article text found;")
    assert "Traceback" not in added.output
    assert json.loads(run("show", "https://x.example/c", "--format", "json").stdout)["text"] == ""


def home_page() -> str:
    teasers = "".join(
        f"<div class='teaser'><h3><a href='/2024/05/{n}.html'>Headline {n} about the harbour"
        f" and the storm</a></h3><p>A short summary of story {n}: the council met on Tuesday"
        " to discuss the ferry timetable and the repairs.</p></div>"
        for n in range(40)
    )
    return (
        "<html><head><title>Example News - Breaking news and analysis</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><main>{teasers}</main>"
        "<footer>© Example News</footer></body></html>"
    )


def test_a_home_page_is_recorded_as_not_an_article(tmp_path: Path, archived: Path) -> None:
    source = tmp_path / "home.html"
    source.write_text(home_page())
    result = run("extract", str(source), "--url", "https://news.example/", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "not_article"
    added = run("add", str(source), "--url", "https://news.example/")
    assert added.exit_code == 0 and "[not_article]" in added.stdout


def test_a_page_of_bare_links_is_one_line(tmp_path: Path, archived: Path) -> None:
    links = "".join(f"<li><a href='/{n}.html'>Headline number {n}</a></li>" for n in range(60))
    source = tmp_path / "links.html"
    source.write_text(f"<html><body><ul>{links}</ul></body></html>")
    assert_refused(
        run("add", str(source), "--url", "https://news.example/"), archived, snapshot(archived)
    )


# ---- files ----------------------------------------------------------------------------------


def test_bad_files(tmp_path: Path, archived: Path) -> None:
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + BINARY)
    noise = tmp_path / "noise.txt"
    noise.write_bytes(BINARY)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    before = snapshot(archived)
    for source in (tmp_path / "missing.html", tmp_path, binary, noise, empty):
        for command in ("add", "extract"):
            line = assert_refused(run(command, str(source)), archived, before)
            assert str(source) in line


def test_binary_on_standard_input(archived: Path) -> None:
    result = run("add", "-", "--url", "https://news.example/x", input=BINARY)
    assert_refused(result, archived, snapshot(archived))


# ---- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FTS_SPECIALS)
def test_fts_special_characters_never_crash(text: str, archived: Path) -> None:
    before = snapshot(archived)
    for query in (text, f"harbour {text}", f"{text}harbour{text}"):
        for command in (["search", "--json", "--", query], ["quotes", "--json", "--", query]):
            result = run(*command)
            assert result.exception is None or isinstance(result.exception, SystemExit)
            if result.exit_code == 0:
                assert isinstance(json.loads(result.stdout), list)
            else:
                assert_refused(result, archived, before)
    assert snapshot(archived) == before


@pytest.mark.parametrize("query", ['"unbalanced', "a AND", "NEAR(", "(", "col:x", "^"])
def test_raw_fts_syntax_errors_are_one_line(query: str, archived: Path) -> None:
    before = snapshot(archived)
    for command in ("search", "quotes"):
        line = assert_refused(run(command, query, "--raw"), archived, before)
        assert "not a valid search" in line


def test_a_ten_thousand_character_query(archived: Path) -> None:
    words = ("harbour " * 1250).strip()
    result = run("search", words, "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 1
    junk = ("x" + "\"'()*:^" * 1250)[:10_000]
    for command in ("search", "quotes"):
        result = run(command, junk, "--json")
        if result.exit_code != 0:
            assert_refused(result, archived, snapshot(archived))


@pytest.mark.parametrize("date", ["yesterday", "2024/05/01", "05-01-2024", "2024-05-01T", "'; --"])
def test_invalid_dates_in_filters(date: str, archived: Path) -> None:
    before = snapshot(archived)
    for args in (["--since", date], ["--until", date]):
        assert "not a date" in assert_refused(run("search", "harbour", *args), archived, before)
    if any(char.isdigit() for char in date):
        assert_refused(run("search", f"harbour after:{date}"), archived, before)


@pytest.mark.parametrize("date", ["'; --", "--", "?"])
def test_date_filters_without_digits_are_refused(date: str, archived: Path) -> None:
    assert_refused(run("search", f"harbour after:{date}"), archived, snapshot(archived))


@pytest.mark.parametrize("date", ["2024-13-01", "2024-02-30", "2024-00"])
def test_impossible_dates_are_refused(date: str, archived: Path) -> None:
    assert_refused(run("search", "harbour", "--since", date), archived, snapshot(archived))


@pytest.mark.parametrize("injection", INJECTIONS)
def test_sql_and_fts_injection_through_every_option(injection: str, archived: Path) -> None:
    before = snapshot(archived)
    # Option values are matched as text: an injection finds nothing (the archive has 1 article).
    for args in (
        ["search", "harbour", "--site", injection],
        ["search", "harbour", "--author", injection],
        ["quotes", "clean", "--speaker", injection],
        ["search", "harbour", "--raw", "--site", injection],
    ):
        result = run(*args, "--json")
        assert result.exit_code == 0 and json.loads(result.stdout) == [], args
    # In the query text they are words, operators or filters, never SQL.
    for args in (
        ["search", "--", injection],
        ["search", "--", f"harbour site:{injection}"],
        ["search", "--", f"harbour speaker:{injection}"],
        ["quotes", "--", injection],
    ):
        result = run(*args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert "Traceback" not in result.output
        assert result.exit_code == 0 or len(result.stderr.strip().splitlines()) == 1
    for reference in (injection, "1 OR 1=1", "1; DELETE FROM articles"):
        assert_refused(run("show", "--", reference), archived, before)
    assert snapshot(archived) == before


# ---- show and list --------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["0", "-1", "999", "1.5", "", "https://nowhere.example/x"])
def test_show_something_that_is_not_there(reference: str, archived: Path) -> None:
    line = assert_refused(run("show", "--", reference), archived, snapshot(archived))
    assert "no such article" in line


@pytest.mark.parametrize("limit", ["0", "-5", "many"])
def test_list_with_a_bad_limit(limit: str, archived: Path) -> None:
    # A usage error: click prints the usage and one "Error:" line, exit code 2.
    result = run("list", "--limit", limit)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_a_damaged_archive_file_is_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not an archive\n" * 50)
    for path in (damaged, text):
        for args in (["list"], ["search", "x"], ["show", "1"]):
            result = run("--db", str(path), *args)
            assert result.exit_code != 0 and "Traceback" not in result.output
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    folder = run("--db", str(tmp_path), "list")  # a usage error: click names the option
    assert folder.exit_code == 2 and "is a directory" in folder.stderr
    assert text.read_text().startswith("these are my notes")


# ---- hostile pages of issue 13: bounded work, one line at most -----------------------------


def ld_script(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


@pytest.mark.parametrize(
    "json_ld",
    ["[" * 100_000, "[" * 900 + '{"@type": "NewsArticle"}' + "]" * 900, '{"@graph": ' * 900],
    ids=["unclosed-brackets", "nested-lists", "nested-graphs"],
)
def test_deeply_nested_json_ld_is_skipped(tmp_path: Path, json_ld: str) -> None:
    html = page(head=ld_script(json_ld))
    result = extract_json(tmp_path, html)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"].startswith(PARAGRAPHS[0])
    added = run("add", str(tmp_path / "page.html"), "--url", "https://news.example/story")
    assert added.exit_code == 0 and "Traceback" not in added.output


def test_twenty_thousand_json_ld_authors_are_cut_to_a_hundred(tmp_path: Path) -> None:
    people = [{"@type": "Person", "name": f"Jane Number{n} Doe"} for n in range(20_000)]
    people += people[:50]  # repeated names are one author
    html = page(head=ld_script(json.dumps({"@type": "NewsArticle", "author": people})))
    authors = json.loads(extract_json(tmp_path, html).stdout)["authors"]
    assert authors == [f"Jane Number{n} Doe" for n in range(100)]


def test_a_tag_with_fifty_thousand_attributes_loses_them_and_the_page_is_read(
    tmp_path: Path,
) -> None:
    crowded = "<p " + " ".join(f"a{n}='v'" for n in range(50_000)) + f">{PARAGRAPHS[0]}</p>"
    html = page("".join([crowded, *(f"<p>{text}</p>" for text in PARAGRAPHS[1:])]))
    result = extract_json(tmp_path, html)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == "\n".join(PARAGRAPHS)


def test_only_a_tag_with_more_attributes_than_any_real_one_loses_them() -> None:
    from newsarchive.extract.readable import without_crowded_tags

    crowded = "<p " + " ".join(f"a{n}='v'" for n in range(1_500)) + ">"
    long_but_few = f"<img alt='chart' src='data:image/png;base64,{'A' * 20_000}'>"
    short = "<a href='/x' class='more'>"
    html = f"{short}{crowded}text{long_but_few}<b"  # an unclosed tag at the end
    assert without_crowded_tags(html) == f"{short}<p>text{long_but_few}<b"


def test_spans_nested_a_hundred_thousand_deep_end_without_a_traceback(tmp_path: Path) -> None:
    html = page("<p>" + "<span>word " * 100_000 + "</p>")
    result = extract_json(tmp_path, html)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"].startswith("word word")


def test_a_head_of_twenty_thousand_meta_tags_costs_the_story_nothing(tmp_path: Path) -> None:
    html = page(head="<meta name='keywords' content='harbour'>" * 20_001)
    article = json.loads(extract_json(tmp_path, html).stdout)
    assert article["text"] == "\n".join(PARAGRAPHS) and article["status"] == "partial"


@pytest.mark.parametrize("label", ["undefined", "punycode", "unicode_escape", "idna", "base64"])
def test_a_charset_label_naming_no_text_encoding_is_ignored(server, label: str) -> None:
    body = page().encode("utf-8").replace(b"<head>", f"<head><meta charset='{label}'>".encode())
    url = server.route("/story", body, headers={"Content-Type": f"text/html; charset={label}"})
    result = run("add", url)
    assert result.exit_code == 0, result.output
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["text"] == "\n".join(PARAGRAPHS)


def test_a_redirect_location_that_is_not_utf8_is_followed(server) -> None:
    server.route("/caf%E9", page())

    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "/caf\xe9")  # sent as the byte 0xE9 (latin-1)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    result = run("add", server.handler("/old", redirect))
    assert result.exit_code == 0, result.output
    assert server.hits("/caf%E9") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "99999999999999999999999"],
        ["search", "harbour", "--limit", "99999999999999999999999"],
        ["show", "99999999999999999999999"],
        ["export", "--format", "jsonl", "--id", "99999999999999999999999"],
        ["reextract", "99999999999999999999999"],
    ],
    ids=["list", "search", "show", "export", "reextract"],
)
def test_numbers_past_sqlite_integers_end_in_one_error_line(
    tmp_path: Path, args: list[str]
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page())
    assert run("add", str(saved), "--url", "https://news.example/story").exit_code == 0
    result = run(*args)
    assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert "99999999999999999999999" in errors[0], result.stderr


def test_a_word_repeated_in_a_query_is_searched_once_and_a_huge_query_refused(
    tmp_path: Path,
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page())
    assert run("add", str(saved), "--url", "https://news.example/story").exit_code == 0
    once = json.loads(run("search", "harbour", "--json").stdout)
    repeated = run("search", "harbour " * 1_250, "--json")  # 10,000 characters
    assert repeated.exit_code == 0 and json.loads(repeated.stdout) == once
    huge = run("search", "harbour " * 12_000)
    assert huge.exit_code == 2
    assert huge.stderr == "Error: the query is 96,000 characters long (at most 10,000)\n"


def test_a_query_starting_with_a_minus_is_a_query_not_options(tmp_path: Path) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page())
    assert run("add", str(saved), "--url", "https://news.example/story").exit_code == 0
    result = run("search", "-ferries harbour", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # the story names ferries
    only_excluded = run("search", "-harbour -bridge")
    assert only_excluded.exit_code == 2
    assert only_excluded.stderr == "Error: only excluded words: give at least one word to find\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_page_without_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    result = extract_json(tmp_path, page().encode(codec))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == "\n".join(PARAGRAPHS)
