"""Plain-text rendering of articles, lists and results for the terminal. Returns strings."""

from __future__ import annotations

import csv
import io
import shutil
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING

from newsarchive.controls import one_line, printable
from newsarchive.extract.status import MEANINGS, PARTIAL, WITHOUT_TEXT
from newsarchive.models import Article, QuoteHit, SearchHit, SpeakerSummary, StoredArticle
from newsarchive.records import ArchiveStats, ArticleSummary, CaptureFacts, SaveOutcome

if TYPE_CHECKING:
    from newsarchive.deletion import DeletionReport
    from newsarchive.importer import ImportSummary, Outcome, Progress
    from newsarchive.tags import TagCount, TaggedArticle

Highlighter = Callable[[str], str]


def line_width() -> int:
    return min(shutil.get_terminal_size((88, 24)).columns, 88)


def byline(article: Article) -> str:
    """ "By A and B · Site · 2024-05-01", leaving out what is unknown."""
    parts = []
    if article.authors:
        parts.append("By " + _join_names(article.authors))
    parts += [value for value in (article.site, (article.published or "")[:10]) if value]
    return " · ".join(parts)


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def article_text(article: Article, url: str | None = None, footer: str | None = None) -> str:
    """The article for reading: headline, byline, URL, standfirst, wrapped paragraphs."""
    width = line_width()
    head = [article.headline or "(no headline)", byline(article), url or "", footer or ""]
    paragraphs = [paragraph for paragraph in article.text.split("\n") if paragraph]
    if article.standfirst and article.standfirst not in paragraphs[:1]:
        paragraphs.insert(0, article.standfirst)
    blocks = ["\n".join(line for line in head if line)]
    blocks += [textwrap.fill(paragraph, width) for paragraph in paragraphs]
    return printable("\n\n".join(blocks))


def stored_article_text(stored: StoredArticle) -> str:
    footer = f"id {stored.id} · saved {stored.saved_at} · {stored.article.word_count} words"
    note = status_note(stored.id, stored.article.status, stored.article.note)
    lines = [footer, note, tags_text(stored.tags), user_note_text(stored.user_note)]
    return article_text(stored.article, stored.url, "\n".join(line for line in lines if line))


def tags_text(tags: list[str]) -> str:
    """``tags: a, b`` ("" for none)."""
    return f"tags: {', '.join(tags)}" if tags else ""


def user_note_text(note: str | None) -> str:
    """The user's note, each line after ``your note:`` ("" for none)."""
    return "your note: " + note.replace("\n", "\n  ") if note else ""


def status_note(article_id: int, status: str, note: str | None = None) -> str:
    """What a capture that is not a whole article holds, and what to do about it, and the
    extractor's note on it ("" if ok and no note)."""
    if status not in MEANINGS:
        return f"note: {note}" if note else ""
    meaning = note if status == PARTIAL and note else MEANINGS[status]
    retry = f"; the page is kept: newsarchive reextract {article_id} tries again"
    return f"status {status}: {meaning}{retry if status in WITHOUT_TEXT else ''}"


def article_json(article: Article) -> dict:
    """The extracted fields as a JSON-ready dict, with the word count."""
    return {**asdict(article), "word_count": article.word_count}


def stored_article_json(stored: StoredArticle, capture: CaptureFacts | None = None) -> dict:
    """The article as JSON; with ``capture``, the facts of its capture a citation needs."""
    record = {
        "id": stored.id,
        "url": stored.url,
        "saved_at": stored.saved_at,
        **article_json(stored.article),
        "tags": stored.tags,
        "user_note": stored.user_note,
    }
    return record | ({"capture": asdict(capture)} if capture else {})


def summary_line(summary: ArticleSummary) -> str:
    date = (summary.published or "")[:10] or "----------"
    site = (summary.site or "")[:24]
    status = "" if summary.status == "ok" else f"[{summary.status}] "
    tags = f"  [{', '.join(summary.tags)}]" if summary.tags else ""
    return one_line(
        f"{summary.id:>6}  {date}  {site:<24}  {status}{summary.headline or summary.url}{tags}"
    )


def highlighted(
    text: str,
    spans: list[tuple[int, int]],
    highlight: Highlighter,
    plain: Highlighter = printable,
) -> str:
    """``text`` with each span passed through ``highlight`` (colour on a terminal, ``<mark>``
    in a page) and everything passed through ``plain`` first (escaping for the output)."""
    pieces, position = [], 0
    for start, end in spans:
        pieces += [plain(text[position:start]), highlight(plain(text[start:end]))]
        position = end
    pieces.append(plain(text[position:]))
    return "".join(pieces)


