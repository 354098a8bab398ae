"""Distributed import: worker processes against loopback hosts, measured against politeness.

    python bench/distributed.py [--links 1000] [--hosts 20] [--latency 0.2] [--delay 1]
                                [--workers 4] [--concurrency 8] [--timeout 10] [--runs 3]
                                [--generated]
                                [--server postgresql://postgres@127.0.0.1]

Each run gets a fresh PostgreSQL database on ``--server`` (dropped afterwards), starts one
HTTP server per host on 127.0.0.1 (pages as bench/import.py serves them: the datasets' when
present, else generated ones, which ``--generated`` asks for; each answer held back
``--latency`` seconds, and every request's start and end logged), queues the links with ``newsarchive import --queue`` and times
``--workers`` processes of ``newsarchive worker`` from their start until every link is done
or failed.

The politeness limit is what the rules allow at best: the busiest host's links one after
another, each taking the latency plus the pause (``links per host x (latency + delay)``).
Overlaps are pairs of requests to one host whose spans cross in the servers' logs (the rules
say none). The last run SIGKILLs one worker a third of the way through (its jobs go back to
the queue after ``--stalled-after`` seconds): every link must end saved or failed, none
saved twice. Columns: ``saved`` articles in the archive (pages naming one canonical URL make
one article, and a page without text is kept but also counted ``failed``), ``failed`` the
archive's recorded failures, ``twice`` articles filed under a URL another article has.
It prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not
sys.path.insert(0, str(ROOT / "bench"))

from databases import fresh_database  # noqa: E402 - bench/databases.py

from newsarchive import store  # noqa: E402
from newsarchive.distributed import queue_counts  # noqa: E402

import_bench = importlib.import_module("import")  # bench/import.py: its pages and servers


class _LoggedHandler(import_bench._Handler):
    """bench/import.py's page handler, logging each request's (start, end)."""

    spans: list[tuple[float, float]]

    def do_GET(self) -> None:
        started = time.monotonic()
        super().do_GET()
        self.spans.append((started, time.monotonic()))


class LoggedServer(import_bench.PageServer):
    """One host, logging the span of every request it answers."""

    def __init__(self, pages: list[bytes], latency: float, number: int) -> None:
        self.spans: list[tuple[float, float]] = []
        super().__init__(pages, latency, number, base=_LoggedHandler, spans=self.spans)

    def overlaps(self) -> int:
        spans = sorted(self.spans)
        return sum(1 for before, after in itertools.pairwise(spans) if after[0] < before[1])


@dataclass
class Run:
    seconds: float
    saved: int
    failed: int
    saved_twice: int
    requests: int
    overlaps: int
    worker_cpu: float


def newsarchive(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "newsarchive", "--db", url, *args]


def one_run(args: argparse.Namespace, pages: list[bytes], kill: bool) -> Run:
    servers = [LoggedServer(pages, args.latency, number) for number in range(args.hosts)]
    links = import_bench.links_over(servers, args.links)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with (
        fresh_database(args.server, "bench_distributed") as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        listing = Path(folder) / "links.txt"
        listing.write_text("\n".join(links) + "\n")
        queue = ["import", str(listing), "--queue", "-q", "--delay", str(args.delay)]
        subprocess.run(newsarchive(url, *queue), env=env, check=True, stdout=subprocess.DEVNULL)
        seconds, cpu = work(url, args, env, kill)
        return measured(url, servers, seconds, cpu)


def work(url: str, args: argparse.Namespace, env: dict, kill: bool) -> tuple[float, float]:
    """Run the workers until every link ended; wall seconds and the workers' CPU seconds."""
    command = newsarchive(url, "worker", "-q", "--concurrency", str(args.concurrency))
    command += ["--stalled-after", str(args.stalled_after), "--timeout", str(args.timeout)]
    before = os.times()
    started = time.perf_counter()
    workers = [subprocess.Popen(command, env=env) for _ in range(args.workers)]
    killed = not kill
    while (ended := finished(url)) < args.links:
        if not killed and ended >= args.links // 3:
            workers[0].send_signal(signal.SIGKILL)
            killed = True
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait()
    after = os.times()
    cpu = after.children_user - before.children_user + after.children_system
    return seconds, cpu - before.children_system


def finished(url: str) -> int:
    return sum(host.done + host.failed for host in queue_counts(url))


def measured(url: str, servers: list[LoggedServer], seconds: float, cpu: float) -> Run:
    with store.open_archive(url) as archive:
        urls = [summary.url for summary in archive.list_articles()]
        failed = len(archive.failures())
    return Run(
        seconds=seconds,
        saved=len(set(urls)),
        failed=failed,
        saved_twice=len(urls) - len(set(urls)),
        requests=sum(len(server.spans) for server in servers),
        overlaps=sum(server.overlaps() for server in servers),
        worker_cpu=cpu,
    )


def main() -> None:
    args = parse_args()
    if args.generated:
        pages = [import_bench.generated_page(number) for number in range(args.links)]
    else:
        pages = import_bench.load_pages(args.links)
    per_host = -(-args.links // args.hosts)
    limit = per_host * (args.latency + args.delay)
    print(
        f"{args.links} links on {args.hosts} hosts ({per_host} each), latency {args.latency} s,"
        f" delay {args.delay} s, {args.workers} workers x {args.concurrency};"
        f" politeness limit {limit:.1f} s; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'run':<10} {'wall s':>7} {'x limit':>8} {'saved':>6} {'failed':>6} {'twice':>6}"
        f" {'requests':>8} {'overlaps':>8} {'worker CPU s':>12}"
    )
    plain = []
    for number in range(args.runs):
        plain.append(one_run(args, pages, kill=False))
        show(f"run {number + 1}", plain[-1], limit)
    if args.runs > 1:
        print(
            f"median wall {statistics.median(run.seconds for run in plain):.1f} s,"
            f" {statistics.median(run.seconds for run in plain) / limit:.2f} x limit"
        )
    show("1 killed", one_run(args, pages, kill=True), limit)


def show(name: str, run: Run, limit: float) -> None:
    print(
        f"{name:<10} {run.seconds:>7.1f} {run.seconds / limit:>8.2f} {run.saved:>6}"
        f" {run.failed:>6} {run.saved_twice:>6} {run.requests:>8} {run.overlaps:>8}"
        f" {run.worker_cpu:>12.1f}",
        flush=True,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stalled-after", type=float, default=6.0)
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="a fetch's deadline: the killed worker's host stays reserved this long and 10 s more",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs without a kill")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1")
    parser.add_argument(
        "--generated",
        action="store_true",
        help="generated pages (light to extract) even when the datasets are there",
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
