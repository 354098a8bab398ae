"""Politeness per host: one request at a time to a host, and a pause after each answer."""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsarchive.errors import FetchError
from newsarchive.linklists import Link
from newsarchive.models import FetchResult

RATE_LIMITED = (429, 503)
MAX_IDLE_HOSTS = 4096


def host_of(url: str) -> str:
    """The politeness key of a URL: its server's name, lower-cased and without a trailing
    dot. http and https, and every port, of one server share one turn: they are one machine
    that asked to be spared."""
    return (urlsplit(url).hostname or "").rstrip(".")


def rate_limited(result: FetchResult | Exception) -> bool:
    """Whether a fetch failed because the server asked us to slow down."""
    return isinstance(result, FetchError) and result.status in RATE_LIMITED


def pause_after(delay: float, max_pause: float, strikes: int) -> float:
    """The pause before a host's next request: ``delay``, doubled for each answer in a row
    that said "slow down" (``strikes``), up to ``max_pause``."""
    if not strikes:
        return delay
    return min(max_pause, max(delay, 0.5) * 2**strikes)


@dataclass
class _Host:
    links: deque[Link] = field(default_factory=deque)
    busy: bool = False
    queued: bool = False
    ready_at: float = 0.0
    strikes: int = 0


class HostQueue:
    """The links waiting for each host, and which host may be asked next.

    A host is asked one link at a time, ``delay`` seconds after its last answer ended. Each
    answer in a row that says "slow down" (429, 503) doubles the pause, up to ``max_pause``.
    """

    def __init__(self, delay: float, max_pause: float) -> None:
        self.delay = delay
        self.max_pause = max_pause
        self.hosts: dict[str, _Host] = {}
        self.ready: list[tuple[float, int, str]] = []
        self.sequence = 0

    def add(self, link: Link) -> None:
        key = host_of(link.url)
        host = self.hosts.setdefault(key, _Host())
        host.links.append(link)
        self._mark_ready(key, host)

    def next_ready_at(self) -> float | None:
        """When the earliest waiting host may be asked (None when no host waits)."""
        return self.ready[0][0] if self.ready else None

    def pop_ready(self, now: float) -> Link | None:
        """The next link of a host whose pause is over, the host then busy; or None."""
        if not self.ready or self.ready[0][0] > now:
            return None
        _ready_at, _sequence, key = heapq.heappop(self.ready)
        host = self.hosts[key]
        host.queued, host.busy = False, True
        return host.links.popleft()

    def done(self, url: str, finished_at: float, slow_down: bool) -> None:
        """The request for ``url`` ended at ``finished_at``: start its host's pause."""
        key = host_of(url)
        host = self.hosts[key]
        host.busy = False
        host.strikes = host.strikes + 1 if slow_down else 0
        host.ready_at = finished_at + pause_after(self.delay, self.max_pause, host.strikes)
        self._mark_ready(key, host)
        if len(self.hosts) > MAX_IDLE_HOSTS:
            self._forget_idle_hosts()

    def _mark_ready(self, key: str, host: _Host) -> None:
        if host.links and not host.busy and not host.queued:
            host.queued = True
            self.sequence += 1
            heapq.heappush(self.ready, (host.ready_at, self.sequence, key))

    def _forget_idle_hosts(self) -> None:
        """Drop hosts with nothing queued whose pause is over: they can start afresh."""
        now = time.monotonic()
        for key, host in list(self.hosts.items()):
            if not (host.links or host.busy or host.queued) and host.ready_at <= now:
                del self.hosts[key]
