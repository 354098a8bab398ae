"""The command line: parse options, call one library function, render the result.

The only package that imports click. This module holds the group, the error mapping and the
shared options; the commands live beside it by job: ``reading`` (show, list, search, quotes,
speakers, stats, export), ``adding`` (add, extract, reextract), ``batch`` (import, failures),
``organising`` (tag, tags, note, delete), ``queueing`` (worker, queue), ``upkeep`` (doctor,
backup, eval), ``serving`` (serve) and ``versioning`` (history, diff, refresh). Library errors (NewsarchiveError)
become a one-line ``Error: ...`` on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from newsarchive import __version__
from newsarchive.controls import one_line
from newsarchive.errors import NewsarchiveError

EXIT_INTERRUPTED = 130
EXIT_NO_TEXT = 3  # add: the page was kept, but it holds no article text (no_text, blocked)
# A count or a size given on the command line: past SQLite's integers it names nothing.
COUNT = click.IntRange(min=1, max=2**63 - 1)


def default_db_path() -> Path:
    """The archive used when neither --db nor NEWSARCHIVE_DB is given."""
    from platformdirs import user_data_dir  # only here: a command given --db never needs it

    return Path(user_data_dir("newsarchive", appauthor=False)) / "archive.db"


class ArchiveGroup(click.Group):
    """Turns library errors into click errors: one line on stderr, the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsarchiveError as error:
            exception = click.ClickException(one_line(str(error)))
            exception.exit_code = error.exit_code
            raise exception from error
        except KeyboardInterrupt:
            click.echo("Interrupted: what was saved is kept.", err=True)
            ctx.exit(EXIT_INTERRUPTED)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Where the default archive lives, worked out when help is printed."""
        self.epilog = (
            f"The archive is one SQLite file, by default {default_db_path()};"
            " or a PostgreSQL database given as --db postgresql://user@host/dbname"
        )
        super().format_epilog(ctx, formatter)


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["newsarchive.db"] = value


def db_option(function: Callable) -> Callable:
    """``--db PATH|URL`` on a command, overriding the group's --db and NEWSARCHIVE_DB."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        metavar="FILE|URL",
        expose_value=False,
        callback=_remember_db,
        help="Archive file or postgresql:// URL (default: see newsarchive --help).",
    )(function)


def json_option(function: Callable) -> Callable:
    """``--json``: print machine-readable output (the parameter is ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def open_archive(read_only: bool = False, create: bool = False):
    """The archive chosen by --db, NEWSARCHIVE_DB or the default path (a SQLite file, or a
    PostgreSQL database given as a ``postgresql://`` URL), opened (and migrated). Commands
    that only read pass ``read_only=True`` so they also work on read-only storage; only the
    commands that add articles pass ``create=True``: for the others a missing archive is a
    mistyped location, refused in one line."""
    from newsarchive import store

    location = click.get_current_context().meta.get("newsarchive.db") or default_db_path()
    return store.open_archive(location, read_only=read_only, create=create)


def print_json(value: Any) -> None:
    """JSON escapes C0 controls itself; DEL and C1 are escaped too, for the terminal's sake."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES))


_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}


def print_rows(rows: list, as_json: bool, line: Callable[[Any], str], empty: str = "") -> None:
    """Dataclass rows as one JSON array, or one ``line`` each; ``empty`` goes to stderr when
    there are none."""
    if as_json:
        print_json([asdict(row) for row in rows])
        return
    if not rows and empty:
        click.echo(empty, err=True)
    for row in rows:
        click.echo(line(row))


@click.group(cls=ArchiveGroup)
@click.version_option(__version__, prog_name="newsarchive")
@click.option(
    "--db",
    envvar="NEWSARCHIVE_DB",
    type=click.Path(dir_okay=False),
    metavar="FILE|URL",
    expose_value=False,
    callback=_remember_db,
    help="Archive to use: a file, or postgresql://user@host/dbname (env NEWSARCHIVE_DB).",
)
def cli() -> None:
    """Archive news articles offline: clean text, metadata, quotes, full-text search."""


def echo_removed(blocks: list) -> None:
    """List the blocks the cleaner removed (``--removed`` of extract and show)."""
    click.echo(f"\n--- removed blocks ({len(blocks)}) ---")
    for block in blocks:
        click.echo(one_line(f"[{block.rule}] {block.text}"))


# The commands register themselves on ``cli`` when imported; they import the library lazily.
from newsarchive.cli import (  # noqa: E402, F401
    adding,
    batch,
    organising,
    queueing,
    reading,
    serving,
    upkeep,
    versioning,
)
