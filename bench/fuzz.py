"""Worst-case extraction time on hostile pages, generated here (nothing is stored).

    python bench/fuzz.py [--runs 3] [--only NAME[,NAME...]] [--list]

Each page goes through the pipeline's extraction (``extract_capture``, as ``add`` and
``import`` run it, time budget included) in this process; the table gives each page's size,
the median of ``--runs`` timings (wall clock, and CPU: on a busy shared machine the wall clock
can be twice the CPU time), its status and what was found. The goal: no page under 2 MB takes
more than 2 s. Pages that raise are reported, not timed. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not

from newsarchive.extract import extract_capture  # noqa: E402
from newsarchive.models import Article, FetchResult  # noqa: E402

URL = "https://www.example-news.com/2024/05/story.html"
SENTENCE = "The harbour council met again on Tuesday to argue about the bridge and the ferry."


def page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>Hostile page</title>{head}</head>"
        f"<body><article><h1>Hostile page</h1>{body}</article></body></html>"
    )


def json_ld(data: object | str) -> str:
    text = data if isinstance(data, str) else json.dumps(data)
    return f'<script type="application/ld+json">{text}</script>'


def story(paragraphs: int = 6) -> str:
    return f"<p>{SENTENCE}</p>" * paragraphs


def quote_marks(count: int) -> str:
    """The issue's case: ``'"a" ' * n + 'said John Smith.'``."""
    return page("<p>" + '"a" ' * count + "said John Smith.</p>")


def nested_ld(depth: int) -> str:
    inner = {"@type": "NewsArticle", "headline": "Deep", "author": {"name": "Jane Doe"}}
    return page(story(), json_ld("[" * depth + json.dumps(inner) + "]" * depth))


def graph_ld(depth: int) -> str:
    text = '{"@graph": ' * depth + '{"@type": "NewsArticle"}' + "}" * depth
    return page(story(), json_ld(text))


def authors_ld(count: int) -> str:
    people = [{"@type": "Person", "name": f"Author Number{n} Smith"} for n in range(count)]
    return page(story(), json_ld({"@type": "NewsArticle", "headline": "H", "author": people}))


def dates_in_text(count: int) -> str:
    days = " ".join(f"{1 + n % 28} March 20{n % 30:02d}," for n in range(count))
    return page(f"<p>{days}</p>")


