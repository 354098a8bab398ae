"""Compare newsarchive's extraction with readability-lxml alone and trafilatura on benchmark sets.

    python bench/extraction.py [--sets scrapinghub,wcxb-articles-dev,trafilatura-eval,dates]
                               [--limit N] [--datasets ../shared/datasets] [--tools newsarchive]

Each set's pages are read into memory once, then every tool runs on them; only the extraction
calls are timed, in wall-clock and in CPU seconds (pages/CPU s: what a machine busy with other
work does not inflate), and each tool's seconds per page are given as p50, p99 and max, with
newsarchive's slowest pages listed last. trafilatura is not a dependency of newsarchive: ``pip install trafilatura`` to
include it. Scoring is newsarchive.evaluate's, so figures match ``newsarchive eval``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not

from newsarchive.evaluate import EvalPage, EvalReport, Extractor, evaluate_pages, load_dataset  # noqa: E402
from newsarchive.models import Article  # noqa: E402

SETS = ("scrapinghub", "wcxb-articles-dev", "trafilatura-eval", "dates")
METADATA_FIELDS = ("title", "author", "date")
BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
MISSING = "—"


@dataclass(frozen=True)
class Tool:
    """An extractor factory; ``make(needs_metadata)`` returns the extractor, or None if absent."""

    name: str
    make: Callable[[bool], Extractor | None]
    has_dates: bool = True
    has_authors: bool = True


# --- readability-lxml alone --------------------------------------------------------------


def block_text(fragment: str) -> str:
    """HTML to text with one line per block element."""
    import lxml.html

    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def readability_article(html: str, url: str | None) -> Article:
    from readability import Document

    document = Document(html)
    text = block_text(document.summary(html_partial=True))
    return Article(headline=document.short_title() or None, text=text)


def make_readability(needs_metadata: bool) -> Extractor:
    return readability_article


# --- trafilatura -------------------------------------------------------------------------


def make_trafilatura(needs_metadata: bool) -> Extractor | None:
    """Plain text when only the body is scored; JSON with metadata when the set has any."""
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed: pip install trafilatura", file=sys.stderr)
        return None

    def extract(html: str, url: str | None) -> Article:
        if not needs_metadata:
            text = trafilatura.extract(html, url=url, include_comments=False, output_format="txt")
            return Article(text=text or "")
        found = trafilatura.extract(
            html, url=url, include_comments=False, output_format="json", with_metadata=True
        )
        data = json.loads(found) if found else {}
        author = data.get("author")  # several authors come joined with "; "
        return Article(
            headline=data.get("title"),
            authors=[author] if author else [],
            published=data.get("date"),
            text=data.get("text") or "",
        )

    return extract


# --- newsarchive -------------------------------------------------------------------------


def make_newsarchive(needs_metadata: bool) -> Extractor | None:
    try:
        from newsarchive.extract import extract_article
    except ImportError as error:
        print(f"newsarchive.extract_article unavailable ({error})", file=sys.stderr)
        return None
    return extract_article


TOOLS = (
    Tool("readability", make_readability, has_dates=False, has_authors=False),
    Tool("trafilatura", make_trafilatura),
    Tool("newsarchive", make_newsarchive),
)


# --- running and the table ---------------------------------------------------------------


def run_set(
    name: str, pages: Sequence[EvalPage], tools: Sequence[str]
) -> dict[str, EvalReport | None]:
    """The ``tools`` on one set's pages; a tool not run or not installed gets None."""
    needs_metadata = any(field in page.truth for page in pages for field in METADATA_FIELDS)
    reports: dict[str, EvalReport | None] = {tool.name: None for tool in TOOLS}
    for tool in (tool for tool in TOOLS if tool.name in tools):
        print(f"{name}: {tool.name} ...", file=sys.stderr, flush=True)
        extractor = tool.make(needs_metadata)
        reports[tool.name] = evaluate_pages(pages, extractor, name) if extractor else None
    return reports


def rows_for(name: str, reports: dict[str, EvalReport | None]) -> list[list[str]]:
    """Table rows for one set: a label, then one cell per tool."""
    sample = next((r for r in reports.values() if r is not None), None)
    if sample is None:
        return []
    measures = _measures(sample)
    return [
        [f"{name} {label}", *(_cell(reports[t.name], t, key) for t in TOOLS)]
        for label, key in measures
    ]


def _measures(report: EvalReport) -> list[tuple[str, str]]:
    measures = []
    if report.body:
        measures += [("body F1", "body.f1"), ("mean page F1", "body.mean_page_f1")]
    if report.snippets:
        measures.append(("snippet F1", "snippets.f1"))
    if report.dates:
        measures.append(("date accuracy", "dates.accuracy"))
    if report.headlines:
        measures.append(("headline exact", "headlines.accuracy"))
    if report.authors:
        measures.append(("author exact", "authors.accuracy"))
    timing = [
        ("p50 s/page", "timing.p50"),
        ("p99 s/page", "timing.p99"),
        ("max s/page", "timing.max"),
    ]
    return [
        *measures,
        ("failures", "failures"),
        ("pages/s", "pages_per_second"),
        ("pages/CPU s", "pages_per_cpu_second"),
        *timing,
    ]


def _cell(report: EvalReport | None, tool: Tool, key: str) -> str:
    if report is None:
        return "n/a"
    if (key.startswith("dates.") and not tool.has_dates) or (
        key.startswith("authors.") and not tool.has_authors
    ):
        return MISSING
    value: object = report
    for part in key.split("."):
        value = getattr(value, part)
    if key == "failures":
        return str(value)
    return f"{value:.1f}" if key.startswith("pages_per") else f"{value:.3f}"


def format_table(rows: list[list[str]]) -> str:
    header = ["measure", *(tool.name for tool in TOOLS)]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    return "\n".join([*lines, *(_line(row, widths) for row in rows)])


def _line(cells: list[str], widths: list[int]) -> str:
    first = cells[0].ljust(widths[0])
    return " | ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--limit", type=int, default=None, help="pages per set")
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--tools", default=",".join(tool.name for tool in TOOLS))
    args = parser.parse_args(argv)
    rows, slowest = [], []
    for name in args.sets.split(","):
        pages = list(load_dataset(args.datasets / name, args.limit))
        reports = run_set(name, pages, args.tools.split(","))
        rows += rows_for(name, reports)
        slowest += _slowest(name, reports.get("newsarchive"))
    print(format_table(rows))
    print("\nslowest pages for newsarchive (seconds):")
    print("\n".join(slowest))


def _slowest(name: str, report: EvalReport | None, count: int = 5) -> list[str]:
    if report is None:
        return []
    return [f"  {seconds:6.2f}  {name}/{page}" for page, seconds in report.timing.slowest[:count]]


if __name__ == "__main__":
    main()
