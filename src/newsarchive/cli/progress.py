"""The progress line of long commands (import, reextract --all, export, doctor --repair, eval):
on stderr, redrawn in place, and only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from types import TracebackType

import click

from newsarchive.render import step_text

CLEAR_LINE = "\r\x1b[K"
REDRAW_SECONDS = 0.1  # a faster redraw costs time and shows nothing a reader could follow


def stderr_is_terminal() -> bool:
    """Whether progress can be drawn: a log file or a pipe gets none of it."""
    return sys.stderr.isatty()


class ProgressLine:
    """One line of stderr redrawn with the latest counts, at most every REDRAW_SECONDS (the
    last count always). ``verb`` names the work for ``count``: "exported 3/40 · 2.1/s"."""

    def __init__(self, verb: str = "", shown: bool = True) -> None:
        self.verb = verb
        self.terminal = shown and stderr_is_terminal()
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.drawn = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self, kind: type | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def count(self, done: int, total: int | None = None) -> None:
        """Show ``done`` of ``total`` (None: not known yet), the rate and the time left."""
        elapsed = time.monotonic() - self.started
        self.draw(step_text(self.verb, done, total, elapsed), last=done == total)

    def draw(self, text: str, last: bool = False) -> None:
        """Replace the line with ``text``, unless it was drawn a moment ago (``last``: draw)."""
        if not self.terminal or (not last and time.monotonic() - self.drawn_at < REDRAW_SECONDS):
            return
        click.echo(CLEAR_LINE + text, err=True, nl=False)
        self.drawn_at = time.monotonic()
        self.drawn = True

    def note(self, line: str) -> None:
        """A line for stderr above the progress line, which the next draw puts back."""
        click.echo(self._cleared() + line, err=True)

    def echo(self, line: str) -> None:
        """A line for stdout, with the progress line cleared first so they do not run together."""
        prefix = self._cleared()
        if prefix:
            click.echo(prefix, err=True, nl=False)
        click.echo(line)

    def _cleared(self) -> str:
        return CLEAR_LINE if self.drawn else ""

    def close(self) -> None:
        """End the line, so what follows starts on a line of its own."""
        if self.drawn:
            click.echo("", err=True)
            self.drawn = False
