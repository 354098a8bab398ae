"""EPUB export: a valid book (epubcheck), contents that list every article, XHTML that parses
whatever the page held, images only from the archive, and a file written whole or not at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.cli import cli
from newsarchive.export import export_articles, export_book
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive
from newsarchive.xhtml import CONTAINERS, IN_FLOW, PHRASING, append_body

PAGES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "epub").glob("*.html"))
HEADLINES = [
    "Harbour bridge reopens after storm",
    "<script>alert(1)</script> & ]]> <![CDATA[x]]>",
    "Quotes \"and\" 'single': a colon\n---\nand a new line",
    "Control\x01\x08\x0b\x1f\x7f\x9f characters\ufffe",
    "",
    None,
    "日本語の見出し 🗞️ مرحبا",
]
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
OPF = "{http://www.idpf.org/2007/opf}"


def store(archive: Archive, number: int, headline: str | None, html: str, text: str = "") -> int:
    url = f"https://news.example/2024/story-{number}"
    article = Article(
        headline=headline,
        standfirst="Stand & first <b>]]>",
        authors=["Mina Okafor", 'J. "Doe" <x>'],
        published="2024-05-01",
        site="Example & News",
        language=["en", "uk", "not a language!", None][number % 4],
        text=text or f"Story number {number}.",
        html=html,
    )
    fetched = FetchResult(url=url, final_url=url, text=html, raw=html.encode())
    return archive.save(fetched, article).id


@pytest.fixture(scope="module")
def fifty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """A 50-article book of the fixture pages (structure, bad nesting, hostile markup, scripts,
    images, right-to-left text) under hostile headlines, with --images."""
    folder = tmp_path_factory.mktemp("fifty")
    with Archive(folder / "archive.db") as archive:
        ids = [
            store(archive, n, HEADLINES[n % len(HEADLINES)], PAGES[n % len(PAGES)].read_text())
            for n in range(50)
        ]
        export_book(archive, folder / "book.epub", images=True)
    return folder / "book.epub", ids


def entries(book: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def epubcheck_command() -> list[str] | None:
    """epubcheck as Debian installs it: a jar behind /usr/bin/epubcheck, run with java."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    with open(found, "rb") as start:
        is_jar = start.read(2) == b"PK"
    if not is_jar:
        return [found]
    java = shutil.which("java")
    return [java, "-jar", str(Path(found).resolve())] if java else None


