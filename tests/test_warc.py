"""WARC export and import: warcio's own tools accept what we write, an archive survives the
round trip capture for capture, and a crawl's odd records are skipped or recorded as failures."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BRIDGE_STORY, LocalServer, article_page, run_cli
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.importer import ImportOptions, import_links
from newsarchive.pipeline import add
from newsarchive.store import Archive
from newsarchive.warcimport import open_web_archive

WARCIO = Path(sys.executable).parent / "warcio"
FERRY_STORY = [
    "The ferry company said on Monday that its new boat would enter service in the summer,"
    " two years after the old one was retired from the harbour route.",
    "Passengers had waited for an hour at the quay on the busiest days of the year, and the"
    " council asked the company to add crossings in the evening.",
    "The company said the boat would carry twice as many cars as the old one and would be"
    " quieter, which the people who live near the quay had asked for.",
]


def page(headline: str, paragraphs: list[str] = BRIDGE_STORY) -> bytes:
    return article_page(headline, paragraphs).encode("utf-8")


@pytest.fixture
def filled(server: LocalServer, tmp_path: Path, archive_path: Path) -> Path:
    """An archive with every kind of capture: plain HTTP, gzip-encoded, behind a redirect,
    captured twice, read from a file, and a plain-text story."""
    server.route("/plain", page("Bridge reopens after storm"))
    zipped = gzip.compress(page("Ferry returns to timetable", FERRY_STORY))
    server.route("/zipped", zipped, headers={"Content-Encoding": "gzip"})
    server.route("/moved", b"", status=301, headers={"Location": server.url("/plain-2")})
    server.route("/plain-2", page("Storm closes the quay", FERRY_STORY))
    local = tmp_path / "saved.html"
    local.write_bytes(page("Council approves the bridge budget"))
    with Archive(archive_path) as archive:
        for source in ("/plain", "/zipped", "/moved"):
            add(server.url(source), archive)
        server.route("/plain", page("Bridge reopens after the storm"))
        add(server.url("/plain"), archive)
        add(str(local), archive, url="https://harbour.example/budget")
        text = tmp_path / "story.txt"
        text.write_text("Quay reopens\n\n" + "\n\n".join(FERRY_STORY), encoding="utf-8")
        add(str(text), archive)
    return archive_path


def export(archive_path: Path, target: Path, *selection: str) -> Path:
    result = run_cli(
        "--db", str(archive_path), "export", "--format", "warc", str(target), *selection
    )
    assert result.exit_code == 0, result.output
    return target


def warcio_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, check=False)


def records(path: Path) -> list:
    """Each record's WARC headers, HTTP headers and body, read with warcio."""
    with path.open("rb") as stream:
        return [
            (record.rec_headers, record.http_headers, record.content_stream().read())
            for record in ArchiveIterator(stream)
        ]


def field(headers: StatusAndHeaders, name: str) -> str | None:
    return headers.get_header(name)


