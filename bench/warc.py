"""WARC round trip, import speed and memory, on dataset pages, without network.

    python bench/warc.py [--pages 1000] [--memory-records 10000] [--skip-memory]

1. Saves up to ``--pages`` pages of ../shared/datasets (read there, never copied; generated
   pages when absent) into a new archive through the library, as captures fetched over HTTP
   with distinct URLs, timing the extraction's CPU (``extract_capture``, one after another).
2. Exports it with ``export --format warc`` and runs ``warcio check`` on the file.
3. Imports the WARC into a second archive as ``newsarchive import`` does (an extraction
   process per core but one), in a fresh process, and compares the two archives: articles
   with the same extracted fields, captures with the same bytes, final URL, time and status.
   Import speed is set against the extraction CPU limit: the CPU time of step 1 spread over
   the extraction processes (goal: within 1.3x). Wall times mean little on a machine busy with
   other work (the load average is printed); the extraction processes' CPU against step 1's
   is the pipeline's own overhead, whatever the load.
4. Peak memory of the process tree importing a WARC of ``--memory-records`` response records
   (the pages repeated under distinct URLs; goal: under 300 MB).

It prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not
sys.path.insert(0, str(ROOT / "bench"))

from newsarchive.extract import extract_capture  # noqa: E402
from newsarchive.fetch import decode_html  # noqa: E402
from newsarchive.importer import ImportOptions, extraction_processes, import_links  # noqa: E402
from newsarchive.models import FetchResult  # noqa: E402
from newsarchive.pipeline import without_site_boilerplate  # noqa: E402
from newsarchive.store import Archive  # noqa: E402
from newsarchive.warcexport import export_warc  # noqa: E402
from newsarchive.warcimport import PAGES_AHEAD, open_web_archive  # noqa: E402

import_bench = importlib.import_module("import")  # bench/import.py: pages and memory sampling
WARCIO = Path(sys.executable).parent / "warcio"
CAPTURED_AT = "2025-06-01T12:00:00+00:00"


def page_capture(number: int, raw: bytes) -> FetchResult:
    """Page ``number`` as if fetched over HTTP from its own URL."""
    url = f"https://bench.example/p/{number}"
    content_type = "text/html; charset=utf-8"
    text, encoding = decode_html(raw, content_type)
    return FetchResult(
        url=url,
        final_url=url,
        text=text,
        raw=raw,
        status=200,
        headers={"Content-Type": content_type},
        encoding=encoding,
        fetched_at=CAPTURED_AT,
    )


def build_archive(path: Path, pages: list[bytes]) -> float:
    """Save every page; return the CPU seconds extraction took."""
    cpu = 0.0
    with Archive(path) as archive:
        for number, raw in enumerate(pages):
            fetched = page_capture(number, raw)
            started = time.process_time()
            article = extract_capture(fetched)
            cpu += time.process_time() - started
            archive.save(fetched, without_site_boilerplate(archive, article))
    return cpu


def import_in_child(warc: Path, database: Path) -> dict:
    """Import ``warc`` into ``database`` in a fresh process; its seconds and peak memory."""
    command = [sys.executable, __file__, "--import-child", str(warc), str(database)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def import_child(warc: str, database: str) -> None:
    options = ImportOptions(read_ahead=PAGES_AHEAD)
    with import_bench.TreeMemory() as memory, Archive(database) as archive:
        started = time.monotonic()
        statuses: dict[str, int] = {}
        for event in import_links(open_web_archive(warc).entries, archive, options):
            statuses[event.outcome.status] = statuses.get(event.outcome.status, 0) + 1
        seconds = time.monotonic() - started
    cpu = {"main_cpu": _cpu(resource.RUSAGE_SELF), "workers_cpu": _cpu(resource.RUSAGE_CHILDREN)}
    print(json.dumps({"seconds": seconds, "statuses": statuses, **cpu, **memory.report()}))


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def snapshot(path: Path) -> tuple[dict, dict]:
    """Per URL: the article's extracted fields, and its captures' facts and bytes."""
    articles, captures = {}, {}
    with Archive(path) as archive:
        for article_id in archive.article_ids():
            stored = archive.get(article_id)
            a = stored.article
            articles[stored.url] = (a.headline, a.text, a.authors, a.published, a.site, a.quotes)
            captures[stored.url] = [
                (c.raw, c.final_url, c.fetched_at, c.http_status)
                for c in archive.captures(article_id)
            ]
    return articles, captures


def synthetic_warc(path: Path, pages: list[bytes], records: int) -> None:
    """``records`` response records, the pages repeated under distinct URLs."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for number in range(records):
            raw = pages[number % len(pages)]
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"https://memory.example/p/{number}",
                "response",
                payload=io.BytesIO(raw),
                length=len(raw),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2025-06-01T12:00:00Z"},
            )
            writer.write_record(record)


