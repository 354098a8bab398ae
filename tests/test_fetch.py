"""The fetch stage against a real HTTP server on loopback, plus local files and stdin."""

from __future__ import annotations

import gzip
import io
import os
import re
import socket
import sys
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsarchive.errors import FetchError, InputError, NotHTMLError, TooLargeError
from newsarchive.fetch import (
    USER_AGENT,
    decode_html,
    fetch_document,
    fetch_url,
    load,
    read_file,
    read_stream,
)

PAGE = (
    "<!DOCTYPE html><html><head><title>Harbour reopens</title></head><body><p>{}</p></body></html>"
)
CLOSE = {"Content-Type": "text/html", "Connection": "close"}
FAST = {"backoff": 0.01, "connect_timeout": 2.0, "read_timeout": 2.0, "deadline": 10.0}

# Text written for these tests: accents and cp1252 curly quotes, and CJK long enough to detect.
FRENCH = "Le café était très “chaud” à Noël — déjà fermé, dit l’éditeur. Über die Straße, Mädchen."
CHINESE = (
    "我们今天去北京参观了博物馆，天气非常好，大家都很开心。"
    "这个城市的历史非常悠久，有很多名胜古迹值得一看。"
)
JAPANESE = (
    "今日は東京の天気がとても良かったので、友達と一緒に公園へ散歩に行きました。"
    "桜の花がきれいに咲いていました。"
)


