"""Search at scale: build a synthetic archive through the normal store code, then time a fixed
mix of queries end to end through the library, against a plain LIKE scan.

    python bench/search.py --articles 100000 --db /tmp/bench-100k.db            # build + measure
    python bench/search.py --articles 100000 --db /tmp/bench-100k.db --build-only
    python bench/search.py --db /tmp/bench-100k.db --measure-only

Prints tables; asserts nothing. The synthetic archive has article-length bodies drawn from a
Zipf vocabulary, headlines, standfirsts, quotes with speakers, dates over twelve years and 200
sites, so doclists have the shapes of a real archive (a few words in nearly every article, most
words rare).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from bisect import bisect
from collections import defaultdict
from itertools import accumulate
from pathlib import Path

from newsarchive.models import Article, FetchResult, Quote
from newsarchive.search import search, search_quotes
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


def build(path: Path, count: int) -> None:
    generator = Generator()
    pages = (generator.article(number) for number in range(count))
    started = time.perf_counter()
    with Archive(path) as archive:
        done = 0
        while done < count:
            batch = [next(pages) for _ in range(min(BATCH, count - done))]
            archive.save_many(batch)
            done += len(batch)
            if done % 10_000 == 0:
                print(
                    f"  {done} articles, {done / (time.perf_counter() - started):.0f}/s",
                    file=sys.stderr,
                )
    elapsed = time.perf_counter() - started
    print(
        f"built {count} articles in {elapsed:.1f} s: {count / elapsed:.0f} articles/s (save_many, batches of {BATCH})"
    )


def query_mix(archive: Archive, rng: random.Random) -> list[tuple[str, str]]:
    """200 queries: 30 of each of six kinds, plus 20 quote searches."""
    words = Generator().words
    sample_text = archive.db.execute(
        "SELECT text FROM articles ORDER BY random() LIMIT 200"
    ).fetchall()
    sites = [row[0] for row in archive.db.execute("SELECT DISTINCT site FROM articles LIMIT 50")]
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
        for _ in range(repeats):
            for kind, text in mix:
                started = time.perf_counter()
                if kind == "quote":
                    search_quotes(archive, text, limit=20)
                else:
                    search(archive, text, limit=20)
                timings[kind].append((time.perf_counter() - started) * 1000)
        print(
            f"\n{count} articles, {len(mix)} queries x {repeats} runs, latency in ms (library, top 20):"
        )
        print(f"{'query type':<14} {'p50':>8} {'p95':>8} {'max':>8}")
        everything = []
        for kind, values in timings.items():
            everything += values
            print(
                f"{kind:<14} {percentile(values, 50):>8.2f} {percentile(values, 95):>8.2f} {max(values):>8.2f}"
            )
        print(
            f"{'whole mix':<14} {percentile(everything, 50):>8.2f} {percentile(everything, 95):>8.2f} {max(everything):>8.2f}"
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
    """What a LIKE-based search (wallabag's) costs on the same archive, for single-word queries."""
    words = [text for kind, text in mix if kind in ("rare word", "common word")][:20]
    values = []
    for word in words:
        started = time.perf_counter()
        archive.db.execute(
            "SELECT id FROM articles WHERE headline LIKE ? OR text LIKE ? ORDER BY published DESC LIMIT 20",
            [f"%{word}%"] * 2,
        ).fetchall()
        values.append((time.perf_counter() - started) * 1000)
    ours = timings["rare word"][:10] + timings["common word"][:10]
    print(
        f"\nLIKE scan, same 20 single-word queries: p50 {statistics.median(values):.1f} ms"
        f" vs FTS5 {statistics.median(ours):.2f} ms ({statistics.median(values) / statistics.median(ours):.0f}x)"
    )


def sizes(archive: Archive, count: int) -> None:
    pages = dict(
        archive.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    )
    total = sum(pages.values())
    index = sum(size for name, size in pages.items() if "_fts" in name)
    raw_text = archive.db.execute(
        "SELECT sum(length(coalesce(headline, '')) + length(coalesce(standfirst, '')) + length(text)) FROM articles"
    ).fetchone()[0]
    print(
        f"\nsize: {total / count:.0f} bytes/article in all; text {raw_text / count:.0f} bytes/article;"
        f" full-text indexes {index / count:.0f} bytes/article ({index / raw_text:.0%} of the text)"
    )


def startup(path: Path, runs: int = 7) -> None:
    script = Path(sys.executable).parent / "newsarchive"
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(script), "--db", str(path), "search", "zzzzqqq"], capture_output=True, check=False
        )
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
    args = parser.parse_args()
    if not args.measure_only:
        if args.db.exists():
            sys.exit(f"{args.db} exists: remove it or use --measure-only")
        build(args.db, args.articles)
    if not args.build_only:
        measure(args.db, args.repeats)


if __name__ == "__main__":
    main()
