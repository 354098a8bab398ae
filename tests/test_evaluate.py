"""The evaluation scorers, pinned on hand-counted examples, and the dataset runner on tiny sets."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import SHARED

from newsarchive.errors import ExtractionError, InputError
from newsarchive.evaluate import (
    ShingleCounts,
    author_names,
    authors_match,
    body_counts,
    evaluate,
    format_report,
    headline_matches,
    load_dataset,
    score_authors,
    score_body,
    score_dates,
    score_headlines,
    score_snippets,
    shingles,
    snippet_counts,
)
from newsarchive.models import Article


def write_dataset(folder: Path, pages: dict[str, tuple[str, dict]]) -> Path:
    """Build a dataset folder: html/<id>.html.gz plus ground-truth.json."""
    (folder / "html").mkdir(parents=True)
    truth = {}
    for page_id, (html, record) in pages.items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        truth[page_id] = record
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return folder


# --- body --------------------------------------------------------------------------------


def test_shingles_overlap_four_tokens():
    assert shingles("one two, three four five!") == {
        "one two three four": 1,
        "two three four five": 1,
    }


def test_short_text_is_one_shingle_and_no_tokens_is_none():
    assert shingles("Hello, world") == {"Hello world": 1}
    assert shingles("  -- !! ") == {}
    assert shingles("") == {}


def test_shingle_tokens_are_unicode_words():
    assert shingles("Grüße aus Köln") == {"Grüße aus Köln": 1}


def test_body_counts_on_one_changed_word():
    counts = body_counts("the cat sat on the rug", "the cat sat on the mat")
    assert counts == ShingleCounts(tp=2, fp=1, fn=1)
    assert counts.f1 == pytest.approx(2 / 3)


def test_body_counts_repeated_shingles_match_at_most_their_count():
    # truth shingles: "a b c d" twice, "b c d a", "c d a b", "d a b c"
    assert body_counts("a b c d", "a b c d a b c d") == ShingleCounts(tp=1, fp=0, fn=4)


def test_body_counts_are_case_sensitive_like_the_benchmark():
    assert body_counts("hello world", "Hello world") == ShingleCounts(tp=0, fp=1, fn=1)


def test_score_body_averages_precision_and_recall_over_different_pages():
    score = score_body(
        [
            ("one two three four five six seven", "one two three four five six"),  # P 3/4, R 1
            ("", "alpha beta"),  # no prediction: recall 0, not in precision
            ("stray words here", ""),  # no truth: precision 0, not in recall
            ("alpha beta gamma delta", "alpha beta gamma delta epsilon"),  # P 1, R 1/2
        ]
    )
    assert score.pages == 4
    assert score.precision == pytest.approx((0.75 + 0 + 1) / 3)
    assert score.recall == pytest.approx((1 + 0 + 0.5) / 3)
    assert score.f1 == pytest.approx(7 / 13)
    # page F1s 6/7, 0 and 2/3 over the three pages that have a truth
    assert score.mean_page_f1 == pytest.approx(32 / 63)


def test_score_body_all_empty_predictions_scores_zero():
    score = score_body([("", "some true text here"), ("", "more text")])
    assert (score.precision, score.recall, score.f1, score.mean_page_f1) == (0, 0, 0, 0)


# --- snippets ----------------------------------------------------------------------------


def test_snippet_counts_fold_whitespace_on_both_sides():
    output = "Headline\nThe  first\nparagraph text. Footer"
    counts = snippet_counts(
        output, ["  The first   paragraph ", "missing bit"], ["Footer", "Headline", "Cookies"]
    )
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (1, 1, 2, 1)
    assert counts.missing == ("missing bit",)
    assert counts.unwanted == ("Footer", "Headline")


def test_snippet_search_is_case_sensitive():
    counts = snippet_counts("The first paragraph", ["the first paragraph"], [])
    assert (counts.tp, counts.fn) == (0, 1)


def test_score_snippets_sums_over_pages():
    score = score_snippets(
        [
            ("Headline\nThe first paragraph. Footer", (["first paragraph", "absent"], ["Footer"])),
            ("abc def", (["abc", "def"], ["zzz", "def"])),
        ]
    )
    assert (score.tp, score.fp, score.tn, score.fn) == (3, 2, 1, 1)
    assert score.precision == pytest.approx(3 / 5)
    assert score.recall == pytest.approx(3 / 4)
    assert score.f1 == pytest.approx(2 / 3)
    assert score.accuracy == pytest.approx(4 / 7)


# --- dates, headlines, authors -----------------------------------------------------------


def test_dates_compare_the_first_ten_characters():
    score = score_dates(
        [
            ("2019-12-12T10:00:00+01:00", "2019-12-12"),
            ("2019-12-11", "2019-12-12"),
            (None, "2019-12-12"),
            ("2019-12", "2019-12-12"),
        ]
    )
    assert (score.pages, score.correct, score.accuracy) == (4, 1, 0.25)


def test_headlines_fold_case_and_space_and_give_token_f1():
    score = score_headlines(
        [
            ("  The  Big\nStory ", "the big story"),  # exact after folding
            ("The Big Story!", "the big story"),  # punctuation differs: not exact, F1 1
            (None, "x y"),  # nothing found
            ("big story today", "the big story"),  # 2 of 3 tokens each side
        ]
    )
    assert (score.pages, score.exact, score.accuracy) == (4, 1, 0.25)
    assert score.token_f1 == pytest.approx((1 + 1 + 0 + 2 / 3) / 4)


def test_headlines_match_whatever_quote_marks_either_side_types():
    assert headline_matches("The Ferryman’s “Last” Crossing", 'The ferryman\'s "last" crossing')
    assert not headline_matches("The Ferryman’s Crossing", "The Ferrymans Crossing")


@pytest.mark.parametrize(
    ("names", "line"),
    [
        (["Jane Doe", "John Roe"], "John Roe and Jane Doe"),
        (["Ann Lee", "Bo Park", "Cy Dunn"], "Ann Lee, Bo Park, and Cy Dunn"),
        (["Maria", "Katerina"], "Maria & Katerina"),
        (["Ana Ruiz", "Lee Kim"], "Ana Ruiz; Lee Kim"),
        (["JANE  DOE"], "Jane Doe"),
        (["Dylan Bailey, MS, RD"], "Dylan Bailey, MS, RD"),
        (["Jane Doe"], "Jane Doe, MS, RD, FAND"),  # credentials are no names
        (["Ines Kowal", "Rafe Obi"], "Ines Kowal, Ph.D. and Rafe Obi, M.D. FACP"),
        (["KLM"], "KLM"),  # a line in capitals alone is a name
    ],
)
def test_authors_match_the_way_wcxb_writes_several(names, line):
    assert authors_match(names, line)


@pytest.mark.parametrize(
    ("names", "line"),
    [(["Jane Doe"], "Jane Doe and John Roe"), ([], "Jane Doe"), (["Jane Roe"], "Jane Doe")],
)
def test_authors_mismatch(names, line):
    assert not authors_match(names, line)


def test_author_names_do_not_split_inside_words():
    assert author_names("Sandra Anderson") == ["sandra anderson"]


def test_score_authors_counts_exact_and_token_f1():
    score = score_authors([(["Jane Doe", "John Roe"], "John Roe and Jane Doe"), ([], "Ann Lee")])
    assert (score.pages, score.exact, score.accuracy) == (2, 1, 0.5)
    # page 1: tokens jane doe john roe vs john roe and jane doe -> 8/9; page 2: 0
    assert score.token_f1 == pytest.approx((8 / 9 + 0) / 2)


# --- loading -----------------------------------------------------------------------------


def test_load_dataset_streams_sorted_pages_decoded_as_utf8(tmp_path):
    stale = '<html><head><meta charset="iso-8859-1"></head><body>Café</body></html>'
    folder = write_dataset(
        tmp_path / "set",
        {
            "b": ("<p>second</p>", {"url": "https://example.org/b", "date": "2020-01-02"}),
            "a": (stale, {"url": "https://example.org/a", "date": None}),
            "c": ("<p>third</p>", {"url": "https://example.org/c"}),
        },
    )
    pages = list(load_dataset(folder))
    assert [page.id for page in pages] == ["a", "b", "c"]
    assert "Café" in pages[0].html
    assert pages[1].url == "https://example.org/b"
    assert pages[1].truth == {"url": "https://example.org/b", "date": "2020-01-02"}
    assert [page.id for page in load_dataset(folder, limit=2)] == ["a", "b"]


def test_load_dataset_without_ground_truth_is_an_input_error(tmp_path):
    (tmp_path / "html").mkdir()
    with pytest.raises(InputError, match=r"ground-truth\.json"):
        next(load_dataset(tmp_path))


def test_load_dataset_without_html_folder_is_an_input_error(tmp_path):
    (tmp_path / "ground-truth.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="html/"):
        next(load_dataset(tmp_path))


def test_load_dataset_with_broken_truth_or_missing_page(tmp_path):
    folder = write_dataset(tmp_path / "set", {"a": ("<p>x</p>", {"url": None})})
    (folder / "html" / "a.html.gz").unlink()
    with pytest.raises(InputError, match=r"a\.html\.gz"):
        list(load_dataset(folder))
    (folder / "ground-truth.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="unreadable ground truth"):
        list(load_dataset(folder))


# --- evaluate ----------------------------------------------------------------------------

RICH_PAGES = {
    "p1": (
        "<html>page one</html>",
        {
            "url": "https://example.org/1",
            "articleBody": "the cat sat on the mat",
            "with": ["Cats Rule", "sat on the"],
            "without": ["Subscribe"],
            "title": "Cats Rule",
            "author": "Jane Doe and John Roe",
            "date": "2024-05-01",
        },
    ),
    "p2": (
        "<html>page two</html>",
        {
            "url": "https://example.org/2",
            "articleBody": "dogs bark at night",
            "with": ["dogs bark"],
            "without": [],
            "title": "Dogs",
            "author": None,
            "date": None,
        },
    ),
}


def rich_extractor(html: str, url: str | None) -> Article:
    if url == "https://example.org/2":
        raise ExtractionError(f"{url}: no article text")
    assert html == "<html>page one</html>"
    return Article(
        headline="Cats  rule",
        authors=["John Roe", "Jane Doe"],
        published="2024-05-01T08:00:00Z",
        text="the cat sat on the rug\nSubscribe",
    )


def test_evaluate_scores_every_applicable_metric_and_counts_failures(tmp_path):
    folder = write_dataset(tmp_path / "rich", RICH_PAGES)
    report = evaluate(folder, rich_extractor)
    assert (report.dataset, report.pages, report.failures) == ("rich", 2, 1)
    # p1: shingles tp 2, fp 2 ("sat on the rug", "on the rug Subscribe"), fn 1; p2 failed: empty
    assert report.body.precision == pytest.approx(0.5)
    assert report.body.recall == pytest.approx((2 / 3 + 0) / 2)
    assert report.body.mean_page_f1 == pytest.approx((4 / 7 + 0) / 2)
    # the headline is searched too: "Cats rule" != "Cats Rule" (case), so tp 1, fn 2, fp 1, tn 0
    snippets = report.snippets
    assert (snippets.tp, snippets.fn, snippets.fp, snippets.tn) == (1, 2, 1, 0)
    assert (report.dates.pages, report.dates.correct) == (1, 1)
    assert (report.headlines.pages, report.headlines.exact) == (2, 1)
    assert (report.authors.pages, report.authors.exact) == (1, 1)
    assert report.pages_per_second > 0


def test_snippets_are_found_in_the_headline(tmp_path):
    folder = write_dataset(
        tmp_path / "snips",
        {"x": ("<p/>", {"url": None, "with": ["Big News Today"], "without": ["Menu"]})},
    )
    report = evaluate(folder, lambda html, url: Article(headline="Big News Today", text="Body."))
    assert (report.snippets.tp, report.snippets.tn) == (1, 1)
    assert report.body is None and report.dates is None and report.authors is None


def test_worst_pages_lists_failures_first_with_the_cause(tmp_path):
    folder = write_dataset(tmp_path / "rich", RICH_PAGES)
    report = evaluate(folder, rich_extractor, worst=1)
    assert len(report.worst) == 1
    worst = report.worst[0]
    assert (worst.id, worst.url, worst.score, worst.body_f1) == (
        "p2",
        "https://example.org/2",
        0,
        0,
    )
    assert "ExtractionError" in worst.note
    full = evaluate(folder, rich_extractor)
    assert full.worst[1].body_f1 == pytest.approx(4 / 7)
    assert full.worst[1].snippet_misses == 2


def test_a_crashing_extractor_does_not_stop_the_run(tmp_path):
    folder = write_dataset(
        tmp_path / "dates",
        {
            "a": ("<p/>", {"url": "u1", "date": "2001-02-03"}),
            "b": ("<p/>", {"url": "u2", "date": "2001-02-04"}),
        },
    )

    def extractor(html: str, url: str | None) -> Article:
        if url == "u1":
            raise ValueError("boom")
        return Article(published="2001-02-04")

    report = evaluate(folder, extractor)
    assert report.failures == 1
    assert (report.dates.pages, report.dates.correct) == (2, 1)
    assert report.body is None and report.snippets is None and report.headlines is None
    assert [page.id for page in report.worst] == ["a", "b"]
    assert "ValueError: boom" in report.worst[0].note


def test_evaluate_honours_the_limit(tmp_path):
    folder = write_dataset(tmp_path / "rich", RICH_PAGES)
    seen = []
    evaluate(folder, lambda html, url: seen.append(url) or Article(), limit=1)
    assert seen == ["https://example.org/1"]


def test_report_to_dict_is_json_and_format_report_shows_the_figures(tmp_path):
    folder = write_dataset(tmp_path / "rich", RICH_PAGES)
    report = evaluate(folder, rich_extractor)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["pages"] == 2 and data["failures"] == 1
    assert data["body"]["precision"] == pytest.approx(0.5)
    assert data["worst"][0]["id"] == "p2"
    assert data["pages_per_second"] > 0
    text = format_report(report)
    assert "rich: 2 pages, 1 failed" in text
    assert "body precision         0.500" in text
    assert "author exact           1.000 (1/1)" in text
    assert "p2  https://example.org/2" in text


def test_reads_a_real_benchmark_set_when_present():
    folder = SHARED / "datasets" / "scrapinghub"
    if not folder.is_dir():
        pytest.skip("shared datasets not present")
    pages = list(load_dataset(folder, limit=2))
    assert len(pages) == 2 and pages[0].id < pages[1].id
    assert "<html" in pages[0].html.lower()
    report = evaluate(folder, lambda html, url: Article(text=html), limit=2)
    # the whole page holds the body: recall is high, precision low
    assert report.body.recall > 0.8 > report.body.precision


def test_a_page_without_body_is_still_scored_on_the_metadata_it_yielded(tmp_path: Path) -> None:
    folder = tmp_path / "dated"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "a.html.gz").write_bytes(gzip.compress(b"<html></html>"))
    (folder / "ground-truth.json").write_text(json.dumps({"a": {"url": "u", "date": "2024-05-02"}}))

    def metadata_only(html: str, url: str | None) -> Article:
        raise ExtractionError("u: no article text found", article=Article(published="2024-05-02"))

    report = evaluate(folder, extractor=metadata_only)
    assert report.failures == 1
    assert report.dates.accuracy == 1.0


def test_the_report_counts_the_extractor_cpu_time_apart_from_the_wall_clock(tmp_path):
    folder = write_dataset(tmp_path / "rich", RICH_PAGES)

    def busy_extractor(html, url):
        sum(range(200_000))  # CPU work, measured by both clocks
        return rich_extractor(html, url)

    report = evaluate(folder, busy_extractor)
    assert report.cpu_seconds > 0 and report.pages_per_cpu_second > 0
    assert report.to_dict()["pages_per_cpu_second"] == report.pages_per_cpu_second
