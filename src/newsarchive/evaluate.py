"""Measure extraction against benchmark pages with ground truth.

A dataset is a folder holding ``ground-truth.json`` (``{"<id>": {"url": ..., <truth fields>}}``)
and ``html/<id>.html.gz`` (gzipped UTF-8). Which metrics apply follows from the truth fields:

- ``articleBody``: body precision / recall / F1 on 4-token shingles, the method of the
  article-extraction-benchmark, plus the mean per-page F1.
- ``with`` / ``without``: snippet counts, trafilatura's method. Snippets are searched in the
  headline followed by the text, because that benchmark treats the title as part of the main
  content and our extractor keeps the headline out of ``Article.text``.
- ``date``: the first 10 characters of ``Article.published`` must equal the truth.
- ``title`` / ``author``: exact match after case and whitespace folding, and token F1.

The scorers are pure functions so that a benchmark script can score any tool's output.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from newsarchive.errors import InputError
from newsarchive.models import Article

log = logging.getLogger(__name__)

Extractor = Callable[[str, str | None], Article]
Snippets = tuple[Sequence[str], Sequence[str]]

_TOKEN = re.compile(r"\w+")
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:[,;&|]|\band\b)\s*", re.IGNORECASE)
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class EvalPage:
    """One benchmark page: its id, address, decoded HTML and the whole truth record."""

    id: str
    url: str | None
    html: str
    truth: dict[str, Any]


@dataclass(frozen=True)
class ShingleCounts:
    """Shingle overlap on one page: matched, predicted only, truth only."""

    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """Page F1; zero when either side is empty (a failed page scores nothing)."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


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


@dataclass(frozen=True)
class PageResult:
    """One page's outcome: ``score`` is its body F1, else its share of right snippets, else 0/1
    for its date; ``note`` says what went wrong."""

    id: str
    url: str | None
    score: float
    body_f1: float | None = None
    snippet_misses: int | None = None
    note: str = ""


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    pages: int
    failures: int
    seconds: float
    body: BodyScore | None = None
    snippets: SnippetScore | None = None
    dates: AccuracyScore | None = None
    headlines: MatchScore | None = None
    authors: MatchScore | None = None
    worst: tuple[PageResult, ...] = ()

    @property
    def pages_per_second(self) -> float:
        """Extraction speed; only the extractor calls are timed, not reading or scoring."""
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; metrics that do not apply to the dataset are ``None``."""
        return {**asdict(self), "pages_per_second": self.pages_per_second}


@dataclass(frozen=True)
class _Outcome:
    page: EvalPage
    article: Article
    seconds: float
    error: str | None


# --- loading -----------------------------------------------------------------------------


def load_dataset(path: Path, limit: int | None = None) -> Iterator[EvalPage]:
    """Yield the pages of a dataset folder in sorted id order, reading one page at a time."""
    truth = _read_truth(path)
    for page_id in sorted(truth)[:limit]:
        record = truth[page_id]
        html = _read_page(path / "html" / f"{page_id}.html.gz")
        yield EvalPage(id=page_id, url=record.get("url"), html=html, truth=record)


def _read_truth(path: Path) -> dict[str, dict[str, Any]]:
    truth_file = path / "ground-truth.json"
    if not truth_file.is_file():
        raise InputError(f"{path}: not a dataset folder (no ground-truth.json)")
    if not (path / "html").is_dir():
        raise InputError(f"{path}: not a dataset folder (no html/ folder)")
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise InputError(f"{truth_file}: unreadable ground truth ({error})") from error
    if not isinstance(truth, dict):
        raise InputError(f"{truth_file}: expected an object mapping page ids to truth records")
    return truth


def _read_page(path: Path) -> str:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise InputError(f"{path}: cannot read page ({error})") from error
    # The pages were re-encoded as UTF-8; a <meta charset> inside them may be stale.
    return data.decode("utf-8", errors="replace")


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
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    accuracy = _ratio(tp + tn, tp + fp + tn + fn)
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
    return AccuracyScore(len(hits), sum(hits), _ratio(sum(hits), len(hits)))


def token_f1(prediction: str, truth: str) -> float:
    """F1 of the case-folded ``\\w+`` token multisets."""
    predicted = Counter(_TOKEN.findall(prediction.casefold()))
    expected = Counter(_TOKEN.findall(truth.casefold()))
    common = sum((predicted & expected).values())
    return _ratio(2 * common, predicted.total() + expected.total())


def headline_matches(prediction: str | None, truth: str) -> bool:
    """Equal after case folding and collapsing whitespace."""
    return _fold(prediction or "") == _fold(truth)


def score_headlines(pairs: Iterable[tuple[str | None, str]]) -> MatchScore:
    """Score (headline, true title) pairs; pass only pages whose truth has a title."""
    return _match_score([(headline_matches(p, t), token_f1(p or "", t)) for p, t in pairs])


def author_names(text: str) -> list[str]:
    """Split an author line the way wcxb writes several: ``A, B and C``, ``A & B``, ``A; B``.

    Credentials (``Jane Doe, MD``) split off too, on both sides, so they compare consistently.
    """
    names = (_fold(name) for name in _AUTHOR_SEPARATOR.split(text))
    return sorted(name for name in names if name)


def authors_match(prediction: Sequence[str], truth: str) -> bool:
    """The predicted names, joined, name the same people as the truth's author line (any order)."""
    return bool(prediction) and author_names(", ".join(prediction)) == author_names(truth)


