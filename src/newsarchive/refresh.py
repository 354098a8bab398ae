"""Fetching archived articles again (``newsarchive refresh``), through the importer: its
per-host pauses, fetch threads, extraction processes and progress are the same, and so is
what a save does with a page already archived (a new version, or only the capture's time).

Resuming: a run records when it started under its selection (table ``refreshes``) and forgets
it once it has gone through its list. Run again after Ctrl-C or a crash, the same selection
finds that start and skips the articles fetched since (times are kept to the second, so one
fetched in the second before the run started counts as fetched by it: it is as fresh).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone

import requests

from newsarchive.engines import POSTGRESQL, marks
from newsarchive.errors import InputError
from newsarchive.filters import conditions
from newsarchive.importer import ImportEvent, ImportOptions, import_links
from newsarchive.linklists import Link
from newsarchive.query import Filter
from newsarchive.records import now_iso
from newsarchive.store import Archive

_AGE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class RefreshSelection:
    """Which articles to fetch again: these ids, or every one (``every``); of those, only
    the ones last fetched longer ago than ``older_than`` and of a site or host holding
    ``site``."""

    ids: tuple[int, ...] = ()
    every: bool = False
    older_than: str | None = None
    site: str | None = None

    def __post_init__(self) -> None:
        """A selection that names nothing, or an age that is none, is refused when made:
        before an archive is opened or anything fetched."""
        if bool(self.ids) == self.every:
            raise InputError("give article ids or --all (not both)")
        if self.older_than is not None:
            age(self.older_than)


def age(text: str) -> timedelta:
    """``30m``, ``12h``, ``7d`` or ``2w`` as a duration."""
    found = _AGE.fullmatch(text.strip().lower())
    if found is None:
        raise InputError(f"{text!r}: give an age as a number and m, h, d or w (7d, 12h)")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def refresh_articles(
    archive: Archive,
    selection: RefreshSelection,
    options: ImportOptions | None = None,
    session_factory: Callable[[], requests.Session] | None = None,
) -> Iterator[ImportEvent]:
    """Fetch the selected articles again; yield the importer's events, one per article (its
    outcome's ``changed`` names what made a new version)."""
    key = json.dumps(asdict(selection), sort_keys=True)
    ids = [archive.resolve(each) for each in selection.ids]  # an unknown one: before any record
    cutoff = _cutoff(selection, _interrupted_start(archive, key))
    links = [Link(url) for url in _urls(archive, selection, ids, cutoff)]
    refetching = replace(options or ImportOptions(), refetch=True)
    yield from import_links(iter(links), archive, refetching, session_factory)
    with archive.transaction() as conn:
        conn.execute("DELETE FROM refreshes WHERE selection = ?", [key])


def _interrupted_start(archive: Archive, key: str) -> str | None:
    """When an unfinished run of this selection started, if there is one; else this run's
    start is recorded, for a run after it to resume from."""
    with archive.transaction() as conn:
        sql = "SELECT started_at FROM refreshes WHERE selection = ?"
        row = conn.execute(sql, [key]).fetchone()
        if row is None:
            conn.execute("INSERT INTO refreshes VALUES (?, ?)", [key, now_iso()])
    return row[0] if row else None


def _cutoff(selection: RefreshSelection, started: str | None) -> str | None:
    """Articles last fetched at or after this time are left out (None: none is)."""
    times = [started] if started else []
    if selection.older_than is not None:
        since = datetime.now(timezone.utc) - age(selection.older_than)
        times.append(since.isoformat(timespec="seconds"))
    return min(times, default=None)


def _urls(
    archive: Archive, selection: RefreshSelection, ids: list[int], cutoff: str | None
) -> list[str]:
    where, params = _site_conditions(archive, selection.site) if selection.site else ("", [])
    if ids:
        where += f" AND a.id IN ({marks(ids)})"
        params += ids
    if cutoff is not None:
        where += f" AND {_LAST_FETCHED} < ?"
        params.append(cutoff)
    return [url for (url,) in archive.conn.execute(_SELECT.format(where=where), params)]


def _site_conditions(archive: Archive, site: str) -> tuple[str, list]:
    """The articles of ``site`` (" AND ..." on the articles ``a``), as search's ``site:``
    filter picks them on the archive's engine."""
    chosen = [Filter("site", site)]
    if archive.engine.kind == POSTGRESQL:
        from newsarchive import pgquery  # the PostgreSQL query compiler, loaded only for one

        return pgquery.conditions(archive, chosen)
    found = conditions(archive, chosen, "a.id")
    return found.where, found.params


_LAST_FETCHED = (
    "coalesce((SELECT max(fetched_at) FROM (SELECT fetched_at FROM captures WHERE article_id"
    " = a.id UNION ALL SELECT fetched_at FROM capture_times WHERE article_id = a.id) f), '')"
)
_SELECT = (
    "SELECT a.url FROM articles a WHERE (a.url LIKE 'http://%' OR a.url LIKE 'https://%')"
    " {where} ORDER BY a.id"
)
