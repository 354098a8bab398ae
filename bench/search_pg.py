"""Search at scale on PostgreSQL, beside SQLite: the synthetic archive and the query mix of
bench/search.py, loaded into a PostgreSQL archive, then the same queries timed on both.

    python bench/search.py --articles 100000 --db /tmp/bench-100k.db --build-only
    createdb bench100k
    python bench/search_pg.py --pg postgresql://postgres@127.0.0.1/bench100k --articles 100000
    createdb -T bench100k bench1m   # then ten copies of it, as search.py --replicate makes:
    python bench/search_pg.py --pg postgresql://postgres@127.0.0.1/bench1m --replicate 10 \\
        --build-only
    python bench/search_pg.py --pg URL --sqlite /tmp/bench-100k.db --measure-only
    python bench/search_pg.py --pg URL --append 5000 --build-only   # insertion rate (save_many)

The PostgreSQL archive gets the very articles search.py's build saves, in the same order (so
the same ids), loaded with COPY: the rows save_many writes (records.article_row) and the quotes,
the database computing the search vectors as it does for every save. No captures are written
(search reads none). Timings are wall-clock per query through the library, and CPU time of this
process plus, on PostgreSQL, of the server process serving it (from /proc, same machine).
``--append N`` adds the next N synthetic articles through Archive.save_many instead, in
batches, as search.py --append does on SQLite, and prints the rate and the CPU time per
article of this process and of the server process. Prints tables; asserts nothing.

Measured with --append 3000 into an empty database, on 2 cores shared with other jobs (load
average 4.4 to 5.8), median of three runs: 190 articles/s, 1.1 ms of this process's CPU and
1.7 ms of the server's per article, most of it the article's search vector and its index
entries (batchsave.py's set-based save); the same runs with one save per article before it:
97 articles/s, 2.2 ms and 2.7 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from itertools import chain
from pathlib import Path

from search import BATCH, Generator, build, load, percentile, query_mix, server_cpu

from newsarchive.records import article_row, now_iso
from newsarchive.searching import search, search_quotes
from newsarchive.speakers import speaker_key
from newsarchive.store import Archive

ARTICLE_COLUMNS = (
    "id, url, url_key, headline, standfirst, authors, published, modified, site, language,"
    " canonical_url, text, html, quote_text, simhash, word_count, status, note, updated_at,"
    " extractor_version, saved_at"
)
QUOTE_COLUMNS = "article_id, position, text, speaker, speaker_id, role, kind"
# The columns of records.article_row, in order, between the id and the time saved.
ROW_FIELDS = ARTICLE_COLUMNS.split(", ")[1:-1]


def bulk_load(url: str, count: int) -> None:
    """COPY search.py's first ``count`` synthetic articles and their quotes into the archive."""
    generator = Generator()
    started = time.perf_counter()
    with Archive(url) as archive:
        raw = archive.conn.raw
        speakers = _speaker_ids(raw, generator.people)
        for done in range(0, count, BATCH):
            numbers = range(done, min(done + BATCH, count))
            pages = [generator.article(number) for number in numbers]
            with raw.transaction(), raw.cursor() as cursor:
                _copy_articles(cursor, numbers, pages)
                _copy_quotes(cursor, numbers, pages, speakers)
            if (done + len(pages)) % 10_000 == 0:
                rate = (done + len(pages)) / (time.perf_counter() - started)
                print(f"  {done + len(pages)}: {rate:.0f}/s", file=sys.stderr)
        raw.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)", [count])
        raw.execute("VACUUM ANALYZE articles")
        raw.execute("VACUUM ANALYZE quotes")
    elapsed = time.perf_counter() - started
    print(f"loaded {count} articles in {elapsed:.0f} s, {count / elapsed:.0f}/s; {load()}")


def _speaker_ids(raw, people: list[str]) -> dict[str, int]:
    """Every synthetic speaker's row id, the rows added as save_many files them."""
    with raw.transaction():
        for name in people:
            raw.execute(
                "INSERT INTO speakers (key, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [speaker_key(name), name],
            )
    rows = raw.execute("SELECT key, id FROM speakers").fetchall()
    ids = dict(rows)
    return {name: ids[speaker_key(name)] for name in people}