def test_epubcheck_finds_no_errors_in_a_50_article_book(fifty: tuple[Path, list[int]]) -> None:
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck (and java) not installed: apt-get install epubcheck")
    book, _ = fifty
    result = subprocess.run(
        [*command, str(book)], capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 fatals / 0 errors" in report, report


def test_mimetype_first_and_stored(fifty: tuple[Path, list[int]]) -> None:
    book, _ = fifty
    with zipfile.ZipFile(book) as opened:
        first = opened.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.read_bytes()[30:58] == b"mimetypeapplication/epub+zip"


def test_every_file_parses_as_xml(fifty: tuple[Path, list[int]]) -> None:
    book, _ = fifty
    xml_files = [
        name for name in entries(book) if name.endswith((".xhtml", ".opf", ".ncx", ".xml"))
    ]
    assert len(xml_files) == 50 + 4
    for name in xml_files:
        ET.fromstring(entries(book)[name])


def test_nav_and_ncx_list_every_article_in_order(fifty: tuple[Path, list[int]]) -> None:
    book, ids = fifty
    files = entries(book)
    expected = [f"text/article-{i}.xhtml" for i in ids]
    nav = ET.fromstring(files["OEBPS/nav.xhtml"]).find(f".//{XHTML}nav")
    assert nav.get(EPUB_TYPE) == "toc"
    assert [link.get("href") for link in nav.iter(f"{XHTML}a")] == expected
    assert all(link.text.strip() for link in nav.iter(f"{XHTML}a"))
    ncx = ET.fromstring(files["OEBPS/toc.ncx"])
    points = list(ncx.iter(f"{NCX}navPoint"))
    assert [point.find(f"{NCX}content").get("src") for point in points] == expected
    assert [point.get("playOrder") for point in points] == [str(n) for n in range(1, 51)]
    package = ET.fromstring(files["OEBPS/content.opf"])
    uid = ncx.find(f".//{NCX}meta[@name='dtb:uid']").get("content")
    assert package.find(".//{http://purl.org/dc/elements/1.1/}identifier").text == uid
    assert package.find(f".//{OPF}meta[@property='dcterms:modified']").text.endswith("Z")
    assert package.find(f"{OPF}spine").get("toc") == "ncx"


def chapter_root(book: Path, article_id: int) -> ET.Element:
    return ET.fromstring(entries(book)[f"OEBPS/text/article-{article_id}.xhtml"])


def test_hostile_headlines_and_bodies_come_out_escaped(fifty: tuple[Path, list[int]]) -> None:
    book, ids = fifty
    files = entries(book)
    root = chapter_root(book, ids[1])
    assert root.find(f".//{XHTML}h1").text == "<script>alert(1)</script> & ]]> <![CDATA[x]]>"
    assert root.find(f".//{XHTML}title").text == root.find(f".//{XHTML}h1").text
    assert chapter_root(book, ids[3]).find(f".//{XHTML}h1").text == "Control characters"
    assert chapter_root(book, ids[4]).find(f".//{XHTML}h1").text == "(no headline)"
    standfirst = root.find(f".//{XHTML}p[@class='standfirst']")
    assert standfirst.text == "Stand & first <b>]]>"
    for name, data in files.items():
        if name.endswith(".xhtml"):
            tree = ET.fromstring(data)
            tags = {element.tag.removeprefix(XHTML) for element in tree.iter()}
            assert not tags & {"script", "style", "iframe", "svg", "math", "form", "input"}
            assert not any(key.startswith("on") for e in tree.iter() for key in e.attrib), name
            assert b"javascript:" not in data.lower()


def test_body_text_keeps_what_the_page_said(fifty: tuple[Path, list[int]]) -> None:
    book, ids = fifty
    hostile = PAGES.index(next(page for page in PAGES if page.stem == "hostile"))
    body = chapter_root(book, ids[hostile]).find(f".//{XHTML}div[@class='body']")
    text = "".join(body.itertext())
    assert "Fish & chips <script>alert(1)</script> ]]> ©" in text
    assert 'alert("body")' not in text and "alert(3)" not in text


def test_images_only_from_the_archive_and_once(fifty: tuple[Path, list[int]]) -> None:
    book, ids = fifty
    files = entries(book)
    images = [name for name in files if name.startswith("OEBPS/images/")]
    assert len(images) == 1 and images[0].endswith(".png")
    assert files[images[0]].startswith(b"\x89PNG")
    assert b"images.example" not in b"".join(files.values())  # a remote image is left out
    shown = PAGES.index(next(page for page in PAGES if page.stem == "images"))
    sources = {img.get("src") for img in chapter_root(book, ids[shown]).iter(f"{XHTML}img")}
    assert sources == {"../" + images[0].removeprefix("OEBPS/")}


def test_images_are_left_out_by_default(archive_path: Path, tmp_path: Path) -> None:
    with Archive(archive_path) as archive:
        store(archive, 1, "Pictures", next(p for p in PAGES if p.stem == "images").read_text())
        export_book(archive, tmp_path / "book.epub")
    files = entries(tmp_path / "book.epub")
    assert not any(name.startswith("OEBPS/images/") for name in files)
    assert b"<img" not in files["OEBPS/text/article-1.xhtml"]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<li>stray</li>", "stray"),
        ("<ul>text<p>para</p><li>item</li></ul>", "<ul><li>text<p>para</p></li><li>item</li></ul>"),
        (
            '<a href="https://a.example/"><div>in <a href="https://b.example/">b</a></div></a>',
            '<a href="https://a.example/">in b</a>',
        ),
        ("<p>a <div>b</div> <ul><li>c</li></ul></p>", "<p>a b c</p>"),
        ("<table><tr><td>x</td></tr></table>", "<table><tbody><tr><td>x</td></tr></tbody></table>"),
        ('<a href="#top">top</a> <a href="/p">p</a>', 'top <a href="https://news.example/p">p</a>'),
    ],
)
def test_elements_only_where_their_parent_may_hold_them(markup: str, expected: str) -> None:
    holder = ET.Element("div")
    append_body(holder, markup, "https://news.example/story")
    assert ET.tostring(holder, encoding="unicode") == f"<div>{expected}</div>"


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "book.epub").write_bytes(b"the old book")

    def broken(out, *args: object) -> None:
        out.write(b"PK half a book")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("newsarchive.export.write_book", broken)
    with Archive(archive_path) as archive:
        store(archive, 1, "Bridge", "<p>Body.</p>")
        with pytest.raises(Exception, match="No space left"):
            export_book(archive, tmp_path / "book.epub")
        with pytest.raises(Exception, match="No space left"):
            export_book(archive, tmp_path / "new.epub")
    assert (tmp_path / "book.epub").read_bytes() == b"the old book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db", "book.epub"]


