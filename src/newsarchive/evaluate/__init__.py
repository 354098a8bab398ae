"""Measure extraction against benchmark pages with ground truth.

``scoring`` holds the metrics, pure functions that can score any tool's output; ``runner`` loads
a dataset, runs an extractor over it and formats the report. Everything public is importable
from here.
"""

from __future__ import annotations

from newsarchive.evaluate.runner import (
    EvalPage,
    EvalReport,
    Extractor,
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
    "SHINGLE_SIZE",
    "AccuracyScore",
    "BodyScore",
    "EvalPage",
    "EvalReport",
    "Extractor",
    "MatchScore",
    "PageResult",
    "ShingleCounts",
    "SnippetCounts",
    "SnippetScore",
    "Snippets",
    "author_names",
    "authors_match",
    "body_counts",
    "date_matches",
    "evaluate",
    "evaluate_pages",
    "format_report",
    "headline_matches",
    "load_dataset",
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
