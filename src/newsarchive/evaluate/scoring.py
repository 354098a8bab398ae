"""The metrics: pure functions, so that a benchmark script can score any tool's output.

- ``articleBody``: body precision / recall / F1 on 4-token shingles, the method of the
  article-extraction-benchmark, plus the mean per-page F1.
- ``with`` / ``without``: snippet counts, trafilatura's method.
- ``date``: the first 10 characters of the predicted date must equal the truth.
- ``title`` / ``author``: exact match after case and whitespace folding, and token F1; a title
  also after folding typographic quote marks (pages type ’, truths often '; the extractor
  keeps what the page has).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsarchive.extract.headlines import fold_marks

Snippets = tuple[Sequence[str], Sequence[str]]

_TOKEN = re.compile(r"\w+")
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:[,;&|]|\band\b)\s*", re.IGNORECASE)
_DOCTORATE = re.compile(r"\s*ph\.? ?d\.?\s*", re.IGNORECASE)
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class ShingleCounts:
    """Shingle overlap on one page: matched, predicted only, truth only."""

    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """Page F1; zero when either side is empty (a failed page scores nothing)."""
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass(frozen=True)
class BodyScore:
    pages: int
    precision: float
    recall: float
    f1: float
    mean_page_f1: float


@dataclass(frozen=True)
class SnippetCounts:
    """Snippet outcomes on one page, with the snippets that went wrong (to show a developer)."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    missing: tuple[str, ...] = ()
    unwanted: tuple[str, ...] = ()


@dataclass(frozen=True)
class SnippetScore:
    pages: int
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float
    recall: float
    f1: float
    accuracy: float


@dataclass(frozen=True)
class AccuracyScore:
    pages: int
    correct: int
    accuracy: float


@dataclass(frozen=True)
class MatchScore:
    """Exact matches after folding, and the mean token F1, over pages whose truth has a value."""

    pages: int
    exact: int
    accuracy: float
    token_f1: float


# --- body --------------------------------------------------------------------------------


def shingles(text: str) -> Counter[str]:
    """Overlapping 4-token shingles of ``\\w+`` tokens; a shorter text is one shingle."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - SHINGLE_SIZE + 1)
    return Counter(" ".join(tokens[i : i + SHINGLE_SIZE]) for i in range(count))


def body_counts(prediction: str, truth: str) -> ShingleCounts:
    """Compare one page's extracted text with its true body, shingle by shingle."""
    predicted, expected = shingles(prediction), shingles(truth)
    tp = sum((predicted & expected).values())
    return ShingleCounts(tp, predicted.total() - tp, expected.total() - tp)


def summarise_body(counts: Sequence[ShingleCounts]) -> BodyScore:
    """Precision averages pages with a prediction, recall pages with a truth; F1 joins the means."""
    precision = _mean([c.tp / (c.tp + c.fp) for c in counts if c.tp + c.fp])
    recall = _mean([c.tp / (c.tp + c.fn) for c in counts if c.tp + c.fn])
    mean_page_f1 = _mean([c.f1 for c in counts if c.tp + c.fn])
    return BodyScore(len(counts), precision, recall, _harmonic(precision, recall), mean_page_f1)


def score_body(pairs: Iterable[tuple[str, str]]) -> BodyScore:
    """Score (extracted text, true body) pairs with the article-extraction-benchmark method."""
    return summarise_body([body_counts(prediction, truth) for prediction, truth in pairs])


# --- snippets ----------------------------------------------------------------------------


def snippet_counts(output: str, wanted: Sequence[str], unwanted: Sequence[str]) -> SnippetCounts:
    """Count which snippets occur in ``output``, whitespace folded on both sides."""
    haystack = _fold_space(output)
    found_wanted = [_fold_space(s) in haystack for s in wanted]
    found_unwanted = [_fold_space(s) in haystack for s in unwanted]
    return SnippetCounts(
        tp=sum(found_wanted),
        fn=found_wanted.count(False),
        fp=sum(found_unwanted),
        tn=found_unwanted.count(False),
        missing=tuple(s for s, hit in zip(wanted, found_wanted, strict=True) if not hit),
        unwanted=tuple(s for s, hit in zip(unwanted, found_unwanted, strict=True) if hit),
    )


