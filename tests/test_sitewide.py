"""Site-learned boilerplate: a short paragraph many articles of one site share is stripped."""

from __future__ import annotations

import json

from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.extract.sitewide import strip_repeated
from newsarchive.models import Article, Quote

SIGN_OFF = "Harbour Post is owned by the Coastal Media Trust and edited in Port Ellery."
SHARED_QUOTE = "“The tide waits for nobody,” as the harbour master likes to say."

TOPICS = ["ferry", "lighthouse", "regatta", "fish market", "sea wall", "lifeboat"]


def story(topic: str, extra: str = "") -> str:
    paragraphs = [
        f"The {topic} was the talk of Port Ellery this week after the council met on Monday"
        f" evening to decide what should happen to the {topic} over the coming winter months.",
        f"Residents packed the hall, and several speakers said the {topic} mattered more to the"
        " town than any other question the council would face before the spring elections.",
        f"A decision on the {topic} is expected before the end of the month, officials said,"
        " once engineers have reported back on the likely cost of the different proposals.",
        extra,
        SIGN_OFF,
    ]
    body = "".join(f"<p>{text}</p>" for text in paragraphs if text)
    return (
        "<html><head><meta property='og:site_name' content='Harbour Post'>"
        f"<title>Council weighs future of the {topic}</title></head><body><article>"
        f"<h1>Council weighs future of the {topic}</h1>{body}</article></body></html>"
    )


def shown(runner: CliRunner, article_id: int) -> dict:
    return json.loads(runner.invoke(cli, ["show", str(article_id), "--format", "json"]).stdout)


def test_a_paragraph_repeated_across_a_site_is_learned_and_reextraction_strips_it(server) -> None:
    runner = CliRunner()
    for number, topic in enumerate(TOPICS[:5]):
        extra = SHARED_QUOTE if number < 2 else ""
        assert (
            runner.invoke(cli, ["add", server.route(f"/{number}", story(topic, extra))]).exit_code
            == 0
        )
    assert SIGN_OFF in shown(runner, 1)["text"]  # too early to know it repeats
    fifth = shown(runner, 5)
    assert SIGN_OFF not in fifth["text"]
    assert {"text": SIGN_OFF, "rule": "site-repeated"} in fifth["removed"]

    result = runner.invoke(cli, ["reextract", "--all"])
    assert result.exit_code == 0, result.output
    for article_id in range(1, 6):
        assert SIGN_OFF not in shown(runner, article_id)["text"]
    assert SHARED_QUOTE in shown(runner, 1)["text"]  # in two articles only: not boilerplate
    assert SIGN_OFF not in shown(runner, 5)["html"]


def test_strip_repeated_drops_lines_their_quotes_and_records_them() -> None:
    article = Article(
        text="Story line one.\n“Join us,” says the editor.\nStory line two.",
        html="<p>Story line one.</p><p>“Join us,” says the editor.</p><p>Story line two.</p>",
        quotes=[Quote("Join us", "the editor")],
    )
    stripped = strip_repeated(article, {"“Join us,” says the editor."})
    assert stripped.text == "Story line one.\nStory line two."
    assert stripped.html == "<p>Story line one.</p><p>Story line two.</p>"
    assert stripped.quotes == []
    assert stripped.removed[-1].rule == "site-repeated"
    assert strip_repeated(article, set()) is article


def test_batch_import_strips_what_the_site_repeats_too(server, tmp_path) -> None:
    runner = CliRunner()
    for number, topic in enumerate(TOPICS[:4]):
        runner.invoke(cli, ["add", server.route(f"/{number}", story(topic))])
    links = tmp_path / "links.txt"
    links.write_text(server.route("/imported", story(TOPICS[5])) + "\n")
    result = runner.invoke(cli, ["import", str(links), "--delay", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    imported = shown(runner, 5)
    assert imported["headline"] == f"Council weighs future of the {TOPICS[5]}"
    assert SIGN_OFF not in imported["text"]
    assert {"text": SIGN_OFF, "rule": "site-repeated"} in imported["removed"]


WIRE_STORY = [  # short paragraphs, as wire copy is written: every one is under 200 characters
    f"Paragraph {n} of the wire story: the ferry strike entered its {n + 2}nd day on Friday."
    for n in range(8)
]


def wire_page(extra: str = "") -> str:
    body = "".join(f"<p>{text}</p>" for text in [*WIRE_STORY, extra] if text)
    return (
        "<html><head><meta property='og:site_name' content='Harbour Post'>"
        "<title>Ferry strike goes on</title></head><body><article>"
        f"<h1>Ferry strike goes on</h1>{body}</article></body></html>"
    )


def test_copies_of_one_story_on_many_pages_of_a_site_keep_their_text(server) -> None:
    runner = CliRunner()
    for number in range(6):
        result = runner.invoke(cli, ["add", server.route(f"/wire/{number}", wire_page())])
        assert result.exit_code == 0, result.output
    assert {len(shown(runner, n)["text"].split()) for n in range(1, 7)} == {
        len(" ".join(WIRE_STORY).split())
    }
    result = runner.invoke(cli, ["reextract", "--all"])
    assert result.exit_code == 0, result.output
    assert all(shown(runner, n)["text"] == "\n".join(WIRE_STORY) for n in range(1, 7))


def test_an_import_of_many_pages_of_one_story_saves_no_empty_article(server, tmp_path) -> None:
    links = tmp_path / "links.txt"
    links.write_text("\n".join(server.route(f"/copy/{n}", wire_page()) for n in range(30)))
    result = CliRunner().invoke(cli, ["import", str(links), "--delay", "0", "--json"])
    assert json.loads(result.stdout)["saved"] == 30
    listed = json.loads(CliRunner().invoke(cli, ["list", "--json"]).stdout)
    assert {row["word_count"] for row in listed} == {len(" ".join(WIRE_STORY).split())}


def test_a_live_blog_captured_again_and_again_keeps_its_text(server) -> None:
    runner = CliRunner()
    for number in range(8):  # each capture adds an update; most paragraphs are shared
        update = f"Update {number}: the ferry company has made a new offer to the union."
        result = runner.invoke(cli, ["add", server.route(f"/live/{number}", wire_page(update))])
        assert result.exit_code == 0, result.output
    last = shown(runner, 8)
    assert last["text"].startswith(WIRE_STORY[0]) and "Update 7" in last["text"]
    assert not [block for block in last["removed"] if block["rule"] == "site-repeated"]
