"""Batch import against real local HTTP servers (several ports = several hosts)."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import LOOPBACK_HOSTS, LocalServer, wait_for_outcomes

import newsarchive.importer.pool
from newsarchive.cli import cli
from newsarchive.history import article_history
from newsarchive.importer import (
    ImportOptions,
    Outcome,
    extraction_processes,
    host_of,
    import_links,
)
from newsarchive.linklists import Link
from newsarchive.store import Archive


def story(number: int) -> str:
    """A small article page; each number gives a different headline and text."""
    paragraphs = "".join(
        f"<p>Paragraph {part} of dispatch {number}: the river council met again on Thursday"
        f" and argued for an hour about the footbridge, the ferry and the price of repairs.</p>"
        for part in range(4)
    )
    return (
        f"<!doctype html><html lang='en'><head><title>Dispatch {number}</title></head>"
        f"<body><article><h1>Dispatch {number}</h1>{paragraphs}</article></body></html>"
    )


BOT_CHECK_PAGE = (
    "<!doctype html><html><head><title>Just a moment...</title></head><body><article>"
    "<p>Checking your browser before you reach the river council's dispatch. This takes a few"
    " seconds, and the page will load by itself when the check is done.</p></article></body></html>"
)
EMPTY_PAGE = (  # links only: neither we nor readability find any text in it
    "<!doctype html><html><head><title>Menu</title></head><body><nav><a href='/'>Home</a>"
    " <a href='/news'>News</a></nav></body></html>"
)


@pytest.fixture
def hosts() -> Iterator[list[LocalServer]]:
    servers = [LocalServer(address) for address in LOOPBACK_HOSTS]
    for server in servers:
        server.start()
    yield servers
    stopping = [threading.Thread(target=server.stop) for server in servers]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def run_json(*args: str, input: str | None = None) -> tuple[int, dict, str]:
    result = run(*args, "--json", input=input)
    return result.exit_code, json.loads(result.stdout), result.stderr


def import_in_process(entries, archive: Archive, **options) -> list[Outcome]:
    settings = {"delay": 0.05, "processes": 0, **options}
    return [event.outcome for event in import_links(entries, archive, ImportOptions(**settings))]


def arrivals(server: LocalServer) -> list[float]:
    return sorted(seen.at for seen in server.requests)


def stories(servers: list[LocalServer], count: int, delay: float = 0.0) -> list[str]:
    """``count`` story URLs on each server, listed host after host."""
    return [
        server.route(f"/story/{index}-{n}", story(index * 100 + n), delay=delay)
        for index, server in enumerate(servers)
        for n in range(count)
    ]


def write_list(tmp_path: Path, lines: list[str], name: str = "links.txt") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


# ---- what becomes of each link -------------------------------------------------------------


def test_a_mixed_list_saves_the_good_records_the_bad_and_skips_duplicates(
    server: LocalServer, hosts: list[LocalServer], tmp_path: Path, archive_path: Path
) -> None:
    good = [server.route("/a", story(1)), hosts[0].route("/b", story(2))]
    known = hosts[0].route("/known", story(3))
    assert run("add", known).exit_code == 0
    server.route("/moved", b"", status=301, headers={"Location": good[0]})
    lines = [
        "# good links, one of them twice (the second with a tracking parameter)",
        *good,
        good[1] + "?utm_source=newsletter",
        "not a link",
        server.route("/missing", "gone", status=404),
        server.route("/logo.png", b"\x89PNG....", headers={"Content-Type": "image/png"}),
        server.route("/menu", EMPTY_PAGE),
        server.route("/wall", BOT_CHECK_PAGE),
        server.url("/moved"),
        known,
    ]
    code, summary, stderr = run_json("import", write_list(tmp_path, lines), "--delay", "0.05")

    assert code == 1
    assert summary["format"] == "text"
    counts = {key: summary[key] for key in ("saved", "skipped", "failed", "invalid")}
    assert counts == {"saved": 2, "skipped": 3, "failed": 4, "invalid": 1}
    assert "line 5: skipped: not a link: not an absolute URL" in stderr
    assert hosts[0].hits("/known") == 1, "an archived link is not fetched again"
    with Archive(archive_path) as archive:
        assert archive.count() == 5, "the page without text and the wall are kept too"
        reasons = {failure.url.rsplit("/", 1)[1]: failure.reason for failure in archive.failures()}
        statuses = sorted(summary.status for summary in archive.list_articles())
    assert statuses == ["blocked", "no_text", "ok", "ok", "ok"]
    assert "HTTP 404" in reasons["missing"]
    assert "not an HTML page" in reasons["logo.png"]
    assert "no article text found (the page is kept as article" in reasons["menu"]
    assert "blocked by a cookie wall or bot check" in reasons["wall"]


def test_pages_without_text_are_kept_recorded_and_fetched_again(
    server: LocalServer, tmp_path: Path, archive_path: Path
) -> None:
    empty, wall = server.route("/empty", EMPTY_PAGE), server.route("/wall", BOT_CHECK_PAGE)
    links = write_list(tmp_path, [empty, wall])

    code, summary, stderr = run_json("import", links, "--delay", "0")

    assert (code, summary["failed"], summary["saved"]) == (1, 2, 0)
    with Archive(archive_path) as archive:
        ids = [archive.find_id(empty), archive.find_id(wall)]
        assert [archive.article_status(article_id) for article_id in ids] == ["no_text", "blocked"]
        assert [capture.raw for capture in archive.captures(ids[0])] == [EMPTY_PAGE.encode()]
        assert {failure.url for failure in archive.failures()} == {empty, wall}
    kept = f"failed {empty}: no article text found (the page is kept as article {ids[0]})"
    assert kept in stderr
    assert run_json("import", links, "--delay", "0")[1]["failed"] == 2, "not 'already archived'"
    with Archive(archive_path) as archive:
        assert [failure.attempts for failure in archive.failures()] == [2, 2]

    server.route("/empty", story(1))  # the site fixed its page; the wall let us through
    server.route("/wall", story(2))
    code, summary, _ = run_json("import", links, "--delay", "0")

    assert (code, summary["updated"], summary["skipped"]) == (0, 2, 0)
    with Archive(archive_path) as archive:
        assert [archive.article_status(article_id) for article_id in ids] == ["ok", "ok"]
        assert archive.failures() == []
        assert len(archive.captures(ids[0])) == 2, "the same empty page is kept once"
        assert article_history(archive, ids[0]).versions[-1].version == 1, (
            "text found: no new version"
        )
    assert run_json("import", links, "--delay", "0")[1]["skipped"] == 2


def test_the_library_yields_outcomes_and_prints_nothing(
    server: LocalServer, capsys: pytest.CaptureFixture[str], archive_path: Path
) -> None:
    links = [Link(server.route("/one", story(1)), 1), Link(server.url("/nothing-here"), 2)]
    with Archive(archive_path) as archive:
        outcomes = import_in_process(links, archive)
    assert sorted((outcome.line, outcome.status) for outcome in outcomes) == [
        (1, "saved"),
        (2, "failed"),
    ]
    assert capsys.readouterr() == ("", "")


def test_refetch_updates_articles_already_archived(server: LocalServer, archive_path: Path) -> None:
    link = Link(server.route("/one", story(1)))
    with Archive(archive_path) as archive:
        assert [o.status for o in import_in_process([link], archive)] == ["saved"]
        assert [o.status for o in import_in_process([link], archive)] == ["skipped"]
        assert [o.status for o in import_in_process([link], archive, refetch=True)] == ["updated"]
        assert archive.count() == 1
    assert server.hits("/one") == 2


def test_an_export_tags_articles_already_archived(server: LocalServer, archive_path) -> None:
    url = server.route("/one", story(1))
    with Archive(archive_path) as archive:
        import_in_process([Link(url)], archive)
        tagged = Link(url, 1, "2021-01-02T03:04:05+00:00", ("rivers",))
        (outcome,) = import_in_process([tagged], archive)
        assert outcome.status == "skipped"
        stored = archive.get(url)
        assert (stored.saved_at, archive.tags(stored.id)) == (tagged.saved_at, ["rivers"])
    assert server.hits("/one") == 1


def test_dry_run_fetches_nothing(server: LocalServer, tmp_path: Path) -> None:
    lines = [server.route("/a", story(1)), server.route("/b", story(2)), "nope"]
    code, summary, _stderr = run_json("import", write_list(tmp_path, lines), "--dry-run")
    assert (summary["new"], summary["invalid"], summary["saved"]) == (2, 1, 0)
    assert server.requests == [] and code == 1


# ---- politeness ----------------------------------------------------------------------------


@pytest.mark.parametrize("read_ahead", [100, 1], ids=["whole-list", "one-link-at-a-time"])
def test_one_request_at_a_time_per_host_with_the_delay_between(
    read_ahead: int, hosts: list[LocalServer], archive_path: Path
) -> None:
    latency, delay = 0.1, 0.2
    urls = stories(hosts[:2], 4, delay=latency)
    if read_ahead == 1:  # each host's queue runs dry and fills again: its pause must hold
        urls = [url for pair in zip(urls[:4], urls[4:], strict=True) for url in pair]
    links = [Link(url) for url in urls]
    with Archive(archive_path) as archive:
        outcomes = import_in_process(links, archive, delay=delay, read_ahead=read_ahead)
    assert [outcome.status for outcome in outcomes] == ["saved"] * 8
    for host in hosts[:2]:
        times = arrivals(host)
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        # The server answers `latency` after a request arrives; the next may only come
        # `delay` after that answer: a gap this long means no overlap and the delay held.
        assert len(times) == 4 and min(gaps) >= latency + delay
    if read_ahead > 1:
        first, second = arrivals(hosts[0]), arrivals(hosts[1])
        assert first[0] < second[-1] and second[0] < first[-1], "the two hosts ran side by side"


def test_retry_after_is_honoured_and_the_host_waits(
    server: LocalServer, archive_path: Path
) -> None:
    answers = iter([429])

    def busy_then_fine(handler: BaseHTTPRequestHandler) -> None:
        status = next(answers, 200)
        body = story(7).encode() if status == 200 else b"slow down"
        handler.send_response(status)
        handler.send_header("Retry-After", "1")
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    links = [Link(server.handler("/busy", busy_then_fine)), Link(server.route("/next", story(8)))]
    with Archive(archive_path) as archive:
        outcomes = import_in_process(links, archive)
    assert sorted(outcome.status for outcome in outcomes) == ["saved", "saved"]
    paths = [seen.path for seen in sorted(server.requests, key=lambda seen: seen.at)]
    assert paths == ["/busy", "/busy", "/next"]
    times = arrivals(server)
    assert times[1] - times[0] >= 1.0


def test_a_long_retry_after_fails_the_link_and_backs_off_the_host(
    server: LocalServer, archive_path: Path
) -> None:
    limited = server.route("/limited", "later", status=429, headers={"Retry-After": "3600"})
    links = [Link(limited), Link(server.route("/after", story(9)))]
    with Archive(archive_path) as archive:
        outcomes = {outcome.url: outcome for outcome in import_in_process(links, archive)}
        assert "3600" in outcomes[limited].reason
        assert [failure.url for failure in archive.failures()] == [limited]
    times = arrivals(server)
    assert len(times) == 2 and times[1] - times[0] >= 1.0


# ---- the pipeline's moving parts -----------------------------------------------------------


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_extraction_in_worker_processes(
    start_method: str, hosts: list[LocalServer], archive_path: Path
) -> None:
    urls = [*stories(hosts, 2), hosts[0].route("/menu", EMPTY_PAGE)]
    with Archive(archive_path) as archive:
        outcomes = import_in_process(
            [Link(url) for url in urls], archive, processes=2, start_method=start_method
        )
        assert archive.count() == 7
        [menu] = [outcome for outcome in outcomes if outcome.status == "failed"]
        assert archive.article_status(menu.article_id) == "no_text"
    statuses = sorted(outcome.status for outcome in outcomes)
    assert statuses == ["failed"] + ["saved"] * 6


def test_a_worker_extracts_the_text_while_the_archive_keeps_the_bytes_served(
    hosts: list[LocalServer], archive_path: Path
) -> None:
    urls = stories(hosts, 2)
    with Archive(archive_path) as archive:
        outcomes = import_in_process([Link(url) for url in urls], archive, processes=1)
        assert [outcome.status for outcome in outcomes] == ["saved"] * 6
        for outcome in outcomes:
            index, n = outcome.url.rsplit("/", 1)[1].split("-")
            number = int(index) * 100 + int(n)
            [capture] = archive.captures(outcome.article_id)
            assert capture.raw == story(number).encode()
            text = archive.get(outcome.article_id).article.text
            assert f"Paragraph 3 of dispatch {number}:" in text


def test_one_core_is_left_to_the_importing_process() -> None:
    cores = len(os.sched_getaffinity(0))
    assert extraction_processes(ImportOptions()) == cores - 1
    assert extraction_processes(ImportOptions(processes=3)) == 3


def test_the_list_is_read_only_a_window_ahead(server: LocalServer, archive_path: Path) -> None:
    url = server.route("/one", story(1))
    pulled = []

    def endless() -> Iterator[Link]:
        for number in range(1000):
            pulled.append(number)
            yield Link(url if number == 0 else f"{url}?page={number}")

    with Archive(archive_path) as archive:
        events = import_links(endless(), archive, ImportOptions(delay=5, read_ahead=10))
        first = next(events)
        events.close()
    assert first.outcome.status == "saved"
    assert len(pulled) <= 12


# ---- formats -------------------------------------------------------------------------------


def rss(urls: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{url}</link></item>" for url in urls)
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    )


def sitemap(urls: list[str]) -> str:
    rows = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{rows}</urlset>"


def xml_route(server: LocalServer, path: str, body: str) -> str:
    return server.route(path, body, headers={"Content-Type": "application/xml"})


def test_a_feed_url(server: LocalServer) -> None:
    feed = xml_route(server, "/feed.xml", rss(stories([server], 2)))
    code, summary, _ = run_json("import", feed, "--delay", "0.05")
    assert (code, summary["format"], summary["saved"]) == (0, "rss", 2)


def test_an_opml_file_of_feeds(server: LocalServer, hosts: list[LocalServer], tmp_path) -> None:
    feeds = [
        xml_route(server, "/rss", rss(stories([hosts[0]], 2))),
        xml_route(server, "/gone", "<html>no</html>"),
    ]
    outlines = "".join(f"<outline type='rss' xmlUrl='{feed}'/>" for feed in feeds)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f"<opml version='2.0'><body>{outlines}</body></opml>")
    code, summary, stderr = run_json("import", str(opml), "--delay", "0.05")
    assert (summary["format"], summary["saved"], summary["invalid"]) == ("opml", 2, 1)
    assert "not XML" in stderr and code == 1


def test_a_sitemap_index_url(server: LocalServer, hosts: list[LocalServer]) -> None:
    child = xml_route(server, "/sitemap-1.xml", sitemap(stories(hosts[:2], 1)))
    index = xml_route(
        server,
        "/sitemap.xml",
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{child}</loc></sitemap></sitemapindex>",
    )
    code, summary, _ = run_json("import", index, "--delay", "0.05")
    assert (code, summary["format"], summary["saved"]) == (0, "sitemap", 2)


def test_bookmarks_and_pocket_csv_keep_saved_times_and_tags(
    server: LocalServer, tmp_path: Path, archive_path: Path
) -> None:
    first, second = stories([server], 2)
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        f'<DT><A HREF="{first}" ADD_DATE="1600000000" TAGS="rivers,council">One</A>\n</DL>\n'
    )
    pocket = tmp_path / "pocket.csv"
    pocket.write_text(f"title,url,time_added,tags,status\nTwo,{second},1650000000,ferries,unread\n")
    for path, fmt in ((bookmarks, "bookmarks"), (pocket, "csv")):
        code, summary, _ = run_json("import", str(path), "--delay", "0.05")
        assert (code, summary["format"], summary["saved"]) == (0, fmt, 1)
    with Archive(archive_path) as archive:
        one, two = archive.get(first), archive.get(second)
        assert (one.saved_at, archive.tags(one.id)) == (
            "2020-09-13T12:26:40+00:00",
            ["council", "rivers"],
        )
        assert (two.saved_at, archive.tags(two.id)) == ("2022-04-15T05:20:00+00:00", ["ferries"])


def test_standard_input_quietly(server: LocalServer) -> None:
    listing = "\n".join(stories([server], 2))
    code, summary, stderr = run_json("import", "-", "--delay", "0.05", "--quiet", input=listing)
    assert (code, summary["source"], summary["saved"], stderr) == (0, "standard input", 2, "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("<!doctype html><html><body>a story</body></html>", "an HTML page"),
        ("one\ntwo\n", "unknown format"),
    ],
)
def test_unusable_lists_are_refused(tmp_path: Path, content: str, message: str) -> None:
    result = run("import", write_list(tmp_path, [content], "list.dat"))
    assert result.exit_code == 2 and message in result.stderr


def test_missing_list_feed_that_is_not_xml_and_no_source(server: LocalServer, tmp_path) -> None:
    assert "no such file" in run("import", str(tmp_path / "missing.txt")).stderr
    not_xml = run("import", server.route("/feed", "<html><body>hello</body></html>"))
    assert not_xml.exit_code == 2 and "not XML" in not_xml.stderr
    assert run("import").exit_code == 2


# ---- failures ------------------------------------------------------------------------------


def test_failures_are_listed_and_retried(server: LocalServer, tmp_path: Path) -> None:
    flaky = server.route("/flaky", "down for maintenance", status=404)
    lines = [server.route("/fine", story(1)), flaky]
    code, summary, _ = run_json("import", write_list(tmp_path, lines), "--delay", "0.05")
    assert (code, summary["saved"], summary["failed"]) == (1, 1, 1)
    listed = json.loads(run("failures", "--json").stdout)
    assert [(row["url"], row["attempts"]) for row in listed] == [(flaky, 1)]
    assert "HTTP 404" in run("failures").stdout

    server.route("/flaky", story(2))
    code, summary, _ = run_json("import", "--retry-failed", "--delay", "0.05")
    assert (code, summary["format"], summary["saved"]) == (0, "failures", 1)
    assert json.loads(run("failures", "--json").stdout) == []
    assert server.hits("/fine") == 1


# ---- interruption --------------------------------------------------------------------------


def start_import(list_path: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "newsarchive", "import", list_path, "--delay", "0.1"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )


def check_integrity(archive_path: Path) -> None:
    with sqlite3.connect(archive_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_an_interrupted_import_resumes_without_refetching(
    how: signal.Signals, hosts: list[LocalServer], tmp_path: Path, archive_path: Path
) -> None:
    urls = stories(hosts, 5, delay=0.1)
    list_path = write_list(tmp_path, urls)
    process = start_import(list_path)
    saved_first = wait_for_outcomes(process, 3, "saved")
    process.send_signal(how)
    stdout, _stderr = process.communicate(timeout=30)
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert "Interrupted" in stdout and "Run the same command again" in stdout
        assert "rest of the list" not in stdout  # the list of 5 was read whole at once
    check_integrity(archive_path)
    with Archive(archive_path) as archive:
        done_before = {url for url in urls if archive.find_id(url) is not None}
    assert set(saved_first) <= done_before and len(done_before) < len(urls)

    requests_before = {host.port: len(host.requests) for host in hosts}
    code, summary, _ = run_json("import", list_path, "--delay", "0.05")
    assert code == 0 and summary["saved"] == len(urls) - len(done_before)
    refetched = [
        host.url(seen.path)
        for host in hosts
        for seen in host.requests[requests_before[host.port] :]
        if host.url(seen.path) in done_before
    ]
    assert refetched == []
    with sqlite3.connect(archive_path) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
            len(urls),
            len(urls),
        )


def test_a_sitemap_index_pointing_back_at_itself_is_fetched_once(server: LocalServer) -> None:
    child = xml_route(server, "/sitemap-1.xml", sitemap([server.url("/story")]))
    index_url = server.url("/sitemap.xml")
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in [index_url, child] * 60)
    xml_route(
        server,
        "/sitemap.xml",
        f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</sitemapindex>",
    )
    code, summary, _ = run_json("import", index_url, "--dry-run")
    assert (code, summary["new"], summary["invalid"]) == (0, 1, 0)
    assert (server.hits("/sitemap.xml"), server.hits("/sitemap-1.xml")) == (1, 1)


def test_one_server_is_one_host_whatever_its_scheme_port_or_spelling() -> None:
    """Politeness is owed to a server: http and https, any port, any case, a trailing dot."""
    spellings = [
        "http://news.example/a",
        "https://news.example/b",
        "https://News.Example.:8443/c",
        "http://user@NEWS.EXAMPLE:80/d",
    ]
    assert {host_of(url) for url in spellings} == {"news.example"}
    assert host_of("https://other.example/a") != host_of("https://news.example/a")


def test_a_page_whose_extraction_crashes_is_kept_and_recorded_failed(
    server: LocalServer, archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in extraction costs the link its text, never the bytes fetched: the page is
    saved without text, for reextract once the bug is fixed, and the failure says so."""
    url = server.route("/one", story(1))

    def crash(fetched):
        raise RuntimeError("an extractor bug")

    monkeypatch.setattr(newsarchive.importer.pool, "extract_capture", crash)
    with Archive(archive_path) as archive:
        (outcome,) = import_in_process([Link(url, 1)], archive)
        assert outcome.status == "failed" and outcome.article_id == archive.find_id(url)
        assert "an extractor bug" in outcome.reason
        assert f"the page is kept as article {outcome.article_id}" in outcome.reason
        assert archive.article_status(outcome.article_id) == "no_text"
        assert [capture.raw for capture in archive.captures(outcome.article_id)] == [
            story(1).encode()
        ]
        assert [failure.url for failure in archive.failures()] == [url]
