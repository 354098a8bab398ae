"""Two imports and a searcher on one archive at once: nobody sees "database is locked"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import LocalServer

from newsarchive.errors import QueryError
from newsarchive.searching import search
from newsarchive.store import Archive


def dispatch(host: int, number: int) -> str:
    text = "".join(
        f"<p>Part {part} of the harbour dispatch {host}-{number}: the ferry board met again and"
        " argued for an hour about timetables, fares and the state of the old pier.</p>"
        for part in range(4)
    )
    return f"<html><head><title>Dispatch {host}-{number}</title></head><body><article><h1>Dispatch {host}-{number}</h1>{text}</article></body></html>"


def serve_lists(tmp_path: Path, servers: list[LocalServer], per_list: int) -> list[Path]:
    lists = []
    for index, server in enumerate(servers):
        urls = [server.route(f"/d{n}", dispatch(index, n), delay=0.02) for n in range(per_list)]
        path = tmp_path / f"links-{index}.txt"
        path.write_text("\n".join(urls) + "\n")
        lists.append(path)
    return lists


def start_import(list_path: Path, db: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "newsarchive", "--db", str(db), "import", str(list_path)]
    command += ["--delay", "0.02", "--quiet", "--json"]
    env = {**os.environ, "NEWSARCHIVE_DB": str(db)}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def search_until(done: threading.Event, db: Path, errors: list[str]) -> int:
    searches = 0
    with Archive(db) as archive:
        while not done.is_set():
            try:
                search(archive, "harbour ferry", limit=5)
            except (sqlite3.OperationalError, QueryError) as error:
                errors.append(str(error))
            searches += 1
    return searches


def test_two_imports_and_searches_at_once(tmp_path: Path, archive_path: Path) -> None:
    servers = [LocalServer() for _ in range(2)]
    for server in servers:
        server.start()
    try:
        lists = serve_lists(tmp_path, servers, per_list=12)
        Archive(archive_path).close()
        errors: list[str] = []
        done = threading.Event()
        counted: list[int] = []
        searcher = threading.Thread(
            target=lambda: counted.append(search_until(done, archive_path, errors))
        )
        started = time.monotonic()
        searcher.start()
        imports = [start_import(path, archive_path) for path in lists]
        outputs = [process.communicate(timeout=120) for process in imports]
        done.set()
        searcher.join()
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.stop()
    for process, (_stdout, stderr) in zip(imports, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "locked" not in stderr
    assert errors == []
    with sqlite3.connect(archive_path) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 24
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    print(f"\n{24 / elapsed:.1f} articles/s and {counted[0] / elapsed:.0f} searches/s together")
