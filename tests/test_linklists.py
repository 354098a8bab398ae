"""Lists of links: format detection and the streaming parsers, on inputs written here."""

from __future__ import annotations

import gzip
import io
import itertools
import tracemalloc
from pathlib import Path

import pytest

from newsarchive.errors import InputError
from newsarchive.linklists import (
    MAX_DOWNLOADS,
    BadEntry,
    Link,
    detect_format,
    open_link_list,
    split_tags,
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example News</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/one</link></item>
<item><title>Two</title><guid isPermaLink="true">https://news.example/two</guid></item>
<item><title>No link at all</title><guid isPermaLink="false">id-3</guid></item>
</channel></rss>
"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<link href="https://blog.example/"/>
<entry><title>A</title><link rel="edit" href="/edit/a"/><link href="/posts/a"/></entry>
<entry><title>B</title><link rel="alternate" type="text/html" href="https://blog.example/b"/></entry>
</feed>
"""
SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://paper.example/2024/a</loc>
  <news:news><news:publication_date>2024-05-01</news:publication_date></news:news></url>
<url><loc>https://paper.example/2024/b</loc></url>
</urlset>
"""
BOOKMARKS = b"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1700000000">Reading</H3>
    <DL><p>
        <DT><A HREF="https://news.example/long-read" ADD_DATE="1700000000" TAGS="politics,long">Read</A>
        <DT><A HREF="javascript:alert(1)">A bookmarklet</A>
        <DT><A HREF="notes.html">A relative link</A>
    </DL><p>
</DL><p>
"""


def entries(source: str | Path, **kwargs) -> list:
    return list(open_link_list(str(source), **kwargs).entries)


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_text_list_skips_comments_and_reports_bad_lines_by_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "links.txt",
        "\ufeff# my reading list\nhttps://a.example/1\n\n  http://b.example/2  A title\n"
        "not a link\nftp://c.example/file\n",
    )
    found = open_link_list(str(path))
    assert found.format == "text"
    result = list(found.entries)
    assert result[:2] == [Link("https://a.example/1", 2), Link("http://b.example/2", 4)]
    assert [(bad.line, bad.text) for bad in result[2:]] == [
        (5, "not a link"),
        (6, "ftp://c.example/file"),
    ]
    assert "unsupported scheme 'ftp'" in result[3].reason


def test_pocket_csv_keeps_saved_time_and_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pocket.csv",
        "title,url,time_added,tags,status\n"
        "Story,https://a.example/story,1700000000,news|long read,unread\n"
        '"Quoted, title",https://a.example/other,,,archive\n'
        "Broken,mailto:me@example.com,1700000000,,unread\n",
    )
    found = open_link_list(str(path))
    assert found.format == "csv"
    first, second, third = found.entries
    assert first == Link(
        "https://a.example/story", 2, "2023-11-14T22:13:20+00:00", ("news", "long read")
    )
    assert second == Link("https://a.example/other", 3)
    assert isinstance(third, BadEntry) and third.line == 4


def test_instapaper_style_csv_with_iso_times_and_bracketed_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "instapaper.csv",
        "URL,Title,Selection,Folder,Timestamp,Tags\n"
        'https://b.example/x,X,,Unread,2024-02-03T04:05:06Z,"[""science"",""space""]"\n',
    )
    (link,) = entries(path)
    assert link.saved_at == "2024-02-03T04:05:06+00:00"
    assert link.tags == ("science", "space")


def test_csv_without_url_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "name,address\nx,https://a.example/\n")
    with pytest.raises(InputError, match="no url column"):
        entries(path, fmt="csv")


def test_bookmarks_keep_add_date_and_tags_and_report_relative_links(tmp_path: Path) -> None:
    found = open_link_list(str(write(tmp_path, "bookmarks.html", BOOKMARKS)))
    assert found.format == "bookmarks"
    link, bad = found.entries
    assert link == Link(
        "https://news.example/long-read", 8, "2023-11-14T22:13:20+00:00", ("politics", "long")
    )
    assert isinstance(bad, BadEntry) and bad.line == 10 and bad.text == "notes.html"


def test_rss_items_give_their_links_or_permalink_guids(tmp_path: Path) -> None:
    found = open_link_list(str(write(tmp_path, "feed.xml", RSS)))
    assert found.format == "rss"
    one, two, three = found.entries
    assert (one.url, two.url) == ("https://news.example/one", "https://news.example/two")
    assert isinstance(three, BadEntry) and "without a link" in three.reason


def test_atom_from_a_url_resolves_relative_links_against_the_feed() -> None:
    feed = "https://blog.example/feed.atom"
    found = open_link_list(feed, fetch={feed: ATOM}.__getitem__)
    assert found.format == "atom"
    assert [entry.url for entry in found.entries] == [
        "https://blog.example/posts/a",
        "https://blog.example/b",
    ]


def test_opml_lists_the_links_of_every_feed_and_reports_a_broken_one(tmp_path: Path) -> None:
    documents = {"https://news.example/rss": RSS, "https://blog.example/atom": ATOM}

    def fetch(url: str) -> bytes:
        if url not in documents:
            raise InputError(f"{url}: HTTP 404 Not Found")
        return documents[url]

    opml = write(
        tmp_path,
        "feeds.opml",
        '<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head><body>\n'
        '<outline text="News"><outline type="rss" xmlUrl="https://news.example/rss"/>\n'
        '<outline type="rss" xmlUrl="https://gone.example/rss"/></outline>\n'
        '<outline type="rss" xmlUrl="https://blog.example/atom"/></body></opml>',
    )
    found = open_link_list(str(opml), fetch=fetch)
    assert found.format == "opml"
    result = list(found.entries)
    urls = [entry.url for entry in result if isinstance(entry, Link)]
    assert urls == [
        "https://news.example/one",
        "https://news.example/two",
        "https://blog.example/posts/a",
        "https://blog.example/b",
    ]
    broken = [entry for entry in result if isinstance(entry, BadEntry) and entry.line == 3]
    assert broken and "HTTP 404" in broken[0].reason


def test_news_sitemap_and_gzipped_sitemap_index(tmp_path: Path) -> None:
    child = "https://paper.example/sitemap-2024.xml.gz"
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>" + child.encode() + b"</loc></sitemap></sitemapindex>"
    )
    found = open_link_list(
        str(write(tmp_path, "sitemap.xml", index)),
        fetch={child: gzip.compress(SITEMAP)}.__getitem__,
    )
    assert found.format == "sitemap"
    assert [entry.url for entry in found.entries] == [
        "https://paper.example/2024/a",
        "https://paper.example/2024/b",
    ]


def sitemap_index(urls: list[str]) -> bytes:
    rows = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'.encode()


def test_a_sitemap_index_naming_itself_is_read_once(tmp_path: Path) -> None:
    url = "https://paper.example/index.xml"
    child = "https://paper.example/child.xml"
    pages = {url: sitemap_index([url, child, url + "#again"] * 60), child: SITEMAP}
    asked: list[str] = []
    result = entries(url, fetch=lambda wanted: asked.append(wanted) or pages[wanted])
    assert [entry.url for entry in result] == [
        "https://paper.example/2024/a",
        "https://paper.example/2024/b",
    ]
    assert asked == [url, child]


def test_sitemap_downloads_are_capped_for_one_list() -> None:
    url = "https://paper.example/index.xml"
    children = [f"https://paper.example/part-{n}.xml" for n in range(MAX_DOWNLOADS + 5)]
    asked: list[str] = []
    empty = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    result = entries(
        url,
        fetch=lambda wanted: (
            asked.append(wanted) or (sitemap_index(children) if wanted == url else empty)
        ),
    )
    assert len(asked) == MAX_DOWNLOADS
    assert len(result) == 6 and all("not downloaded" in entry.reason for entry in result)


def test_standard_input_and_forced_format() -> None:
    found = open_link_list("-", stdin=io.BytesIO(b"https://a.example/\n"))
    assert (found.name, found.format) == ("standard input", "text")
    forced = open_link_list("-", fmt="sitemap", stdin=io.BytesIO(SITEMAP))
    assert len(list(forced.entries)) == 2


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"https://a.example/\n", "text"),
        (b"# list\n\nhttp://a.example/\n", "text"),
        (b"title,url\nx,https://a.example/\n", "csv"),
        (b"url\thref\ttitle\n", "csv"),
        (BOOKMARKS, "bookmarks"),
        (b"<dl><dt><a href='https://a.example/'>x</a></dl>", "bookmarks"),
        (
            b"<!DOCTYPE html><html><body><ul><li><a href='https://a.example/' time_added='1'>",
            "bookmarks",
        ),
        (RSS, "rss"),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item/></rdf:RDF>',
            "rss",
        ),
        (ATOM, "atom"),
        (b"<?xml version='1.0'?>\n<!-- exported -->\n<opml version='1.0'/>", "opml"),
        (SITEMAP, "sitemap"),
        (b"<!doctype html><html><body><p>An article</p></body></html>", None),
        (b"<?xml version='1.0'?><svg/>", None),
        (b"just some words\nand more words\n", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
    ],
)
def test_detect_format(head: bytes, expected: str | None) -> None:
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"<!doctype html><html><body>story</body></html>", "an HTML page, not a bookmarks file"),
        (b"<?xml version='1.0'?><svg/>", "XML that is not RSS, Atom, OPML or a sitemap"),
        (b"hello\nworld\n", "no line starts with http"),
        (b"\x00\x01\x02binary", "a binary file"),
    ],
)
def test_unusable_files_are_refused_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = write(tmp_path, "list", content)
    with pytest.raises(InputError, match=message) as caught:
        open_link_list(str(path))
    assert str(caught.value).startswith(str(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_link_list(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        open_link_list(str(tmp_path))


def test_a_feed_url_that_is_not_xml_is_refused() -> None:
    url = "https://news.example/feed"
    page = b"<!doctype html><html><body>Not a feed</body></html>"
    with pytest.raises(InputError, match="not XML"):
        open_link_list(url, fetch={url: page}.__getitem__)


def test_xml_broken_half_way_raises_after_the_good_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.xml", RSS.replace(b"</channel></rss>", b"<item><link>"))
    stream = open_link_list(str(path)).entries
    assert next(stream).url == "https://news.example/one"
    with pytest.raises(InputError, match="not valid XML"):
        list(stream)


class CountingStream(io.RawIOBase):
    """An endless text list that counts how many bytes were read from it."""

    def __init__(self) -> None:
        self.lines = (f"https://a.example/{n}\n".encode() for n in itertools.count())
        self.read_bytes = 0
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.pending = self.pending or next(self.lines)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.read_bytes += size
        return size


@pytest.mark.parametrize("fmt", ["text", "sitemap"])
def test_lists_are_streamed_not_read_whole(fmt: str) -> None:
    stream = CountingStream()
    if fmt == "sitemap":
        stream.lines = itertools.chain(
            [b"<urlset>"],
            (f"<url><loc>https://a.example/{n}</loc></url>\n".encode() for n in itertools.count()),
        )
    found = open_link_list("-", stdin=io.BufferedReader(stream))
    first = list(itertools.islice(found.entries, 3))
    assert [entry.url for entry in first] == [f"https://a.example/{n}" for n in range(3)]
    assert stream.read_bytes < 200_000


def test_split_tags() -> None:
    assert split_tags("a|b|a") == ("a", "b")
    assert split_tags('["x", "y"]') == ("x", "y")
    assert split_tags(" ") == ()


class _GigabyteOfLinks(io.RawIOBase):
    """A 1 GB list of links, made up as it is read: nothing of it exists until asked for."""

    SIZE = 1 << 30

    def __init__(self) -> None:
        self.position = 0
        self.pending = b""
        self.number = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer) and self.position + len(self.pending) < self.SIZE:
            self.pending += f"https://news{self.number % 50}.example/story/{self.number}\n".encode()
            self.number += 1
        size = min(len(buffer), len(self.pending), self.SIZE - self.position)
        buffer[:size] = self.pending[:size]
        self.pending, self.position = self.pending[size:], self.position + size
        return size


def test_a_one_gigabyte_list_is_streamed_not_loaded() -> None:
    stream = io.BufferedReader(_GigabyteOfLinks())
    tracemalloc.start()
    try:
        links = open_link_list("-", stdin=stream)
        first = list(itertools.islice(links.entries, 20_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert links.format == "text"
    assert first[-1].url == "https://news49.example/story/19999"
    assert stream.raw.position < 10 * 1024 * 1024  # read a little ahead, not the gigabyte
    assert peak < 40 * 1024 * 1024


# ---- every link of a big list is read (issue 13) ------------------------------------------


def chrome_bookmarks(count: int) -> bytes:
    """Chrome's export: each ``<DT>`` left open, one folder holding every link."""
    links = "".join(
        f'        <DT><A HREF="https://news.example/{n}" ADD_DATE="1700000{n % 1000:03d}"'
        f' ICON="data:image/png;base64,iVBORw0KGgo=">Story &amp; {n}</A>\n'
        for n in range(count)
    )
    return (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.\n"
        "     It will be read and overwritten.\n     DO NOT EDIT! -->\n"
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        "<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
        '    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000001"'
        ' PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>\n'
        f"    <DL><p>\n{links}    </DL><p>\n</DL><p>\n"
    ).encode()


def firefox_bookmarks(count: int) -> bytes:
    """Firefox's export: open ``<DT>`` and ``<DD>`` descriptions, tags, a ``place:`` query."""
    links = "".join(
        f'        <DT><A HREF="https://news.example/{n}" ADD_DATE="1700000000"'
        f' LAST_MODIFIED="1700000001" TAGS="news,river">Story {n}</A>\n'
        f"        <DD>What story {n} is about > and why\n"
        for n in range(count)
    )
    return (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.\n"
        "     It will be read and overwritten.\n     DO NOT EDIT! -->\n"
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        '<meta http-equiv="Content-Security-Policy"\n'
        "      content=\"default-src 'self'; script-src 'none'; img-src data: *;"
        " object-src 'none'\"></meta>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks Menu</H1>\n\n"
        '<DL><p>\n    <DT><A HREF="place:type=6&sort=14&maxResults=10">Recent Tags</A>\n'
        '    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000001"'
        ' UNFILED_BOOKMARKS_FOLDER="true">Other Bookmarks</H3>\n'
        f"    <DL><p>\n{links}    </DL><p>\n</DL>\n"
    ).encode()


@pytest.mark.parametrize("export", [chrome_bookmarks, firefox_bookmarks])
def test_bookmarks_exports_of_10000_links_are_read_whole(tmp_path: Path, export) -> None:
    content = export(10_000)
    found = open_link_list(str(write(tmp_path, "bookmarks.html", content)))
    entries = list(found.entries)
    assert found.format == "bookmarks"
    assert [entry.url for entry in entries] == [f"https://news.example/{n}" for n in range(10_000)]
    assert all(isinstance(entry, Link) and entry.saved_at for entry in entries)
    lines = content.decode().splitlines()
    assert all(f'/{n}"' in lines[entries[n].line - 1] for n in (0, 4_321, 9_999))


def test_bookmark_tags_cut_between_chunks_are_read(tmp_path: Path) -> None:
    padding = "x" * (64 * 1024 - 20)  # the first <A> tag straddles the first 64 KB chunk
    page = f'<DL><p>{padding}<DT><A HREF="https://news.example/cut" TAGS="a,b">Cut</A></DL>'
    found = open_link_list(str(write(tmp_path, "b.html", page.encode())), "bookmarks")
    assert list(found.entries) == [Link("https://news.example/cut", 1, None, ("a", "b"))]


def test_a_csv_row_with_a_field_over_the_csv_limit_is_skipped_and_the_rest_read(
    tmp_path: Path,
) -> None:
    rows = ["url,title,excerpt", "https://a.example/1,One,short", "https://a.example/2,Two,short"]
    rows += ["https://a.example/3,Three," + "x" * 200_000]
    rows += [f"https://a.example/{n},N,short" for n in range(4, 7)]
    found = open_link_list(str(write(tmp_path, "pocket.csv", "\n".join(rows) + "\n")))
    entries = list(found.entries)
    urls = [entry.url for entry in entries if isinstance(entry, Link)]
    assert urls == [f"https://a.example/{n}" for n in (1, 2, 4, 5, 6)]
    (bad,) = [entry for entry in entries if isinstance(entry, BadEntry)]
    assert bad.line == 4 and "row skipped" in bad.reason and "131072" in bad.reason
