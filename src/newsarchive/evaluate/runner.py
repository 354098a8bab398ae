"""Running an extractor over a dataset and reporting how it scored.

A dataset is a folder holding ``ground-truth.json`` (``{"<id>": {"url": ..., <truth fields>}}``)
and ``html/<id>.html.gz`` (gzipped UTF-8). Which metrics apply follows from the truth fields
(see ``scoring``). Snippets are searched in the headline followed by the text, because
trafilatura's benchmark treats the title as part of the main content and our extractor keeps the
headline out of ``Article.text``.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from newsarchive.errors import InputError
from newsarchive.evaluate.scoring import (
    AccuracyScore,
    BodyScore,
    MatchScore,
    ShingleCounts,
    SnippetCounts,
    SnippetScore,
    body_counts,
    date_matches,
    ratio,
    score_authors,
    score_dates,
    score_headlines,
    snippet_counts,
    summarise_body,
    summarise_snippets,
)
from newsarchive.models import Article

log = logging.getLogger(__name__)

Extractor = Callable[[str, str | None], Article]


@dataclass(frozen=True)
class EvalPage:
    """One benchmark page: its id, address, decoded HTML and the whole truth record."""

    id: str
    url: str | None
    html: str
    truth: dict[str, Any]


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
class Timing:
    """Seconds per page: the median, the 99th percentile, the slowest, and the slowest pages."""

    p50: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    slowest: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    pages: int
    failures: int
    seconds: float
    cpu_seconds: float = 0.0  # the same calls' CPU time: what a busy machine does not inflate
    timing: Timing = Timing()
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

    @property
    def pages_per_cpu_second(self) -> float:
        return self.pages / self.cpu_seconds if self.cpu_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; metrics that do not apply to the dataset are ``None``."""
        return {
            **asdict(self),
            "pages_per_second": self.pages_per_second,
            "pages_per_cpu_second": self.pages_per_cpu_second,
        }


@dataclass(frozen=True)
class _Outcome:
    page: EvalPage
    article: Article
    seconds: float
    error: str | None
    cpu_seconds: float = 0.0


# --- loading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """The pages of a dataset folder in sorted id order, read one at a time as they are
    iterated; ``len()`` says how many without reading any (for a progress line)."""

    path: Path
    truth: dict[str, dict[str, Any]]
    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[EvalPage]:
        for page_id in self.ids:
            record = self.truth[page_id]
            html = _read_page(self.path / "html" / f"{page_id}.html.gz")
            yield EvalPage(id=page_id, url=record.get("url"), html=html, truth=record)


def load_dataset(path: Path, limit: int | None = None) -> Dataset:
    """The pages of a dataset folder (its ground truth is read now, each page when reached)."""
    truth = _read_truth(path)
    return Dataset(path, truth, sorted(truth)[:limit])


# Told how many pages or articles are done, and of how many (None: not known).
OnProgress = Callable[[int, "int | None"], None]


def counted(items: Iterable[Any], progress: OnProgress | None) -> Iterator[Any]:
    """``items``, calling ``progress(done, total)`` as each is handed on."""
    total = len(items) if isinstance(items, Sized) else None
    for done, item in enumerate(items, start=1):
        yield item
        if progress:
            progress(done, total)


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


# --- running an extractor ----------------------------------------------------------------


def evaluate(
    path: Path,
    extractor: Extractor | None = None,
    limit: int | None = None,
    worst: int = 10,
    progress: OnProgress | None = None,
) -> EvalReport:
    """Run ``extractor`` (default: ``newsarchive.extract_article``) on a dataset and score it;
    ``progress(done, total)`` is called after each page."""
    if extractor is None:
        from newsarchive import extract_article  # imported late: extraction is optional here

        extractor = extract_article
    pages = load_dataset(Path(path), limit)
    name = Path(path).resolve().name
    return evaluate_pages(pages, extractor, dataset=name, worst=worst, progress=progress)


def evaluate_pages(
    pages: Iterable[EvalPage],
    extractor: Extractor,
    dataset: str = "",
    worst: int = 10,
    progress: OnProgress | None = None,
) -> EvalReport:
    """Score ``extractor`` on pages already loaded (a benchmark reuses them across tools)."""
    outcomes = [_run(extractor, page) for page in counted(pages, progress)]
    return EvalReport(
        dataset=dataset,
        pages=len(outcomes),
        failures=sum(o.error is not None for o in outcomes),
        seconds=sum(o.seconds for o in outcomes),
        cpu_seconds=sum(o.cpu_seconds for o in outcomes),
        timing=timing(outcomes, worst),
        **_metrics(outcomes),
        worst=_worst(outcomes, worst),
    )


def _run(extractor: Extractor, page: EvalPage) -> _Outcome:
    """Extract one page; any exception is a failure scored as an empty prediction."""
    started, started_cpu = time.perf_counter(), time.process_time()
    try:
        article, error = extractor(page.html, page.url), None
    except Exception as exc:  # a crashing page must not stop the evaluation
        log.info("page %s failed: %s", page.id, exc)
        # A page with no body still has the metadata the extractor read (ExtractionError.article):
        # its date, headline and authors are scored; its body counts as empty.
        article = getattr(exc, "article", None) or Article()
        error = f"{type(exc).__name__}: {exc}"
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    # Keep only what is scored, so a streamed dataset never sits in memory whole.
    kept = replace(article, html="", removed=[])
    return _Outcome(replace(page, html=""), kept, seconds, error, cpu_seconds)


def timing(outcomes: Sequence[_Outcome], slowest: int = 10) -> Timing:
    """Per-page extraction seconds: p50, p99 and max, and the ``slowest`` pages by id."""
    if not outcomes:
        return Timing()
    ranked = sorted(outcomes, key=lambda outcome: outcome.seconds)
    seconds = [outcome.seconds for outcome in ranked]
    return Timing(
        p50=_percentile(seconds, 0.50),
        p99=_percentile(seconds, 0.99),
        max=seconds[-1],
        slowest=tuple((o.page.id, o.seconds) for o in reversed(ranked[-slowest:])),
    )


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


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
        return ratio(right, right + snippets.fp + snippets.fn)
    truth_date = outcome.page.truth.get("date")
    return float(not truth_date or date_matches(outcome.article.published, truth_date))


def _note(outcome: _Outcome, snippets: SnippetCounts | None) -> str:
    parts = []
    if snippets and snippets.missing:
        parts.append("missing " + "; ".join(repr(clip(s)) for s in snippets.missing))
    if snippets and snippets.unwanted:
        parts.append("unwanted " + "; ".join(repr(clip(s)) for s in snippets.unwanted))
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
        f"seconds per page: p50 {report.timing.p50:.3f}, p99 {report.timing.p99:.3f},"
        f" max {report.timing.max:.3f}",
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


def clip(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
