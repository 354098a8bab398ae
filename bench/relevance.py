"""Relevance: known-item search on real articles hidden among 100,000, default ranking vs --exact.

    python bench/relevance.py --db /tmp/relevance-100k.db            # build (once) + measure
    python bench/relevance.py --db /tmp/relevance-100k.db --queries 1000 --runs 3

The archive holds every page of the HTML sets in ../shared/datasets (about 2,900 real articles,
extracted as `add` would), then synthetic articles saved after them up to --articles, published
later, made of words drawn from the real articles' own word frequencies: real queries match
them as they would match a large archive (common words everywhere, names and places rarer).

For --queries real articles (a fixed sample), the query is 2-4 words of its headline, or of its
first paragraph when the headline has too few. It reports success@1, success@10 and MRR (over
the top 10; copies of one story are not collapsed), how often the default top 10 is the exact
top 10 (same articles, same order), how many queries matched more than EXACT_MATCHES articles
(the only ones the default does not score in full), and the time per query, median of --runs.
Then the same for one word of each (queries with many matches, where the windows are used).
Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from newsarchive.evaluate.runner import load_dataset
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.query import parse_query
from newsarchive.ranking import EXACT_MATCHES
from newsarchive.searching import search
from newsarchive.store import Archive

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
HTML_SETS = ["scrapinghub", "wcxb-articles-dev", "trafilatura-eval", "dates"]
BATCH = 500
# Words a known-item query leaves out (a reader types the words that tell the story apart).
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from has have he her his in is it its of on or that the"
        " their they this to was were will with after over new says said who what how why not but",
    )
)
_WORD = re.compile(r"[^\W\d_]{3,}")


def real_articles(workers: int) -> list[tuple[FetchResult, Article]]:
    """Every page of the HTML sets, extracted; pages without article text are left out."""
    pages = [page for name in HTML_SETS for page in load_dataset(DATASETS / name)]
    with ProcessPoolExecutor(workers) as pool:
        found = pool.map(_extract, [(page.url, page.html) for page in pages], chunksize=20)
        return [pair for pair in found if pair is not None]


def _extract(page: tuple[str, str]) -> tuple[FetchResult, Article] | None:
    from newsarchive.errors import ExtractionError
    from newsarchive.extract import extract_article

    url, html = page
    try:
        article = extract_article(html, url)
    except ExtractionError:
        return None
    fetched = FetchResult(url=url, final_url=url, text="", raw=b"", fetched_at="2026-01-01")
    return fetched, article


class Padding:
    """Synthetic articles whose words follow the real articles' word frequencies."""

    def __init__(self, real: list[Article], seed: int = 5) -> None:
        counts = Counter(word for article in real for word in article.text.lower().split())
        self.words = list(counts)
        self.cumulative = list(accumulate(counts.values()))
        self.rng = random.Random(seed)

    def sentence(self, length: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=length)
        return " ".join(words).capitalize()

    def article(self, number: int) -> tuple[FetchResult, Article]:
        rng = self.rng
        paragraphs = [
            " ".join(self.sentence(rng.randint(8, 25)) + "." for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(6, 14))
        ]
        url = f"https://padding{number % 200}.example/{number}"
        article = Article(
            headline=self.sentence(rng.randint(6, 12)),
            standfirst=self.sentence(rng.randint(12, 24)),
            published=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            site=f"Padding {number % 200}",
            text="\n".join(paragraphs),
            quotes=[Quote(self.sentence(rng.randint(4, 14))) for _ in range(rng.randint(0, 4))],
        )
        return FetchResult(url=url, final_url=url, text="", raw=b""), article


def build(path: Path, total: int, workers: int) -> None:
    real = real_articles(workers)
    padding = Padding([article for _, article in real])
    started = time.perf_counter()
    with Archive(path) as archive:
        archive.save_many(real)
        for first in range(archive.count(), total, BATCH):
            numbers = range(first, min(first + BATCH, total))
            archive.save_many([padding.article(number) for number in numbers])
        count = archive.count()
    print(
        f"built {path}: {count} articles ({len(real)} real) in {time.perf_counter() - started:.0f} s"
    )


@dataclass(frozen=True)
class KnownItem:
    target: int
    query: str