def respond(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    """Write a whole response, with exactly the headers given (no default Content-Type)."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def in_turn(*responses: dict) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler answering each request with the next response; the last one repeats."""
    pending = list(responses)

    def handle(handler: BaseHTTPRequestHandler) -> None:
        respond(handler, **(pending.pop(0) if len(pending) > 1 else pending[0]))

    return handle


def html(text: str = "The harbour reopened on Monday.") -> bytes:
    return PAGE.format(text).encode("utf-8")


def fetch_error(url: str, **options) -> str:
    with pytest.raises(FetchError) as caught:
        fetch_url(url, **{**FAST, **options})
    return str(caught.value)


# ---- success, redirects ---------------------------------------------------------------------


def test_fetch_records_page_status_headers_and_final_url(server) -> None:
    url = server.route("/story", html(), headers={"X-Edition": "morning"})
    result = fetch_url(url, **FAST)
    assert "The harbour reopened on Monday." in result.text
    assert result.raw == html()
    assert (result.url, result.final_url) == (url, url)
    assert (result.kind, result.status, result.source, result.encoding) == (
        "html",
        200,
        "http",
        "utf-8",
    )
    assert result.headers["X-Edition"] == "morning"
    assert datetime.fromisoformat(result.fetched_at).utcoffset() == timedelta(0)
    seen = server.requests[0].headers
    assert seen["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsarchive/")
    assert "text/html" in seen["Accept"]


def test_redirect_chain_gives_the_final_url(server) -> None:
    final = server.route("/c", html("Arrived."))
    server.route("/b", status=302, headers={"Location": final})
    start = server.route("/a", status=301, headers={"Location": "/b"})
    result = fetch_url(start, **FAST)
    assert (result.url, result.final_url) == (start, final)
    assert "Arrived." in result.text
    assert [seen.path for seen in server.requests] == ["/a", "/b", "/c"]


def test_redirect_loop_is_a_clear_error(server) -> None:
    server.route("/one", status=302, headers={"Location": "/two"})
    start = server.route("/two", status=302, headers={"Location": "/one"})
    message = fetch_error(start, max_redirects=5)
    assert message.startswith(f"{start}: redirect loop: ")
    assert server.hits("/one") + server.hits("/two") == 6


def test_too_many_redirects(server) -> None:
    for step in range(5):
        server.route(f"/r{step}", status=302, headers={"Location": f"/r{step + 1}"})
    message = fetch_error(server.url("/r0"), max_redirects=3)
    assert "too many redirects (more than 3)" in message
    assert server.hits("/r4") == 0


@pytest.mark.parametrize(
    "target", ["ftp://127.0.0.1/x.html", "file:///etc/passwd", "javascript:alert(1)"]
)
def test_redirect_to_another_scheme_is_refused(server, target: str) -> None:
    start = server.route("/go", status=302, headers={"Location": target})
    message = fetch_error(start)
    assert "refused a redirect" in message
    assert "unsupported scheme" in message


def test_cookies_and_credentials_stay_with_their_host(server) -> None:
    """127.0.0.1 and localhost reach the same server but are different hosts to a client."""
    server.route("/end", html("Elsewhere."))
    server.route("/again", status=302, headers={"Location": f"http://localhost:{server.port}/end"})
    server.route(
        "/start", status=302, headers={"Location": "/again", "Set-Cookie": "session=abc; Path=/"}
    )
    secret_url = f"http://reader:hunter2@127.0.0.1:{server.port}/start"
    result = fetch_url(secret_url, **FAST)
    seen = {request.path: request.headers for request in server.requests}
    assert "Authorization" in seen["/start"]
    assert seen["/again"]["Cookie"] == "session=abc"
    assert "Authorization" in seen["/again"]
    assert "Cookie" not in seen["/end"]
    assert "Authorization" not in seen["/end"]
    assert "hunter2" not in result.url
    assert result.final_url == f"http://localhost:{server.port}/end"


def test_credentials_never_appear_in_errors(server) -> None:
    server.route("/private", b"no", status=403)
    message = fetch_error(f"http://reader:hunter2@127.0.0.1:{server.port}/private")
    assert message == f"http://127.0.0.1:{server.port}/private: HTTP 403 Forbidden"


# ---- HTTP errors and retries ----------------------------------------------------------------


@pytest.mark.parametrize(("status", "phrase"), [(404, "Not Found"), (410, "Gone")])
def test_http_error_status(server, status: int, phrase: str) -> None:
    url = server.route("/gone", b"missing", status=status)
    assert fetch_error(url) == f"{url}: HTTP {status} {phrase}"
    assert server.hits("/gone") == 1


def test_error_after_redirect_names_where_it_happened(server) -> None:
    server.route("/missing", b"", status=404)
    start = server.route("/old", status=301, headers={"Location": "/missing"})
    assert fetch_error(start) == f"{start}: HTTP 404 Not Found (at {server.url('/missing')})"


def test_500_then_200_is_retried(server) -> None:
    url = server.handler("/flaky", in_turn({"status": 500}, {"body": html("Second time lucky.")}))
    result = fetch_url(url, **FAST)
    assert "Second time lucky." in result.text
    assert server.hits("/flaky") == 2


def test_500_that_persists_fails_after_the_retries(server) -> None:
    url = server.route("/broken", b"oops", status=503)
    assert fetch_error(url, retries=2) == f"{url}: HTTP 503 Service Unavailable"
    assert server.hits("/broken") == 3


def test_429_retry_after_seconds_is_honoured(server) -> None:
    url = server.handler(
        "/busy",
        in_turn(
            {"status": 429, "headers": {"Retry-After": "1"}},
            {"body": html(), "headers": {"Content-Type": "text/html"}},
        ),
    )
    fetch_url(url, **FAST)
    first, second = server.requests
    assert second.at - first.at >= 0.95  # backoff alone would have waited 0.01 s


def test_429_retry_after_beyond_the_limit_fails_at_once(server) -> None:
    url = server.route("/later", b"", status=429, headers={"Retry-After": "3600"})
    message = fetch_error(url)
    assert message == (
        f"{url}: HTTP 429 Too Many Requests: the server asked to retry after 3600 s"
        " (more than the 60 s this fetch waits)"
    )
    assert server.hits("/later") == 1


def test_retry_after_as_an_http_date(server) -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)
    url = server.route("/maintenance", b"", status=503, headers={"Retry-After": when})
    assert "the server asked to retry after 7" in fetch_error(url)
    assert server.hits("/maintenance") == 1


