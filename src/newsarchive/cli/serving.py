"""The serve command: the local web reader (library code in newsarchive.web)."""

from __future__ import annotations

import click

from newsarchive.cli import cli, db_option, open_archive
from newsarchive.errors import InputError

PORT = click.IntRange(min=0, max=65535)
WILDCARDS = ("0.0.0.0", "::", "")  # every address of the machine: no one name to check Host against


@cli.command()
@click.option("--port", type=PORT, default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the reader in the browser.")
@click.option(
    "--allow-edits", is_flag=True, help="Let the reader's forms tag, note and delete articles."
)
@db_option
def serve(port: int, host: str, open_browser: bool, allow_edits: bool) -> None:
    """Read the archive in the browser: list, search, articles with their versions and what
    changed, quotes, tags (Ctrl-C stops).

    Only this machine can connect unless --host names another address. Read-only unless
    --allow-edits (then an article's page can change its tags and note, or delete it). Every
    page also answers as JSON (a .json suffix, or Accept: application/json).

    \b
    newsarchive serve --open
    newsarchive serve --port 8080
    """
    from newsarchive.web import ReaderServer, ReaderSettings, is_loopback

    if host in WILDCARDS:  # browsers would send the machine's name, which the Host check refuses
        raise InputError(
            f"--host {host}: give the address other machines reach this one at"
            " (--host 192.168.1.20): requests are checked against it"
        )
    with open_archive(read_only=True) as archive:  # fails early, and upgrades it once
        location, name = archive.location, archive.name
    if not is_loopback(host):
        click.echo(f"Warning: listening on {host}: other machines can read the archive.", err=True)
    try:
        server = ReaderServer(ReaderSettings(location, allow_edits), host, port)
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    mode = "edits allowed" if allow_edits else "read-only"
    click.echo(f"Serving {name} at {server.url} ({mode}); Ctrl-C stops.", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