# Each case: name -> page. Sizes stay under 2 MB.
CASES: dict[str, Callable[[], str]] = {
    "quote marks 19 KB": lambda: quote_marks(4_700),
    "quote marks 35 KB": lambda: quote_marks(8_700),
    "quote marks 200 KB": lambda: quote_marks(50_000),
    "curly quotes 400 KB": lambda: page(f"<p>{'“a” ' * 100_000}said John Smith.</p>"),
    "quote pairs in paragraphs": lambda: page(
        "".join(f'<p>"Quote {n}," said Jane Doe{n}. "More."</p>' for n in range(20_000))
    ),
    "div>p x 40,000": lambda: page("<div><p>Some words in a paragraph here.</p></div>" * 40_000),
    "p x 60,000": lambda: page("<p>Some words in a paragraph, and more words.</p>" * 60_000),
    "x<br> x 300,000": lambda: page("x<br>" * 300_000),
    "nested div x 100,000": lambda: page("<div>" * 100_000 + story() + "</div>" * 100_000),
    "unclosed div x 200,000": lambda: page("<div>" * 200_000 + story()),
    "nested span x 100,000": lambda: page("<p>" + "<span>a " * 100_000 + "</p>"),
    "table 100,000 cells": lambda: page("<table>" + "<tr><td>a</td><td>b</td></tr>" * 50_000),
    "li x 100,000": lambda: page("<ul>" + "<li><a href='/x'>link</a></li>" * 100_000 + "</ul>"),
    "links in one p": lambda: page("<p>" + "<a href='/x'>word</a> " * 80_000 + "</p>"),
    "one word 1.9 MB": lambda: page(f"<p>{'a' * 1_900_000}</p>"),
    "one paragraph 300k words": lambda: page(f"<p>{'word ' * 300_000}</p>"),
    "sentences 1.5 MB": lambda: page(f"<p>{(SENTENCE + ' ') * 18_000}</p>"),
    "JSON-LD [ x 100,000": lambda: page(story(), json_ld("[" * 100_000)),
    "JSON-LD nested list 900": lambda: nested_ld(900),
    "JSON-LD @graph 900": lambda: graph_ld(900),
    "JSON-LD 20,000 authors": lambda: authors_ld(20_000),
    "JSON-LD blocks x 5,000": lambda: page(story(), json_ld({"@type": "Thing"}) * 5_000),
    "meta tags x 20,000": lambda: page(story(), "<meta name='author' content='Jane Doe'>" * 20_000),
    "byline elements x 20,000": lambda: page(
        story() + "<span class='byline'>By Jane Doe</span>" * 20_000
    ),
    "time elements x 20,000": lambda: page(
        story() + "<time datetime='2024-05-01'>1 May 2024</time>" * 20_000
    ),
    "dates in text x 50,000": lambda: dates_in_text(50_000),
    "attributes x 50,000": lambda: page(
        "<p " + " ".join(f"a{n}='v'" for n in range(50_000)) + f">{SENTENCE}</p>"
    ),
    "class names 1 MB": lambda: page(f"<div class='{'comment share ' * 80_000}'>{story()}</div>"),
    "comments x 100,000": lambda: page(story() + "<!-- c -->" * 100_000),
    "entities 1.5 MB": lambda: page(f"<p>{'&amp;&#x41;&eacute; ' * 100_000}</p>"),
    "script 1.9 MB": lambda: page(story(), f"<script>{'var a = 1; ' * 190_000}</script>"),
    "headings x 50,000": lambda: page("<h2>Heading</h2><p>Word.</p>" * 50_000),
    "control characters": lambda: page(story() + "\x1b]0;title\x07\x1b[2J\x9b" * 50_000),
}


def measure(html: str, runs: int) -> tuple[float, float, Article | None, str]:
    """The median seconds (wall clock, CPU) of ``runs`` extractions, the last article, and an
    error if any. On a shared machine the CPU seconds are the steadier figure."""
    fetched = FetchResult(url=URL, final_url=URL, text=html, raw=html.encode("utf-8", "replace"))
    timings, cpu, article = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            article = extract_capture(fetched)
        except Exception as error:  # reported: the bench must go on
            spent = time.perf_counter() - started
            return (
                spent,
                time.process_time() - started_cpu,
                None,
                f"{type(error).__name__}: {error}"[:80],
            )
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(timings), statistics.median(cpu), article, ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timings per page (median shown)")
    parser.add_argument("--only", help="comma-separated case names (substrings)")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    args = parser.parse_args(argv)
    wanted = args.only.split(",") if args.only else None
    cases = {
        name: make
        for name, make in CASES.items()
        if wanted is None or any(part in name for part in wanted)
    }
    if args.list:
        print("\n".join(cases))
        return
    extract_capture(FetchResult(url=URL, final_url=URL, text=page(story()), raw=b"warm-up"))
    print(f"{'page':<28} {'KB':>6} {'seconds':>8} {'CPU s':>6}  {'status':<9} words quotes  error")
    worst = worst_cpu = 0.0
    for name, make in cases.items():
        html = make()
        seconds, cpu, article, error = measure(html, args.runs)
        worst, worst_cpu = max(worst, seconds), max(worst_cpu, cpu)
        found = f"{article.word_count:>5} {len(article.quotes):>6}" if article else " " * 12
        status = article.status if article else "-"
        row = f"{name:<28} {len(html) // 1024:>6} {seconds:>8.2f} {cpu:>6.2f}  {status:<9} {found}"
        print(f"{row}  {error}")
    print(f"\nmax seconds per page (median of {args.runs} runs): {worst:.2f} (CPU {worst_cpu:.2f})")


if __name__ == "__main__":
    main()