def score_authors(pairs: Iterable[tuple[Sequence[str], str]]) -> MatchScore:
    """Score (author list, true author line) pairs; pass only pages whose truth has an author."""
    return _match_score([(authors_match(p, t), token_f1(", ".join(p), t)) for p, t in pairs])


def _match_score(results: Sequence[tuple[bool, float]]) -> MatchScore:
    exact = sum(hit for hit, _ in results)
    f1 = _mean([f1 for _, f1 in results])
    return MatchScore(len(results), exact, _ratio(exact, len(results)), f1)


# --- running an extractor ----------------------------------------------------------------


def evaluate(
    path: Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    worst: int = 10,
) -> EvalReport:
    """Run ``extractor`` (default: ``newsarchive.extract_article``) on a dataset and score it."""
    if extractor is None:
        from newsarchive import extract_article  # imported late: extraction is optional here

        extractor = extract_article
    pages = load_dataset(Path(path), limit)
    return evaluate_pages(pages, extractor, dataset=Path(path).resolve().name, worst=worst)


def evaluate_pages(
    pages: Iterable[EvalPage], extractor: Extractor, dataset: str = "", worst: int = 10
) -> EvalReport:
    """Score ``extractor`` on pages already loaded (a benchmark reuses them across tools)."""
    outcomes = [_run(extractor, page) for page in pages]
    return EvalReport(
        dataset=dataset,
        pages=len(outcomes),
        failures=sum(o.error is not None for o in outcomes),
        seconds=sum(o.seconds for o in outcomes),
        **_metrics(outcomes),
        worst=_worst(outcomes, worst),
    )


def _run(extractor: Extractor, page: EvalPage) -> _Outcome:
    """Extract one page; any exception is a failure scored as an empty prediction."""
    started = time.perf_counter()
    try:
        article, error = extractor(page.html, page.url), None
    except Exception as exc:  # a crashing page must not stop the evaluation
        log.info("page %s failed: %s", page.id, exc)
        article, error = Article(), f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    # Keep only what is scored, so a streamed dataset never sits in memory whole.
    return _Outcome(replace(page, html=""), replace(article, html="", removed=[]), seconds, error)


def _metrics(outcomes: Sequence[_Outcome]) -> dict[str, Any]:
    body = [_body(o) for o in outcomes if "articleBody" in o.page.truth]
    snippets = [_snippets(o) for o in outcomes if _has_snippets(o.page.truth)]
    dated = [o for o in outcomes if o.page.truth.get("date")]
    titled = [o for o in outcomes if o.page.truth.get("title")]
    authored = [o for o in outcomes if o.page.truth.get("author")]
    return {
        "body": summarise_body(body) if body else None,
        "snippets": summarise_snippets(snippets) if snippets else None,
        "dates": score_dates(_pairs(dated, "published", "date")) if dated else None,
        "headlines": score_headlines(_pairs(titled, "headline", "title")) if titled else None,
        "authors": score_authors(_pairs(authored, "authors", "author")) if authored else None,
    }


def _pairs(outcomes: Sequence[_Outcome], attribute: str, field: str) -> list[tuple[Any, Any]]:
    return [(getattr(o.article, attribute), o.page.truth[field]) for o in outcomes]


def _body(outcome: _Outcome) -> ShingleCounts:
    return body_counts(outcome.article.text, outcome.page.truth["articleBody"] or "")


