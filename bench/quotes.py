"""What finding quotations and their speakers costs, as a share of extraction.

Extracts every page of the HTML sets, round after round, with the quotation finder wrapped in a
timer: in each round, the CPU seconds spent inside it over the CPU seconds of the whole
extraction is the share. Both are measured in the same run, so a noisy machine (other processes
slowing some rounds down) moves them together. Prints, per set, the median over the rounds.

    python bench/quotes.py                      # scrapinghub and wcxb-articles-dev, 5 rounds
    python bench/quotes.py --sets scrapinghub --rounds 9
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from newsarchive.evaluate import EvalPage, load_dataset
from newsarchive.extract import article as article_module
from newsarchive.extract import extract_article
from newsarchive.models import Quote

ROOT = Path(__file__).resolve().parent.parent
SETS = ("scrapinghub", "wcxb-articles-dev")


class TimedQuotes:
    """The quotation finder, counting the CPU seconds spent in it."""

    def __init__(self, finder: Callable[[list[str]], list[Quote]]) -> None:
        self.finder = finder
        self.seconds = 0.0

    def __call__(self, paragraphs: list[str]) -> list[Quote]:
        started = time.process_time()
        try:
            return self.finder(paragraphs)
        finally:
            self.seconds += time.process_time() - started


def extract_all(pages: Sequence[EvalPage]) -> float:
    """Seconds of CPU to extract every page (failures count too: they cost the same)."""
    started = time.process_time()
    for page in pages:
        with contextlib.suppress(Exception):  # a failed page still took its time
            extract_article(page.html, page.url)
    return time.process_time() - started


def measure(pages: Sequence[EvalPage], rounds: int) -> tuple[float, float, float]:
    """Median seconds of extraction, of quotation finding within it, and of its share."""
    real = article_module.find_quotes
    totals: list[float] = []
    quotes: list[float] = []
    try:
        for _ in range(rounds):
            timed = TimedQuotes(real)
            article_module.find_quotes = timed
            totals.append(extract_all(pages))
            quotes.append(timed.seconds)
    finally:
        article_module.find_quotes = real
    shares = [part / total for part, total in zip(quotes, totals, strict=True) if total]
    return statistics.median(totals), statistics.median(quotes), statistics.median(shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    print(f"{'set':20} {'pages':>5} {'extraction':>11} {'quotes':>8} {'quotes share':>13}")
    for name in args.sets.split(","):
        pages = list(load_dataset(args.datasets / name))
        extract_all(pages[:20])  # warm caches and lazy imports before timing
        total, quotes, share = measure(pages, args.rounds)
        print(f"{name:20} {len(pages):5} {total:10.2f}s {quotes:7.2f}s {share:12.1%}")


if __name__ == "__main__":
    main()
