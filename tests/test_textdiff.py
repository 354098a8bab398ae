"""Comparing two versions of an article: fields, quotes and numbers first, then the body."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.cli import cli, versioning
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive
from newsarchive.textdiff import diff_articles, sentences, word_spans

BODY = [
    "The bridge reopened on Tuesday. Crews had worked for 12 days.",
    "The council will decide on the toll.",
    "Ferries return to their timetable next week.",
]


def kinds(old: Article, new: Article) -> list[tuple[str, str]]:
    return [(change.kind, change.op) for change in diff_articles(old, new).changes]


def test_an_article_compared_with_itself_has_no_changes() -> None:
    article = Article(headline="Bridge", text="\n".join(BODY), quotes=[Quote("We are open")])
    assert diff_articles(article, article).changes == []


def test_fields_quotes_and_numbers_come_before_the_body() -> None:
    old = Article(headline="Bridge reopens", text="\n".join(BODY), quotes=[Quote("We are open")])
    body = [BODY[0].replace("12 days", "14 days"), BODY[2], "A new closing paragraph."]
    new = Article(headline="Bridge open", text="\n".join(body), authors=["Mina Okafor"])
    assert kinds(old, new) == [
        ("headline", "changed"),
        ("authors", "added"),
        ("quote", "removed"),
        ("number", "changed"),
        ("sentence", "changed"),
        ("paragraph", "removed"),
        ("paragraph", "added"),
    ]
    number = diff_articles(old, new).changes[3]
    assert (number.old, number.new) == ("12", "14")


def test_the_body_is_told_in_its_order_and_a_paragraph_gone_whole_is_one_change() -> None:
    old = [
        "The bridge reopened on Tuesday morning.",
        "Tolls were suspended. The council said so on Monday.",
        "Ferries return next week, the operator said.",
    ]
    new = [
        "The bridge reopened on Tuesday evening.",
        "Ferries return next month, the operator said.",
    ]
    changes = diff_articles(Article(text="\n".join(old)), Article(text="\n".join(new))).changes
    assert [(c.kind, c.op) for c in changes] == [
        ("sentence", "changed"),
        ("paragraph", "removed"),
        ("sentence", "changed"),
    ]
    assert changes[1].old == old[1]


def test_sentences_split_at_end_marks_before_a_capital() -> None:
    text = "“It is open,” she said. Then 12 boats left! Was it safe? yes, they said."
    assert sentences(text) == [
        "“It is open,” she said.",
        "Then 12 boats left!",
        "Was it safe? yes, they said.",
    ]


@settings(max_examples=200)
@given(st.text(max_size=80), st.text(max_size=80))
def test_word_runs_rebuild_both_texts(old: str, new: str) -> None:
    spans = word_spans(old, new)
    assert "".join(s.text for s in spans if s.op != "insert") == old
    assert "".join(s.text for s in spans if s.op != "delete") == new


@settings(max_examples=100)
@given(st.lists(st.text(max_size=60), max_size=6), st.lists(st.text(max_size=60), max_size=6))
def test_any_two_bodies_can_be_compared(old: list[str], new: list[str]) -> None:
    diff_articles(Article(text="\n".join(old)), Article(text="\n".join(new)))


def test_colours_on_a_terminal_and_never_a_page_s_control_characters(
    archive_path: Path, monkeypatch
) -> None:
    url = "https://news.example/story"
    with Archive(archive_path) as archive:
        for raw, word in [(b"1", "calm"), (b"2", "\x1b]0;owned\x07stormy")]:
            page = FetchResult(url=url, final_url=url, text="", raw=raw)
            archive.save(page, Article(headline="Bridge", text=f"The sea was {word} today."))
    monkeypatch.setattr(versioning, "_on_terminal", lambda: True)

    result = CliRunner().invoke(cli, ["diff", "1"], color=True)

    assert result.exit_code == 0, result.output
    assert "\\x1b]0;owned\\x07stormy" in result.stdout
    assert "\x07" not in result.stdout
    assert "\x1b[" in result.stdout, "coloured"
