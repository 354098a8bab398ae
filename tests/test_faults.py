"""Faults around the archive file: read-only, locked, disk full, old and new schemas.

Each ends in one clear line and leaves an archive that passes SQLite's integrity_check and the
FTS5 integrity-check; where the fault goes away, running the command again completes the work.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BRIDGE_STORY as PARAGRAPHS
from sqlite_utils import Database

import newsarchive.engines.sqlite
from newsarchive.cli import cli
from newsarchive.errors import ArchiveError
from newsarchive.maintenance import check
from newsarchive.migrations import migrations
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive


def page(number: int, padding: int = 0) -> str:
    """An article page; ``padding`` bytes of incompressible text in a comment make it heavy."""
    noise = base64.b64encode(random.Random(number).randbytes(padding)).decode() if padding else ""
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        f"<html><head><title>Harbour story {number}</title></head><body><!-- {noise} -->"
        f"<article><h1>Harbour story {number}</h1>{body}</article></body></html>"
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def add_page(tmp_path: Path, number: int, padding: int = 0) -> Result:
    source = tmp_path / f"page-{number}.html"
    source.write_text(page(number, padding))
    return run("add", str(source), "--url", f"https://news.example/{number}")


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert any(fragment in lines[0] for fragment in fragments), lines[0]
    return lines[0]


def assert_intact(path: Path) -> int:
    """The archive passes every check; returns how many articles it holds."""
    with Archive(path) as archive:
        report = check(archive)
        assert report.ok, report
        return archive.count()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small RAM file system at ``where``; skips the test where mounting is not allowed."""
    where.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


# ---- read-only ------------------------------------------------------------------------------


@contextmanager
def read_only(archive_path: Path, tmp_path: Path) -> Iterator[Path]:
    """The archive on read-only storage: a read-only mount for root (who ignores file
    permissions), else a read-only file in a read-only folder."""
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "ro", "8m") as mount:
            copy = mount / archive_path.name
            copy.write_bytes(archive_path.read_bytes())
            remount(mount, "ro")
            yield copy
        return
    archive_path.chmod(0o444)
    archive_path.parent.chmod(0o555)
    try:
        yield archive_path
    finally:
        archive_path.parent.chmod(0o755)
        archive_path.chmod(0o644)


