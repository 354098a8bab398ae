"""Batch import speed and memory against local HTTP servers with a fixed added latency.

    python bench/import.py [--links 1000] [--hosts 10] [--latency 0.2]
                           [--memory-links 10000] [--memory-hosts 100] [--skip-sequential]

Starts one HTTP server per host on 127.0.0.1 (several ports = several hosts) serving real
pages from ../shared/datasets when present (read there, never copied), else generated pages,
each answer held back by ``--latency`` seconds. Then, each in a fresh process so peak memory
is its own:

- sequential: one link at a time (fetch, extract, save), the way a loop of ``add`` would;
- default: ``ImportOptions()`` as ``newsarchive import`` runs it (8 workers, 1 s per-host
  delay, one extraction process per core);
- memory: ``--memory-links`` links over ``--memory-hosts`` hosts with the defaults.

The ideal for the politeness rules is the larger of the per-host serial time (links per host
times latency, plus the delays between them) and the CPU time of extraction over the cores.
It prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
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

    def __init__(self, pages: list[bytes], latency: float) -> None:
        handler = type("Handler", (_Handler,), {"pages": pages, "latency": latency})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/p/{number}"


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
    with tempfile.TemporaryDirectory() as folder, Archive(Path(folder) / "a.db") as archive:
        started = time.perf_counter()
        last = None
        for event in import_links(links, archive, ImportOptions(**options)):
            last = event.progress
        seconds = time.perf_counter() - started
    assert last is not None
    own = peak_rss_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "saved": last.saved + last.updated,
        "failed": last.failed,
        "rate": (last.saved + last.updated) / seconds,
        "rss_main_mb": own,
        "rss_worker_mb": workers,
    }


def peak_rss_mb() -> float:
    """This process's peak RSS. ru_maxrss would do, but Linux carries it over from the parent
    through fork and exec, so a child of a big parent would report the parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    cores = max(1, extraction_processes(ImportOptions()))
    print(
        f"{len(pages)} distinct pages ({'datasets' if DATASETS.exists() else 'generated'}),"
        f" {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, {cores} extraction processes"
    )
    servers = [PageServer(pages, args.latency) for _ in range(max(args.hosts, args.memory_hosts))]
    links = links_over(servers[: args.hosts], args.links)
    report(args, pages, links, cores, servers)


def report(args, pages, links, cores, servers) -> None:
    per_host = args.links / args.hosts
    cpu = extraction_cpu_seconds(pages, args.links)

    def ideal(delay: float) -> float:
        """The politeness limit: per-host serial time, or extraction CPU over the cores."""
        return max(per_host * args.latency + (per_host - 1) * delay, cpu / cores)

    print(f"extraction CPU {cpu:.1f} s / {cores} = {cpu / cores:.1f} s")
    rows: dict[str, tuple[dict, float | None]] = {}
    if not args.skip_sequential:
        rows["sequential"] = (in_child(links, {"workers": 1, "processes": 0}), None)
    rows["default (--delay 1)"] = (in_child(links, {}), ideal(ImportOptions().delay))
    rows["--delay 0"] = (in_child(links, {"delay": 0}), ideal(0))
    if args.memory_links:
        memory_links = links_over(servers[: args.memory_hosts], args.memory_links)
        name = f"memory: {args.memory_links} links, {args.memory_hosts} hosts"
        rows[name] = (in_child(memory_links, {}), None)
    print_table(rows)


def print_table(rows: dict[str, tuple[dict, float | None]]) -> None:
    print(
        f"{'run':<36} {'wall s':>7} {'ideal s':>7} {'/ideal':>7} {'x seq':>7} {'saved':>6}"
        f" {'failed':>6} {'art/s':>6} {'RSS main MB':>11} {'RSS worker MB':>13}"
    )
    sequential = rows.get("sequential", ({}, None))[0].get("seconds")
    for name, (row, ideal) in rows.items():
        wall = row["seconds"]
        print(
            f"{name:<36} {wall:>7.1f} {_cell(ideal)} {_cell(ideal and wall / ideal)}"
            f" {_cell(sequential and 'memory' not in name and sequential / wall)}"
            f" {row['saved']:>6} {row['failed']:>6} {row['rate']:>6.1f}"
            f" {row['rss_main_mb']:>11.0f} {row['rss_worker_mb']:>13.0f}"
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
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("options", nargs="?", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
