"""Looking after the archive and the extractor: doctor, backup, copy, eval."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from newsarchive.cli import cli, db_option, json_option, open_archive, print_json


@cli.command(name="eval")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--limit", type=click.IntRange(min=1), help="Score only the first N pages or articles."
)
@click.option("--worst", type=click.IntRange(min=0), default=10, show_default=True)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the whole report to this JSON file.",
)
def eval_command(dataset: Path, limit: int | None, worst: int, json_file: Path | None) -> None:
    """Score the extractor on pages with ground truth (html/<id>.html.gz + ground-truth.json):
    body and snippet precision/recall/F1, date, headline and author accuracy, speed, and the
    worst pages. On a quote set (quotes.jsonl.gz): quote precision/recall/F1, speaker accuracy,
    end-to-end F1, and the worst articles with the quotes that went wrong.

    \b
    newsarchive eval ../shared/datasets/scrapinghub --limit 50
    newsarchive eval ../shared/datasets/quotes-polnear-dev --worst 5
    """
    from newsarchive.cli.progress import ProgressLine
    from newsarchive.evaluate import evaluate_folder, report_text

    with ProgressLine("scored") as progress:
        report = evaluate_folder(dataset, limit=limit, worst=worst, progress=progress.count)
    click.echo(report_text(report))
    if json_file:
        try:
            json_file.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        except OSError as error:
            raise click.ClickException(f"{json_file}: cannot write ({error.strerror})") from error


@cli.command()
@click.option("--repair", is_flag=True, help="Rebuild the search indexes, then check again.")
@json_option
@db_option
def doctor(repair: bool, as_json: bool) -> None:
    """Check the archive (SQLite integrity, links between tables, search indexes in step with
    the articles; on PostgreSQL, that its tables are there and its indexes usable); --repair
    rebuilds the search indexes. Exit code 1 if a problem remains.

    \b
    newsarchive doctor
    newsarchive doctor --repair
    """
    from newsarchive.cli.progress import ProgressLine
    from newsarchive.errors import ArchiveError
    from newsarchive.maintenance import check
    from newsarchive.maintenance import repair as run_repair

    with open_archive(read_only=not repair) as archive:
        if repair:
            with ProgressLine("rebuilt search index") as progress:
                report = run_repair(archive, progress=progress.count)
        else:
            report = check(archive)
    if as_json:
        checks = [{"name": c.name, "ok": c.ok, "problems": c.problems} for c in report.checks]
        print_json({"path": report.path, "ok": report.ok, "checks": checks})
    else:
        for item in report.checks:
            click.echo(f"{'ok' if item.ok else 'FAILED':<6} {item.name}")
            for problem in item.problems[:20]:
                click.echo(f"       {problem}")
    if not report.ok:
        hint = "restore a backup" if repair else "try newsarchive doctor --repair"
        raise ArchiveError(f"{report.path}: the archive has problems ({hint})")


@cli.command(name="backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@db_option
def backup_command(file: Path, force: bool) -> None:
    """Copy the archive into FILE, consistently even while it is in use (SQLite backup API).
    FILE is a complete archive: newsarchive --db FILE list. A PostgreSQL archive is backed up
    with pg_dump (or copied into a file with newsarchive copy).

    \b
    newsarchive backup ~/archive-backup.db
    """
    from newsarchive.maintenance import backup

    with open_archive(read_only=True) as archive:
        written = backup(archive, file, overwrite=force)
    click.echo(f"Backed up {written.articles} articles to {written.path}")


@cli.command(name="copy")
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@click.option("--query", help="Copy only the articles this search finds (as export selects).")
@json_option
def copy_command(source: str, destination: str, query: str | None, as_json: bool) -> None:
    """Copy the articles of archive SRC into archive DST, each a file or a postgresql:// URL,
    with their captures, versions, tags and notes. An article DST holds already (by URL)
    gains only what it lacks (other captures, tags, a note), so running it again copies
    nothing new, and an interrupted copy is resumed by running it again.

    \b
    newsarchive copy ~/archive.db postgresql://me@dbhost/news
    newsarchive copy postgresql://me@dbhost/news energy.db --query 'tag:energy'
    """
    from newsarchive.cli.progress import ProgressLine
    from newsarchive.copying import copy_archive
    from newsarchive.export import select_articles
    from newsarchive.store import open_archive as open_location

    with open_location(source, read_only=True, create=False) as origin:
        # before the destination is opened: a query that selects nothing creates no archive
        ids = select_articles(origin, query=query) if query is not None else None
        with open_location(destination) as target, ProgressLine("copied") as progress:
            report = copy_archive(origin, target, ids, progress=progress.count)
    if as_json:
        print_json(asdict(report))
        return
    click.echo(
        f"Copied {report.copied} articles into {target.name}, {report.present} there already;"
        f" {report.captures} captures and {report.fetches} later fetches written"
    )