def test_a_read_only_archive_is_a_clear_error(archive_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "page.html"
    source.write_text(page(1))
    assert add_page(tmp_path, 0).exit_code == 0
    with read_only(archive_path, tmp_path) as path:
        before = digest(path)
        result = run("--db", str(path), "add", str(source), "--url", "https://news.example/1")
        assert_one_line_error(result, "read-only", "readonly")
        assert digest(path) == before
    assert assert_intact(archive_path) == 1


def test_an_archive_on_read_only_storage_can_still_be_read(
    archive_path: Path, tmp_path: Path
) -> None:
    assert add_page(tmp_path, 0).exit_code == 0
    with read_only(archive_path, tmp_path) as path:
        before = digest(path)
        listed = run("--db", str(path), "list", "--json")
        assert listed.exit_code == 0, listed.output
        assert len(json.loads(listed.stdout)) == 1
        found = run("--db", str(path), "search", "harbour bridge", "--json")
        assert found.exit_code == 0 and len(json.loads(found.stdout)) == 1
        copy = tmp_path / "copy.db"
        assert run("--db", str(path), "backup", str(copy)).exit_code == 0
        assert digest(path) == before
    assert assert_intact(copy) == 1


# ---- locked ---------------------------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
for statement in sys.argv[2:]:
    connection.execute(statement)
print("locked", flush=True)
sys.stdin.readline()
"""


@contextmanager
def locked(path: Path, *statements: str) -> Iterator[None]:
    """Another process holding a lock on the archive until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), *statements],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.stdout.close()
        holder.wait(timeout=30)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give up waiting for a lock after 0.3 s instead of 30."""
    monkeypatch.setattr(newsarchive.engines.sqlite, "BUSY_TIMEOUT_SECONDS", 0.3)


def test_a_writer_holding_the_lock_too_long(
    archive_path: Path, tmp_path: Path, short_busy_timeout: None
) -> None:
    assert add_page(tmp_path, 0).exit_code == 0
    with locked(archive_path, "BEGIN IMMEDIATE", "DELETE FROM quotes"):
        assert_one_line_error(add_page(tmp_path, 1), "database is locked")
        assert run("search", "harbour").exit_code == 0  # readers are not blocked
    assert assert_intact(archive_path) == 1
    assert add_page(tmp_path, 1).exit_code == 0  # the rerun completes the work
    assert assert_intact(archive_path) == 2


def test_an_exclusive_lock_blocks_even_opening(
    archive_path: Path, tmp_path: Path, short_busy_timeout: None
) -> None:
    assert add_page(tmp_path, 0).exit_code == 0
    with locked(archive_path, "PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE"):
        for args in (["list"], ["search", "harbour"], ["show", "1"]):
            assert_one_line_error(run(*args), "database is locked")
    assert assert_intact(archive_path) == 1


# ---- disk full ------------------------------------------------------------------------------


def saved(archive: Archive, number: int, size: int) -> int:
    url = f"https://news.example/{number}"
    raw = random.Random(number).randbytes(size)
    fetched = FetchResult(url=url, final_url=url, text="x", raw=raw)
    return archive.save(fetched, Article(headline=f"Story {number}", text=PARAGRAPHS[0])).id


def test_disk_full_inside_a_save_leaves_the_archive_as_it_was(archive_path: Path) -> None:
    """SQLite's page limit makes the file system "full" for this connection: a real SQLITE_FULL
    raised from inside the write transaction."""
    with Archive(archive_path) as archive:
        saved(archive, 0, 1000)
        pages = archive.db.execute("PRAGMA page_count").fetchone()[0]
        archive.db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(ArchiveError, match="database or disk is full"):
            saved(archive, 1, 200_000)
        assert not archive.db.conn.in_transaction
        assert archive.count() == 1 and check(archive).ok
        archive.db.execute("PRAGMA max_page_count = 1073741823")
        assert saved(archive, 1, 200_000) == 2
    assert assert_intact(archive_path) == 2


def test_disk_full_on_a_small_file_system(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "1m") as mount:
        path = mount / "archive.db"
        results = []
        for number in range(12):
            results.append(run("--db", str(path), "add", *_page_args(tmp_path, number)))
            if results[-1].exit_code != 0:
                break
        failed = results[-1]
        assert failed.exit_code != 0, "the file system never filled up"
        assert_one_line_error(failed, "disk is full", "No space left")
        assert assert_intact(path) == len(results) - 1
        remount(mount, "size=16m")
        assert run("--db", str(path), "add", *_page_args(tmp_path, number)).exit_code == 0
        assert assert_intact(path) == len(results)


def _page_args(tmp_path: Path, number: int) -> list[str]:
    source = tmp_path / f"page-{number}.html"
    source.write_text(page(number, padding=150_000))
    return [str(source), "--url", f"https://news.example/{number}"]


# ---- schema versions ------------------------------------------------------------------------


def test_an_archive_from_an_older_version_migrates(archive_path: Path) -> None:
    old = Database(archive_path)
    migrations.apply(old, stop_before="m003_quotes_in_search_and_fingerprints")
    old["articles"].insert(
        {
            "id": 1,
            "url": "https://news.example/old",
            "url_key": "https://news.example/old",
            "headline": "Harbour bridge reopens",
            "authors": "[]",
            "text": "\n".join(PARAGRAPHS),
            "saved_at": "2023-01-01T00:00:00+00:00",
        }
    )
    old["quotes"].insert({"article_id": 1, "position": 0, "text": "completely clean"})
    old.conn.close()
    result = run("search", "harbour", "--json")
    assert result.exit_code == 0 and '"id": 1' in result.stdout
    with Archive(archive_path) as archive:
        assert archive.schema_version == migrations._migrations[-1].name
        assert archive.db.execute("SELECT quote_text FROM articles").fetchone()[0] == (
            "completely clean"
        )
    assert run("quotes", "clean").exit_code == 0
    assert assert_intact(archive_path) == 1


def test_an_archive_from_a_newer_version_is_refused_untouched(
    archive_path: Path, tmp_path: Path
) -> None:
    assert add_page(tmp_path, 0).exit_code == 0
    with Archive(archive_path) as archive:
        archive.db["_sqlite_migrations"].insert(
            {"migration_set": "newsarchive", "name": "m999_from_the_future", "applied_at": "x"}
        )
    before = digest(archive_path)
    copy = tmp_path / "copy.db"
    for args in (["list"], ["search", "harbour"], ["doctor", "--repair"], ["backup", str(copy)]):
        assert_one_line_error(run(*args), "newer newsarchive")
    assert_one_line_error(add_page(tmp_path, 1), "newer newsarchive")
    assert digest(archive_path) == before
    assert not copy.exists()
