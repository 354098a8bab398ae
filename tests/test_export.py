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


def test_markdown_escapes_links_images_and_html(archive: Archive, tmp_path: Path) -> None:
    store(archive, 1, "Bridge [reopens](javascript:alert(1))")
    (path,) = export_articles(archive, tmp_path / "out", "markdown")
    text = path.read_text()
    assert text.startswith("# Bridge \\[reopens\\](javascript:alert(1))\n")
    assert "\\[click\\](javascript:alert(1))" in text
    assert "\\<b\\>bold\\</b\\>" in text and "\\!\\[x\\]" in text
    assert "<https://news.example/story-1>" in text
    assert "By Mina Okafor · Example News · 2024-05-01" in text


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
    assert not path.is_symlink() and path.read_text().startswith("# Bridge")


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