def _has_snippets(truth: dict[str, Any]) -> bool:
    return "with" in truth or "without" in truth


def _snippets(outcome: _Outcome) -> SnippetCounts:
    truth = outcome.page.truth
    return snippet_counts(
        snippet_haystack(outcome.article), truth.get("with") or (), truth.get("without") or ()
    )


def snippet_haystack(article: Article) -> str:
    """What snippets are searched in: the headline, then the text."""
    return "\n".join(part for part in (article.headline, article.text) if part)


def _worst(outcomes: Sequence[_Outcome], count: int) -> tuple[PageResult, ...]:
    results = [_page_result(outcome) for outcome in outcomes]
    return tuple(sorted(results, key=lambda result: (result.score, result.id))[:count])


def _page_result(outcome: _Outcome) -> PageResult:
    page, truth = outcome.page, outcome.page.truth
    body_f1 = _body(outcome).f1 if "articleBody" in truth else None
    snippets = _snippets(outcome) if _has_snippets(truth) else None
    misses = snippets.fn + snippets.fp if snippets else None
    score = _page_score(outcome, body_f1, snippets)
    note = outcome.error or _note(outcome, snippets)
    return PageResult(page.id, page.url, score, body_f1, misses, note)


def _page_score(outcome: _Outcome, body_f1: float | None, snippets: SnippetCounts | None) -> float:
    if outcome.error is not None:
        return 0.0
    if body_f1 is not None:
        return body_f1
    if snippets is not None:
        right = snippets.tp + snippets.tn
        return _ratio(right, right + snippets.fp + snippets.fn)
    truth_date = outcome.page.truth.get("date")
    return float(not truth_date or date_matches(outcome.article.published, truth_date))


def _note(outcome: _Outcome, snippets: SnippetCounts | None) -> str:
    parts = []
    if snippets and snippets.missing:
        parts.append("missing " + "; ".join(repr(_clip(s)) for s in snippets.missing))
    if snippets and snippets.unwanted:
        parts.append("unwanted " + "; ".join(repr(_clip(s)) for s in snippets.unwanted))
    truth_date = outcome.page.truth.get("date")
    if truth_date and not date_matches(outcome.article.published, truth_date):
        parts.append(f"date {outcome.article.published} != {truth_date}")
    if snippets is not None and not outcome.article.text:
        parts.append("no text")
    return ", ".join(parts)


# --- rendering ---------------------------------------------------------------------------


def format_report(report: EvalReport) -> str:
    """A plain-text table of the metrics that apply, then the worst pages."""
    lines = [
        f"{report.dataset or 'dataset'}: {report.pages} pages, {report.failures} failed, "
        f"{report.pages_per_second:.1f} pages/s",
        "",
        *(f"  {name:<22} {value}" for name, value in _rows(report)),
    ]
    if report.worst:
        lines += ["", "worst pages:"]
        lines += [_format_page(result) for result in report.worst]
    return "\n".join(lines)


def _rows(report: EvalReport) -> list[tuple[str, str]]:
    rows = []
    if report.body:
        b = report.body
        rows += [("body precision", f"{b.precision:.3f}"), ("body recall", f"{b.recall:.3f}")]
        rows += [("body F1", f"{b.f1:.3f}"), ("mean page F1", f"{b.mean_page_f1:.3f}")]
    if report.snippets:
        s = report.snippets
        rows += [("snippet precision", f"{s.precision:.3f}"), ("snippet recall", f"{s.recall:.3f}")]
        rows += [("snippet F1", f"{s.f1:.3f}"), ("snippet accuracy", f"{s.accuracy:.3f}")]
    if report.dates:
        d = report.dates
        rows.append(("date accuracy", f"{d.accuracy:.3f} ({d.correct}/{d.pages})"))
    for name, match in (("headline", report.headlines), ("author", report.authors)):
        if match:
            rows.append((f"{name} exact", f"{match.accuracy:.3f} ({match.exact}/{match.pages})"))
            rows.append((f"{name} token F1", f"{match.token_f1:.3f}"))
    return rows


def _format_page(result: PageResult) -> str:
    line = f"  {result.score:.2f}  {result.id}  {result.url or ''}"
    return f"{line}\n        {result.note}" if result.note else line


# --- small helpers -----------------------------------------------------------------------


def _fold_space(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _fold_space(text).casefold()


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _harmonic(a: float, b: float) -> float:
    return _ratio(2 * a * b, a + b)