def test_the_book_gets_the_mode_the_umask_gives(archive_path: Path, tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        with Archive(archive_path) as archive:
            store(archive, 1, "Bridge", "<p>Body.</p>")
            export_book(archive, tmp_path / "book.epub")
    finally:
        os.umask(previous)
    assert (tmp_path / "book.epub").stat().st_mode & 0o777 == 0o640


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cli_a_search_makes_a_reading_list(archive_path: Path, tmp_path: Path) -> None:
    with Archive(archive_path) as archive:
        for n, text in enumerate(["the bridge", "ferries", "bridge bridge bridge", "rain"]):
            store(archive, n, f"Story {n}", f"<p>{text}</p>", text=text)
    book = tmp_path / "reading.epub"
    result = run("export", str(book), "--format", "epub", "bridge", "--title", 'A "list"')
    assert result.exit_code == 0, result.output
    assert "Exported 2 articles" in result.stderr
    files = entries(book)
    nav = ET.fromstring(files["OEBPS/nav.xhtml"])
    assert [a.text for a in nav.iter(f"{XHTML}a")] == ["Story 2", "Story 0"]  # best first
    assert b'<dc:title>A "list"</dc:title>' in files["OEBPS/content.opf"]
    assert run("export", str(book), "--format", "epub", "4", "2").exit_code == 0
    nav = ET.fromstring(entries(book)["OEBPS/nav.xhtml"])
    assert [a.text for a in nav.iter(f"{XHTML}a")] == ["Story 3", "Story 1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "BOOK", "--format", "epub", "nothing-matches-this"], "no articles match"),
        (["export", "DIR", "--format", "epub"], "is a folder"),
        (["export", "DIR/missing/book.epub", "--format", "epub"], "no such folder"),
        (["export", "DIR", "--images"], "go with --format epub"),
        (["export", "DIR", "--format", "jsonl"], "standard output"),
    ],
)
def test_cli_epub_errors_are_one_line(
    args: list[str], message: str, archive_path: Path, tmp_path: Path
) -> None:
    with Archive(archive_path) as archive:
        store(archive, 1, "Bridge", "<p>Body.</p>")
    args = [a.replace("BOOK", str(tmp_path / "b.epub")).replace("DIR", str(tmp_path)) for a in args]
    result = run(*args)
    assert result.exit_code != 0 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "b.epub").exists()


def test_deeply_nested_bodies_keep_their_text(archive_path: Path, tmp_path: Path) -> None:
    depth = 5000
    deep = "<div><blockquote><span>" * depth + "deep text" + "</span></blockquote></div>" * depth
    with Archive(archive_path) as archive:
        store(archive, 1, "Deep", deep)
        export_book(archive, tmp_path / "book.epub")
        (markdown,) = export_articles(archive, tmp_path / "md", "markdown")
    body = chapter_root(tmp_path / "book.epub", 1).find(f".//{XHTML}div[@class='body']")
    assert "deep text" in "".join(body.itertext())
    assert "deep text" in markdown.read_text()


TAGS = ["p", "div", "ul", "ol", "li", "a", "b", "table", "tr", "td", "th", "tbody", "thead",
        "caption", "h2", "blockquote", "pre", "span", "dl", "dd", "img", "br", "script"]  # fmt: skip
PIECES = st.one_of(
    st.sampled_from([f"<{tag}>" for tag in TAGS] + [f"</{tag}>" for tag in TAGS]),
    st.just('<a href="/x">'),
    st.text(alphabet="ab &<>]\"'\x00\x01\x7f\x9b\ufffe\U0001f5de", max_size=6),
)
# What a parent's content model lets it hold, checked on what the builder made.
HOLDS = {"div": IN_FLOW, "blockquote": IN_FLOW, "li": IN_FLOW, "td": IN_FLOW, "a": PHRASING - {"a"},
         **{name: frozenset(children) for name, children in CONTAINERS.items()}}  # fmt: skip


@settings(max_examples=200)
@given(st.lists(PIECES, max_size=40))
def test_any_markup_becomes_xml_each_element_where_its_parent_may_hold_it(
    pieces: list[str],
) -> None:
    holder = ET.Element("div")
    append_body(holder, "".join(pieces), "https://news.example/story")
    parsed = ET.fromstring(ET.tostring(holder, encoding="unicode"))
    for parent in parsed.iter():
        allowed = HOLDS.get(parent.tag, PHRASING)
        assert all(child.tag in allowed for child in parent), ET.tostring(parent)
        inside_link = parent.tag == "a" or any(parent in list(a.iter()) for a in parsed.iter("a"))
        assert not (inside_link and any(child.tag == "a" for child in parent))
