"""Batch import speed and memory against local HTTP servers with a fixed added latency.

    python bench/import.py [--links 1000] [--hosts 10] [--latency 0.2]
                           [--memory-links 10000] [--memory-hosts 100] [--skip-sequential]
                           [--cases sequential,default,delay0,memory]

Starts one HTTP server per host, each on a loopback address of its own (127.0.0.2 and on), serving real
pages from ../shared/datasets when present (read there, never copied), else generated pages,
each answer held back by ``--latency`` seconds. Then, each in a fresh process so peak memory
is its own (``--cases`` picks which):

- sequential: one link at a time (fetch, extract, save), the way a loop of ``add`` would;
- default: ``ImportOptions()`` as ``newsarchive import`` runs it (8 workers, 1 s per-host
  delay, an extraction process per core but one);
- delay0: the same without the per-host delay;
- memory: ``--memory-links`` links over ``--memory-hosts`` hosts with the defaults.

The ideal for the politeness rules is the larger of the per-host serial time (links per host
times latency, plus the delays between them) and the CPU time of extraction over the machine's
cores. Memory is that of the whole process tree, the import and its extraction processes
(``TreeMemory``; Linux only, as it reads /proc). It prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not

from newsarchive.importer import ImportOptions, extraction_processes, import_links  # noqa: E402
from newsarchive.linklists import Link  # noqa: E402
from newsarchive.store import Archive  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
SETS = ("scrapinghub", "wcxb-articles-dev", "trafilatura-eval")


def load_pages(count: int) -> list[bytes]:
    """Up to ``count`` distinct pages: the datasets' when present, else generated ones."""
    pages: list[bytes] = []
    for name in SETS:
        for path in sorted((DATASETS / name / "html").glob("*.html.gz")):
            if len(pages) >= count:
                return pages
            pages.append(gzip.decompress(path.read_bytes()))
    return pages or [generated_page(number) for number in range(count)]


def generated_page(number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Report {number}, part {part}: the harbour authority counted the ferries again"
        f" and found {number % 7 + part} of them waiting for the tide to turn.</p>"
        for part in range(12)
    )
    return (
        f"<html><head><title>Report {number}</title></head><body><article>"
        f"<h1>Report {number}</h1>{paragraphs}</article></body></html>"
    ).encode()


class PageServer:
    """One host: serves page ``i`` at ``/p/i`` after ``latency`` seconds."""

    def __init__(self, pages: list[bytes], latency: float, number: int, **handler: object) -> None:
        """Server ``number`` listens on a loopback address of its own (127.0.0.2 and on:
        ports of one address are one host to the politeness rules). ``handler`` sets more
        attributes of the request handler (bench/distributed.py's gives it a log)."""
        base = handler.pop("base", _Handler)
        handler = type("Handler", (base,), {"pages": pages, "latency": latency, **handler})
        address = f"127.0.{number // 250}.{number % 250 + 2}"
        self.httpd = ThreadingHTTPServer((address, 0), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, number: int) -> str:
        address, port = self.httpd.server_address[:2]
        return f"http://{address}:{port}/p/{number}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: ClassVar[list[bytes]] = []
    latency = 0.0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.latency)
        body = self.pages[int(self.path.rsplit("/", 1)[1]) % len(self.pages)]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def links_over(servers: list[PageServer], count: int) -> list[str]:
    """Link ``i`` goes to host ``i % hosts``, so every host gets the same share."""
    return [servers[number % len(servers)].url(number) for number in range(count)]


def run_scenario(links_file: str, options: dict) -> dict:
    """In a child process: import the links, report time, counts and peak memory."""
    links = [Link(url) for url in Path(links_file).read_text().split()]
    with (
        TreeMemory() as memory,
        tempfile.TemporaryDirectory() as folder,
        Archive(Path(folder) / "a.db") as archive,
    ):
        started = time.perf_counter()
        last = None
        for event in import_links(links, archive, ImportOptions(**options)):
            last = event.progress
        seconds = time.perf_counter() - started
    assert last is not None
    return {
        "seconds": seconds,
        "saved": last.saved + last.updated,
        "failed": last.failed,
        "rate": (last.saved + last.updated) / seconds,
        **memory.report(),
    }


