"""Search at scale: build a synthetic archive through the normal store code, then time a fixed
mix of queries end to end through the library, against a plain LIKE scan.

    python bench/search.py --articles 100000 --db /tmp/bench-100k.db            # build + measure
    python bench/search.py --articles 100000 --db /tmp/bench-100k.db --build-only
    python bench/search.py --db /tmp/bench-100k.db --measure-only
    python bench/search.py --db /tmp/bench-100k.db --append 5000 --build-only  # insertion rate
    python bench/search.py --db /tmp/bench-1m.db --replicate /tmp/bench-100k.db --times 10

Prints tables; asserts nothing. The synthetic archive has article-length bodies drawn from a
Zipf vocabulary, headlines, standfirsts, quotes with speakers, dates over twelve years and 200
sites, so doclists have the shapes of a real archive (a few words in nearly every article, most
words rare).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable
from itertools import accumulate, chain
from pathlib import Path

from newsarchive.engines.sqlite import tidy_search_indexes
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.searching import search, search_quotes
from newsarchive.store import Archive

VOCABULARY = 60_000
BATCH = 500
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "sa",
    "to",
    "vel",
    "du",
    "ar",
    "pi",
    "nor",
    "es",
    "tha",
    "qui",
    "bo",
]


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5))))
    return sorted(words, key=lambda word: (len(word), word))


class Generator:
    """Deterministic synthetic articles (seeded), words drawn with Zipf weights (s = 1)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.words = make_vocabulary(self.rng)
        self.cumulative = list(accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))
        self.sites = [
            f"{self._word(200, 5000).title()} {self.rng.choice(['Times', 'Post', 'Herald', 'News'])}"
            for _ in range(200)
        ]
        self.people = [
            f"{self._word(500, 20000).title()} {self._word(500, 20000).title()}"
            for _ in range(3000)
        ]

    def _word(self, low: int = 0, high: int = VOCABULARY) -> str:
        return self.words[self.rng.randrange(low, high)]

    def sentence(self, length: int) -> str:
        top = self.cumulative[-1]
        picks = [bisect(self.cumulative, self.rng.random() * top) for _ in range(length)]
        text = " ".join(self.words[min(i, VOCABULARY - 1)] for i in picks)
        return text[0].upper() + text[1:] + "."

    def article(self, number: int) -> tuple[FetchResult, Article]:
        rng = self.rng
        paragraphs = [
            " ".join(self.sentence(rng.randint(8, 25)) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(6, 14))
        ]
        speakers = rng.sample(self.people, 2)
        quotes = [
            Quote(self.sentence(rng.randint(4, 14)), rng.choice(speakers))
            for _ in range(rng.randint(0, 4))
        ]
        site = rng.choice(self.sites)
        url = f"https://{site.split()[0].lower()}.example/{number}"
        published = f"{rng.randint(2014, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        article = Article(
            headline=self.sentence(rng.randint(6, 12)).rstrip("."),
            standfirst=self.sentence(rng.randint(12, 24)),
            authors=[rng.choice(self.people)],
            published=published,
            site=site,
            language="en",
            text="\n".join(paragraphs),
            quotes=quotes,
        )
        page = FetchResult(
            url=url, final_url=url, text="", raw=b"", fetched_at="2026-01-01T00:00:00+00:00"
        )
        return page, article


def build(path: str | Path, count: int, first: int = 0) -> None:
    """Add articles ``first`` .. ``first + count - 1`` in batches through Archive.save_many; the
    rate counts only the time spent in save_many, not the generator's (about 1 ms an article)."""
    generator = Generator()
    if first:
        generator.rng.seed(first)  # new articles, same vocabulary
    saving = saving_cpu = server = 0.0
    started = time.perf_counter()
    with Archive(path) as archive:
        server_clock = server_cpu(archive)
        for done in range(0, count, BATCH):
            numbers = range(first + done, first + min(done + BATCH, count))
            batch = [generator.article(number) for number in numbers]
            before, before_cpu, before_server = (
                time.perf_counter(),
                time.process_time(),
                server_clock(),
            )
            archive.save_many(batch)
            saving += time.perf_counter() - before
            saving_cpu += time.process_time() - before_cpu
            server += server_clock() - before_server
            if (done + len(batch)) % 10_000 == 0:
                print(
                    f"  {done + len(batch)}: {(done + len(batch)) / saving:.0f}/s", file=sys.stderr
                )
    print(
        f"saved {count} articles in {time.perf_counter() - started:.1f} s; save_many (batches of"
        f" {BATCH}): {saving:.1f} s, {count / saving:.0f} articles/s"
        f" ({count / saving_cpu:.0f}/s of this process's CPU time"
        + (f", {count / server:.0f}/s of the server process's" if server else "")
        + f"); {load()}"
    )


