"""Running the extractor over a quote set and reporting how its quotes and speakers scored.

A quote set is a folder holding ``quotes.jsonl.gz``: one article a line, ``{"id", "text",
"quotes": [{"text", "speaker", ...}], "meta"}``, where ``text`` is the article as plain text.
Each article goes through ``extract_text_article``, as ``add FILE.txt`` would take it, and its
quotes of kind ``speech`` are scored with the metric in ``quotes``: a ``term`` is a phrase the
extractor says nobody is quoted as saying, which ``newsarchive quotes`` does not show either.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newsarchive.errors import InputError
from newsarchive.evaluate.quotes import (
    QuoteCounts,
    QuoteMiss,
    QuoteScore,
    quote_counts,
    summarise_quotes,
)
from newsarchive.evaluate.runner import OnProgress, clip, counted
from newsarchive.models import Article

log = logging.getLogger(__name__)

QUOTE_SET_FILE = "quotes.jsonl.gz"
# What went wrong in one of the worst articles is listed up to this many quotes.
MISSES_SHOWN = 12

TextExtractor = Callable[[str], Article]
Gold = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class QuoteSetArticle:
    """One article of a quote set: its id, title (for the report), text and gold quotes."""

    id: str
    title: str | None
    text: str
    gold: Gold


@dataclass(frozen=True)
class ArticleResult:
    """One article's outcome: its counts and misses, how many terms were left out, the gold
    quotes among them (missed because the extractor called them terms), and any failure."""

    id: str
    title: str | None
    counts: QuoteCounts
    terms: int = 0
    gold_terms: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class QuoteReport:
    dataset: str
    articles: int
    failures: int
    seconds: float
    gold: int
    predicted: int
    terms: int
    gold_terms: int
    score: QuoteScore
    worst: tuple[ArticleResult, ...] = ()

    @property
    def articles_per_second(self) -> float:
        """Extraction speed; only the extractor calls are timed, not reading or scoring."""
        return self.articles / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole report."""
        return {**asdict(self), "articles_per_second": self.articles_per_second}


# --- loading -----------------------------------------------------------------------------


def is_quote_set(path: Path) -> bool:
    """Whether ``path`` is a folder holding a quote set."""
    return (Path(path) / QUOTE_SET_FILE).is_file()


def load_quote_set(path: Path, limit: int | None = None) -> Iterator[QuoteSetArticle]:
    """Yield the first ``limit`` (or all) articles of a quote set, reading one line at a time."""
    file = Path(path) / QUOTE_SET_FILE
    if not file.is_file():
        raise InputError(f"{path}: not a quote set (no {QUOTE_SET_FILE})")
    for count, (number, line) in enumerate(_lines(file), start=1):
        if limit is not None and count > limit:
            return
        yield _article(file, number, line)