def known_items(archive: Archive, count: int, seed: int, sizes: tuple[int, int]) -> list[KnownItem]:
    """A query of ``sizes`` (fewest, most) content words for each of ``count`` real articles
    (the padding's URLs are on .example hosts), drawn alike for any sizes."""
    rng = random.Random(seed)
    rows = archive.db.execute(
        "SELECT id, headline, text FROM articles WHERE url NOT LIKE 'https://padding%'"
        " AND text IS NOT NULL ORDER BY id"
    ).fetchall()
    items = []
    for article_id, headline, text in rng.sample(rows, min(count * 2, len(rows))):
        words = _content_words(headline or "")
        if len(words) < 2:
            words = _content_words(text.split("\n", 1)[0])
        size = min(len(words), rng.randint(*sizes))
        picked = sorted(rng.sample(range(len(words)), size))
        if len(words) >= 2:
            items.append(KnownItem(article_id, " ".join(words[index] for index in picked)))
    return items[:count]


def _content_words(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for word in _WORD.findall(text):
        if word.lower() not in STOPWORDS:
            seen.setdefault(word.lower(), word)
    return list(seen.values())


@dataclass(frozen=True)
class Outcome:
    ranks: list[int | None]  # the target's rank (1-10) for each query, None when not in the top 10
    tops: list[list[int]]
    milliseconds: list[float]


def run(archive: Archive, items: list[KnownItem], exact: bool, runs: int) -> Outcome:
    ranks, tops, times = [], [], []
    for item in items:
        elapsed = []
        for _ in range(runs):
            started = time.perf_counter()
            hits = search(archive, item.query, limit=10, all_copies=True, exact=exact)
            elapsed.append((time.perf_counter() - started) * 1000)
        ids = [hit.id for hit in hits]
        ranks.append(ids.index(item.target) + 1 if item.target in ids else None)
        tops.append(ids)
        times.append(statistics.median(elapsed))
    return Outcome(ranks, tops, times)


def many_matches(archive: Archive, items: list[KnownItem]) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
    counts = [
        archive.db.execute(sql, [parse_query(item.query).match, EXACT_MATCHES]).fetchone()[0]
        for item in items
    ]
    return sum(count >= EXACT_MATCHES for count in counts)


def report(label: str, outcome: Outcome) -> None:
    ranks, count = outcome.ranks, len(outcome.ranks)
    at1 = sum(rank == 1 for rank in ranks) / count
    at10 = sum(rank is not None for rank in ranks) / count
    mrr = sum(1 / rank for rank in ranks if rank) / count
    times = sorted(outcome.milliseconds)
    p95 = times[min(count - 1, round(0.95 * (count - 1)))]
    print(
        f"{label:<9} {at1:>10.3f} {at10:>11.3f} {mrr:>7.3f}"
        f" {statistics.median(times):>9.1f} {p95:>9.1f}"
    )


def measure(path: Path, queries: int, runs: int, seed: int) -> None:
    """The known-item queries of 2-4 words (the goal), then one word of each (many matches)."""
    with Archive(path, read_only=True) as archive:
        total = archive.count()
        print(f"\n{total} articles, {queries} known-item queries, median of {runs} runs each")
        for label, sizes in [("2-4 words", (2, 4)), ("one word", (1, 1))]:
            items = known_items(archive, queries, seed, sizes)
            print(
                f"\n{label:<9} {'success@1':>10} {'success@10':>11} {'MRR':>7} {'p50 ms':>9} {'p95 ms':>9}"
            )
            default = run(archive, items, False, runs)
            exact = run(archive, items, True, runs)
            report("default", default)
            report("--exact", exact)
            same = sum(a == b for a, b in zip(default.tops, exact.tops, strict=True))
            print(
                f"default top 10 = exact top 10: {same}/{len(items)} queries"
                f" ({same / len(items):.1%}); {many_matches(archive, items)} queries matched"
                f" more than {EXACT_MATCHES:,} articles"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not DATASETS.is_dir():
        sys.exit(f"{DATASETS} is absent: this bench needs the shared datasets")
    if not args.db.exists():
        build(args.db, args.articles, args.workers)
    measure(args.db, args.queries, args.runs, args.seed)


if __name__ == "__main__":
    main()
