"""What an import is told and what it tells: options, one outcome per link, progress, summary."""

from __future__ import annotations

from dataclasses import dataclass

# "new": a dry run would fetch it; "queued": import --queue put it in the job queue
STATUSES = ("saved", "updated", "skipped", "failed", "invalid", "new", "queued")


@dataclass(frozen=True)
class ImportOptions:
    """How an import runs. ``processes=None``: an extraction process per core but one."""

    workers: int = 8
    delay: float = 1.0
    refetch: bool = False
    retry_failed: bool = False  # else a link that failed for good (404, 410...) is skipped
    dry_run: bool = False
    processes: int | None = None
    start_method: str | None = None
    read_ahead: int = 2000
    retries: int = 2
    max_retry_after: float = 60.0
    timeout: float = 120.0


@dataclass(frozen=True)
class Outcome:
    """What became of one entry of the list. ``status`` is one of STATUSES; for a page
    archived before, ``changed`` names the fields that made its new ``version`` (empty: no
    new version)."""

    url: str
    status: str
    line: int | None = None
    article_id: int | None = None
    reason: str = ""
    failed_before: bool = False  # skipped: it failed for good in an earlier import
    changed: tuple[str, ...] = ()
    version: int | None = None


@dataclass(frozen=True)
class Progress:
    """Counts so far. ``read`` entries came from the list; ``left`` of them are not finished."""

    read: int = 0
    saved: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    invalid: int = 0
    new: int = 0
    skipped_failed: int = 0  # of ``skipped``: links that failed for good in an earlier import
    list_done: bool = False
    elapsed: float = 0.0

    @property
    def done(self) -> int:
        return self.saved + self.updated + self.skipped + self.failed + self.invalid + self.new

    @property
    def left(self) -> int:
        return self.read - self.done

    @property
    def rate(self) -> float:
        """Articles written per second."""
        return (self.saved + self.updated) / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class ImportEvent:
    """One finished entry and the counts including it."""

    outcome: Outcome
    progress: Progress


@dataclass(frozen=True)
class ImportSummary:
    """The closing report of an import (``--json`` prints it as is)."""

    source: str
    format: str
    read: int
    saved: int
    updated: int
    skipped: int
    failed: int
    invalid: int
    new: int
    skipped_failed: int
    left: int
    list_done: bool
    interrupted: bool
    seconds: float
    articles_per_second: float


def summarize(
    source: str, fmt: str, progress: Progress, interrupted: bool = False
) -> ImportSummary:
    """The summary of a run from its last Progress (an empty one if nothing finished).

    A run that was not interrupted read its whole list, even if its last event came earlier;
    an interrupted one read it whole when every link left was in progress.
    """
    return ImportSummary(
        source=source,
        format=fmt,
        read=progress.read,
        saved=progress.saved,
        updated=progress.updated,
        skipped=progress.skipped,
        failed=progress.failed,
        invalid=progress.invalid,
        new=progress.new,
        skipped_failed=progress.skipped_failed,
        left=progress.left,
        list_done=not interrupted or progress.list_done,
        interrupted=interrupted,
        seconds=round(progress.elapsed, 3),
        articles_per_second=round(progress.rate, 2),
    )
