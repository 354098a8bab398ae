"""The reader's HTTP server, on the standard library's ThreadingHTTPServer.

Stored pages are untrusted and the server answers on the user's machine, so every answer
carries a strict Content-Security-Policy (no script at all, style and images from the server
itself only, no framing) and headers that stop sniffing and referrers to other sites (the
reader's own forms keep their Origin, which the server checks); a request whose
``Host`` is not the address the server is bound to (or a loopback name) is refused, so a web
page elsewhere cannot reach it by DNS rebinding. The archive is opened read-only (SQLite's
``query_only``, a read-only session on PostgreSQL) for every page; only a form that writes (edits.py) opens it for writing, and
only when edits are allowed and the form comes from the server's own pages with their CSRF
token.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from newsarchive.engines import is_postgres_url
from newsarchive.errors import NewsarchiveError
from newsarchive.store import Archive, open_archive
from newsarchive.web.edits import WRITE_ACTIONS
from newsarchive.web.markup import page
from newsarchive.web.pages import ROUTES, answer
from newsarchive.web.request import READ_ONLY, Page, Request, error_page

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it a browser sends "Origin: null" with the reader's own forms.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
STATIC_FILES = {"/static/reader.css": ("reader.css", "text/css; charset=utf-8")}
MOST_FORM_BYTES = 64 * 1024
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class ReaderSettings:
    """What the reader serves, and whether its forms may change the archive."""

    archive: str | Path  # a SQLite file or a postgresql:// URL
    allow_edits: bool = False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` header values a request may carry: the bound address or a loopback name,
    with the port (without it too when the port is HTTP's default)."""
    names = {_bracketed(host).lower(), *LOOPBACK_NAMES}
    with_port = {f"{name}:{port}" for name in names}
    return frozenset(with_port | (names if port == 80 else set()))


def _bracketed(host: str) -> str:
    """An IPv6 address in brackets, as a URL and a Host header write it."""
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    return host in ("localhost", "::1") or host.startswith("127.")


class ReaderServer(ThreadingHTTPServer):
    """Serves the reader's pages from one archive; each request opens its own connection
    (on PostgreSQL, borrowed from the server's pool)."""

    daemon_threads = True

    def __init__(self, settings: ReaderSettings, host: str = "127.0.0.1", port: int = 8000):
        self.settings = settings
        self.csrf_token = secrets.token_urlsafe(32)
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.pool = _pool_for(settings.archive)  # before binding: a failed bind closes it
        super().__init__((host, port), ReaderHandler)
        self.host = host
        self.hosts = allowed_hosts(host, self.server_port)

    def server_close(self) -> None:
        super().server_close()
        if self.pool is not None:
            self.pool.close()

    @property
    def url(self) -> str:
        """The reader's address, for the user's browser."""
        return f"http://{_bracketed(self.host)}:{self.server_port}/"

    def open_archive(self, write: bool = False) -> Archive:
        """A connection of the request's own; read-only unless it is for a form that writes
        and edits are allowed."""
        writable = write and self.settings.allow_edits
        # create=False: an archive deleted while the reader runs is an error, not a new one
        archive = open_archive(
            self.settings.archive, read_only=not writable, create=False, pool=self.pool
        )
        if not writable:
            try:
                archive.forbid_writes()
            except BaseException:  # a dead connection: give it back, or the pool loses it
                archive.close()
                raise
        return archive

    def page(self, path: str, request: Request, write: bool = False) -> Page:
        """The page at ``path``, or with ``write`` the form that writes there; an error page
        when the archive cannot be read or written."""
        try:
            with self.open_archive(write) as archive:
                return answer(archive, path, request, WRITE_ACTIONS if write else ROUTES)
        except NewsarchiveError as error:
            log.warning("%s: %s", path, error)
            return error_page(HTTPStatus.INTERNAL_SERVER_ERROR, str(error))
        except Exception:  # a bug or the database failing: an answer, never a dropped connection
            log.exception("%s: failed", path)
            return error_page(HTTPStatus.INTERNAL_SERVER_ERROR, "the page could not be made")


def _pool_for(location: str | Path) -> ConnectionPool | None:
    """A pool of connections for a PostgreSQL archive; None for a SQLite file."""
    if not is_postgres_url(location):
        return None
    from newsarchive.engines.postgres import connection_pool

    return connection_pool(str(location))


