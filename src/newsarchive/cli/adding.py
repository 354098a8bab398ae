"""Commands that put articles into the archive: add, extract (a dry run), reextract."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from newsarchive.cli import (
    EXIT_NO_TEXT,
    cli,
    db_option,
    echo_removed,
    open_archive,
    print_json,
)
from newsarchive.controls import one_line
from newsarchive.errors import InputError, NewsarchiveError
from newsarchive.extract.status import MEANINGS, WITHOUT_TEXT

if TYPE_CHECKING:
    from newsarchive.pipeline import AddOutcome


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--url", help="Original URL of a saved page, a text file or stdin.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the server to send something.",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1, max=1_000_000),
    default=20,
    show_default=True,
    help="Largest page to accept, in MB.",
)
@db_option
def add(sources: tuple[str, ...], url: str | None, timeout: float, max_size: int) -> None:
    """Archive articles from URLs, saved pages (.html), text files or - (stdin).

    A page with no article text is kept all the same (status no_text, or blocked for a
    cookie wall or bot check), so reextract can try again; add then exits with 3.

    \b
    newsarchive add https://www.example-news.com/2024/05/story.html
    newsarchive add saved-page.html --url https://example-news.com/story
    cat page.html | newsarchive add - --url https://example-news.com/story
    """
    from newsarchive.fetch import make_session
    from newsarchive.pipeline import add as add_article

    if url and len(sources) > 1:
        raise InputError("--url applies to one source; give the sources one at a time")
    failures = without_text = 0
    with open_archive(create=True) as archive:
        session = make_session()
        for source in sources:
            try:
                outcome = add_article(
                    source,
                    archive,
                    url=url,
                    session=session,
                    read_timeout=timeout,
                    max_bytes=max_size * 1_048_576,
                )
            except NewsarchiveError as error:
                if len(sources) == 1:
                    raise
                click.echo(f"Error: {one_line(str(error))}", err=True)
                failures += 1
                continue
            _echo_added(outcome)
            without_text += outcome.article.status in WITHOUT_TEXT
    if failures:
        raise click.ClickException(f"{failures} of {len(sources)} sources failed")
    if without_text:
        click.get_current_context().exit(EXIT_NO_TEXT)


def _echo_added(outcome: AddOutcome) -> None:
    article = outcome.article
    if article.status in WITHOUT_TEXT:
        click.echo(
            f"Error: {one_line(outcome.url)}: {MEANINGS[article.status]}; the page is kept as"
            f" article {outcome.id} (status {article.status}) for newsarchive reextract",
            err=True,
        )
    if outcome.kept_earlier:
        click.echo(
            f"Kept {outcome.id}: this capture is {article.status}; the earlier complete text stays"
        )
        return
    status = "" if article.status == "ok" else f" [{article.status}]"
    click.echo(
        one_line(f"{_verb(outcome)} {outcome.id}{status}: {article.headline or outcome.url}")
    )
    click.echo(
        one_line(f"  {article.word_count} words, {len(article.quotes)} quotes · {outcome.url}")
    )
    if outcome.saved is not None and not outcome.created:
        from newsarchive.render import saved_again_text

        click.echo(saved_again_text(outcome.saved))
    if article.note:
        click.echo(f"  note: {article.note}")


def _verb(outcome: AddOutcome) -> str:
    saved = outcome.saved
    if outcome.created:
        return "Added"
    return "Unchanged" if saved and not (saved.changed or saved.rewritten) else "Updated"


@cli.command(name="extract")
@click.argument("source")
@click.option("--url", help="Original URL of a saved page, a text file or stdin.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--removed", is_flag=True, help="Also list the blocks the cleaner removed.")
def extract_command(source: str, url: str | None, fmt: str, removed: bool) -> None:
    """Preview what would be archived from SOURCE; writes nothing.

    \b
    newsarchive extract page.html --url https://example-news.com/story --format json
    """
    from newsarchive.pipeline import preview
    from newsarchive.render import article_json, article_text

    fetched, article = preview(source, url=url)
    if fmt == "json":
        print_json(article_json(article))
        return
    click.echo(article_text(article, fetched.final_url or fetched.url))
    if removed:
        echo_removed(article.removed)


@cli.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Re-extract every archived article.")
@db_option
def reextract(ids: tuple[int, ...], every: bool) -> None:
    """Extract articles again from their stored raw pages (no network) with this version's
    extractor, and say which fields changed.

    \b
    newsarchive reextract 3 7
    newsarchive reextract --all
    """
    from newsarchive.cli.progress import ProgressLine
    from newsarchive.pipeline import reextract as run_reextract

    if bool(ids) == every:
        raise InputError("give article ids or --all (not both)")
    changed = failed = 0
    with open_archive() as archive, ProgressLine("re-extracted") as line:
        wanted = archive.article_ids() if every else list(ids)
        archive.require(wanted)
        for done, outcome in enumerate(run_reextract(archive, wanted), start=1):
            if outcome.error:
                failed += 1
                line.note(f"Error: article {outcome.id}: {one_line(outcome.error)}")
            elif outcome.changed:
                changed += 1
                line.echo(f"{outcome.id}: {', '.join(outcome.changed)} changed")
            line.count(done, len(wanted))
    total = len(wanted)
    click.echo(
        f"Re-extracted {total}: {changed} changed, {total - changed - failed} unchanged, {failed} failed"
    )
    if failed:
        raise click.ClickException(f"{failed} of {total} articles could not be re-extracted")
