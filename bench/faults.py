"""kill -9 an import at random moments; after each, the archive must be intact and a rerun
must finish the work with no duplicates.

    python bench/faults.py --trials 20

Serves generated article pages from local HTTP servers (several ports = several hosts). Prints a
line a trial and a summary; asserts nothing (the test suite runs a short version).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed import leaves broken connections: expected here


class PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(0.05)
        number = self.path.strip("/")
        text = "".join(
            f"<p>Part {part} of report {number}: the valley council voted again on the new"
            " bridge, the bus routes and the cost of keeping the library open late.</p>"
            for part in range(5)
        )
        body = (
            f"<html><head><title>Report {number}</title></head><body><article>"
            f"<h1>Report {number}</h1>{text}</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_servers(count: int) -> list[QuietServer]:
    servers = []
    for _ in range(count):
        server = QuietServer(("127.0.0.1", 0), PageHandler)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
    return servers


def import_command(db: Path, links: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "newsarchive",
        "--db",
        str(db),
        "import",
        str(links),
        "--delay",
        "0.05",
        "--quiet",
    ]


def verify(db: Path) -> tuple[bool, int]:
    """Integrity of the file and of both full-text indexes, and how many articles it holds."""
    with sqlite3.connect(db) as conn:
        intact = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            for table in ("articles_fts", "quotes_fts"):
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            intact = False
        return intact, conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def trial(number: int, links: Path, expected: int, folder: Path, rng: random.Random) -> dict:
    db = folder / f"trial-{number}.db"
    process = subprocess.Popen(
        import_command(db, links), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(rng.uniform(0.5, 4.0))
    process.send_signal(signal.SIGKILL)
    process.wait()
    intact_after_kill, saved_before = verify(db) if db.exists() else (True, 0)
    rerun = subprocess.run(import_command(db, links), capture_output=True, text=True, check=False)
    intact, saved = verify(db)
    with sqlite3.connect(db) as conn:
        distinct = conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0]
    return {
        "trial": number,
        "saved_at_kill": saved_before,
        "intact_after_kill": intact_after_kill,
        "rerun_exit": rerun.returncode,
        "complete": saved == expected == distinct,
        "intact": intact,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--links", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    servers = start_servers(4)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        links = folder / "links.txt"
        hosts = [f"http://127.0.0.1:{server.server_address[1]}" for server in servers]
        links.write_text("".join(f"{hosts[n % len(hosts)]}/{n}\n" for n in range(args.links)))
        results = [trial(n, links, args.links, folder, rng) for n in range(args.trials)]
    for result in results:
        print(result)
    good = sum(
        r["intact_after_kill"] and r["intact"] and r["complete"] and r["rerun_exit"] == 0
        for r in results
    )
    print(
        f"\n{good} of {len(results)} trials: intact after kill -9, rerun complete with no duplicates"
    )
    print(f"articles already saved at the kill: {sorted(r['saved_at_kill'] for r in results)}")
    os._exit(0)  # the server threads are daemons; do not wait for them


if __name__ == "__main__":
    main()