def _lines(file: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line of a gzipped UTF-8 file."""
    try:
        with gzip.open(file, "rt", encoding="utf-8") as lines:
            yield from ((number, line) for number, line in enumerate(lines, 1) if line.strip())
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InputError(f"{file}: cannot read ({error})") from error


def _article(file: Path, number: int, line: str) -> QuoteSetArticle:
    try:
        record = json.loads(line)
        gold = tuple((quote["text"], quote.get("speaker")) for quote in record["quotes"])
        if not isinstance(record["text"], str):
            raise TypeError("text is not a string")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            f"{file}: line {number}: expected an article with id, text and quotes"
            f" ({type(error).__name__}: {error})"
        ) from error
    title = (record.get("meta") or {}).get("title")
    return QuoteSetArticle(str(record.get("id", number)), title, record["text"], gold)


# --- running the extractor ---------------------------------------------------------------


def evaluate_quote_set(
    path: Path,
    extractor: TextExtractor | None = None,
    limit: int | None = None,
    worst: int = 10,
    progress: OnProgress | None = None,
) -> QuoteReport:
    """Run ``extractor`` (default: ``extract_text_article``) on a quote set and score it;
    ``progress(done, None)`` is called after each article."""
    if extractor is None:
        from newsarchive.extract import extract_text_article  # extraction is optional here

        extractor = extract_text_article
    articles = load_quote_set(Path(path), limit)
    name = Path(path).resolve().name
    return score_articles(counted(articles, progress), extractor, dataset=name, worst=worst)


def score_articles(
    articles: Iterable[QuoteSetArticle],
    extractor: TextExtractor,
    dataset: str = "",
    worst: int = 10,
) -> QuoteReport:
    """Score ``extractor`` on quote-set articles already loaded."""
    results, seconds = [], 0.0
    for article in articles:
        result, spent = _run(extractor, article)
        results.append(result)
        seconds += spent
    counts = [result.counts for result in results]
    return QuoteReport(
        dataset=dataset,
        articles=len(results),
        failures=sum(result.error is not None for result in results),
        seconds=seconds,
        gold=sum(c.gold for c in counts),
        predicted=sum(c.predicted for c in counts),
        terms=sum(result.terms for result in results),
        gold_terms=sum(len(result.gold_terms) for result in results),
        score=summarise_quotes(counts),
        worst=_worst(results, worst),
    )


def _run(extractor: TextExtractor, article: QuoteSetArticle) -> tuple[ArticleResult, float]:
    """Extract one article and count; a crash is a failure scored as no quotes found."""
    started = time.perf_counter()
    try:
        quotes, error = extractor(article.text).quotes, None
    except Exception as exc:  # one article must not stop the evaluation
        log.info("article %s failed: %s", article.id, exc)
        quotes, error = [], f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    speech = [(quote.text, quote.speaker) for quote in quotes if quote.kind == "speech"]
    terms = [(quote.text, quote.speaker) for quote in quotes if quote.kind != "speech"]
    counts = quote_counts(article.gold, speech)
    gold_terms = _gold_terms(counts, terms)
    result = ArticleResult(article.id, article.title, counts, len(terms), gold_terms, error)
    return result, seconds


def _gold_terms(counts: QuoteCounts, terms: list[tuple[str, str | None]]) -> tuple[str, ...]:
    """The missed gold quotes that one of the terms left out would have matched."""
    missed = [(miss.text, miss.gold_speaker) for miss in counts.misses if miss.kind == "missed"]
    if not missed or not terms:
        return ()
    still_missed = {m.text for m in quote_counts(missed, terms).misses if m.kind == "missed"}
    return tuple(text for text, _ in missed if text not in still_missed)


def _worst(results: list[ArticleResult], count: int) -> tuple[ArticleResult, ...]:
    """The articles with the most quotes gone wrong, failures first."""
    wrong = [result for result in results if result.error or result.counts.errors]
    wrong.sort(key=lambda result: (result.error is None, -result.counts.errors, result.id))
    return tuple(wrong[:count])


# --- rendering ---------------------------------------------------------------------------


def format_quote_report(report: QuoteReport) -> str:
    """A plain-text table of the scores, then the worst articles and what went wrong in each."""
    lines = [
        f"{report.dataset or 'quote set'}: {report.articles} articles, {report.failures} failed,"
        f" {report.articles_per_second:.1f} articles/s",
        "",
        *(f"  {name:<22} {value}" for name, value in _rows(report)),
    ]
    if report.worst:
        lines += ["", "worst articles:"]
        lines += [_format_article(result) for result in report.worst]
    return "\n".join(lines)


def _rows(report: QuoteReport) -> list[tuple[str, str]]:
    s = report.score
    return [
        ("quote precision", f"{s.precision:.3f} ({s.matched}/{report.predicted} predicted)"),
        ("quote recall", f"{s.recall:.3f} ({s.matched}/{report.gold} gold)"),
        ("quote F1", f"{s.f1:.3f}"),
        ("speaker accuracy", f"{s.speaker_accuracy:.3f} ({s.right_speaker}/{s.with_speaker})"),
        ("end-to-end precision", f"{s.end_to_end_precision:.3f}"),
        ("end-to-end recall", f"{s.end_to_end_recall:.3f}"),
        ("end-to-end F1", f"{s.end_to_end_f1:.3f}"),
        ("terms left out", f"{report.terms} ({report.gold_terms} of them gold quotes)"),
    ]


def _format_article(result: ArticleResult) -> str:
    counts = result.counts
    lines = [
        f"  {counts.errors:>3} wrong  {result.id}  {clip(result.title or '', 50)}",
        f"        {counts.matched} of {counts.gold} gold quotes found, {counts.predicted} predicted",
    ]
    if result.error:
        lines.append(f"        failed: {clip(result.error, 80)}")
    shown = counts.misses[:MISSES_SHOWN]
    lines += [f"        {_format_miss(miss, result.gold_terms)}" for miss in shown]
    if len(counts.misses) > MISSES_SHOWN:
        lines.append(f"        … and {len(counts.misses) - MISSES_SHOWN} more")
    return "\n".join(lines)


def _format_miss(miss: QuoteMiss, gold_terms: tuple[str, ...] = ()) -> str:
    """``wrong speaker  “text…”  gold: X, predicted: Y`` and the like; a gold quote the
    extractor called a term is ``missed (term)``."""
    kind = "missed (term)" if miss.kind == "missed" and miss.text in gold_terms else miss.kind
    who = [f"gold: {miss.gold_speaker}"] if miss.gold_speaker else []
    if miss.kind in ("extra", "wrong speaker") and miss.predicted_speaker:
        who.append(f"predicted: {miss.predicted_speaker}")
    return f"{kind:<14} “{clip(miss.text, 60)}”  {', '.join(who)}".rstrip()
