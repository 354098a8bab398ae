"""Commands that read the archive: show, list, search, quotes, speakers, stats, export, cite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from newsarchive.cli import (
    COUNT,
    cli,
    db_option,
    echo_removed,
    json_option,
    open_archive,
    print_json,
)
from newsarchive.errors import InputError


def _highlight(text: str) -> str:
    return click.style(text, fg="yellow", bold=True)


@cli.command()
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text")
@click.option("--removed", is_flag=True, help="Also list the blocks the cleaner removed.")
@click.option(
    "--version", "version", type=click.IntRange(min=1), help="An earlier version (see history)."
)
@db_option
def show(reference: str, fmt: str, removed: bool, version: int | None) -> None:
    """Print an archived article, by id or URL, readable offline (its latest version unless
    --version is given).

    \b
    newsarchive show 1
    newsarchive show https://example-news.com/story --format json
    newsarchive show 1 --version 2
    """
    from newsarchive.history import version_article
    from newsarchive.render import stored_article_json, stored_article_text

    with open_archive(read_only=True) as archive:
        stored = (
            archive.get(reference)
            if version is None
            else version_article(archive, reference, version)
        )
        # the capture facts of the latest version: the capture it was extracted from
        capture = archive.capture_facts(stored.id) if fmt == "json" and version is None else None
    if fmt == "json":
        print_json(stored_article_json(stored, capture))
    elif fmt == "html":
        from newsarchive.sanitize import sanitize_html

        click.echo(sanitize_html(stored.article.html, stored.url))
    else:
        click.echo(stored_article_text(stored))
        if removed:
            echo_removed(stored.article.removed)


@cli.command(name="list")
@click.option("--limit", type=COUNT, help="Show at most this many.")
@json_option
@db_option
def list_command(limit: int | None, as_json: bool) -> None:
    """List archived articles, most recently saved first.

    \b
    newsarchive list --limit 20
    """
    from newsarchive.render import records_json, summary_line

    with open_archive(read_only=True) as archive:
        summaries = archive.list_articles(limit=limit)
    if as_json:
        print_json(records_json(summaries))
        return
    if not summaries:
        click.echo(f"No articles in {archive.name} yet (newsarchive add URL adds one).", err=True)
    for summary in summaries:
        click.echo(summary_line(summary))


@cli.command(context_settings={"ignore_unknown_options": True})  # search '-harbour -bridge'
@click.argument("query")
@click.option("--site", help="Only articles whose site name or URL host contains this.")
@click.option("--author", help="Only articles by an author whose name contains this.")
@click.option("--since", help="Published on or after YYYY[-MM[-DD]].")
@click.option("--until", help="Published on or before YYYY[-MM[-DD]].")
@click.option("--sort", type=click.Choice(["rank", "published", "saved"]), default="rank")
@click.option("--limit", type=COUNT, default=20, show_default=True)
@click.option("--all-copies", is_flag=True, help="Show every copy of a story run by many sites.")
@click.option("--all-versions", is_flag=True, help="Also find articles by their earlier versions.")
@click.option("--raw", is_flag=True, help="Pass the query to SQLite FTS5 unchanged.")
@click.option("--exact", is_flag=True, help="Rank every match, however many (slower).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@db_option
def search(query: str, as_json: bool, as_csv: bool, **options: Any) -> None:
    """Full-text search: words, "exact phrases", prefix*, OR, -word, and field filters
    headline: author: site: quote: speaker: lang: before: after: saved-after: tag: note:

    Ranked by bm25 (headline, then quotes, standfirst, authors and body), the newer article
    first among equals; a phrase is scored as its words. A query matching more than 20,000
    articles has 20,000 of them scored: the 3,000 most recently saved matches, then the most
    recently saved matches holding its words in the headline, standfirst, authors or quotes.
    An older article holding the words only in its body is then left out (or, past those
    20,000, holding them in those columns). --exact ranks every match.

    \b
    newsarchive search "threatening for Kyiv"
    newsarchive search 'ceasefire -rumour site:independent after:2022-02'
    newsarchive search 'speaker:klitschko kyiv' --sort published
    """
    from newsarchive.render import records_json, search_hit_text, search_hits_csv
    from newsarchive.searching import search as run_search

    with open_archive(read_only=True) as archive:
        hits = run_search(archive, query, **options)
    if as_json:
        print_json(records_json(hits))
        return
    if as_csv:
        click.echo(search_hits_csv(hits), nl=False)
        return
    if not hits:
        click.echo(f"No articles match {query!r}.", err=True)
    for rank, hit in enumerate(hits, start=1):
        click.echo(search_hit_text(rank, hit, _highlight) + "\n")


@cli.command()
@click.argument("query", required=False)
@click.option("--speaker", help="Only quotes by a speaker with these words in their name.")
@click.option("--all", "include_terms", is_flag=True, help="Also terms in quote marks.")
@click.option("--limit", type=COUNT, default=50, show_default=True)
@click.option("--raw", is_flag=True, help="Pass the query to SQLite FTS5 unchanged.")
@json_option
@db_option
def quotes(query: str | None, as_json: bool, **options: Any) -> None:
    """Search quotations and their speakers. --speaker matches whole words of the name, any
    case: trump finds "Donald J. Trump" and "Trump". Terms in quote marks that nobody is quoted
    as saying (scare quotes) only with --all.

    \b
    newsarchive quotes europe --speaker zelensky
    newsarchive quotes --speaker klitschko
    newsarchive quotes "so-called" --all
    """
    from newsarchive.render import quote_hit_text, records_json
    from newsarchive.searching import search_quotes

    with open_archive(read_only=True) as archive:
        hits = search_quotes(archive, query, **options)
    if as_json:
        print_json(records_json(hits))
        return
    if not hits:
        click.echo("No quotes match.", err=True)
    for hit in hits:
        click.echo(quote_hit_text(hit) + "\n")


@cli.command()
@click.argument("query", required=False)
@click.option("--limit", type=COUNT, default=50, show_default=True)
@json_option
@db_option
def speakers(query: str | None, limit: int, as_json: bool) -> None:
    """List the people and organisations quoted, most quoted first, with their number of quotes
    and of articles. QUERY keeps the speakers with these words in their name.

    \b
    newsarchive speakers
    newsarchive speakers trump --json
    """
    from newsarchive.render import SPEAKERS_HEADER, records_json, speaker_line
    from newsarchive.speakers import list_speakers

    with open_archive(read_only=True) as archive:
        found = list_speakers(archive, query, limit=limit)
    if as_json:
        print_json(records_json(found))
        return
    if not found:
        click.echo("No speakers match.", err=True)
        return
    click.echo(SPEAKERS_HEADER)
    for speaker in found:
        click.echo(speaker_line(speaker))


@cli.command()
@json_option
@db_option
def stats(as_json: bool) -> None:
    """Counts by site, year and status, and the archive's size.

    \b
    newsarchive stats
    """
    from newsarchive.render import stats_text

    with open_archive(read_only=True) as archive:
        numbers = archive.stats()
    if as_json:
        print_json(asdict(numbers))
    else:
        click.echo(stats_text(numbers))


EXPORT_FORMATS = ("markdown", "html", "json", "jsonl", "epub", "warc", "csl-json")
TO_STANDARD_OUTPUT = ("jsonl", "csl-json")
CITATION_FORMATS = ("csl-json", "bibtex", "ris")  # citations.FORMATS, without importing it


@cli.command(name="export")
@click.argument("target", required=False, type=click.Path(path_type=Path))
@click.argument("selection", nargs=-1)
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="markdown", show_default=True
)
@click.option("--id", "ids", type=int, multiple=True, help="Only this article (repeatable).")
@click.option("--title", help="epub: the book's title.")
@click.option(
    "--images", is_flag=True, help="epub: embed the images the archive holds (see README)."
)
@db_option
def export_command(
    target: Path | None,
    selection: tuple[str, ...],
    fmt: str,
    ids: tuple[int, ...],
    title: str | None,
    images: bool,
) -> None:
    """Write each article into the folder TARGET as Markdown, sanitised HTML or JSON, one file
    per article named <id>-<headline>.<ext>; with --format epub, all into one e-book TARGET;
    with --format warc, every capture into one WARC file TARGET (.warc.gz: gzipped), to replay
    or hand to web-archiving tools; with --format jsonl, JSON lines to standard output (TARGET
    - or none); with --format csl-json, citations (a file TARGET, or standard output).
    SELECTION: article ids, or a search query whose matches, best first, make a reading list;
    else every article.

    \b
    newsarchive export ~/news-export
    newsarchive export ~/news-export --format html 3 7
    newsarchive export kyiv.epub --format epub 'kyiv after:2024-01' --title "Kyiv, 2024"
    newsarchive export archive.warc.gz --format warc
    newsarchive export --format jsonl > archive.jsonl
    newsarchive export --format csl-json - 'kyiv' > kyiv.json
    """
    from newsarchive.cli.progress import ProgressLine
    from newsarchive.export import select_articles

    to_stdout = target is None or str(target) == "-"
    if (fmt == "jsonl" and not to_stdout) or (to_stdout and fmt not in TO_STANDARD_OUTPUT):
        raise InputError(
            "give a folder to export into, a file for --format epub or warc, or nothing (or -)"
            " with --format jsonl or csl-json (standard output): export --format jsonl - 3 7"
        )
    if (title is not None or images) and fmt != "epub":
        raise InputError("--title and --images go with --format epub")
    numbers, query = _export_selection(selection)
    with open_archive(read_only=True) as archive, ProgressLine("exported") as progress:
        chosen = select_articles(archive, [*ids, *numbers], query)
        total = archive.count() if chosen is None else len(chosen)
        if to_stdout:
            _export_to_stdout(
                archive, fmt, chosen, lambda line, done: _shown(progress, line, done, total)
            )
            return
        count = _export_to_file(
            archive,
            fmt,
            target,
            chosen,
            lambda done: progress.count(done, total),
            title=title,
            images=images,
        )
    click.echo(f"Exported {count} articles to {target}", err=True)


def _shown(progress: Any, line: str, done: int, total: int) -> None:
    progress.echo(line)
    progress.count(done, total)


def _export_to_stdout(
    archive: Any, fmt: str, chosen: list[int] | None, echo: Callable[[str, int], None]
) -> None:
    from newsarchive.citations import citable, cite
    from newsarchive.export import export_jsonl

    if fmt == "csl-json":
        wanted = archive.article_ids() if chosen is None else chosen
        click.echo(cite([citable(archive, i) for i in wanted], fmt), nl=False)
        return
    for done, line in enumerate(export_jsonl(archive, chosen), start=1):
        echo(line, done)


def _export_to_file(
    archive: Any,
    fmt: str,
    target: Path,
    chosen: list[int] | None,
    count: Callable[[int], None],
    **book: Any,
) -> int:
    from newsarchive.citations import write_citations
    from newsarchive.export import export_articles, export_book
    from newsarchive.warcexport import export_warc

    if fmt == "epub":
        return export_book(archive, target, chosen, **book)
    if fmt == "warc":
        return export_warc(archive, target, chosen)
    if fmt == "csl-json":
        return write_citations(archive, target, chosen)
    done = 0
    for done, _path in enumerate(export_articles(archive, target, fmt, chosen), start=1):
        count(done)
    return done


@cli.command()
@click.argument("references", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(CITATION_FORMATS), default="csl-json", show_default=True
)
@db_option
def cite(references: tuple[str, ...], fmt: str) -> None:
    """Print citations of archived articles (by id or URL): CSL-JSON (Zotero, pandoc), BibTeX
    or RIS, with the capture time as the access date.

    \b
    newsarchive cite 3
    newsarchive cite 3 7 --format bibtex >> references.bib
    """
    from newsarchive.citations import citable
    from newsarchive.citations import cite as cite_articles

    with open_archive(read_only=True) as archive:
        items = [citable(archive, reference) for reference in references]
    click.echo(cite_articles(items, fmt), nl=False)


def _export_selection(words: tuple[str, ...]) -> tuple[list[int], str | None]:
    """Article ids when every word is a number, else one search query of all the words."""
    if all(word.isascii() and word.isdigit() for word in words):
        return [int(word) for word in words], None
    return [], " ".join(words)