class TreeMemory:
    """Peak memory of this process and every process under it (the extraction workers).

    A thread samples VmRSS of the whole tree from /proc every ``interval`` seconds and keeps
    the largest sum: the figure the goal is about. Sampling can miss a spike shorter than the
    interval, so it also keeps each process's own peak (VmHWM, which the kernel tracks
    exactly) and reports their sum, an upper bound since the peaks need not coincide. RSS
    counts pages a forked child still shares with its parent in both, so both sums lean high.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_sum_kb = 0
        self.peaks_kb: dict[int, int] = {}
        self.stopped = threading.Event()
        self.sampler = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def __enter__(self) -> TreeMemory:
        self.sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.sampler.join()
        self._sample()

    def report(self) -> dict:
        own = self.peaks_kb.get(os.getpid(), 0)
        others = [kb for pid, kb in self.peaks_kb.items() if pid != os.getpid()]
        return {
            "rss_main_mb": own / 1024,
            "rss_worker_mb": max(others, default=0) / 1024,
            "processes": len(self.peaks_kb),
            "rss_tree_mb": self.peak_sum_kb / 1024,
            "rss_peaks_sum_mb": (own + sum(others)) / 1024,
        }

    def _sample_until_stopped(self) -> None:
        while not self.stopped.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        total = 0
        for pid in tree_of(os.getpid()):
            status = read_status(pid)
            if "VmRSS" in status:
                total += status["VmRSS"]
                self.peaks_kb[pid] = max(self.peaks_kb.get(pid, 0), status["VmHWM"])
        self.peak_sum_kb = max(self.peak_sum_kb, total)


def tree_of(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc/PID/task/TID/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in children.read_text().split())
    return found


def read_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status (empty once the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {
        key: int(value.split()[0])
        for key, _, value in (line.partition(":") for line in lines)
        if value.strip().endswith("kB")
    }


def in_child(links: list[str], options: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(links))
    try:
        command = [sys.executable, __file__, "--scenario", handle.name, json.dumps(options)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(output)


def extraction_cpu_seconds(pages: list[bytes], count: int) -> float:
    """CPU time to extract ``count`` links' pages in this process, one after another."""
    from newsarchive.extract import extract
    from newsarchive.fetch import decode_html
    from newsarchive.models import FetchResult

    started = time.process_time()
    for number in range(count):
        raw = pages[number % len(pages)]
        text, _encoding = decode_html(raw, "text/html; charset=utf-8")
        with contextlib.suppress(Exception):  # failures cost CPU too; the import records them
            extract(FetchResult(url=f"http://h/p/{number}", final_url=None, text=text, raw=raw))
    return time.process_time() - started


def main() -> None:
    args = parse_args()
    if args.scenario:
        print(json.dumps(run_scenario(args.scenario, json.loads(args.options))))
        return
    pages = load_pages(max(args.links, 1000))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{len(pages)} distinct pages ({'datasets' if DATASETS.exists() else 'generated'}),"
        f" {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, {cores or 1} cores,"
        f" {extraction_processes(ImportOptions())} extraction processes"
    )
    hosts = max(args.hosts, args.memory_hosts)
    servers = [PageServer(pages, args.latency, number) for number in range(hosts)]
    links = links_over(servers[: args.hosts], args.links)
    report(args, pages, links, cores or 1, servers)


def report(args, pages, links, cores, servers) -> None:
    """Run the chosen cases one after another, printing each row as soon as it is measured."""
    cases = set(args.cases.split(","))
    if args.skip_sequential:
        cases.discard("sequential")
    if cases & {"default", "delay0"}:
        ideal = politeness_limit(args, pages, cores)
    print(MEMORY_NOTE)
    print_header()
    sequential = None
    if "sequential" in cases:
        row = in_child(links, {"workers": 1, "processes": 0})
        sequential = row["seconds"]
        print_row("sequential", row, None, None)
    if "default" in cases:
        print_row("default (--delay 1)", in_child(links, {}), ideal(1.0), sequential)
    if "delay0" in cases:
        print_row("--delay 0", in_child(links, {"delay": 0}), ideal(0), sequential)
    if "memory" in cases and args.memory_links:
        memory_links = links_over(servers[: args.memory_hosts], args.memory_links)
        name = f"memory: {args.memory_links} links, {args.memory_hosts} hosts"
        print_row(name, in_child(memory_links, {}), None, None)


def politeness_limit(args, pages, cores) -> Callable[[float], float]:
    """The ideal wall time for a delay: per-host serial time or extraction CPU over the cores
    (the machine's cores, however many extraction processes the import chooses)."""
    per_host = args.links / args.hosts
    cpu = extraction_cpu_seconds(pages, args.links)
    print(f"extraction CPU {cpu:.1f} s / {cores} cores = {cpu / cores:.1f} s")

    def ideal(delay: float) -> float:
        return max(per_host * args.latency + (per_host - 1) * delay, cpu / cores)

    return ideal


MEMORY_NOTE = """
Memory (peak RSS, MB): 'main' is the importing process, 'worker' the largest of the processes
under it, 'procs' how many processes the tree had in all. 'tree MB' is the goal's figure: the
largest sum of VmRSS over the whole tree, sampled from /proc every 0.1 s. 'peaks' adds up each
process's own VmHWM: an upper bound, as the peaks need not coincide.
"""


def print_header() -> None:
    print(
        f"{'run':<36} {'wall s':>7} {'ideal s':>7} {'/ideal':>7} {'x seq':>7} {'saved':>6}"
        f" {'failed':>6} {'art/s':>6} {'main MB':>7} {'worker':>6} {'procs':>5}"
        f" {'tree MB':>7} {'peaks':>6}",
        flush=True,
    )


def print_row(name: str, row: dict, ideal: float | None, sequential: float | None) -> None:
    wall = row["seconds"]
    print(
        f"{name:<36} {wall:>7.1f} {_cell(ideal)} {_cell(ideal and wall / ideal)}"
        f" {_cell(sequential and sequential / wall)}"
        f" {row['saved']:>6} {row['failed']:>6} {row['rate']:>6.1f}"
        f" {row['rss_main_mb']:>7.0f} {row['rss_worker_mb']:>6.0f} {row['processes']:>5}"
        f" {row['rss_tree_mb']:>7.0f} {row['rss_peaks_sum_mb']:>6.0f}",
        flush=True,
    )


def _cell(value: float | None) -> str:
    return f"{value:>7.2f}" if value else f"{'-':>7}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--memory-links", type=int, default=10000)
    parser.add_argument("--memory-hosts", type=int, default=100)
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--cases", default="sequential,default,delay0,memory", help="the runs, comma-separated"
    )
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("options", nargs="?", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
