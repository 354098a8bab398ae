"""The web reader at scale: list and search pages of a large archive, timed over real HTTP.

    python bench/serve.py --db /tmp/bench-100k.db                    # builds it first if missing
    python bench/serve.py --db /tmp/bench-100k.db --articles 100000 --repeats 3

The archive is the synthetic one of bench/search.py (built by its ``build``); the searches are
its query mix. An archive without tags is first given two (TAGGED: one on every 10th article,
one on every 1,000th) so the list by tag is measured too. A server runs in this process on 127.0.0.1 (any free port); each request is a
new connection, as a browser's first request of a page is, timed until the whole page is read.
Prints a table; asserts nothing. The goal (issue 15): p95 at most 100 ms for list and search.
"""

from __future__ import annotations

import argparse
import http.client
import random
import threading
import time
from collections import defaultdict
from itertools import chain
from pathlib import Path
from urllib.parse import urlencode

from search import build, load, percentile, query_mix

from newsarchive.store import Archive
from newsarchive.tags import TagEdit, edit_tags, list_tags
from newsarchive.web import ReaderServer, ReaderSettings

SEARCH_KINDS = ("rare word", "common word", "phrase", "prefix", "field filter", "date range")
TAGGED = {"bench common": 10, "bench rare": 1000}  # tag: one article in so many


def tag_articles(path: Path) -> None:
    """Give an archive without tags those of TAGGED, through the library as `tag` does."""
    with Archive(path) as archive:
        if list_tags(archive):
            return
        ids = archive.article_ids()
        for name, every in TAGGED.items():
            edit_tags(archive, [str(i) for i in ids[::every]], TagEdit(add=(name,), remove=()))


def requests(path: Path, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, path) of every request: list pages (first, deep, by site, by status) and the
    searches of bench/search.py's query mix, each as the search page."""
    with Archive(path, read_only=True) as archive:
        sites = archive.sites()
        mix = [(kind, text) for kind, text in query_mix(archive, rng) if kind in SEARCH_KINDS]
    listed = [("list, first page", "/")] * 20
    listed += [("list, page 2-200", f"/?page={rng.randint(2, 200)}") for _ in range(20)]
    listed += [("list, by site", "/?" + urlencode({"site": rng.choice(sites)})) for _ in range(20)]
    listed += [("list, by status", "/?status=partial")] * 5
    listed += [("list, by tag", "/?" + urlencode({"tag": name})) for name in TAGGED] * 10
    searched = [(f"search, {kind}", "/search?" + urlencode({"q": text})) for kind, text in mix]
    return listed + searched


def timed_get(port: int, path: str) -> tuple[float, float]:
    """Milliseconds from connecting to having read the whole answer (which must be a 200), and
    the CPU time this process spent on it: server and client, so a figure that the machine's
    load does not inflate as much as the wall time."""
    started, started_cpu = time.perf_counter(), time.process_time()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


def measure(path: Path, repeats: int) -> None:
    planned = requests(path, random.Random(11))
    server = ReaderServer(ReaderSettings(path), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    timings: dict[str, list[tuple[float, float]]] = defaultdict(list)
    try:
        for _ in range(repeats):
            for kind, page in planned:
                timings[kind].append(timed_get(server.server_port, page))
    finally:
        server.shutdown()
        server.server_close()
    report(path, timings, len(planned), repeats)


def report(
    path: Path, timings: dict[str, list[tuple[float, float]]], count: int, repeats: int
) -> None:
    with Archive(path, read_only=True) as archive:
        articles = archive.count()
    print(f"\n{articles} articles, {count} pages x {repeats} runs, ms per page over HTTP:")
    print(load())
    print(f"{'page':<28} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8} {'cpu p95':>8}")
    groups = {
        **timings,
        "all list pages": list(chain(*(v for k, v in timings.items() if k.startswith("list")))),
        "all search pages": list(chain(*(v for k, v in timings.items() if k.startswith("search")))),
    }
    for kind, pairs in groups.items():
        wall, cpu = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
        print(
            f"{kind:<28} {len(pairs):>5} {percentile(wall, 50):>8.1f}"
            f" {percentile(wall, 95):>8.1f} {max(wall):>8.1f}"
            f" {percentile(cpu, 50):>8.1f} {percentile(cpu, 95):>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="built first when missing")
    parser.add_argument("--articles", type=int, default=100_000, help="how many to build")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.articles)
    tag_articles(args.db)
    measure(args.db, args.repeats)


if __name__ == "__main__":
    main()
