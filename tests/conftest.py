"""Shared fixtures: a real HTTP server on 127.0.0.1, an archive file in tmp_path, and, for the
tests run on both engines, a fresh PostgreSQL database (pg.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings
from pg import fresh_database

from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive

# Shared 2-core machines make per-example deadlines flaky, and CI must not depend on luck:
# no deadline, and the same examples on every run.
settings.register_profile("newsarchive", deadline=None, derandomize=True)
settings.load_profile("newsarchive")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Loopback addresses besides 127.0.0.1 for servers that must be different hosts (pyproject's
# --allow-hosts lets the tests reach them).
LOOPBACK_HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# A short invented story, for tests that need an ordinary article page.
BRIDGE_STORY = [
    "The harbour bridge reopened to traffic on Tuesday morning after a week of repairs that"
    " followed the worst storm the town has seen in decades.",
    "Ferries had carried commuters across the water while the bridge was closed, and the ferry"
    " company said its boats would return to their usual timetable next week.",
    "Engineers said the final inspection had been clean and that the deck would be checked"
    " again in the spring, when the weather allows a closer look at the piers.",
]


@dataclass
class Route:
    """A canned response. ``body`` may be bytes or an iterable of byte chunks (streamed)."""

    body: bytes | Iterable[bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    at: float


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (a refused PDF, a killed import) is expected in these tests:
    socketserver would print its traceback to stderr, where CLI tests look for tracebacks."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """A threaded HTTP server on loopback serving routes the test registers."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        """``address``: one of LOOPBACK_HOSTS for a test that needs servers that are different
        hosts to the politeness rules (servers on one address are one host, whatever port)."""
        self.address = address
        self.routes: dict[str, Route | Callable[[BaseHTTPRequestHandler], None]] = {}
        self.requests: list[SeenRequest] = []
        self._httpd = _QuietServer((address, 0), self._handler_class())
        # A short poll interval makes stop() quick: shutdown() waits for the next poll (0.5 s
        # by default), and every test that uses the server pays it.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://{self.address}:{self.port}{path}"

    def route(self, path: str, body: bytes | str | Iterable[bytes] = b"", **kwargs) -> str:
        """Register a response for ``path`` and return its full URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        kwargs.setdefault("headers", {})
        if isinstance(body, bytes):
            kwargs["headers"].setdefault("Content-Type", "text/html; charset=utf-8")
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def handler(self, path: str, function: Callable[[BaseHTTPRequestHandler], None]) -> str:
        """Register a function that writes the whole response itself."""
        self.routes[path] = function
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for seen in self.requests if seen.path == path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(SeenRequest(self.path, dict(self.headers), time.monotonic()))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(Route(b"not found", status=404))
                elif callable(route):
                    route(self)
                else:
                    self._send(route)

            def _send(self, route: Route) -> None:
                time.sleep(route.delay)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                try:
                    if isinstance(route.body, bytes):
                        self.send_header("Content-Length", str(len(route.body)))
                        self.end_headers()
                        self.wfile.write(route.body)
                    else:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in route.body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            time.sleep(route.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


@pytest.fixture
def server() -> Iterable[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def archive_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own archive file; nothing touches the user's real data directory."""
    path = tmp_path / "archive.db"
    monkeypatch.setenv("NEWSARCHIVE_DB", str(path))
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database of this test's own, dropped after it.
    Skips without a server (fails with CI=true)."""
    with fresh_database() as url:
        yield url


ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def archive_location(
    request: pytest.FixtureRequest, archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The test's archive once on each engine: its SQLite file, then a fresh PostgreSQL
    database. NEWSARCHIVE_DB names it, so the command line uses it too."""
    if request.param == "sqlite":
        return str(archive_path)
    url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("NEWSARCHIVE_DB", url)
    return url


@pytest.fixture
def archive(archive_location: str) -> Iterator[Archive]:
    """The test's archive, opened, on each engine in turn (see archive_location)."""
    with Archive(archive_location) as opened:
        yield opened


def save_quoted(archive: Archive, stories: dict[str, list[Quote]]) -> None:
    """One short article per name, headed by the name and holding these quotes."""
    for name, quotes in stories.items():
        url = f"https://port.example/{name}"
        page = FetchResult(url=url, final_url=url, text="", raw=name.encode())
        archive.save(page, Article(headline=name.title(), text="Story.", quotes=quotes))


def article_page(headline: str, paragraphs: list[str], site: str = "Example News") -> str:
    """A small news page of our own: headline, site name, author, date and paragraphs."""
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | {site}</title><meta property="og:site_name" content="{site}">
<meta name="author" content="Mina Okafor">
<meta property="article:published_time" content="2024-05-01T08:00:00Z">
</head><body><article><h1>{headline}</h1>
{body}</article></body></html>"""


def run_cli(*args: str) -> Result:
    """``newsarchive ARGS`` through click's runner, on the test's archive."""
    from newsarchive.cli import cli

    return CliRunner().invoke(cli, list(args))


def cli_json(*args: str) -> Any:
    """What ``newsarchive ARGS`` prints as JSON; the command must succeed."""
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def search_ids(query: str, *options: str) -> list[int]:
    """The ids ``newsarchive search QUERY`` finds, best first."""
    return [hit["id"] for hit in cli_json("search", query, "--json", *options)]


def add_page(folder: Path, url: str, headline: str, paragraphs: list[str], **page) -> int:
    """Write ``article_page`` into ``folder``, archive it as ``url`` with ``newsarchive add``
    and return the new article's id."""
    path = folder / f"page-{len(list(folder.glob('page-*.html')))}.html"
    path.write_text(article_page(headline, paragraphs, **page), encoding="utf-8")
    added = run_cli("add", str(path), "--url", url)
    assert added.exit_code == 0, added.output
    return int(added.stdout.split(":")[0].split()[-1])


def wait_for_outcomes(process: subprocess.Popen, count: int, status: str) -> list[str]:
    """Read an import's (or a refresh's) lines on stderr until ``count`` links ended with
    ``status`` (``saved``, ``updated``); their URLs."""
    found: list[str] = []
    timer = threading.Timer(30, process.kill)  # a hung run fails the test, not the suite
    timer.start()
    try:
        while len(found) < count:
            line = process.stderr.readline()
            assert line, "the run ended early"
            if line.startswith(f"{status} "):
                found.append(line.split()[2])
    finally:
        timer.cancel()
    return found
