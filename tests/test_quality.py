"""Quality floor: extraction may not get worse than it is today, minus a small margin.

Over our own fixture pages always, and over the benchmark sets in ``../shared/datasets`` when
they are beside the clone (skipped otherwise). On the sets a fixed sample of pages is scored
(every n-th page in id order), so the run stays short and the figure is the same every run:
the floors below were measured on exactly these samples. After an improvement, raise them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import FIXTURES, SHARED

from newsarchive.evaluate import (
    EvalPage,
    EvalReport,
    evaluate_pages,
    load_dataset,
    score_body,
    score_dates,
    score_headlines,
)
from newsarchive.extract import extract_article

DATASETS = SHARED / "datasets"
MARGIN = 0.005  # body and snippet F1 may move this much before the test fails
COUNT_MARGIN = 0.01  # dates and headlines: a share of right pages, coarser on a sample


@dataclass(frozen=True)
class Floor:
    """A measure read from a report, the figure it had when the floor was set, its margin."""

    name: str
    read: Callable[[EvalReport], float]
    today: float
    margin: float = MARGIN


def _body(report: EvalReport) -> float:
    return report.body.f1 if report.body else 0.0


def _snippets(report: EvalReport) -> float:
    return report.snippets.f1 if report.snippets else 0.0


def _dates(report: EvalReport) -> float:
    return report.dates.accuracy if report.dates else 0.0


def _headlines(report: EvalReport) -> float:
    return report.headlines.accuracy if report.headlines else 0.0


# set name -> (every n-th page, floors measured on that sample)
SETS: dict[str, tuple[int, tuple[Floor, ...]]] = {
    "scrapinghub": (1, (Floor("body F1", _body, 0.9809),)),
    "wcxb-articles-dev": (
        4,
        (
            Floor("body F1", _body, 0.9507),
            Floor("date accuracy", _dates, 0.883, COUNT_MARGIN),
            Floor("headline exact", _headlines, 0.8838, COUNT_MARGIN),
        ),
    ),
    "trafilatura-eval": (5, (Floor("snippet F1", _snippets, 0.9392),)),
    "dates": (5, (Floor("date accuracy", _dates, 0.9548, COUNT_MARGIN),)),
}


def _sample(name: str, every: int) -> list[EvalPage]:
    return list(load_dataset(DATASETS / name))[::every]


@pytest.mark.skipif(not DATASETS.is_dir(), reason="no ../shared/datasets beside the clone")
@pytest.mark.parametrize("name", sorted(SETS))
def test_benchmark_sets_stay_above_their_floor(name: str) -> None:
    every, floors = SETS[name]
    report = evaluate_pages(_sample(name, every), extract_article, name)
    figures = {floor.name: round(floor.read(report), 4) for floor in floors}
    for floor in floors:
        assert figures[floor.name] >= floor.today - floor.margin, (name, figures)


# --- our own fixture pages ----------------------------------------------------------------

FIXTURE_BODY_F1 = 1.0  # every fixture is pinned exactly elsewhere; here their sum is guarded
FIXTURE_HEADLINES = 1.0
FIXTURE_DATES = 1.0


def _fixture_pairs() -> list[tuple[dict, object]]:
    pairs = []
    for expected_file in sorted(FIXTURES.glob("*/expected.json")):
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        html = (expected_file.parent / "page.html").read_text(encoding="utf-8")
        pairs.append((expected, extract_article(html, expected.get("url"))))
    return pairs


def test_fixture_pages_stay_above_their_floor() -> None:
    pairs = _fixture_pairs()
    body = score_body((a.text, "\n".join(e["paragraphs"])) for e, a in pairs if e["paragraphs"])
    headlines = score_headlines((a.headline, e["headline"]) for e, a in pairs if "headline" in e)
    dates = score_dates((a.published, e["published"]) for e, a in pairs if e.get("published"))
    assert body.f1 >= FIXTURE_BODY_F1 - MARGIN
    assert headlines.accuracy >= FIXTURE_HEADLINES - COUNT_MARGIN
    assert dates.accuracy >= FIXTURE_DATES - COUNT_MARGIN


def test_the_floors_name_sets_that_exist() -> None:
    """A renamed set would otherwise be skipped for ever without anyone noticing."""
    if not DATASETS.is_dir():
        pytest.skip("no ../shared/datasets beside the clone")
    assert all((DATASETS / name / "ground-truth.json").is_file() for name in SETS)