@pytest.mark.parametrize(
    ("status", "headers", "retries", "retry_after"),
    [
        (404, {}, 3, None),
        (503, {"Retry-After": "2"}, 0, 2.0),
        (429, {"Retry-After": "3600"}, 3, 3600.0),
    ],
)
def test_http_failures_carry_the_status_and_the_retry_after(
    server, status: int, headers: dict[str, str], retries: int, retry_after: float | None
) -> None:
    url = server.route("/status", b"no", status=status, headers=headers)
    with pytest.raises(FetchError) as caught:
        fetch_url(url, **{**FAST, "retries": retries})
    assert (caught.value.status, caught.value.retry_after) == (status, retry_after)


def test_failures_without_an_http_answer_carry_no_status(server) -> None:
    url = server.route("/report.pdf", b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    with pytest.raises(NotHTMLError) as caught:
        fetch_url(url, **FAST)
    assert (caught.value.status, caught.value.retry_after) == (None, None)


def test_a_retry_that_would_pass_the_deadline_is_not_waited_for(server) -> None:
    url = server.route("/soon", b"", status=503, headers={"Retry-After": "5"})
    message = fetch_error(url, deadline=1.0)
    assert message == f"{url}: gave up: retrying in 5 s would pass the 1 s deadline"
    assert server.hits("/soon") == 1


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = fetch_error(f"http://127.0.0.1:{port}/", retries=1)
    assert message.startswith(f"http://127.0.0.1:{port}/: cannot connect (")
    assert "refused" in message.lower()


# ---- time and size limits -------------------------------------------------------------------


def test_read_timeout(server) -> None:
    url = server.route("/slow", html(), delay=1.5)
    message = fetch_error(url, read_timeout=0.3, retries=0)
    assert message == f"{url}: timed out: no data for 0.3 s waiting for the response"


def test_slow_drip_hits_the_total_deadline(server) -> None:
    """Every byte arrives well within read_timeout; only the total deadline can stop this."""
    sent = []

    def drip() -> Iterator[bytes]:
        for _ in range(100):
            sent.append(1)
            yield b"x"

    headers = {"Content-Type": "text/html"}
    url = server.route("/drip", drip(), chunk_delay=0.05, headers=headers)
    message = fetch_error(url, read_timeout=0.5, deadline=1.0)
    assert message == f"{url}: gave up: the 1 s deadline passed"
    assert len(sent) < 100  # gave up while the server was still sending


def test_streamed_body_over_the_limit(server) -> None:
    chunks = [b"<p>" + b"x" * 1000 + b"</p>"] * 100
    url = server.route("/huge", chunks, headers={"Content-Type": "text/html"})
    with pytest.raises(TooLargeError, match="larger than the 10000 bytes limit"):
        fetch_url(url, **FAST, max_bytes=10_000)


def test_declared_length_over_the_limit(server) -> None:
    body = html("x" * 50_000)
    url = server.handler("/long", lambda handler: respond(handler, body=body, headers=CLOSE))
    with pytest.raises(TooLargeError, match=r"^http://.*/long: larger than"):
        fetch_url(url, **FAST, max_bytes=10_000)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """50 MiB of zeros, gzip-compressed to about 50 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(2**20)
    return b"".join(compressor.compress(block) for _ in range(50)) + compressor.flush()


def test_gzip_bomb_stops_at_the_decoded_limit(server, gzip_bomb: bytes) -> None:
    headers = {**CLOSE, "Content-Encoding": "gzip"}
    url = server.handler("/bomb", lambda handler: respond(handler, body=gzip_bomb, headers=headers))
    assert len(gzip_bomb) < 2**20  # so the compressed Content-Length passes the check
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError, match="larger than the 1 MiB limit"):
            fetch_url(url, **FAST, max_bytes=2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20  # never held the 50 MiB


def test_gzip_body_is_stored_decoded(server) -> None:
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    url = server.route("/zipped", gzip.compress(html("Compressed.")), headers=headers)
    result = fetch_url(url, **FAST)
    assert result.raw == html("Compressed.")


def test_chunked_gzip_body(server) -> None:
    """The usual shape of a dynamic page: gzip, sent in HTTP/1.1 chunks."""
    compressed = gzip.compress(html("Chunked " * 5000))

    def chunked(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(compressed), 100):
            piece = compressed[start : start + 100]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        handler.wfile.write(b"0\r\n\r\n")

    result = fetch_url(server.handler("/chunked", chunked), **FAST)
    assert result.raw == html("Chunked " * 5000)


# ---- content types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7\n"),
        ("image/png", b"\x89PNG\r\n"),
        ("application/json", b"{}"),
    ],
)
def test_non_html_is_refused(server, content_type: str, body: bytes) -> None:
    url = server.route("/file", body, headers={"Content-Type": content_type})
    with pytest.raises(NotHTMLError) as caught:
        fetch_url(url, **FAST)
    assert str(caught.value) == f"{url}: not an HTML page (Content-Type: {content_type})"


def test_xhtml_is_html(server) -> None:
    url = server.route("/x", html(), headers={"Content-Type": "application/xhtml+xml"})
    assert fetch_url(url, **FAST).kind == "html"


def test_text_plain_is_a_text_article(server) -> None:
    body = "Harbour reopens\n\nThe café reopened on Monday.".encode()
    url = server.route("/story.txt", body, headers={"Content-Type": "text/plain; charset=utf-8"})
    result = fetch_url(url, **FAST)
    assert (result.kind, result.text) == ("text", body.decode())


def test_missing_content_type_with_html_bytes(server) -> None:
    url = server.handler("/bare", lambda handler: respond(handler, body=html()))
    assert fetch_url(url, **FAST).kind == "html"


def test_missing_content_type_without_html_is_refused(server) -> None:
    url = server.handler("/blob", lambda handler: respond(handler, body=b"just some words"))
    with pytest.raises(NotHTMLError, match="no Content-Type"):
        fetch_url(url, **FAST)


def test_empty_body_is_an_error(server) -> None:
    url = server.route("/empty", b"")
    assert fetch_error(url) == f"{url}: HTTP 200 OK with an empty body"


# ---- encodings over HTTP --------------------------------------------------------------------


def serve(server, body: bytes, content_type: str = "text/html") -> str:
    return server.route("/page", body, headers={"Content-Type": content_type})


def test_cp1252_without_any_charset(server) -> None:
    result = fetch_url(serve(server, PAGE.format(FRENCH).encode("cp1252")), **FAST)
    assert FRENCH in result.text
    assert result.encoding == "cp1252"


def test_wrong_http_charset_falls_through_to_meta(server) -> None:
    page = f'<html><head><meta charset="windows-1252"></head><body><p>{FRENCH}</p></body></html>'
    url = serve(server, page.encode("cp1252"), "text/html; charset=utf-8")
    result = fetch_url(url, **FAST)
    assert FRENCH in result.text
    assert result.encoding == "cp1252"


def test_utf8_labelled_latin1_is_read_as_utf8(server) -> None:
    url = serve(server, PAGE.format(FRENCH).encode("utf-8"), "text/html; charset=ISO-8859-1")
    result = fetch_url(url, **FAST)
    assert FRENCH in result.text
    assert result.encoding == "utf-8"


def test_meta_http_equiv_charset(server) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"</head><body><p>{CHINESE}</p></body></html>"
    )
    result = fetch_url(serve(server, page.encode("gb2312")), **FAST)
    assert CHINESE in result.text
    assert result.encoding == "gb18030"


def test_bom_wins_over_the_http_charset(server) -> None:
    body = b"\xef\xbb\xbf" + PAGE.format(FRENCH).encode("utf-8")
    result = fetch_url(serve(server, body, "text/html; charset=iso-8859-1"), **FAST)
    assert result.text == PAGE.format(FRENCH)
    assert result.encoding == "utf-8"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [(CHINESE, "gb2312", "gb18030"), (JAPANESE, "shift_jis", "cp932")],
)
def test_cjk_without_any_declaration(server, text: str, encoding: str, expected: str) -> None:
    result = fetch_url(serve(server, PAGE.format(text).encode(encoding)), **FAST)
    assert text in result.text
    assert result.encoding == expected


# ---- decode_html directly -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "text", "encoding"),
    [
        (FRENCH.encode("cp1252"), None, FRENCH, "cp1252"),
        (FRENCH.encode("utf-8"), None, FRENCH, "utf-8"),
        (b"caf\xe9 cr\xe8me", "text/html; charset=latin-1", "café crème", "cp1252"),
        (b"\x93quoted\x94", "text/html; charset=us-ascii", "“quoted”", "cp1252"),
        (b"\xff\xfeh\x00i\x00", None, "hi", "utf-16-le"),
        (b"\xfe\xff\x00h\x00i", None, "hi", "utf-16-be"),
        (b"a\x00b", None, "ab", "utf-8"),
        (b"plain", "text/html; charset=no-such-charset", "plain", "utf-8"),
        (b"+AGEAYgBj-", "text/html; charset=utf-7", "+AGEAYgBj-", "utf-8"),
        (b'<meta charset="utf-16"><p>caf\xc3\xa9', None, '<meta charset="utf-16"><p>café', "utf-8"),
        (b"<?xml version='1.0' encoding='iso-8859-15'?><p>\xa4", None, None, "iso8859-15"),
    ],
)
def test_decode_html(raw: bytes, content_type: str | None, text: str | None, encoding: str) -> None:
    decoded, used = decode_html(raw, content_type)
    assert used == encoding
    if text is not None:
        assert decoded == text


def test_decode_html_never_fails_on_garbage() -> None:
    decoded, _ = decode_html(bytes(range(256)) * 4)
    assert "\x00" not in decoded


# ---- local files and stdin ------------------------------------------------------------------


def test_read_saved_page(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_bytes(PAGE.format(FRENCH).encode("cp1252"))
    result = read_file(path, url="https://reader:pw@example.com/story")
    assert FRENCH in result.text
    assert (result.kind, result.source, result.status, result.encoding) == (
        "html",
        "file",
        None,
        "cp1252",
    )
    assert result.url == result.final_url == "https://example.com/story"
    assert result.raw == path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("story.txt", "Harbour reopens\n\nThe harbour reopened.", "text"),
        ("story.txt", "<p>A text file about HTML tags.</p>", "text"),
        ("story.htm", "Harbour reopens, the harbour reopened.", "html"),
        ("story", "Harbour reopens\n\nThe harbour reopened.", "text"),
        ("story", "\n  <!DOCTYPE html><html><body><p>Saved.</p></body></html>", "html"),
        ("story.dat", "<div><p>Saved without its head.</p></div>", "html"),
    ],
)
def test_read_file_kind(tmp_path: Path, name: str, content: str, kind: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = read_file(path)
    assert (result.kind, result.url, result.text) == (kind, None, content)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (b"<p>text</p>\x00\x00\x00\x01\x02", "binary"),
        (bytes(range(128, 256)) * 40, "binary"),
    ],
)
def test_read_file_refuses_empty_and_binary(tmp_path: Path, content: bytes, cause: str) -> None:
    path = tmp_path / "input.html"
    path.write_bytes(content)
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: .*{cause}"):
        read_file(path)


def test_read_file_missing(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=f"^{re.escape(str(tmp_path / 'nope.html'))}: no such file$"
    ):
        read_file(tmp_path / "nope.html")


def test_read_file_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"^{re.escape(str(tmp_path))}: is a directory"):
        read_file(tmp_path)


def test_read_file_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "locked.html"
    path.write_bytes(html())
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("permissions do not stop this user (root)")
    with pytest.raises(InputError, match="permission denied"):
        read_file(path)


def test_read_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(html("x" * 5000))
    with pytest.raises(
        TooLargeError, match=f"^{re.escape(str(path))}: larger than the 1000 bytes limit"
    ):
        read_file(path, max_bytes=1000)


def test_read_file_with_a_bad_url(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_bytes(html())
    with pytest.raises(InputError, match="unsupported scheme"):
        read_file(path, url="ftp://example.com/story")


def test_read_stream() -> None:
    result = read_stream(io.BytesIO(PAGE.format(JAPANESE).encode("shift_jis")), url=None)
    assert JAPANESE in result.text
    assert (result.kind, result.source, result.url) == ("html", "stdin", None)


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", InputError, "^standard input: empty"),
        (b"x" * 2000, TooLargeError, "^standard input: larger than"),
        (b"GIF89a\x01\x00", InputError, "^standard input: a binary file"),
    ],
)
def test_read_stream_errors(content: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        read_stream(io.BytesIO(content), max_bytes=1000)


# ---- load: the one entry point --------------------------------------------------------------


def test_load_url(server) -> None:
    url = server.route("/story", html())
    assert load(url).source == "http"


def test_load_passes_the_limits_on(server, tmp_path: Path) -> None:
    url = server.route("/slow", html(), delay=1.0)
    with pytest.raises(FetchError, match=r"timed out: no data for 0\.2 s"):
        load(url, read_timeout=0.2, retries=0)
    path = tmp_path / "story.html"
    path.write_bytes(html())
    with pytest.raises(TooLargeError):
        load(str(path), max_bytes=10)


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("The harbour reopened on Monday.", encoding="utf-8")
    result = load(str(path), url="https://example.com/story")
    assert (result.source, result.kind, result.url) == ("file", "text", "https://example.com/story")


def test_load_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(html())))
    result = load("-", url="https://example.com/story")
    assert (result.source, result.url) == ("stdin", "https://example.com/story")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("no-such-file.html", "^no-such-file.html: not a URL or an existing file$"),
        ("", "^empty source"),
        ("example.com/news", r"did you mean https://example\.com/news\?"),
        ("ftp://example.com/story", "unsupported scheme 'ftp'"),
        ("ftp://user:hunter2@example.com/story", "^ftp://example.com/story: "),
    ],
)
def test_load_rejects_what_it_cannot_read(source: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load(source)


# ---- list documents (feeds, OPML, sitemaps) -------------------------------------------------

FEED = b'<?xml version="1.0" encoding="utf-8"?><rss><channel><item><link>x</link></item></channel></rss>'


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/html", None])
def test_fetch_document_takes_any_type_and_keeps_the_bytes(
    server, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    start = server.route("/old-feed", status=301, headers={"Location": "/feed"})
    server.route("/feed", FEED, headers=headers)
    result = fetch_document(start, **FAST)
    assert (result.raw, result.kind, result.status) == (FEED, "document", 200)
    assert result.final_url == server.url("/feed")


def test_fetch_document_keeps_the_page_limits(server) -> None:
    missing = server.route("/gone.xml", b"", status=404)
    with pytest.raises(FetchError) as caught:
        fetch_document(missing, **FAST)
    assert (str(caught.value), caught.value.status) == (f"{missing}: HTTP 404 Not Found", 404)
    big = server.route("/big.xml", FEED * 100, headers=CLOSE)
    with pytest.raises(TooLargeError):
        fetch_document(big, max_bytes=len(FEED), **FAST)


def test_mixed_encodings_keep_the_utf8_text_and_read_stray_bytes_as_windows_1252() -> None:
    utf8 = "<html><head><meta charset='utf-8'></head><body><p>Le café était plein — déjà.</p>"
    stray = b"<p>A stray \x93quote\x94 pasted from an old editor.</p></body></html>"
    text, encoding = decode_html(utf8.encode() + stray, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert "Le café était plein — déjà." in text
    assert "A stray “quote” pasted" in text


def test_windows_1252_text_is_not_mistaken_for_mixed_utf8() -> None:
    text, encoding = decode_html("<p>Français seulement, café crème</p>".encode("cp1252"))
    assert (text, encoding) == ("<p>Français seulement, café crème</p>", "cp1252")