def server_cpu(archive: Archive) -> Callable[[], float]:
    """A clock of the CPU time, in seconds, of the server process behind ``archive``'s
    connection (PostgreSQL runs a process per connection), read from /proc; on SQLite, 0."""
    if archive.path is not None:
        return lambda: 0.0
    pid = archive.conn.raw.execute("SELECT pg_backend_pid()").fetchone()[0]
    stat = Path(f"/proc/{pid}/schedstat")
    return lambda: int(stat.read_text().split()[0]) / 1e9


ARTICLE_COLUMNS = (
    "headline, standfirst, authors, published, modified, site, language, canonical_url, text,"
    " html, word_count, status, saved_at, updated_at, extractor_version, quote_text"
)
QUOTE_COLUMNS = "position, text, speaker, speaker_id, role, kind"


def replicate(source: Path, path: Path, times: int) -> None:
    """An archive ``times`` the size of ``source``: its articles and quotes copied in SQL, the
    search indexes kept by the usual triggers and merged as saving the copies would have. Each copy has its own URLs and a SimHash far from
    the others' (so copies are not collapsed as one story); its words and dates are the same.
    On 2 shared cores save_many builds 300-450 articles a second, an hour for a million; this
    takes minutes."""
    with sqlite3.connect(source) as origin, sqlite3.connect(path) as target:
        origin.backup(target)
    rng = random.Random(13)
    started = time.perf_counter()
    with Archive(path) as archive:
        conn = archive.db.conn
        size = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
        for copy in range(1, times):
            offset, flip = copy * size, rng.getrandbits(62)
            with conn:
                conn.execute(
                    f"INSERT INTO articles (id, url, url_key, simhash, {ARTICLE_COLUMNS})"
                    f" SELECT id + ?1, url || '#' || ?1, url_key || '#' || ?1,"
                    f" (simhash | ?2) & ~(simhash & ?2), {ARTICLE_COLUMNS}"
                    " FROM articles WHERE id <= ?3",
                    [offset, flip, size],
                )
                conn.execute(
                    f"INSERT INTO quotes (article_id, {QUOTE_COLUMNS})"
                    f" SELECT article_id + ?, {QUOTE_COLUMNS} FROM quotes WHERE article_id <= ?",
                    [offset, size],
                )
            print(f"  copy {copy}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        with conn:  # the index merge work saving them would have asked for
            tidy_search_indexes(conn, (times - 1) * size)
        print(f"  index merged: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print(f"{archive.count()} articles ({times} copies of {source}); {load()}")


def load() -> str:
    """The machine's load, which wall-clock figures depend on (2 cores here, often shared)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def query_mix(archive: Archive, rng: random.Random) -> list[tuple[str, str]]:
    """200 queries: 30 of each of six kinds, plus 20 quote searches."""
    words = Generator().words
    ids = rng.sample(range(1, archive.count() + 1), 200)
    marks = ", ".join("?" * len(ids))
    sample_text = archive.conn.execute(
        f"SELECT text FROM articles WHERE id IN ({marks}) ORDER BY id", ids
    ).fetchall()
    # In the site index's order, which SQLite reads them in anyway: the same on every engine.
    sites = archive.conn.execute("SELECT DISTINCT site FROM articles ORDER BY site LIMIT 50")
    sites = [row[0] for row in sites]
    mix: list[tuple[str, str]] = []
    for _ in range(30):
        mix.append(("rare word", rng.choice(words[20_000:40_000])))
        mix.append(("common word", rng.choice(words[:30])))
        body = rng.choice(sample_text)[0].split()
        start = rng.randrange(len(body) - 3)
        mix.append(("phrase", '"' + " ".join(body[start : start + 3]).strip(".") + '"'))
        mix.append(("prefix", rng.choice(words[2_000:10_000])[:4] + "*"))
        mix.append(("field filter", f'{rng.choice(words[100:3000])} site:"{rng.choice(sites)}"'))
        year = rng.randint(2015, 2024)
        mix.append(("date range", f"{rng.choice(words[50:2000])} after:{year}-01 before:{year}-07"))
    mix += [("quote", rng.choice(words[100:5000])) for _ in range(20)]
    return mix


def measure(path: Path, repeats: int) -> None:
    rng = random.Random(11)
    with Archive(path) as archive:
        count = archive.count()
        mix = query_mix(archive, rng)
        timings: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeats):
            for kind, text in mix:
                started, started_cpu = time.perf_counter(), time.process_time()
                if kind == "quote":
                    search_quotes(archive, text, limit=20)
                else:
                    search(archive, text, limit=20)
                timings[kind].append((time.perf_counter() - started) * 1000)
                cpu[kind].append((time.process_time() - started_cpu) * 1000)
        print(f"\n{count} articles, {len(mix)} queries x {repeats} runs, ms (library, top 20):")
        print(load())
        print(f"{'query type':<14} {'p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8} {'cpu p95':>8}")
        timings["whole mix"] = list(chain.from_iterable(timings.values()))
        cpu["whole mix"] = list(chain.from_iterable(cpu.values()))
        for kind, values in timings.items():
            used = cpu[kind]
            print(
                f"{kind:<14} {percentile(values, 50):>8.2f} {percentile(values, 95):>8.2f}"
                f" {max(values):>8.2f} {percentile(used, 50):>8.2f} {percentile(used, 95):>8.2f}"
            )
        like_scan(archive, mix, timings)
        sizes(archive, count)
    startup(path)


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def like_scan(
    archive: Archive, mix: list[tuple[str, str]], timings: dict[str, list[float]]
) -> None:
    """What a LIKE-based search (wallabag's) costs on the same archive, for the same single-word
    queries: a common word is found in the first rows scanned (and is not ranked), a rare one
    reads the whole table."""
    print("\nLIKE scan (headline or text, newest 20) vs FTS5, same queries, median ms:")
    for kind in ("rare word", "common word"):
        words = [text for text_kind, text in mix if text_kind == kind][:10]
        values = []
        for word in words:
            started = time.perf_counter()
            archive.db.execute(
                "SELECT id FROM articles WHERE headline LIKE ? OR text LIKE ?"
                " ORDER BY published DESC LIMIT 20",
                [f"%{word}%"] * 2,
            ).fetchall()
            values.append((time.perf_counter() - started) * 1000)
        like, ours = statistics.median(values), statistics.median(timings[kind])
        print(f"  {kind:<12} LIKE {like:8.2f}   FTS5 {ours:6.2f}   LIKE/FTS5 {like / ours:.2g}x")


def sizes(archive: Archive, count: int) -> None:
    pages = dict(
        archive.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    )
    total = sum(pages.values())
    articles_fts = sum(size for name, size in pages.items() if name.startswith("articles_fts"))
    other_fts = sum(size for name, size in pages.items() if "_fts" in name) - articles_fts
    indexes = sum(size for name, size in pages.items() if name.startswith(("idx_", "sqlite_auto")))
    raw_text = archive.db.execute(
        "SELECT sum(length(coalesce(headline, '')) + length(coalesce(standfirst, ''))"
        " + length(coalesce(quote_text, '')) + length(text)) FROM articles"
    ).fetchone()[0]
    per = count or 1
    print(
        f"\nsize: {total / per:.0f} bytes/article in all; indexed text {raw_text / per:.0f};"
        f" articles_fts {articles_fts / per:.0f} ({articles_fts / raw_text:.0%} of the text);"
        f" quotes_fts {other_fts / per:.0f}; b-tree indexes {indexes / per:.0f}"
    )


def startup(path: Path, runs: int = 7) -> None:
    """Median wall time of the whole `newsarchive search` process. A first, untimed run may
    write the bytecode of changed modules, as an installed copy has it (pip compiles it), even
    where PYTHONDONTWRITEBYTECODE is set: compiling a dozen modules from source adds ~20 ms."""
    script = Path(sys.executable).parent / "newsarchive"
    command = [str(script), "--db", str(path), "search", "zzzzqqq"]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, check=False, env=environment)
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        values.append((time.perf_counter() - started) * 1000)
    print(
        f"\nCLI start-up, `newsarchive search` (whole process, {runs} runs): median {statistics.median(values):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--append", type=int, metavar="N", help="add N articles to an archive")
    parser.add_argument("--replicate", type=Path, metavar="ARCHIVE", help="copy it --times times")
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    if args.replicate:
        if args.db.exists():
            sys.exit(f"{args.db} exists: remove it or use --measure-only")
        replicate(args.replicate, args.db, args.times)
    elif args.append:
        with Archive(args.db) as archive:
            first = archive.count()
        build(args.db, args.append, first)
    elif not args.measure_only:
        if args.db.exists():
            sys.exit(f"{args.db} exists: remove it or use --measure-only")
        build(args.db, args.articles)
    if not args.build_only:
        measure(args.db, args.repeats)


if __name__ == "__main__":
    main()
