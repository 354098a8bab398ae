"""The web reader over real HTTP: a server on 127.0.0.1 (any free port) started by each test."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from conftest import BRIDGE_STORY

from newsarchive import web
from newsarchive.cli import cli
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive
from newsarchive.web import ReaderServer, ReaderSettings, pages
from newsarchive.web.server import CONTENT_SECURITY_POLICY, allowed_hosts, is_loopback

# A page whose every way of running a script must be gone from what the reader shows.
PLANTED = (
    "<p>The ferry service was halted on Tuesday.</p>"
    "<script>document.title = 'pwned'; window.pwned = true;</script>"
    '<img src="x.png" onerror="document.title = \'pwned\'">'
    "<p onclick=\"document.title = 'pwned'\">Tap <a href=\"javascript:document.title='pwned'\">here</a>"
    " for the timetable.</p>"
    '<iframe src="https://tracker.example/"></iframe><style>body { display: none }</style>'
    "<svg><script>window.pwned = true</script></svg>"
)
HOSTILE_HEADLINE = "Ferry halted <script>window.pwned = true</script>"


@dataclass
class Reader:
    """A running reader and the archive it serves."""

    server: ReaderServer
    path: Path

    def get(self, path: str, **headers: str) -> tuple[int, http.client.HTTPMessage, str]:
        """Status, headers and text of a GET (Host is this server's unless given)."""
        return self.send("GET", path, None, headers)

    def post(self, path: str, body: str, **headers: str) -> tuple[int, str]:
        """Status and text of a form's POST."""
        status, _, text = self.send_form(path, body, **headers)
        return status, text

    def send_form(
        self, path: str, body: str, **headers: str
    ) -> tuple[int, http.client.HTTPMessage, str]:
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send("POST", path, body, {**kind, **headers})

    def send(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, http.client.HTTPMessage, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()

    def cli_json(self, *args: str) -> object:
        """What the same command prints with --json (or --format json)."""
        result = CliRunner().invoke(cli, ["--db", str(self.path), *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def fill(path: Path) -> None:
    """Three articles on two sites; the second is hostile and a paywall stub."""
    stories = [
        (
            "https://example-news.test/bridge",
            Article(
                headline="Harbour bridge reopens after storm",
                standfirst="Repairs took a week.",
                authors=["Jane Doe"],
                published="2024-05-01",
                site="Example News",
                language="en",
                text="\n".join(BRIDGE_STORY),
                html="".join(f"<p>{paragraph}</p>" for paragraph in BRIDGE_STORY),
                quotes=[Quote("We never stopped working", "Mina Okafor", "the chief engineer")],
            ),
        ),
        (
            "https://tabloid.test/ferry",
            Article(
                headline=HOSTILE_HEADLINE,
                published="2024-05-02",
                site="Tabloid <b>Daily</b>",
                text="The ferry service was halted on Tuesday.\nTap here for the timetable.",
                html=PLANTED,
                status="partial",
            ),
        ),
        (
            "https://example-news.test/market",
            Article(
                headline="Fish market moves to the old ferry terminal",
                published="2024-05-03",
                site="Example News",
                text="The fish market moved on Monday, traders said.",
            ),
        ),
    ]
    with Archive(path) as archive:
        for url, article in stories:
            archive.save(FetchResult(url=url, final_url=url, text="", raw=url.encode()), article)


def start(path: Path, allow_edits: bool = False) -> Iterator[Reader]:
    server = ReaderServer(ReaderSettings(path, allow_edits), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Reader(server, path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def reader(archive_path: Path) -> Iterator[Reader]:
    fill(archive_path)
    yield from start(archive_path)


@pytest.fixture
def editing_reader(archive_path: Path) -> Iterator[Reader]:
    fill(archive_path)
    yield from start(archive_path, allow_edits=True)


# ---- pages -------------------------------------------------------------------------------------


def test_the_list_shows_the_newest_first_and_answers_as_list_json(reader: Reader) -> None:
    status, headers, text = reader.get("/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert text.index("Fish market") < text.index("Harbour bridge")
    assert '<a class="headline" href="/articles/1">' in text
    for path, extra in [("/articles.json", {}), ("/", {"Accept": "application/json"})]:
        status, headers, text = reader.get(path, **extra)
        assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(text) == reader.cli_json("list", "--json")


def test_the_list_filters_by_site_and_status_and_pages(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_site = json.loads(reader.get("/articles.json?site=Example+News")[2])
    assert [summary["id"] for summary in by_site] == [3, 1]
    partial = json.loads(reader.get("/articles.json?status=partial")[2])
    assert [summary["id"] for summary in partial] == [2]
    assert reader.get("/?status=lost")[0] == 400
    assert reader.get("/?page=0")[0] == 400
    assert reader.get("/?page=%C2%B2")[0] == 400  # a digit to isdigit(), not to int()
    monkeypatch.setattr(pages, "ARTICLES_PER_PAGE", 2)
    first, second = (json.loads(reader.get(f"/articles.json?page={n}")[2]) for n in (1, 2))
    assert [s["id"] for s in first] == [3, 2] and [s["id"] for s in second] == [1]
    text = reader.get("/?page=2&site=Example+News")[2]
    assert 'rel="prev" href="/?page=1&amp;site=Example+News"' in text


def test_search_marks_the_words_and_answers_as_search_json(reader: Reader) -> None:
    status, _, text = reader.get("/search?q=bridge")
    assert status == 200
    assert "<mark>bridge</mark>" in text and "Harbour bridge reopens after storm" in text
    found = json.loads(reader.get("/search.json?q=bridge")[2])
    assert found == reader.cli_json("search", "bridge", "--json")
    assert [hit["id"] for hit in found] == [1]


def test_search_takes_the_query_language(reader: Reader) -> None:
    found = json.loads(reader.get("/search.json?q=ferry+-site%3Atabloid")[2])
    assert [hit["id"] for hit in found] == reader_ids(reader, "ferry -site:tabloid")
    assert 2 not in [hit["id"] for hit in found]
    assert reader.get("/search?q=%22")[0] == 400  # nothing to look for: a 400, not a 500
    assert json.loads(reader.get("/search.json")[2]) == []


def reader_ids(reader: Reader, query: str) -> list[int]:
    return [hit["id"] for hit in reader.cli_json("search", query, "--json")]


def test_the_article_page_and_its_json(reader: Reader) -> None:
    status, _, text = reader.get("/articles/1")
    assert status == 200
    assert "<h1>Harbour bridge reopens after storm</h1>" in text
    assert BRIDGE_STORY[0] in text and "Repairs took a week." in text
    assert 'href="/quotes?speaker=Mina+Okafor"' in text
    data = json.loads(reader.get("/articles/1.json")[2])
    assert data == reader.cli_json("show", "1", "--format", "json")


def test_quotes_by_speaker_and_the_speakers(reader: Reader) -> None:
    status, _, text = reader.get("/quotes?speaker=okafor")
    assert status == 200 and "We never stopped working" in text
    found = json.loads(reader.get("/quotes.json?speaker=okafor")[2])
    assert found == reader.cli_json("quotes", "--speaker", "okafor", "--json")
    speakers = json.loads(reader.get("/speakers.json")[2])
    assert speakers == reader.cli_json("speakers", "--json")
    assert 'href="/quotes?speaker=Mina+Okafor"' in reader.get("/speakers")[2]


@pytest.mark.parametrize(
    "path", ["/articles/99", "/articles/99.json", "/articles/99999999999999999999", "/nowhere"]
)
def test_unknown_pages_are_404(reader: Reader, path: str) -> None:
    status, _, text = reader.get(path)
    assert status == 404
    if path.endswith(".json"):
        assert "error" in json.loads(text)


def test_head_answers_the_headers_alone(reader: Reader) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", reader.server.server_port, timeout=10)
    connection.request("HEAD", "/articles/1")
    response = connection.getresponse()
    assert response.status == 200 and int(response.headers["Content-Length"]) > 0
    assert response.read() == b""
    connection.close()


# ---- safety ------------------------------------------------------------------------------------


def test_a_planted_script_never_reaches_the_page(reader: Reader) -> None:
    for path in ["/articles/2", "/", "/search?q=ferry", "/?status=partial"]:
        status, _, text = reader.get(path)
        assert status == 200
        lowered = text.lower()
        for planted in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "<style",
            "<svg",
        ]:
            assert planted not in lowered, (path, planted)
    text = reader.get("/articles/2")[2]
    assert "The ferry service was halted on Tuesday." in text
    assert "Ferry halted &lt;script&gt;window.pwned = true&lt;/script&gt;" in text
    assert "Tabloid &lt;b&gt;Daily&lt;/b&gt;" in text
    assert '<a href="https://tabloid.test/x.png" rel="noopener noreferrer nofollow">' in text


@pytest.mark.parametrize(
    "path", ["/", "/articles/1", "/articles.json", "/nowhere", "/static/reader.css"]
)
def test_every_answer_carries_the_security_headers(reader: Reader, path: str) -> None:
    _, headers, _ = reader.get(path)
    policy = headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # so default-src 'none' forbids every script
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost"]
)
def test_a_foreign_host_header_is_refused(reader: Reader, host: str) -> None:
    status, headers, text = reader.get(
        "/articles/1", Host=host.format(port=reader.server.server_port)
    )
    assert status == 421
    assert "Harbour" not in text
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_loopback_names_of_the_bound_port_are_accepted(reader: Reader) -> None:
    port = reader.server.server_port
    for host in [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"]:
        assert reader.get("/", Host=host)[0] == 200


def test_a_request_without_a_host_is_refused(reader: Reader) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", reader.server.server_port, timeout=10)
    connection.putrequest("GET", "/", skip_host=True)
    connection.endheaders()
    assert connection.getresponse().status == 400
    connection.close()


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 8000) == {
        "127.0.0.1:8000",
        "localhost:8000",
        "[::1]:8000",
    }
    assert "[::1]" in allowed_hosts("::1", 80) and "192.168.1.5:8000" in allowed_hosts(
        "192.168.1.5", 8000
    )
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_forms_that_write_are_refused_without_allow_edits(reader: Reader) -> None:
    status, text = reader.post("/articles/1/tags", f"csrf={reader.server.csrf_token}")
    assert status == 403 and "--allow-edits" in text


def test_forms_that_write_need_the_csrf_token_and_this_origin(editing_reader: Reader) -> None:
    token = editing_reader.server.csrf_token
    assert editing_reader.post("/articles/1/tags", "tag=x")[0] == 403
    assert editing_reader.post("/articles/1/tags", "csrf=wrong")[0] == 403
    origin = {"Origin": "http://evil.example"}
    assert editing_reader.post("/articles/1/tags", f"csrf={token}", **origin)[0] == 403
    opaque = {"Origin": "null"}  # a sandboxed frame or a data: page elsewhere
    assert editing_reader.post("/articles/1/tags", f"csrf={token}", **opaque)[0] == 403
    assert editing_reader.post("/articles/1/nowhere", f"csrf={token}")[0] == 404
    assert editing_reader.post("/articles/1/tags", f"csrf={token}")[0] == 400  # no tag given


def test_the_archive_is_read_only_unless_edits_are_allowed(reader: Reader) -> None:
    with (
        reader.server.open_archive() as archive,
        pytest.raises(sqlite3.OperationalError, match="readonly"),
    ):
        archive.conn.execute("DELETE FROM articles")


# ---- the command -------------------------------------------------------------------------------


class FakeServer:
    """Stands in for ReaderServer: records what it was given, stops at once as Ctrl-C would."""

    made: ClassVar[list[tuple]] = []
    url = "http://127.0.0.1:8000/"

    def __init__(self, settings: ReaderSettings, host: str, port: int) -> None:
        FakeServer.made.append((settings, host, port))

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def serve_forever(self) -> None:
        raise KeyboardInterrupt


def test_serve_warns_when_listening_beyond_this_machine(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(archive_path)
    monkeypatch.setattr(web, "ReaderServer", FakeServer)
    FakeServer.made.clear()
    local = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert local.exit_code == 0, local.output
    assert "Warning" not in local.stderr and "(read-only)" in local.stderr
    assert "Stopped." in local.stderr  # Ctrl-C
    wide = CliRunner().invoke(cli, ["serve", "--host", "192.168.1.20", "--allow-edits"])
    assert wide.exit_code == 0
    assert "Warning: listening on 192.168.1.20" in wide.stderr and "(edits allowed)" in wide.stderr
    assert [(s.allow_edits, host, port) for s, host, port in FakeServer.made] == [
        (False, "127.0.0.1", 0),
        (True, "192.168.1.20", 8000),
    ]


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
def test_serve_refuses_every_address_at_once(archive_path: Path, wildcard: str) -> None:
    """The Host check needs the one name other machines use; a wildcard has none."""
    fill(archive_path)
    result = CliRunner().invoke(cli, ["serve", "--host", wildcard])
    assert result.exit_code == 2 and "give the address other machines reach" in result.stderr


def test_serve_open_opens_the_browser_at_the_reader(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(archive_path)
    opened: list[str] = []
    monkeypatch.setattr(web, "ReaderServer", FakeServer)
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert CliRunner().invoke(cli, ["serve", "--open"]).exit_code == 0
    assert opened == [FakeServer.url]


def test_serve_says_when_the_port_is_taken(archive_path: Path, reader: Reader) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", str(reader.server.server_port)])
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1" in result.stderr


def test_templates_escape_every_value_that_is_not_markup() -> None:
    from newsarchive.web.markup import Markup, csrf_field, href, render

    made = render(
        '<a title="{title}">{text}</a>{safe}', title='"><x', text="<b>&", safe=Markup("<br>")
    )
    assert made == '<a title="&quot;&gt;&lt;x">&lt;b&gt;&amp;</a><br>'
    assert render("{value}", value=None) == "" and render("{n:>3}", n=7) == "  7"
    assert render("{value}", value="bell\x07") == "bell\\x07"
    assert href("/quotes", speaker="A & B", q="", page=2) == "/quotes?speaker=A+%26+B&page=2"
    assert csrf_field('t"') == '<input type="hidden" name="csrf" value="t&quot;">'


def test_an_archive_deleted_under_the_reader_is_an_error_not_a_new_archive(
    reader: Reader, archive_path: Path
) -> None:
    for leftover in archive_path.parent.glob(archive_path.name + "*"):
        leftover.unlink()
    status, _headers, body = reader.get("/")
    assert status == 500 and "no archive there" in body
    assert not archive_path.exists()


def test_a_page_that_fails_unexpectedly_is_a_500_page(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive.web import server

    def broken(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(server, "answer", broken)
    status, headers, body = reader.get("/")
    assert status == 500 and "could not be made" in body
    assert "Content-Security-Policy" in headers