def _copy_articles(cursor, numbers: range, pages: list) -> None:
    saved_at = now_iso()
    with cursor.copy(f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN") as copy:
        for number, (fetched, article) in zip(numbers, pages, strict=True):
            row = article_row(fetched, article)
            copy.write_row([number + 1, *(row[field] for field in ROW_FIELDS), saved_at])


def _copy_quotes(cursor, numbers: range, pages: list, speakers: dict[str, int]) -> None:
    with cursor.copy(f"COPY quotes ({QUOTE_COLUMNS}) FROM STDIN") as copy:
        for number, (_, article) in zip(numbers, pages, strict=True):
            for position, quote in enumerate(article.quotes):
                speaker_id = speakers[quote.speaker] if quote.speaker else None
                copy.write_row(
                    [
                        number + 1,
                        position,
                        quote.text,
                        quote.speaker,
                        speaker_id,
                        quote.role,
                        quote.kind,
                    ]
                )


def replicate(url: str, times: int) -> None:
    """Grow the archive to ``times`` copies of itself, as search.py --replicate grows a SQLite
    one: each copy with its own ids and URLs and a SimHash far from the others', the same words
    and dates (the database indexes each copy anew)."""
    rng = random.Random(13)
    started = time.perf_counter()
    columns = ARTICLE_COLUMNS.replace("id, url, url_key, ", "").replace(", simhash", "")
    with Archive(url) as archive:
        raw = archive.conn.raw
        size = raw.execute("SELECT max(id) FROM articles").fetchone()[0]
        for copy in range(1, times):
            offset, flip = copy * size, rng.getrandbits(62)
            with raw.transaction():
                raw.execute(
                    f"INSERT INTO articles (id, url, url_key, simhash, {columns})"
                    f" SELECT id + %(offset)s, url || '#' || %(copy)s, url_key || '#' || %(copy)s,"
                    f" simhash # %(flip)s, {columns} FROM articles WHERE id <= %(size)s",
                    {"offset": offset, "copy": copy, "flip": flip, "size": size},
                )
                quotes = QUOTE_COLUMNS.replace("article_id, ", "")
                raw.execute(
                    f"INSERT INTO quotes (article_id, {quotes}) SELECT article_id + %s, {quotes}"
                    " FROM quotes WHERE article_id <= %s",
                    [offset, size],
                )
            print(f"  copy {copy}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        raw.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)", [size * times])
        raw.execute("VACUUM ANALYZE articles")
        raw.execute("VACUUM ANALYZE quotes")
    print(f"{size * times} articles ({times} copies); {time.perf_counter() - started:.0f} s")


def timed(archive: Archive, mix: list[tuple[str, str]], repeats: int) -> dict[str, tuple]:
    """Per kind of query: (wall-clock ms, CPU ms of this process and the server's)."""
    other = server_cpu(archive)
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for kind, text in mix:
            started, started_cpu = time.perf_counter(), time.process_time() + other()
            if kind == "quote":
                search_quotes(archive, text, limit=20)
            else:
                search(archive, text, limit=20)
            wall[kind].append((time.perf_counter() - started) * 1000)
            cpu[kind].append((time.process_time() + other() - started_cpu) * 1000)
    wall["whole mix"] = list(chain.from_iterable(wall.values()))
    cpu["whole mix"] = list(chain.from_iterable(cpu.values()))
    return {kind: (wall[kind], cpu[kind]) for kind in wall}


def measure(url: str, sqlite: Path | None, repeats: int) -> None:
    with Archive(url) as postgres:
        count = postgres.count()
        mix = query_mix(postgres, random.Random(11))
        engines = {"postgresql": timed(postgres, mix, repeats)}
    if sqlite:
        with Archive(sqlite) as archive:
            engines = {"sqlite": timed(archive, mix, repeats), **engines}
    print(f"\n{count} articles, {len(mix)} queries x {repeats} runs, ms (library, top 20)")
    print(load())
    print(f"{'query type':<14}" + "".join(f" | {name:^35}" for name in engines))
    columns = f"{'p50':>8}{'p95':>9}{'cpu p50':>9}{'cpu p95':>9}"
    print(f"{'':<14}" + "".join(f" | {columns}" for _ in engines))
    for kind in engines["postgresql"]:
        cells = []
        for timings in engines.values():
            wall, cpu = timings[kind]
            cells.append(
                f"{percentile(wall, 50):>8.1f}{percentile(wall, 95):>9.1f}"
                f"{percentile(cpu, 50):>9.1f}{percentile(cpu, 95):>9.1f}"
            )
        print(f"{kind:<14} | " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", required=True, help="postgresql://... (an existing database)")
    parser.add_argument("--sqlite", type=Path, help="the same corpus built by search.py")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--replicate", type=int, metavar="TIMES", help="copy what it holds")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--append", type=int, metavar="N", help="save N articles (save_many)")
    args = parser.parse_args()
    if args.replicate:
        replicate(args.pg, args.replicate)
    elif args.append:
        with Archive(args.pg) as archive:
            first = archive.count()
        build(args.pg, args.append, first)
    elif not args.measure_only:
        bulk_load(args.pg, args.articles)
    if not args.build_only:
        measure(args.pg, args.sqlite, args.repeats)


if __name__ == "__main__":
    main()
