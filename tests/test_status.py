"""Each capture is classified: ok, partial (paywall stub), not_article (index), blocked (walls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.errors import ExtractionError
from newsarchive.extract import extract_article
from newsarchive.store import Archive

STORY = [
    "The county library will stay open until nine in the evening from next month, the council"
    " announced on Friday, after a petition signed by more than two thousand residents.",
    "Students had complained that the reading rooms closed just as they finished lectures, and"
    " several said they had been revising in cafés and on the night bus instead.",
    "The extra hours will be paid for by moving money from the budget for printed leaflets, a"
    " council spokesperson said, adding that most residents now read notices online.",
    "Librarians welcomed the change but asked for two more staff so that the building would not"
    " be left with a single person on duty after six o'clock in the evening.",
]

LONGER_STORY = [
    *STORY,
    "The council's finance committee said the leaflet budget had fallen by a third over five"
    " years anyway, and that the saving would cover the evening lighting and heating too.",
    "A trial last winter, when the branch stayed open late during exam weeks, drew an average"
    " of sixty visitors an hour after seven, most of them students from the two colleges.",
    "Residents without internet access will still be able to pick up printed notices at the"
    " front desk, where staff will print any page of the council's website on request.",
    "The new hours start on the first Monday of next month and will be reviewed after a year,"
    " when the council will publish figures on visits and on the cost of each extra evening.",
]


def page(paragraphs: list[str], head: str = "", extra: str = "") -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<html lang='en'><head><title>Library opens late</title>{head}</head><body>"
        f"<article><h1>Library opens late</h1>{body}{extra}</article></body></html>"
    )


def test_a_whole_article_is_ok_even_when_it_mentions_cookies() -> None:
    text = [*LONGER_STORY, "Visitors can accept cookies on the library's website to book rooms."]
    assert extract_article(page(text), "https://news.example/library").status == "ok"


def test_a_paywall_stub_marked_in_json_ld_is_partial() -> None:
    json_ld = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    article = extract_article(page(STORY[:2], head=json_ld), "https://news.example/library")
    assert article.status == "partial"


def test_a_stub_ending_in_a_subscription_prompt_is_partial() -> None:
    html = page(STORY[:2], extra="<p>Subscribe now to continue reading this story.</p>")
    assert extract_article(html, "https://news.example/library").status == "partial"


def test_a_home_page_is_not_an_article() -> None:
    assert extract_article(page(STORY), "https://news.example/").status == "not_article"


def test_a_short_listing_page_of_type_website_is_not_an_article() -> None:
    head = '<meta property="og:type" content="website">'
    assert extract_article(page(STORY[:1], head=head), "https://news.example/local").status == (
        "not_article"
    )


def test_a_consent_wall_is_blocked() -> None:
    wall = [
        "Before you continue to Example News, we value your privacy and use cookies to show"
        " you relevant content. Accept all cookies or manage your cookie preferences."
    ]
    assert extract_article(page(wall), "https://news.example/library").status == "blocked"


def test_a_bot_check_with_no_text_says_blocked_and_what_to_do() -> None:
    html = (
        "<html><head><title>Just a moment...</title></head><body>"
        "<div id='challenge-platform'></div><noscript>Enable JavaScript and cookies to"
        " continue</noscript></body></html>"
    )
    with pytest.raises(ExtractionError, match="blocked by a cookie wall or bot check"):
        extract_article(html, "https://news.example/library")


@pytest.mark.parametrize(
    ("head", "extra"),
    [
        (  # a comment form's reCAPTCHA: a script, a widget's attributes, a comment, a notice
            '<script src="https://www.google.com/recaptcha/api.js"></script>',
            "<form><!-- reCAPTCHA keeps spam out --><div class='g-recaptcha' data-sitekey='k'>"
            "</div><p>This form is protected by reCAPTCHA.</p><button>Post</button></form>",
        ),
        (  # a bot-check vendor's script and a style sheet naming a captcha wrapper
            "<script src='/cdn-cgi/challenge-platform/h/b/scripts/main.js'></script>"
            "<style>.captcha-wrap > div { display: block }</style>",
            "",
        ),
        (  # form messages in a script, and one in a hidden element
            "<script>var messages = {'robot': 'Please verify that you are human'};</script>",
            "<p hidden>Are you a robot? Please complete the captcha.</p>",
        ),
    ],
)
def test_a_short_article_is_ok_whatever_its_markup_says_about_captchas(
    head: str, extra: str
) -> None:
    html = page(STORY[:2], head=head, extra=extra)
    assert extract_article(html, "https://news.example/library").status == "ok"


@pytest.mark.parametrize(
    "wall",
    [
        "<html><head><title>Captcha</title></head><body><p>Type the characters you see.</p>"
        "<p>The library is open late.</p></body></html>",
        "<html><head><title>news.example</title></head><body><p>Press and hold to confirm you"
        " are a human (and not a bot).</p><p>Reference 4f2a</p></body></html>",
        "<html><head><title>One moment</title></head><body><p>Our systems have detected"
        " unusual traffic from your computer network.</p></body></html>",
    ],
)
def test_a_wall_is_known_by_its_title_or_visible_text(wall: str) -> None:
    from newsarchive.extract.status import blocked_page

    assert blocked_page(wall)


def test_a_page_without_text_is_no_wall_for_a_consent_script_alone() -> None:
    from newsarchive.extract.status import blocked_page

    script = "<script>cmp.init({'cookie consent': true, 'accept all cookies': 'yes'})</script>"
    assert not blocked_page(f"<html><head>{script}</head><body><nav>Home</nav></body></html>")


def test_a_partial_capture_never_replaces_a_complete_one(server, archive_path: Path) -> None:
    url = server.route("/library", page(LONGER_STORY))
    runner = CliRunner()
    assert runner.invoke(cli, ["add", url]).stdout.startswith("Added 1: Library opens late")
    stub = page(STORY[:1], extra="<p>Subscribe now to continue reading this story.</p>")
    server.route("/library", stub)
    again = runner.invoke(cli, ["add", url])
    assert again.exit_code == 0
    assert again.stdout.startswith("Kept 1: this capture is partial")
    shown = json.loads(runner.invoke(cli, ["show", "1", "--format", "json"]).stdout)
    assert shown["status"] == "ok" and shown["word_count"] > 150


def test_add_shows_a_non_ok_status(server) -> None:
    stub = page(STORY[:1], extra="<p>Subscribe now to continue reading this story.</p>")
    result = CliRunner().invoke(cli, ["add", server.route("/stub", stub)])
    assert result.stdout.startswith("Added 1 [partial]: Library opens late")
    assert "[partial] Library opens late" in CliRunner().invoke(cli, ["list"]).stdout


def test_reextract_uses_the_stored_page_and_reports_changed_fields(
    server, archive_path: Path
) -> None:
    from newsarchive.store import Archive

    runner = CliRunner()
    url = server.route("/library", page(LONGER_STORY))
    runner.invoke(cli, ["add", url])
    with Archive(archive_path) as archive:  # an older extractor's output, as if stored long ago
        archive.db.execute("UPDATE articles SET headline = 'old headline', authors = '[\"X\"]'")
        archive.db.conn.commit()
    server.routes.clear()  # re-extraction must not need the network
    result = runner.invoke(cli, ["reextract", "--all"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "1: headline, authors changed",
        "Re-extracted 1: 1 changed, 0 unchanged, 0 failed",
    ]
    shown = json.loads(runner.invoke(cli, ["show", "1", "--format", "json"]).stdout)
    assert shown["headline"] == "Library opens late" and shown["authors"] == []
    again = runner.invoke(cli, ["reextract", "1"])
    assert again.stdout.strip() == "Re-extracted 1: 0 changed, 1 unchanged, 0 failed"


def test_reextract_needs_ids_or_all_and_reports_unknown_ids(archive_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["reextract"]).exit_code == 2
    Archive(archive_path).close()
    unknown = runner.invoke(cli, ["reextract", "9"])
    assert unknown.exit_code == 1
    assert unknown.stderr == f"Error: 9: no such article in {archive_path}\n"


@pytest.mark.parametrize(
    ("head", "is_check"),
    [
        ("<title>Just a moment...</title><p>Please complete the CAPTCHA</p>", True),
        ("<p>İstanbul edition</p><p>Checking your browser before you go on</p>", True),
        ("<p>İstanbul edition</p><p>The ferry timetable changes on Monday</p>", False),
        ("<p>A robot arm assembled the bridge</p>", False),
    ],
)
def test_bot_checks_are_found_in_any_case_even_beside_letters_that_change_length(
    head: str, is_check: bool
) -> None:
    from newsarchive.extract.status import _BOT_CHECK, _is_bot_check

    assert _is_bot_check(head) is is_check
    assert (_BOT_CHECK.search(head) is not None) is is_check