def records_json(records: Iterable[object]) -> list[dict]:
    """A list of records (summaries, search hits, quotes, speakers) as JSON-ready dicts: what
    ``--json`` prints and the reader's pages answer."""
    return [asdict(record) for record in records]  # type: ignore[call-overload]


def hit_details(hit: SearchHit) -> list[str]:
    """Where and when a search hit was published, and by whom (the CLI's and reader's line)."""
    details = [value for value in (hit.site, (hit.published or "")[:10]) if value]
    return details + ([_join_names(hit.authors)] if hit.authors else [])


def search_hit_text(rank: int, hit: SearchHit, highlight: Highlighter) -> str:
    details = hit_details(hit)
    snippet = highlighted(hit.snippet, hit.highlights, highlight)
    version = f", version {hit.version}" if hit.version else ""
    lines = [
        printable(f"{rank}. {hit.headline or hit.url}  [id {hit.id}{version}]"),
        printable("   " + " · ".join(details)) if details else "",
        textwrap.indent(textwrap.fill(snippet, line_width() - 3), "   "),
        printable("   " + hit.url),
        printable("   also on: " + ", ".join(hit.also_on)) if hit.also_on else "",
    ]
    return "\n".join(line for line in lines if line)


def quote_hit_text(hit: QuoteHit) -> str:
    """The quote with its speaker and their role (or ``[term]``), then where it is from."""
    said_by = ", ".join(part for part in (hit.speaker, hit.role) if part)
    speaker = f" — {said_by}" if said_by else ""
    kind = "" if hit.kind == "speech" else f" [{hit.kind}]"
    date = f" ({hit.published[:10]})" if hit.published else ""
    quote = textwrap.fill(f"“{hit.text}”{speaker}{kind}", line_width())
    return printable(f"{quote}\n   {hit.headline or hit.url}{date}  [id {hit.article_id}]")


SPEAKERS_HEADER = " quotes  articles  speaker"


def speaker_line(speaker: SpeakerSummary) -> str:
    """One row of ``speakers``, under SPEAKERS_HEADER."""
    return printable(f"{speaker.quotes:>7}  {speaker.articles:>8}  {speaker.name}")


def tagged_line(tagged: TaggedArticle) -> str:
    """An article's tags after ``newsarchive tag``."""
    return one_line(f"{tagged.id}: {', '.join(tagged.tags) or '(no tags)'}")


def tag_count_line(tag: TagCount) -> str:
    """One row of ``newsarchive tags``: its number of articles, then the tag."""
    return one_line(f"{tag.articles:>8}  {tag.name}")


def deletion_text(report: DeletionReport) -> str:
    """What ``newsarchive delete`` deleted, or with --dry-run would delete, article by article."""
    lines = deletion_lines(report)
    if report.dry_run:
        lines.append("Nothing was deleted (--dry-run).")
    return "\n".join(lines)


def deletion_lines(report: DeletionReport) -> list[str]:
    """A line for each article deleted (or to be deleted), then one for the speakers."""
    verb = "Would delete" if report.dry_run else "Deleted"
    lines = []
    for gone in report.articles:
        rows = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in gone.rows.items())
        lines.append(f"{verb} {gone.id}: {gone.headline or gone.url} ({rows or 'no other rows'})")
    if report.speakers:
        lines.append(f"{verb} {report.speakers} speakers quoted in no other article")
    return [one_line(line) for line in lines]


SEARCH_CSV_COLUMNS = ["id", "url", "headline", "site", "published", "authors", "score", "snippet"]


def search_hits_csv(hits: list[SearchHit]) -> str:
    """Search results as CSV, one row per hit, authors joined with "; "."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SEARCH_CSV_COLUMNS)
    for hit in hits:
        row = asdict(hit)
        row["authors"] = "; ".join(hit.authors)
        writer.writerow([row[column] for column in SEARCH_CSV_COLUMNS])
    return out.getvalue()


def stats_text(stats: ArchiveStats, top: int = 15) -> str:
    """The archive's counts as a short report; long groupings show their largest entries."""
    lines = [
        f"{stats.articles} articles ({stats.versions} versions), {stats.quotes} quotes,"
        f" {stats.captures} captures,"
        f" {stats.failures} failed links · {stats.size_bytes / 1_048_576:.1f} MB",
    ]
    for title, counts in (
        ("status", stats.by_status),
        ("year", stats.by_year),
        ("site", stats.by_site),
    ):
        lines.append(f"\nby {title}:")
        lines += [f"  {count:>8}  {key}" for key, count in list(counts.items())[:top]]
        if len(counts) > top:
            lines.append(f"  … and {len(counts) - top} more")
    return printable("\n".join(lines))


