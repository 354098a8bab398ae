"""Copy speed: a SQLite archive into a fresh PostgreSQL database, then the same copy again,
which must copy nothing (``newsarchive copy``'s library function, end to end).

    python bench/copying.py --source /tmp/copy-100k.db --articles 100000   # built first if missing
    python bench/copying.py --source /tmp/copy-100k.db --server postgresql://postgres@127.0.0.1:5432

The source is built, when missing, with bench/search.py's synthetic articles (article-length
bodies, quotes with speakers, 200 sites), each with its page as the raw capture (the body in
HTML, a few KB). The destination is a database ``na_bench_<uuid>`` created on ``--server``
(through its database ``postgres``) and dropped afterwards. Prints the rate over the wall clock and
over this process's CPU time, the CPU time of the server processes serving the copy, and the
machine's load; asserts nothing.

Measured on 2 cores shared with other jobs (load average 7.5 to 15.7), 100,000 articles: the
first copy 298 s (336 articles/s) with 24 s of this process's CPU and 122 s of the server's
(its search vectors and index entries, most of it): 682 articles per CPU-second in all; the
second copy wrote nothing in 47 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not

from databases import fresh_database  # noqa: E402 - bench/databases.py, beside this file
from search import BATCH, Generator, load  # noqa: E402 - bench/search.py, beside this file

from newsarchive.copying import copy_archive  # noqa: E402
from newsarchive.store import Archive  # noqa: E402


def build(path: Path, count: int) -> None:
    """``count`` synthetic articles, each captured as its body in HTML."""
    generator = Generator()
    started = time.perf_counter()
    with Archive(path) as archive:
        for done in range(0, count, BATCH):
            pages = [generator.article(number) for number in range(done, min(done + BATCH, count))]
            archive.save_many(
                [(_with_page(fetched, article), article) for fetched, article in pages]
            )
    print(f"built {path}: {count} articles in {time.perf_counter() - started:.0f} s")


def _with_page(fetched, article):  # FetchResult, Article from bench/search.py's generator
    body = "".join(f"<p>{line}</p>" for line in article.text.split("\n"))
    raw = f"<html><head><title>{article.headline}</title></head><body>{body}</body></html>"
    return replace(fetched, raw=raw.encode())


def timed_copy(source: Path, destination: str) -> None:
    with Archive(source, read_only=True, create=False) as origin, Archive(destination) as target:
        servers = ServerProcesses(target)
        started, cpu = time.perf_counter(), time.process_time()
        report = copy_archive(origin, target, progress=servers.look)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = servers.cpu()
    articles = report.copied + report.present
    print(
        f"{report.copied:>7} copied {report.present:>7} present {report.captures:>7} captures"
        f" {wall:7.1f} s wall {articles / wall:6.0f}/s; CPU: this process {cpu:6.1f} s"
        f" {articles / cpu:6.0f}/s, the server processes {server:6.1f} s {articles / server:6.0f}/s"
    )


class ServerProcesses:
    """The CPU time the server processes of the copy's connections spent since the copy
    began, read on this machine (Linux: /proc) after each batch, while they are there."""

    def __init__(self, target: Archive) -> None:
        self.target = target
        self.start = {pid: server_cpu(pid) for pid in self.pids()}
        self.latest = dict(self.start)

    def pids(self) -> list[int]:
        sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        return [pid for (pid,) in self.target.conn.execute(sql)]

    def look(self, _done: int, _total: int) -> None:
        self.latest.update({pid: server_cpu(pid) for pid in self.pids()})

    def cpu(self) -> float:
        return sum(self.latest[pid] - self.start.get(pid, 0.0) for pid in self.latest)


def server_cpu(pid: int) -> float:
    """The CPU time (user and system) of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=100_000, help="when building the source")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    options = parser.parse_args()
    if not options.source.exists():
        build(options.source, options.articles)
    with fresh_database(options.server, "na_bench") as destination:
        print(f"copy {options.source} -> {destination}; {load()}")
        timed_copy(options.source, destination)  # into the empty database
        timed_copy(options.source, destination)  # again: nothing to copy
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