@pytest.mark.parametrize("name", ["out.warc.gz", "out.warc"])
def test_warcio_check_and_index_accept_the_export(filled: Path, tmp_path: Path, name: str) -> None:
    path = export(filled, tmp_path / name)
    checked = warcio_tool("check", "-v", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout and "failed" not in checked.stdout
    indexed = warcio_tool("index", "-f", "warc-type,warc-target-uri,http:status", str(path))
    assert indexed.returncode == 0, indexed.stderr
    lines = [json.loads(line) for line in indexed.stdout.splitlines()]
    types = [line["warc-type"] for line in lines]
    assert types[0] == "warcinfo"
    assert types.count("response") == types.count("request") == 4
    assert types.count("resource") == 2 and types.count("metadata") == 5


def test_records_pair_requests_with_responses_and_refer_metadata_to_them(
    filled: Path, tmp_path: Path, server: LocalServer
) -> None:
    found = records(export(filled, tmp_path / "out.warc.gz"))
    assert all(headers.protocol == "WARC/1.1" for headers, _, _ in found)
    by_id = {field(headers, "WARC-Record-ID"): headers for headers, _, _ in found}
    responses = [h for h in by_id.values() if field(h, "WARC-Type") == "response"]
    for request in (h for h in by_id.values() if field(h, "WARC-Type") == "request"):
        response = by_id[field(request, "WARC-Concurrent-To")]
        assert field(response, "WARC-Type") == "response"
        assert field(response, "WARC-Target-URI") == field(request, "WARC-Target-URI")
    for metadata in (h for h in by_id.values() if field(h, "WARC-Type") == "metadata"):
        assert field(by_id[field(metadata, "WARC-Refers-To")], "WARC-Type") in {
            "response",
            "resource",
        }
    moved = next(h for h in responses if field(h, "WARC-Target-URI") == server.url("/plain-2"))
    assert field(moved, "Newsarchive-Requested-URI") == server.url("/moved")


def test_a_response_holds_the_bytes_with_their_status_line_and_headers(
    filled: Path, tmp_path: Path, server: LocalServer
) -> None:
    found = records(export(filled, tmp_path / "out.warc.gz"))
    [(_, http, body)] = [
        (h, http, body)
        for h, http, body in found
        if field(h, "WARC-Type") == "response"
        and field(h, "WARC-Target-URI") == server.url("/zipped")
    ]
    assert http.statusline == "200 OK" and http.protocol == "HTTP/1.1"
    assert body == page("Ferry returns to timetable", FERRY_STORY)
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("Content-Length") == str(len(body))
    [metadata] = [
        json.loads(body)
        for h, _, body in found
        if field(h, "WARC-Type") == "metadata"
        and field(h, "WARC-Target-URI") == server.url("/zipped")
    ]
    assert metadata["headline"] == "Ferry returns to timetable"
    assert metadata["capture"]["http_status"] == 200


def captures_of(path: Path) -> list[tuple]:
    with Archive(path) as archive:
        found = [
            (c.final_url, c.url, c.fetched_at, c.http_status, c.raw, c.headers, c.kind, c.source)
            for article_id in archive.article_ids()
            for c in archive.captures(article_id)
        ]
    return sorted(found, key=repr)


def articles_of(path: Path) -> list[tuple]:
    with Archive(path) as archive:
        stored = [archive.get(article_id) for article_id in archive.article_ids()]
    return sorted((s.url, s.article.headline, s.article.text, s.article.authors) for s in stored)


def test_round_trip_keeps_articles_and_captures_byte_for_byte(filled: Path, tmp_path: Path) -> None:
    path = export(filled, tmp_path / "out.warc.gz")
    copy = tmp_path / "copy.db"
    result = run_cli("--db", str(copy), "import", str(path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["format"] == "warc" and summary["saved"] == 5 and summary["updated"] == 1
    assert summary["failed"] == 0
    assert captures_of(copy) == captures_of(filled)
    assert articles_of(copy) == articles_of(filled)
    assert versions_of(copy) == versions_of(filled)
    assert ("headline",) in {tuple(json.loads(changed)) for _, _, changed in versions_of(copy)}


def versions_of(path: Path) -> list[tuple]:
    """Each article's versions, by its address: number and what changed."""
    with Archive(path) as archive:
        sql = (
            "SELECT a.url, v.version, v.changed FROM article_versions v"
            " JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.version"
        )
        return archive.conn.execute(sql).fetchall()


def test_a_rerun_imports_nothing_twice(filled: Path, tmp_path: Path) -> None:
    path = export(filled, tmp_path / "out.warc")
    copy = tmp_path / "copy.db"
    with Archive(copy) as archive:
        entries = open_web_archive(str(path)).entries
        events = import_links(entries, archive, ImportOptions(processes=0))
        next(event for event in events if event.outcome.status == "saved")
        events.close()  # as Ctrl-C would stop it
        assert archive.stats().captures == 1
    again = json.loads(run_cli("--db", str(copy), "import", str(path), "--json").stdout)
    assert again["saved"] + again["updated"] == 5
    last = json.loads(run_cli("--db", str(copy), "import", str(path), "--json").stdout)
    assert last["saved"] == last["updated"] == 0
    assert captures_of(copy) == captures_of(filled)


def test_a_selection_exports_only_those_articles(filled: Path, tmp_path: Path) -> None:
    path = export(filled, tmp_path / "one.warc.gz", "1")
    types = [field(headers, "WARC-Type") for headers, _, _ in records(path)]
    assert types == ["warcinfo", "response", "request", "response", "request", "metadata"]


def test_the_export_is_written_whole_with_the_umask_mode(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.warc.gz"
    target.write_bytes(b"old")
    previous = os.umask(0o027)
    try:
        export(filled, target)
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")] == []


# ---- a crawl's WARC, written by hand -------------------------------------------------------


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2023-04-05T06:07:08Z"},
    )


def _record_bytes(record) -> bytes:
    out = io.BytesIO()
    WARCWriter(out, gzip=False, warc_version="1.1").write_record(record)
    return out.getvalue()


def crawl_warc(path: Path) -> Path:
    """Two HTML pages, an image, a revisit, a request, a damaged page, junk between records,
    and a page cut short at the end; gzipped record by record when ``path`` ends in .gz."""
    zipped = path.suffix == ".gz"
    writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
    good = _record_bytes(
        _response(writer, "https://crawl.example/a", page("Bridge reopens"), "text/html")
    )
    image = _record_bytes(
        _response(writer, "https://crawl.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
    )
    revisit = _record_bytes(
        writer.create_revisit_record(
            "https://crawl.example/a",
            "sha1:AAAA",
            "https://crawl.example/a",
            "2023-01-01T00:00:00Z",
        )
    )
    request_headers = StatusAndHeaders(
        "GET /a HTTP/1.1", [("Host", "crawl.example")], is_http_request=True
    )
    request = _record_bytes(
        writer.create_warc_record(
            "https://crawl.example/a",
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_headers,
        )
    )
    damaged = _record_bytes(
        _response(writer, "https://crawl.example/b", page("Quay closes"), "text/html")
    )
    damaged = damaged.replace(b"Quay closes", b"Quay CLOSES")
    sniffed = _record_bytes(
        _response(
            writer,
            "https://crawl.example/c",
            page("Ferry returns", FERRY_STORY),
            "application/octet-stream",
        )
    )
    cut = _record_bytes(
        _response(writer, "https://crawl.example/d", page("Council meets"), "text/html")
    )
    junk = b"this is not a record\r\n\r\n"
    parts = [good, image, revisit, request, damaged, junk, sniffed]
    if zipped:
        parts = [gzip.compress(part) for part in parts]
        cut = gzip.compress(cut)
    path.write_bytes(b"".join(parts) + cut[: len(cut) // 2])
    return path


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_a_crawl_imports_its_pages_and_skips_or_records_the_rest(
    tmp_path: Path, archive_path: Path, name: str
) -> None:
    path = crawl_warc(tmp_path / name)
    result = run_cli("import", str(path), "--json")
    assert result.exit_code == 1, result.output  # failures were recorded
    summary = json.loads(result.stdout)
    assert (summary["saved"], summary["skipped"], summary["failed"]) == (2, 3, 3)
    with Archive(archive_path) as archive:
        saved = {archive.get(i).url: archive.captures(i)[0] for i in archive.article_ids()}
        failed = {failure.url for failure in archive.failures()}
        # a damaged record is the file's fault: a list naming the page fetches it later
        assert archive.permanent_failure("https://crawl.example/b") is None
    assert set(saved) == {"https://crawl.example/a", "https://crawl.example/c"}
    assert saved["https://crawl.example/a"].fetched_at == "2023-04-05T06:07:08+00:00"
    assert saved["https://crawl.example/a"].http_status == 200
    assert "https://crawl.example/b" in failed and "https://crawl.example/d" in failed
    assert any(url.startswith(str(path) + "#") for url in failed)  # the junk


def test_the_skips_say_why(tmp_path: Path) -> None:
    path = crawl_warc(tmp_path / "crawl.warc")
    result = run_cli("import", str(path))
    assert "skipped https://crawl.example/logo.png (not HTML (image/png))" in result.stderr
    assert "(revisit record)" in result.stderr and "(request record)" in result.stderr
    assert "damaged" in result.stderr


def test_a_web_archive_is_known_by_its_content_too(filled: Path, tmp_path: Path) -> None:
    path = export(filled, tmp_path / "out.warc.gz")
    renamed = path.rename(tmp_path / "crawl.bin")
    result = run_cli("--db", str(tmp_path / "copy.db"), "import", str(renamed), "--json")
    assert json.loads(result.stdout)["format"] == "warc"


def test_an_arc_file(tmp_path: Path, archive_path: Path) -> None:
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + page("Bridge reopens")
    version = b"1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n"
    header = b"filedesc://crawl.arc 0.0.0.0 20230405060708 text/plain %d\n" % len(version)
    record = b"https://crawl.example/a 1.2.3.4 20230405060708 text/html %d\n" % len(body)
    path = tmp_path / "crawl.arc.gz"
    path.write_bytes(gzip.compress(header + version + b"\n") + gzip.compress(record + body + b"\n"))
    result = run_cli("import", str(path), "--json")
    assert json.loads(result.stdout)["saved"] == 1, result.output
    with Archive(archive_path) as archive:
        [capture] = archive.captures(archive.find_id("https://crawl.example/a"))
    assert capture.fetched_at == "2023-04-05T06:07:08+00:00"


def test_a_page_captured_twice_with_the_same_bytes_is_imported_once(
    tmp_path: Path, archive_path: Path
) -> None:
    """The second capture's bytes are kept once, as a fetch time of the first; a rerun of the
    import finds both and saves nothing."""
    writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
    body = page("Bridge reopens")
    records = []
    for date in ("2023-04-05T06:07:08Z", "2023-05-06T07:08:09Z"):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            "https://crawl.example/a",
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date},
        )
        records.append(_record_bytes(record))
    path = tmp_path / "twice.warc"
    path.write_bytes(b"".join(records))
    first = json.loads(run_cli("import", str(path), "--json").stdout)
    again = json.loads(run_cli("import", str(path), "--json").stdout)
    assert (first["saved"], first["updated"]) == (1, 1)
    assert (again["saved"], again["updated"], again["skipped"]) == (0, 0, 2)
    with Archive(archive_path) as archive:
        assert archive.conn.execute("SELECT count(*) FROM capture_times").fetchone() == (1,)


def test_a_file_that_is_no_web_archive_is_refused_in_one_line(tmp_path: Path) -> None:
    links = tmp_path / "links.txt"
    links.write_text("https://crawl.example/a\n", encoding="utf-8")
    result = run_cli("import", str(links), "--format", "warc")
    assert result.exit_code == 2
    assert (
        result.stderr == f"Error: {links}: not a WARC or ARC file (it starts with neither record)\n"
    )
