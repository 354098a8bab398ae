"""What finding quotations and their speakers costs, as a share of extraction.

Extracts every page of the HTML sets twice in the same process, with quotation finding on and
with it replaced by a function that finds nothing, in alternating rounds; the difference is what
quotes cost. Prints, per set, the median seconds of each over the rounds and the share.

    python bench/quotes.py                      # scrapinghub and wcxb-articles-dev, 3 rounds
    python bench/quotes.py --sets scrapinghub --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from newsarchive.evaluate import EvalPage, load_dataset
from newsarchive.extract import article as article_module
from newsarchive.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
SETS = ("scrapinghub", "wcxb-articles-dev")


def extract_all(pages: Sequence[EvalPage]) -> float:
    """Seconds of CPU to extract every page (failures count too: they cost the same)."""
    started = time.process_time()
    for page in pages:
        with contextlib.suppress(Exception):  # a failed page still took its time
            extract_article(page.html, page.url)
    return time.process_time() - started


def measure(pages: Sequence[EvalPage], rounds: int) -> tuple[float, float]:
    """Median seconds with quotations found and without, over alternating rounds."""
    real = article_module.find_quotes
    with_quotes: list[float] = []
    without: list[float] = []
    for _ in range(rounds):
        with_quotes.append(extract_all(pages))
        article_module.find_quotes = lambda paragraphs: []
        try:
            without.append(extract_all(pages))
        finally:
            article_module.find_quotes = real
    return statistics.median(with_quotes), statistics.median(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    print(f"{'set':20} {'pages':>5} {'with quotes':>12} {'without':>9} {'quotes share':>13}")
    for name in args.sets.split(","):
        pages = list(load_dataset(args.datasets / name))
        extract_all(pages[:20])  # warm caches and lazy imports before timing
        full, bare = measure(pages, args.rounds)
        share = (full - bare) / full if full else 0.0
        print(f"{name:20} {len(pages):5} {full:11.2f}s {bare:8.2f}s {share:12.1%}")


if __name__ == "__main__":
    main()