def summarise_snippets(counts: Sequence[SnippetCounts]) -> SnippetScore:
    """Sum the counts over pages, then derive precision, recall, F1 and accuracy."""
    tp, fp = sum(c.tp for c in counts), sum(c.fp for c in counts)
    tn, fn = sum(c.tn for c in counts), sum(c.fn for c in counts)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    accuracy = ratio(tp + tn, tp + fp + tn + fn)
    return SnippetScore(
        len(counts), tp, fp, tn, fn, precision, recall, _harmonic(precision, recall), accuracy
    )


def score_snippets(pairs: Iterable[tuple[str, Snippets]]) -> SnippetScore:
    """Score (output, (with snippets, without snippets)) pairs with trafilatura's method."""
    return summarise_snippets([snippet_counts(out, w, wo) for out, (w, wo) in pairs])


# --- dates, headlines, authors -----------------------------------------------------------


def date_matches(prediction: str | None, truth: str) -> bool:
    """The answer's first 10 characters (YYYY-MM-DD) must equal the truth's."""
    return bool(prediction) and prediction[:10] == truth[:10]


def score_dates(pairs: Iterable[tuple[str | None, str]]) -> AccuracyScore:
    """Accuracy over (predicted date, true date) pairs; pass only pages that have a true date."""
    hits = [date_matches(prediction, truth) for prediction, truth in pairs]
    return AccuracyScore(len(hits), sum(hits), ratio(sum(hits), len(hits)))


def token_f1(prediction: str, truth: str) -> float:
    """F1 of the case-folded ``\\w+`` token multisets."""
    predicted = Counter(_TOKEN.findall(prediction.casefold()))
    expected = Counter(_TOKEN.findall(truth.casefold()))
    common = sum((predicted & expected).values())
    return ratio(2 * common, predicted.total() + expected.total())


def headline_matches(prediction: str | None, truth: str) -> bool:
    """Equal after folding case, whitespace and typographic quote marks."""
    return _fold(fold_marks(prediction or "")) == _fold(fold_marks(truth))


def score_headlines(pairs: Iterable[tuple[str | None, str]]) -> MatchScore:
    """Score (headline, true title) pairs; pass only pages whose truth has a title."""
    return _match_score([(headline_matches(p, t), token_f1(p or "", t)) for p, t in pairs])


def author_names(text: str) -> list[str]:
    """Split an author line the way wcxb writes several: ``A, B and C``, ``A & B``, ``A; B``.

    Credentials (``Jane Doe, MD, FACP``, ``Jane Doe, Ph.D.``) are no names: where the line
    writes names in small letters, a part in capitals or a doctorate is left out, on both
    sides, so "Jane Doe" names the same person as "Jane Doe, MD".
    """
    parts = [part for part in _AUTHOR_SEPARATOR.split(text) if part.strip()]
    if not all(map(_is_credential, parts)):
        parts = [part for part in parts if not _is_credential(part)]
    return sorted(_fold(part) for part in parts)


def _is_credential(part: str) -> bool:
    return part == part.upper() or _DOCTORATE.fullmatch(part) is not None


def authors_match(prediction: Sequence[str], truth: str) -> bool:
    """The predicted names, joined, name the same people as the truth's author line (any order)."""
    return bool(prediction) and author_names(", ".join(prediction)) == author_names(truth)


def score_authors(pairs: Iterable[tuple[Sequence[str], str]]) -> MatchScore:
    """Score (author list, true author line) pairs; pass only pages whose truth has an author."""
    return _match_score([(authors_match(p, t), token_f1(", ".join(p), t)) for p, t in pairs])


def _match_score(results: Sequence[tuple[bool, float]]) -> MatchScore:
    exact = sum(hit for hit, _ in results)
    f1 = _mean([f1 for _, f1 in results])
    return MatchScore(len(results), exact, ratio(exact, len(results)), f1)


# --- small helpers -----------------------------------------------------------------------


def _fold_space(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _fold_space(text).casefold()


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0 when there is nothing to divide by."""
    return numerator / denominator if denominator else 0.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _harmonic(a: float, b: float) -> float:
    return ratio(2 * a * b, a + b)