class ReaderHandler(BaseHTTPRequestHandler):
    """One request: the Host check, then a page, a static file or a form that writes."""

    server: ReaderServer
    timeout = 60  # a client that stops sending frees its thread

    def version_string(self) -> str:
        return "newsarchive"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def end_headers(self) -> None:
        """Every answer, errors included, carries the security headers."""
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        self._read(send_body=True)

    def do_HEAD(self) -> None:
        self._read(send_body=False)

    def do_POST(self) -> None:
        if not self._host_allowed():
            return
        refusal = self._write_refusal()
        if refusal:
            self._send_text(*refusal)
            return
        form = self._form()
        if form is None:
            return
        request = Request(form, self.server.csrf_token)
        found = self.server.page(urlsplit(self.path).path, request, write=True)
        self._send_page(found, self._prefers_json(), send_body=True)

    def _read(self, send_body: bool) -> None:
        if not self._host_allowed():
            return
        parts = urlsplit(self.path)
        if parts.path in STATIC_FILES:
            self._send_static(parts.path, send_body)
            return
        as_json = parts.path.endswith(".json") or self._prefers_json()
        path = parts.path.removesuffix(".json") if parts.path != "/.json" else "/"
        token = self.server.csrf_token if self.server.settings.allow_edits else None
        request = Request(_first_values(parts.query), token)
        self._send_page(self.server.page(path, request), as_json, send_body)

    def _send_page(self, found: Page, as_json: bool, send_body: bool) -> None:
        """The page as JSON or HTML; a form that wrote, as a redirect to where it leads."""
        if found.location is not None:
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif as_json:
            text = json.dumps(found.data, ensure_ascii=False, indent=2)
            self._send(found.status, f"{JSON_TYPE}; charset=utf-8", text.encode(), send_body)
        else:
            html = page(found.title, found.body, found.query)
            self._send(found.status, "text/html; charset=utf-8", html.encode(), send_body)

    def _host_allowed(self) -> bool:
        """Refuse (and answer) a request without one Host header naming this server."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            self._send_text(HTTPStatus.BAD_REQUEST, "a request needs one Host header")
            return False
        if hosts[0].strip().lower() not in self.server.hosts:
            self._send_text(HTTPStatus.MISDIRECTED_REQUEST, "this server does not answer that Host")
            return False
        return True

    def _prefers_json(self) -> bool:
        accept = self.headers.get("Accept", "")
        return JSON_TYPE in accept and "text/html" not in accept

    def _write_refusal(self) -> tuple[HTTPStatus, str] | None:
        """Why a form that writes is refused before it is read, if it is."""
        if not self.server.settings.allow_edits:
            return HTTPStatus.FORBIDDEN, READ_ONLY
        origin = self.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() not in self.server.hosts:
            return HTTPStatus.FORBIDDEN, "a form from another site"
        return None

    def _form(self) -> dict[str, str] | None:
        """The posted form's fields once its size and CSRF token are right; else None, answered."""
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MOST_FORM_BYTES:
            self._send_text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "a form of at most 64 KiB")
            return None
        form = _first_values(self.rfile.read(int(length)).decode("utf-8", "replace"))
        if not hmac.compare_digest(form.get("csrf", ""), self.server.csrf_token):
            self._send_text(HTTPStatus.FORBIDDEN, "missing or wrong CSRF token; reload the page")
            return None
        return form

    def _send_static(self, path: str, send_body: bool) -> None:
        name, content_type = STATIC_FILES[path]
        content = (resources.files("newsarchive.web") / "static" / name).read_bytes()
        self._send(HTTPStatus.OK, content_type, content, send_body, cache="max-age=300")

    def _send_text(self, status: HTTPStatus, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", f"{message}\n".encode(), True)

    def _send(
        self,
        status: int,
        content_type: str,
        content: bytes,
        send_body: bool,
        cache: str = "no-store",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", cache)
        self.send_header("Vary", "Accept")
        self.end_headers()
        if send_body:
            self.wfile.write(content)


def _first_values(query: str) -> dict[str, str]:
    """The first value of each parameter of a query string or form."""
    return {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}
