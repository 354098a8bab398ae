"""The per-page time budget: past it, extraction stops and keeps what it found (partial)."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from conftest import BRIDGE_STORY

from newsarchive.cli import cli
from newsarchive.extract import article, budget, extract_capture, plaintext
from newsarchive.extract.budget import TimeUp, time_budget
from newsarchive.models import FetchResult

PAGE = (
    "<html><head><title>Harbour bridge reopens</title></head><body><article>"
    "<h1>Harbour bridge reopens</h1>"
    + "".join(f"<p>“{text}” said Mina Okafor.</p>" for text in BRIDGE_STORY)
    + "</article></body></html>"
)


def forever(*_args: object) -> None:
    while True:
        pass


def test_the_watchdog_stops_a_block_that_runs_past_its_budget() -> None:
    with pytest.raises(TimeUp), time_budget(0.05):
        forever()


def test_a_budget_of_nothing_stops_the_block_whenever_the_timer_fires() -> None:
    with pytest.raises(TimeUp), time_budget(0.0):  # before the block (arm raises) or in it
        forever()


def test_the_watchdog_never_fires_once_the_block_is_left() -> None:
    for _ in range(20):
        with time_budget(0.05):
            pass
    time.sleep(0.2)  # a TimeUp armed above would be raised here


def test_a_page_past_its_budget_keeps_its_text_and_is_partial(monkeypatch) -> None:
    monkeypatch.setattr(article, "find_quotes", forever)
    fetched = FetchResult(url="https://news.example/s", final_url=None, text=PAGE, raw=b"")
    found = extract_capture(fetched, budget=0.2)
    assert found.text == "\n".join(f"“{text}” said Mina Okafor." for text in BRIDGE_STORY)
    assert (found.headline, found.quotes, found.status) == ("Harbour bridge reopens", [], "partial")
    assert found.note == "extraction stopped at its time budget, while finding quotes"


def test_a_budget_spent_inside_readability_stops_the_page(monkeypatch) -> None:
    """readability turns any Exception raised in it into Unparseable, which our code takes for
    'nothing found' and goes on: TimeUp must get through it."""
    from readability.readability import Document

    best_candidate = Document.select_best_candidate

    def slow(*args: object):  # long enough for the budget to run out inside, then done
        ends = time.monotonic() + 2.0
        while time.monotonic() < ends:
            pass
        return best_candidate(*args)

    monkeypatch.setattr(Document, "select_best_candidate", slow)
    fetched = FetchResult(url="https://news.example/s", final_url=None, text=PAGE, raw=b"")
    found = extract_capture(fetched, budget=0.2)
    assert (found.headline, found.status) == ("Harbour bridge reopens", "partial")
    assert found.note.startswith("extraction stopped at its time budget")


def test_a_text_article_past_its_budget_keeps_its_text(monkeypatch) -> None:
    monkeypatch.setattr(plaintext, "find_quotes", forever)
    text = "Harbour bridge reopens\n\n" + "\n\n".join(BRIDGE_STORY)
    fetched = FetchResult(url=None, final_url=None, text=text, raw=b"", kind="text")
    found = extract_capture(fetched, budget=0.2)
    assert (found.text, found.status) == ("\n".join(BRIDGE_STORY), "partial")


def test_add_keeps_a_page_past_its_budget_and_show_says_why(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(article, "find_quotes", forever)
    monkeypatch.setattr(budget, "TIME_BUDGET", 0.2)
    source = tmp_path / "page.html"
    source.write_text(PAGE)
    added = CliRunner().invoke(cli, ["add", str(source), "--url", "https://news.example/s"])
    assert added.exit_code == 0, added.output
    assert "[partial]" in added.stdout and "note: extraction stopped" in added.stdout
    shown = CliRunner().invoke(cli, ["show", "1"]).stdout
    assert "status partial: extraction stopped at its time budget, while finding quotes" in shown