# ---- batch import -----------------------------------------------------------------------------


def outcome_line(outcome: Outcome) -> str:
    """One line for one finished link of an import."""
    return one_line(_outcome_text(outcome))


def _outcome_text(outcome: Outcome) -> str:
    where = f"line {outcome.line}: " if outcome.line is not None else ""
    if outcome.status == "invalid":
        return f"{where}skipped: {outcome.reason}"
    if outcome.status == "failed":
        return f"failed {failure_reason(outcome.url, outcome.reason)}"
    if outcome.status == "skipped":
        return f"skipped {outcome.url} ({outcome.reason})"
    number = f" {outcome.article_id}" if outcome.article_id else ""
    version = f" (new version {outcome.version}: {', '.join(outcome.changed)} changed)"
    return f"{outcome.status}{number} {outcome.url}{version if outcome.changed else ''}"


def failure_reason(url: str, reason: str) -> str:
    """``url: reason``, without saying the URL twice (library messages start with it)."""
    return reason if reason.startswith(url) else f"{url}: {reason}"


def progress_text(progress: Progress) -> str:
    """The progress line of an import: done so far, outcomes, rate and, once known, the ETA."""
    total = f"{progress.read}" if progress.list_done else f"{progress.read}+"
    text = (
        f"{progress.done}/{total} · ok {progress.saved + progress.updated + progress.new}"
        f" · skipped {progress.skipped} · failed {progress.failed + progress.invalid}"
        f" · {progress.rate:.1f}/s"
    )
    if progress.list_done and progress.rate > 0:
        text += f" · ETA {duration_text(progress.left / progress.rate)}"
    return text


def step_text(verb: str, done: int, total: int | None, elapsed: float) -> str:
    """The progress line of long work: ``exported 3/40 · 2.1/s · ETA 18s`` (without the total
    and the ETA while the total is not known)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{verb} {done}/{total}" if total is not None else f"{verb} {done}"
    text += f" · {rate:.1f}/s"
    if total is not None and rate > 0 and done < total:
        text += f" · ETA {duration_text((total - done) / rate)}"
    return text


def duration_text(seconds: float) -> str:
    """``42s`` or ``3m05s``."""
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def import_summary_text(summary: ImportSummary) -> str:
    """The closing report of an import, with what to do next after failures or Ctrl-C."""
    if summary.format == "failures" and summary.read == 0:
        return "No recorded failures to retry."
    counts = (
        f"{summary.new} to fetch, {summary.skipped} skipped, {summary.invalid} invalid"
        if summary.new
        else f"{summary.saved} saved, {summary.updated} updated, {summary.skipped} skipped,"
        f" {summary.failed} failed, {summary.invalid} invalid"
    )
    rate = f", {summary.articles_per_second:.1f} articles/s" if summary.saved else ""
    lines = [
        f"{summary.source} ({summary.format}): {counts} ({duration_text(summary.seconds)}{rate})."
    ]
    if summary.skipped_failed:
        lines.append(
            f"{summary.skipped_failed} skipped as failed before"
            " (newsarchive import --retry-failed retries them)."
        )
    if summary.failed:
        lines.append("List them: newsarchive failures; retry: newsarchive import --retry-failed")
    if summary.interrupted:
        rest = "" if summary.list_done else ", and the rest of the list"
        links = (
            "1 link in progress was"
            if summary.left == 1
            else f"{summary.left} links in progress were"
        )
        lines.append(
            f"Interrupted: {links} not finished{rest}. Run the same command again to resume."
        )
    return "\n".join(lines)


def saved_again_text(saved: SaveOutcome) -> str:
    """What ``add`` did with a page archived before: a new version, or only a capture."""
    if saved.changed:
        return f"  new version {saved.version}: {', '.join(saved.changed)} changed"
    if saved.rewritten:
        return f"  version {saved.version} now from this capture (the article's words are as they were, or it holds more of them)"
    bytes_note = "a new capture (the page's bytes differ)" if saved.new_bytes else "the time"
    return f"  no change since version {saved.version}: only {bytes_note} recorded"
