"""Commands that organise the archive: tag, tags, note, delete."""

from __future__ import annotations

import click

from newsarchive.cli import cli, db_option, json_option, open_archive, print_rows
from newsarchive.controls import printable
from newsarchive.errors import InputError


# Unknown options pass through as words, so "-name" reaches the command as a tag to remove.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="ID... +NAME -NAME")
@json_option
@db_option
def tag(words: tuple[str, ...], as_json: bool) -> None:
    """Add (+name) and remove (-name) tags on articles given by id or URL. Names are trimmed
    and case-folded: "+Ukraine" and "+ukraine" are one tag. All articles change, or none.

    \b
    newsarchive tag 3 7 +ukraine +energy
    newsarchive tag 3 -energy
    """
    from newsarchive.render import tagged_line
    from newsarchive.tags import edit_tags, split_tag_arguments

    references, edit = split_tag_arguments(words)
    with open_archive() as archive:
        tagged = edit_tags(archive, references, edit)
    print_rows(tagged, as_json, tagged_line)


@cli.command()
@json_option
@db_option
def tags(as_json: bool) -> None:
    """List the tags with their number of articles, most used first. Search one with
    tag:NAME (newsarchive search tag:ukraine).

    \b
    newsarchive tags
    """
    from newsarchive.render import tag_count_line
    from newsarchive.tags import list_tags

    with open_archive(read_only=True) as archive:
        found = list_tags(archive)
    print_rows(
        found, as_json, tag_count_line, "No tags yet: add some with newsarchive tag ID +name."
    )


@cli.command()
@click.argument("reference", metavar="ID")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the article's note.")
@db_option
def note(reference: str, text: str | None, clear: bool) -> None:
    """Write your note on an article (replacing the one it had), print it when no TEXT is
    given, or remove it with --clear. Notes are searchable: note:WORD.

    \b
    newsarchive note 3 "Check the casualty figures against the UN report"
    newsarchive note 3 --clear
    """
    from newsarchive.notes import clear_note, set_note

    if clear and text is not None:
        raise InputError("give the note's text or --clear, not both")
    if text is None and not clear:
        _print_note(reference)
        return
    with open_archive() as archive:
        if text is not None:
            click.echo(f"Saved the note of {set_note(archive, reference, text)}.")
            return
        article_id, had = clear_note(archive, reference)
    click.echo(f"Removed the note of {article_id}." if had else f"{article_id} had no note.")


def _print_note(reference: str) -> None:
    with open_archive(read_only=True) as archive:
        article_id = archive.resolve(reference)
        written = archive.user_note(article_id)
    if written:
        click.echo(printable(written))
    else:
        click.echo(f"{article_id} has no note.", err=True)


@cli.command()
@click.argument("references", nargs=-1, required=True, metavar="ID...")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@db_option
def delete(references: tuple[str, ...], dry_run: bool) -> None:
    """Delete articles by id or URL, with their quotes, captures (raw bytes included), tags,
    note and search index entries, in one transaction: all of them or, on an error, none.

    \b
    newsarchive delete 3 --dry-run
    newsarchive delete 3 7
    """
    from newsarchive.deletion import delete_articles
    from newsarchive.render import deletion_text

    with open_archive(read_only=dry_run) as archive:
        report = delete_articles(archive, references, dry_run=dry_run)
    click.echo(deletion_text(report))
