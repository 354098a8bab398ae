"""Measure extraction against benchmark pages with ground truth, or quotes against a quote set.

``scoring`` and ``quotes`` hold the metrics, pure functions that can score any tool's output;
``runner`` loads a dataset of pages, runs an extractor over it and formats the report;
``quoteset`` does the same for a quote set. Everything public is importable from here.
"""

from __future__ import annotations

from pathlib import Path

from newsarchive.errors import InputError
from newsarchive.evaluate.quoteset import (
    QUOTE_SET_FILE,
    ArticleResult,
    QuoteReport,
    QuoteSetArticle,
    evaluate_quote_set,
    format_quote_report,
    is_quote_set,
    load_quote_set,
    score_articles,
)
from newsarchive.evaluate.runner import (
    EvalPage,
    EvalReport,
    Extractor,
    OnProgress,
    PageResult,
    evaluate,
    evaluate_pages,
    format_report,
    load_dataset,
    snippet_haystack,
)
from newsarchive.evaluate.scoring import (
    SHINGLE_SIZE,
    AccuracyScore,
    BodyScore,
    MatchScore,
    ShingleCounts,
    SnippetCounts,
    Snippets,
    SnippetScore,
    author_names,
    authors_match,
    body_counts,
    date_matches,
    headline_matches,
    score_authors,
    score_body,
    score_dates,
    score_headlines,
    score_snippets,
    shingles,
    snippet_counts,
    summarise_body,
    summarise_snippets,
    token_f1,
)

__all__ = [
    "QUOTE_SET_FILE",
    "SHINGLE_SIZE",
    "AccuracyScore",
    "ArticleResult",
    "BodyScore",
    "EvalPage",
    "EvalReport",
    "Extractor",
    "MatchScore",
    "OnProgress",
    "PageResult",
    "QuoteReport",
    "QuoteSetArticle",
    "ShingleCounts",
    "SnippetCounts",
    "SnippetScore",
    "Snippets",
    "author_names",
    "authors_match",
    "body_counts",
    "date_matches",
    "evaluate",
    "evaluate_folder",
    "evaluate_pages",
    "evaluate_quote_set",
    "format_quote_report",
    "format_report",
    "headline_matches",
    "is_quote_set",
    "load_dataset",
    "load_quote_set",
    "report_text",
    "score_articles",
    "score_authors",
    "score_body",
    "score_dates",
    "score_headlines",
    "score_snippets",
    "shingles",
    "snippet_counts",
    "snippet_haystack",
    "summarise_body",
    "summarise_snippets",
    "token_f1",
]


def evaluate_folder(
    path: Path, limit: int | None = None, worst: int = 10, progress: OnProgress | None = None
) -> EvalReport | QuoteReport:
    """Score the extractor on a folder: a quote set when it holds ``quotes.jsonl.gz``, else
    pages with ground truth (``ground-truth.json`` and ``html/``). ``progress(done, total)``
    is called after each page or article (total None when not known)."""
    if is_quote_set(path):
        return evaluate_quote_set(path, limit=limit, worst=worst, progress=progress)
    if not (Path(path) / "ground-truth.json").is_file():
        raise InputError(
            f"{path}: not a dataset folder (no ground-truth.json, no {QUOTE_SET_FILE})"
        )
    return evaluate(path, limit=limit, worst=worst, progress=progress)


def report_text(report: EvalReport | QuoteReport) -> str:
    """The plain-text report of either kind of evaluation."""
    if isinstance(report, QuoteReport):
        return format_quote_report(report)
    return format_report(report)
