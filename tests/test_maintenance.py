"""doctor (integrity and search-index checks, repair) and backup (SQLite backup API)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.errors import InputError
from newsarchive.maintenance import backup, check, repair
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive


def fill(archive: Archive, count: int = 5, start: int = 0) -> None:
    for number in range(start, start + count):
        url = f"https://news.example/story-{number}"
        archive.save(
            FetchResult(url=url, final_url=url, text="x", raw=b"x"),
            Article(
                headline=f"Harbour story {number}",
                text=f"The harbour bridge story number {number} " * 20,
                quotes=[Quote(f"quote number {number}", "Mina Okafor")],
            ),
        )


def unindex_first_article(archive: Archive) -> None:
    """Remove article 1 from the search index behind the triggers' back."""
    row = archive.db.execute(
        "SELECT id, headline, standfirst, authors, quote_text, text FROM articles ORDER BY id"
    ).fetchone()
    archive.db.execute(
        "INSERT INTO articles_fts(articles_fts, rowid, headline, standfirst, authors, quote_text,"
        " text) VALUES ('delete', ?, ?, ?, ?, ?, ?)",
        row,
    )
    archive.db.conn.commit()


@pytest.fixture
def archive(archive_path: Path):
    with Archive(archive_path) as opened:
        fill(opened)
        yield opened


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_healthy_archive_passes_every_check(archive: Archive) -> None:
    report = check(archive)
    assert report.ok
    assert [c.name for c in report.checks] == [
        "integrity_check",
        "foreign_key_check",
        "articles_fts index",
        "quotes_fts index",
        "speakers_fts index",
        "notes_fts index",
        "article_versions_fts index",
    ]


def test_an_index_out_of_step_is_found_and_repaired(archive: Archive) -> None:
    unindex_first_article(archive)
    report = check(archive)
    assert not report.ok
    assert [c.name for c in report.checks if not c.ok] == ["articles_fts index"]
    assert repair(archive).ok
    assert check(archive).ok
    found = archive.db.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'harbour'"
    ).fetchone()[0]
    assert found == 5


def test_a_damaged_file_fails_integrity_check(archive: Archive, archive_path: Path) -> None:
    root = archive.db.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'idx_articles_published'"
    ).fetchone()[0]
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = archive.db.execute("PRAGMA page_size").fetchone()[0]
    archive.close()
    data = bytearray(archive_path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 8] = b"\x0a" + b"\xff" * 7  # an index page with a nonsense header
    archive_path.write_bytes(bytes(data))
    with Archive(archive_path) as damaged:
        report = check(damaged)
    assert [c.name for c in report.checks if not c.ok] == ["integrity_check"]
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAILED integrity_check" in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"Error: {archive_path}: the archive has problems (try newsarchive doctor --repair)"
    ]


def test_cli_doctor_finds_then_repairs(archive: Archive) -> None:
    unindex_first_article(archive)
    found = run("doctor", "--json")
    assert found.exit_code == 1
    report = json.loads(found.stdout)
    assert not report["ok"]
    assert [c["name"] for c in report["checks"] if not c["ok"]] == ["articles_fts index"]
    repaired = run("doctor", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "FAILED" not in repaired.stdout
    assert run("doctor").exit_code == 0
    assert run("search", "harbour", "--json", "--all-copies").exit_code == 0


def test_backup_is_a_complete_checked_archive(archive: Archive, tmp_path: Path) -> None:
    target = backup(archive, tmp_path / "copy.db").path
    assert not Path(f"{target}-wal").exists()
    with Archive(target) as copy:
        assert copy.count() == 5
        assert check(copy).ok
        assert copy.get(1).article.headline == "Harbour story 0"


def test_backup_copies_only_committed_work_while_another_writer_is_busy(
    archive: Archive, archive_path: Path, tmp_path: Path
) -> None:
    writer = Archive(archive_path)
    writer.db.conn.execute("BEGIN IMMEDIATE")
    writer.db.conn.execute("DELETE FROM quotes")
    try:
        target = backup(archive, tmp_path / "copy.db").path
    finally:
        writer.db.conn.execute("ROLLBACK")
        writer.close()
    with Archive(target) as copy:
        assert copy.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 5
        assert check(copy).ok


def test_backup_refuses_to_overwrite_unless_asked(archive: Archive, tmp_path: Path) -> None:
    existing = tmp_path / "copy.db"
    existing.write_text("someone's file")
    with pytest.raises(InputError, match="already exists"):
        backup(archive, existing)
    assert existing.read_text() == "someone's file"
    backup(archive, existing, overwrite=True)
    with Archive(existing) as copy:
        assert copy.count() == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup-")] == []


def test_backup_refuses_the_archive_itself_and_folders(
    archive: Archive, archive_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="the archive itself"):
        backup(archive, archive_path, overwrite=True)
    with pytest.raises(InputError, match="is a folder"):
        backup(archive, tmp_path)
    with pytest.raises(InputError, match="no such folder"):
        backup(archive, tmp_path / "missing" / "copy.db")


def test_cli_backup(archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Backed up 5 articles to {target}"
    again = run("backup", str(target))
    assert again.exit_code == 2
    assert again.stderr.strip() == f"Error: {target}: already exists (use --force to replace it)"
    assert run("backup", str(target), "--force").exit_code == 0
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_backup_refuses_the_archive_s_own_wal_and_shm_files(
    archive: Archive, archive_path: Path, suffix: str
) -> None:
    beside = Path(f"{archive_path}{suffix}")
    archive.save(  # a committed change still in the WAL
        FetchResult(url="https://a.example/x", final_url=None, text="", raw=b"x"),
        Article(headline="Late story", text="Words."),
    )
    assert beside.exists()
    result = run("backup", str(beside), "--force")
    assert result.exit_code == 2 and "is a file of the archive itself" in result.stderr
    with Archive(archive_path) as again:
        assert again.count() == 6


def test_backup_says_how_many_articles_the_copy_holds(archive: Archive, tmp_path: Path) -> None:
    written = backup(archive, tmp_path / "copy.db")
    with Archive(written.path) as copy:
        assert written.articles == copy.count() == 5


def test_backups_and_exports_get_the_user_s_umask(archive: Archive, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert run("backup", str(tmp_path / "copy.db")).exit_code == 0
        assert run("export", str(tmp_path / "out"), "--id", "1").exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o644
    (exported,) = (tmp_path / "out").iterdir()
    assert stat.S_IMODE(exported.stat().st_mode) == 0o644


def test_a_failed_export_leaves_no_temporary_file(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    (folder / "1-harbour-story-0.md").mkdir(parents=True)  # in the way of the first file
    result = run("export", str(folder), "--id", "1")
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert [path.name for path in folder.iterdir()] == ["1-harbour-story-0.md"]
