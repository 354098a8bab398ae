"""The date parser's warm-up: only while the process would wait, never in the way, never raising."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import htmldate.extractors
import pytest

from newsarchive.extract.datewarm import warm_up_dates, warming_dates
from newsarchive.importer import pool
from newsarchive.models import Article, FetchResult


def test_the_warm_up_asks_before_each_step_and_stops_when_told() -> None:
    asked: list[bool] = []
    warm_up_dates(lambda: asked.append(True) and False)
    assert asked == [True]


def test_a_warm_up_whose_internals_moved_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(htmldate.extractors, "get_external_parser", lambda: object())
    warm_up_dates()  # an AttributeError inside, logged, not raised


def test_warming_during_a_block_leaves_no_thread_behind() -> None:
    with warming_dates():
        pass
    assert not [thread for thread in threading.enumerate() if thread.name == "newsarchive-dates"]


def test_only_a_download_warms_the_date_parser_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarchive import pipeline

    warmed: list[bool] = []

    @contextmanager
    def warming() -> Iterator[None]:
        warmed.append(True)
        yield

    loaded: list[tuple[str, int]] = []
    monkeypatch.setattr(pipeline, "warming_dates", warming)
    monkeypatch.setattr(pipeline, "load", lambda source, **_: loaded.append((source, len(warmed))))
    for source in ("https://news.example/a", " HTTP://news.example/b", "page.html", "-"):
        pipeline._load(source, None, None, {})
    assert [count for _, count in loaded] == [1, 2, 2, 2]


def test_an_extraction_process_is_busy_while_it_extracts(monkeypatch: pytest.MonkeyPatch) -> None:
    idle_then: list[bool] = []

    def extract(fetched: FetchResult) -> Article:
        idle_then.append(pool.worker_idle().is_set())
        return Article()

    monkeypatch.setattr(pool, "_extract", extract)
    url = "https://news.example/a"
    pool.extract_job(FetchResult(url=url, final_url=url, text="<p>a</p>", raw=b"<p>a</p>"))
    assert idle_then == [False] and pool.worker_idle().is_set()
