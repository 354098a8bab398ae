"""Export: one file per article, names that cannot escape the folder, sanitised HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.export import export_articles, file_name, slugify
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive

HOSTILE_HEADLINES = [
    "../../../etc/passwd",
    "..",
    ".",
    "/absolute/path",
    "C:\\Windows\\System32\\evil",
    "a\x00b",
    "CON",
    "nul.txt",
    "COM1",
    "LPT9 .",
    "name with trailing dots...",
    "x" * 5000,
    "日本語の見出し" * 60,
    "\u202egnp.exe",
    "fullwidth\uff0fslash\uff3cback",
    "tab\tnew\nline\rcarriage",
    "<script>alert(1)</script>",
    "",
    None,
    "emoji 🗞️ headline",
]
NAME = re.compile(r"^\d+(-[\w-]+)?\.(md|html|json)$")
XSS_BODY = (
    '<p>First paragraph.</p><script>alert("body")</script>'
    '<p onclick="alert(1)">Second <a href="javascript:alert(2)">link</a>'
    '<img src="https://tracker.example/pixel.gif" alt="pixel"></p>'
)


def store(archive: Archive, number: int, headline: str | None, html: str = "<p>Body.</p>") -> int:
    url = f"https://news.example/story-{number}"
    fetched = FetchResult(url=url, final_url=url, text=html, raw=html.encode())
    article = Article(
        headline=headline,
        standfirst="A standfirst.",
        authors=["Mina Okafor"],
        published="2024-05-01",
        site="Example News",
        text="First paragraph.\nSecond [click](javascript:alert(1)) <b>bold</b> ![x](http://t/x.png)",
        html=html,
        quotes=[Quote("a quote", "Mina Okafor")],
    )
    return archive.save(fetched, article).id


@pytest.fixture
def archive(archive_path: Path):
    with Archive(archive_path) as opened:
        yield opened


def test_hostile_headlines_stay_inside_the_folder(archive: Archive, tmp_path: Path) -> None:
    for number, headline in enumerate(HOSTILE_HEADLINES):
        store(archive, number, headline)
    folder = tmp_path / "out"
    written = list(export_articles(archive, folder, "markdown"))
    assert len(written) == len(HOSTILE_HEADLINES)
    assert sorted(path.name for path in folder.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert path.parent == folder.resolve()
        assert NAME.match(path.name), path.name
        assert len(path.name.encode()) <= 255
    assert {p.name for p in tmp_path.iterdir()} >= {"out"}
    assert not (tmp_path / "etc").exists() and not Path("/absolute").exists()


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("../../etc/passwd", "7-etc-passwd.md"),
        ("CON", "7-con.md"),
        ("", "7.md"),
        ("Zelensky: “We are all here”", "7-zelensky-we-are-all-here.md"),
        ("Café crème à Kyiv", "7-café-crème-à-kyiv.md"),
    ],
)
def test_file_names(headline: str, expected: str) -> None:
    assert file_name(7, headline, "md") == expected


def test_slug_is_bounded_in_bytes_not_characters() -> None:
    slug = slugify("ü" * 500)
    assert len(slug.encode()) <= 120 and set(slug) == {"ü"}


def test_html_export_is_sanitised_and_loads_nothing(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "<img src=x onerror=alert(1)> Headline", XSS_BODY)
    (path,) = export_articles(archive, tmp_path / "out", "html")
    page = path.read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
    assert "javascript:" not in page
    assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"}) is not None
    assert soup.h1.get_text() == "<img src=x onerror=alert(1)> Headline"
    pixel = soup.find("a", string="[image: pixel]")
    assert pixel["href"] == "https://tracker.example/pixel.gif"


MARKDOWN_BODY = (
    "<p>Second [click](javascript:alert(1)) &lt;b&gt;bold&lt;/b&gt; ![x](http://t/x.png)"
    ' <a href="javascript:alert(2)">trap</a> <a href="/relative path">here</a></p>'
)


def test_markdown_escapes_links_images_and_html(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge [reopens](javascript:alert(1))", MARKDOWN_BODY)
    (path,) = export_articles(archive, tmp_path / "out", "markdown")
    text = path.read_text()
    assert "\n# Bridge \\[reopens\\](javascript:alert(1))\n" in text
    assert "\\[click\\](javascript:alert(1))" in text
    assert "\\<b\\>bold\\</b\\>" in text and "!\\[x\\](http" in text  # no image
    assert "javascript:alert(2)" not in text and " trap " in text
    assert "[here](https://news.example/relative%20path)" in text
    assert "<https://news.example/story-1>" in text
    assert "By Mina Okafor · Example News · 2024-05-01" in text


STRUCTURED_BODY = (
    "<h2>What happened</h2><p>The bridge <strong>reopened</strong>, see"
    ' <a href="https://news.example/a (b)">the report</a>.</p>'
    "<ul><li>Ferries return</li><li>Inspection<ul><li>Piers first</li></ul></li></ul>"
    "<ol><li>One</li><li>Two</li></ol><blockquote><p>It held.</p></blockquote>"
)


def test_markdown_keeps_headings_lists_quotes_and_links(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge", STRUCTURED_BODY)
    (path,) = export_articles(archive, tmp_path / "out", "markdown")
    body = path.read_text().split("> A standfirst.\n", 1)[1]
    assert "\n## What happened\n" in body
    assert "The bridge **reopened**, see [the report](https://news.example/a%20%28b%29)." in body
    assert "\n- Ferries return\n- Inspection\n  - Piers first\n" in body
    assert "\n1. One\n2. Two\n" in body and "\n> It held.\n" in body


NASTY_HEADLINES = [
    "He said: \"no\" \\ and 'yes'",
    "---\ntitle: injected\n---",
    "key: value # not a comment",
    "tab\there, CR\rhere, NEL\x85here, LS\u2028here, BOM\ufeffhere",
    "control \x01\x07\x1b[31m and DEL \x7f and C1 \x9b",
    "日本語 🗞️ émoji",
    "- a list? [a, flow] {a: map} &anchor *alias !tag %directive @ `",
    "  leading and trailing spaces  ",
    "null",
    "123",
    "",
]


@pytest.mark.parametrize("headline", NASTY_HEADLINES)
def test_front_matter_round_trips_through_yaml(
    headline: str, archive: Archive, tmp_path: Path
) -> None:
    yaml = pytest.importorskip("yaml")
    article_id = store(archive, 1, headline)
    (path,) = export_articles(archive, tmp_path / "out", "markdown")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, rest = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(front)
    assert data["title"] == archive.get(article_id).article.headline
    assert data["authors"] == ["Mina Okafor"] and data["id"] == article_id
    assert data["url"] == "https://news.example/story-1" and data["published"] == "2024-05-01"
    assert "\ntitle: injected\n" not in text and rest.startswith("\n# ")


def test_json_export_has_the_show_fields_with_sanitised_html(
    archive: Archive, tmp_path: Path
) -> None:
    article_id = store(archive, 1, "Bridge", XSS_BODY)
    (path,) = export_articles(archive, tmp_path / "out", "json")
    record = json.loads(path.read_text())
    assert record["id"] == article_id and record["url"] == "https://news.example/story-1"
    assert record["quotes"] == [
        {"text": "a quote", "speaker": "Mina Okafor", "role": None, "kind": "speech"}
    ]
    assert "<script" not in record["html"] and "onclick" not in record["html"]


def test_a_symlink_in_the_folder_is_replaced_not_followed(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge")
    folder, outside = tmp_path / "out", tmp_path / "precious.txt"
    folder.mkdir()
    outside.write_text("keep me")
    (folder / "1-bridge.md").symlink_to(outside)
    (path,) = export_articles(archive, folder, "markdown")
    assert outside.read_text() == "keep me"
    assert not path.is_symlink() and "\n# Bridge\n" in path.read_text()


def test_exporting_again_replaces_the_files(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge")
    first = list(export_articles(archive, tmp_path / "out", "markdown"))
    second = list(export_articles(archive, tmp_path / "out", "markdown"))
    assert first == second and len(list((tmp_path / "out").iterdir())) == 1


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cli_export_a_folder_and_jsonl(archive: Archive, tmp_path: Path) -> None:
    for number in range(3):
        store(archive, number, f"Story {number}", XSS_BODY)
    result = run("export", str(tmp_path / "out"), "--format", "html", "--id", "2")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2-story-1.html"]
    lines = run("export", "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["headline"] for record in records] == ["Story 0", "Story 1", "Story 2"]
    assert all("<script" not in record["html"] for record in records)


@pytest.mark.parametrize(
    "args",
    [["export"], ["export", "somewhere", "--format", "jsonl"], ["export", "FILE"],
     ["export", "out", "--id", "999"]],
)  # fmt: skip
def test_cli_export_errors_are_one_line(args: list[str], archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge")
    (tmp_path / "FILE").write_text("a file")
    args = [str(tmp_path / arg) if arg in ("FILE", "out", "somewhere") else arg for arg in args]
    result = run(*args)
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


def test_show_html_is_sanitised(archive: Archive) -> None:
    article_id = store(archive, 1, "Bridge", XSS_BODY)
    result = run("show", str(article_id), "--format", "html")
    assert result.exit_code == 0
    assert "<p>First paragraph.</p>" in result.stdout
    for bad in ("<script", "onclick", "javascript:", "<img"):
        assert bad not in result.stdout


def test_relative_links_lead_where_they_led_on_the_page(archive: Archive, tmp_path: Path) -> None:
    """Resolved against the article's address in every copy: in a folder of files they would
    point into the folder."""
    article_id = store(archive, 1, "Bridge", '<p>See <a href="/timetable">the timetable</a>.</p>')
    wanted = 'href="https://news.example/timetable"'
    for fmt in ("html", "json"):
        (path,) = export_articles(archive, tmp_path / fmt, fmt)
        assert wanted.replace('"', '\\"' if fmt == "json" else '"') in path.read_text()
    assert wanted in run("show", str(article_id), "--format", "html").stdout