def main() -> None:
    args = parse_args()
    if args.import_child:
        import_child(*args.import_child)
        return
    pages = import_bench.load_pages(args.pages)
    processes = extraction_processes(ImportOptions())
    with tempfile.TemporaryDirectory() as folder:
        run(Path(folder), pages, processes, args)


def run(folder: Path, pages: list[bytes], processes: int, args: argparse.Namespace) -> None:
    source, copy, warc = folder / "source.db", folder / "copy.db", folder / "export.warc.gz"
    cpu = build_archive(source, pages)
    started = time.monotonic()
    with Archive(source) as archive:
        export_warc(archive, warc)
    exported = time.monotonic() - started
    checked = subprocess.run([str(WARCIO), "check", str(warc)], capture_output=True, text=True)
    imported = import_in_child(warc, copy)
    (articles, captures), (articles_2, captures_2) = snapshot(source), snapshot(copy)
    same = sum(1 for url, fields in articles.items() if articles_2.get(url) == fields)
    identical = sum(1 for url, facts in captures.items() if captures_2.get(url) == facts)
    limit = cpu / max(1, processes)
    rows = [
        ("pages", len(pages)),
        ("identical articles", f"{same} of {len(articles)}"),
        ("byte-identical captures", f"{identical} of {len(captures)}"),
        ("export seconds / WARC MB", f"{exported:.1f} / {warc.stat().st_size / 2**20:.1f}"),
        (
            "warcio check",
            "clean" if checked.returncode == 0 and not checked.stdout else checked.stdout[:200],
        ),
        ("extraction CPU s (1 process)", f"{cpu:.1f}"),
        (f"import s ({processes} extraction processes)", f"{imported['seconds']:.1f}"),
        ("import / CPU limit (goal <= 1.3)", f"{imported['seconds'] / limit:.2f}"),
        ("import CPU s: main / extraction processes", _cpu_cell(imported)),
        ("extraction processes CPU / extraction CPU", f"{imported['workers_cpu'] / cpu:.2f}"),
        ("load average (1 min) after the import", f"{os.getloadavg()[0]:.1f}"),
        ("import outcomes", json.dumps(imported["statuses"])),
        ("import peak RSS tree MB", f"{imported['rss_tree_mb']:.0f}"),
    ]
    if not args.skip_memory:
        rows += memory_rows(folder, pages, args.memory_records)
    for name, value in rows:
        print(f"{name:<44} {value}")


def _cpu_cell(found: dict) -> str:
    return f"{found['main_cpu']:.1f} / {found['workers_cpu']:.1f}"


def memory_rows(folder: Path, pages: list[bytes], records: int) -> list[tuple[str, object]]:
    warc = folder / "memory.warc.gz"
    synthetic_warc(warc, pages, records)
    found = import_in_child(warc, folder / "memory.db")
    return [
        (f"memory: {records}-record WARC, seconds", f"{found['seconds']:.0f}"),
        ("memory: outcomes", json.dumps(found["statuses"])),
        ("memory: CPU s main / extraction processes", _cpu_cell(found)),
        ("memory: peak RSS tree MB (goal < 300)", f"{found['rss_tree_mb']:.0f}"),
        (
            "memory: main / largest worker MB",
            f"{found['rss_main_mb']:.0f} / {found['rss_worker_mb']:.0f}",
        ),
    ]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--memory-records", type=int, default=10000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--import-child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
