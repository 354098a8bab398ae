"""Scoring quotes and speakers: the metric on hand-written lists, the quote-set runner with a
stub extractor, and ``newsarchive eval`` on a tiny quote set written here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED

from newsarchive.cli import cli
from newsarchive.errors import ExtractionError, InputError
from newsarchive.evaluate import (
    QuoteSetArticle,
    evaluate_quote_set,
    format_quote_report,
    load_quote_set,
    score_articles,
)
from newsarchive.evaluate.quotes import (
    QuoteMiss,
    bag,
    bag_f1,
    quote_counts,
    speaker_right,
    summarise_quotes,
)
from newsarchive.models import Article, Quote

QUOTE_SET = SHARED / "datasets" / "quotes-polnear-dev"

# --- the metric --------------------------------------------------------------------------


def test_a_quote_matches_at_a_word_bag_f1_of_four_fifths_and_not_below() -> None:
    gold = "One two three four five"
    assert bag_f1(bag(gold), bag("one, TWO three four six!")) == pytest.approx(0.8)
    assert quote_counts([(gold, None)], [("one two three four six", None)]).matched == 1
    assert quote_counts([(gold, None)], [("one two three six seven", None)]).matched == 0


def test_pairs_are_taken_best_first_and_one_to_one() -> None:
    gold = [("the ferry leaves at noon today", "Ana Lopes")]
    predicted = [
        ("the ferry leaves at noon today again", "Tomas Berg"),
        ("The ferry leaves at noon today.", "Lopes"),
    ]
    counts = quote_counts(gold, predicted)
    assert (counts.matched, counts.right_speaker, counts.unmatched_predictions) == (1, 1, 1)
    assert counts.misses == (
        QuoteMiss("extra", "the ferry leaves at noon today again", None, "Tomas Berg"),
    )


@pytest.mark.parametrize(
    ("gold", "predicted", "right"),
    [
        ("Donald Trump Jr.", "Trump", True),
        ("Martin Luther King III", "Dr. King", True),
        ("Hillary Clinton", "Mrs. CLINTON", True),
        ("Hillary Clinton", "Hillary", False),
        ("Hillary Clinton", None, False),
        ("Jr.", "Jr", True),
    ],
)
def test_a_speaker_is_right_when_the_gold_last_name_is_a_predicted_word(
    gold: str, predicted: str | None, right: bool
) -> None:
    assert speaker_right(gold, predicted) is right


def test_a_prediction_over_several_paragraphs_is_scored_paragraph_by_paragraph() -> None:
    gold = [
        ("The tide came early this year.", "Ana Lopes"),
        ("Nobody had moved the boats.", "Ana Lopes"),
    ]
    predicted = [("The tide came early this year.\nNobody had moved the boats.", "Ana Lopes")]
    counts = quote_counts(gold, predicted)
    assert (counts.predicted, counts.matched, counts.right_speaker) == (2, 2, 2)
    assert counts.misses == ()


def test_end_to_end_precision_counts_unmatched_predictions_but_not_unattributed_gold() -> None:
    gold = [("the pier needs paint", "Ann Lee"), ("the bell rang twice", None)]
    predicted = [
        ("the pier needs paint", "Lee"),
        ("the bell rang twice", "Ann Lee"),
        ("an invented line nobody said", "Ann Lee"),
    ]
    score = summarise_quotes([quote_counts(gold, predicted)])
    assert (score.precision, score.recall) == (pytest.approx(2 / 3), 1.0)
    assert (score.with_speaker, score.right_speaker, score.speaker_accuracy) == (1, 1, 1.0)
    assert score.end_to_end_precision == 0.5  # one right of one attributed match + one extra
    assert score.end_to_end_recall == 1.0
    assert score.end_to_end_f1 == pytest.approx(2 / 3)


def test_what_went_wrong_is_listed_by_kind() -> None:
    gold = [("alpha beta gamma", "Ann Lee"), ("delta epsilon", "Tomas Berg"), ("zeta eta", "Ana")]
    predicted = [("alpha beta gamma", None), ("delta epsilon", "Ana Lopes"), ("theta", "X")]
    kinds = [(miss.kind, miss.text) for miss in quote_counts(gold, predicted).misses]
    assert kinds == [
        ("no speaker", "alpha beta gamma"),
        ("wrong speaker", "delta epsilon"),
        ("missed", "zeta eta"),
        ("extra", "theta"),
    ]


# --- the runner, with a stub extractor ---------------------------------------------------

ARTICLES = [
    QuoteSetArticle(
        "a",
        "Harbour bridge reopens",
        "text a",
        (("the deck is sound", "Mina Okafor"), ("experts", "Tomas Berg")),
    ),
    QuoteSetArticle("b", None, "text b", (("the ferry is late", "Ana Lopes"),)),
    QuoteSetArticle("c", None, "text c", ()),
]


def stub_extractor(text: str) -> Article:
    found = {
        "text a": [Quote("the deck is sound", "Okafor"), Quote("experts", kind="term")],
        "text c": [Quote("nothing of the sort", "Ana Lopes")],
    }
    if text == "text b":
        raise ExtractionError("page: no article text found")
    return Article(text=text, quotes=found[text])


def test_terms_are_left_out_of_the_score_and_counted_apart() -> None:
    report = score_articles(ARTICLES, stub_extractor, dataset="tiny", worst=10)
    assert (report.articles, report.failures, report.gold, report.predicted) == (3, 1, 3, 2)
    assert (report.terms, report.gold_terms) == (1, 1)
    assert report.score.matched == 1 and report.score.speaker_accuracy == 1.0
    [a] = [result for result in report.worst if result.id == "a"]
    assert a.gold_terms == ("experts",)


def test_the_worst_articles_come_failures_first_then_by_errors() -> None:
    report = score_articles(ARTICLES, stub_extractor, worst=2)
    assert [result.id for result in report.worst] == ["b", "a"]
    assert report.worst[0].error == "ExtractionError: page: no article text found"
    text = format_quote_report(report)
    assert "speaker accuracy       1.000 (1/1)" in text
    assert "terms left out         1 (1 of them gold quotes)" in text
    assert "missed (term)  “experts”  gold: Tomas Berg" in text
    assert "failed: ExtractionError" in text
    assert "c" not in [result.id for result in report.worst]


def write_quote_set(folder: Path, articles: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(article) + "\n" for article in articles)
    (folder / "quotes.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    return folder


def test_loading_reads_the_first_articles_and_says_which_line_is_bad(tmp_path: Path) -> None:
    good = {"id": "x", "text": "Words.", "quotes": [{"text": "hi", "speaker": None}]}
    folder = write_quote_set(tmp_path / "set", [good, good, {"id": "y", "quotes": []}])
    assert [a.gold for a in load_quote_set(folder, limit=2)] == [(("hi", None),)] * 2
    with pytest.raises(InputError, match=r"line 3: expected an article with id, text and quotes"):
        list(load_quote_set(folder))


def test_a_file_that_is_not_gzip_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "quotes.jsonl.gz").write_text('{"id": "x"}')
    with pytest.raises(InputError, match="cannot read"):
        evaluate_quote_set(tmp_path, extractor=stub_extractor)


# --- newsarchive eval on a quote set -----------------------------------------------------

PARAGRAPHS = [
    "The harbour bridge reopened to traffic on Tuesday morning after a week of repairs that"
    " followed the worst storm the town has seen in decades.",
    "“The deck is sound and the piers are dry,” said Mina Okafor, the chief engineer, standing"
    " beside the freshly painted railings.",
    "Ferries had carried commuters across the water while the bridge was closed, and the ferry"
    " company said its boats would return to their usual timetable next week.",
]


def tiny_article(number: int, speaker: str) -> dict:
    text = "Harbour bridge reopens after storm\n\n" + "\n\n".join(PARAGRAPHS)
    quote = {"text": "The deck is sound and the piers are dry,", "speaker": speaker}
    return {"id": f"story-{number}", "text": text, "quotes": [quote], "meta": {"title": "Bridge"}}


def test_eval_scores_a_quote_set_and_writes_json(tmp_path: Path) -> None:
    folder = write_quote_set(
        tmp_path / "set", [tiny_article(1, "Mina Okafor"), tiny_article(2, "Tomas Berg")]
    )
    report_file = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["eval", str(folder), "--json", str(report_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("set: 2 articles, 0 failed")
    for row in ("quote F1", "speaker accuracy", "end-to-end F1", "worst articles:"):
        assert row in result.stdout
    report = json.loads(report_file.read_text())
    assert report["articles"] == 2 and report["gold"] == 2
    assert {"precision", "recall", "f1", "speaker_accuracy", "end_to_end_f1"} <= report[
        "score"
    ].keys()
    limited = CliRunner().invoke(cli, ["eval", str(folder), "--limit", "1", "--worst", "0"])
    assert limited.stdout.startswith("set: 1 articles") and "worst" not in limited.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no ground-truth.json, no quotes.jsonl.gz"), (b"not gzip", "cannot read")],
)
def test_eval_on_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "quotes.jsonl.gz").write_bytes(content)
    result = CliRunner().invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not QUOTE_SET.exists(), reason="the quote sets in ../shared are absent")
def test_eval_runs_on_the_shared_quote_set(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    args = ["eval", str(QUOTE_SET), "--limit", "8", "--worst", "2", "--json", str(report_file)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(report_file.read_text())
    assert (report["articles"], report["failures"]) == (8, 0)
    assert report["gold"] > 0 and report["score"]["f1"] > 0.5
    assert len(report["worst"]) == 2


# --- a quality floor on the shared quote set ---------------------------------------------------

# What the extractor scored on quotes-polnear-dev when these floors were set (quote F1 0.958,
# speaker accuracy 0.841, end-to-end F1 0.800), less a margin: a change that loses speakers or
# quotes on real news fails here before it lands.
QUOTE_FLOORS = {"f1": 0.95, "speaker_accuracy": 0.82, "end_to_end_f1": 0.78}


@pytest.mark.skipif(not QUOTE_SET.exists(), reason="the quote sets in ../shared are absent")
def test_quotes_and_speakers_stay_above_their_floor() -> None:
    from newsarchive.evaluate.quoteset import evaluate_quote_set

    score = evaluate_quote_set(QUOTE_SET, worst=0).score
    measured = {name: getattr(score, name) for name in QUOTE_FLOORS}
    assert all(measured[name] >= floor for name, floor in QUOTE_FLOORS.items()), measured
