"""Export archived articles: one Markdown, HTML or JSON file per article, JSON lines, or one
EPUB book of them (see epub.py). The articles are all, those given by id, or a search's matches.
Each file carries the article's tags and the user's note.

Headlines are untrusted text, so file names are built from a strict slug (letters, digits,
``-``) behind the article id: no separators, no dots, no reserved Windows names, bounded length.
Every file is written next to its final name and renamed into place, so a symlink planted in
the folder is replaced, never followed. HTML goes through the sanitiser.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from markdownify import MarkdownConverter

from newsarchive.epub import BookImages, BookInfo, book_language, chapter, write_book
from newsarchive.errors import InputError, NotFoundError
from newsarchive.files import write_atomically
from newsarchive.models import StoredArticle
from newsarchive.render import byline, stored_article_json
from newsarchive.sanitize import followable_url, parse_flattened, sanitize_html
from newsarchive.store import Archive

FORMATS = {"markdown": "md", "html": "html", "json": "json"}
MAX_SLUG_BYTES = 120
_NOT_SLUG = re.compile(r"[^\w]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|#])")
# YAML's double-quoted scalars escape like JSON's strings, with \x, \u and \U for what is not
# printable or would break the line (NEL, the Unicode line and paragraph separators, BOM).
_YAML_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')
_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def slugify(text: str | None, max_bytes: int = MAX_SLUG_BYTES) -> str:
    """Lowercase words joined by ``-``: letters and digits of any script, nothing else."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    slug = _NOT_SLUG.sub("-", folded).replace("_", "-")
    slug = re.sub("-{2,}", "-", slug).strip("-")
    while len(slug.encode("utf-8")) > max_bytes:
        slug = slug[:-1]
    return slug.rstrip("-")


def file_name(article_id: int, headline: str | None, extension: str) -> str:
    """``<id>-<slug>.<ext>``: unique per article, and safe on every common file system.

    Starting with the id keeps names clear of Windows' reserved ones (``CON``, ``NUL``,
    ``COM1``...), and the slug has no dots, spaces or separators to end or split a name on.
    """
    slug = slugify(headline)
    stem = f"{int(article_id)}-{slug}" if slug else str(int(article_id))
    return f"{stem}.{extension}"


def export_articles(
    archive: Archive, folder: str | Path, fmt: str = "markdown", ids: Iterable[int] | None = None
) -> Iterator[Path]:
    """Write one file per article (all, or ``ids``) into ``folder``; yield each path written."""
    if fmt not in FORMATS:
        raise InputError(f"{fmt}: unknown export format (use {', '.join(FORMATS)})")
    target = _prepare_folder(Path(folder))
    for stored in _articles(archive, ids):
        path = target / file_name(stored.id, stored.article.headline, FORMATS[fmt])
        if path.parent != target:
            raise InputError(f"{path}: would be written outside {target}")
        content = RENDERERS[fmt](stored).encode("utf-8")
        write_atomically(path, lambda out, data=content: out.write(data))
        yield path


def export_book(
    archive: Archive,
    path: str | Path,
    ids: Iterable[int] | None = None,
    title: str | None = None,
    images: bool = False,
) -> int:
    """Write the articles (all, or ``ids`` in that order) as one EPUB book at ``path``, replacing
    it whole or not at all; return how many. ``images``: embed the images the archive holds."""
    path = _book_path(Path(path))
    embedded = BookImages(embed=images)
    stored = list(_articles(archive, ids))
    if not stored:
        raise InputError("no articles to put in the book")
    chapters = [chapter(article, embedded) for article in stored]
    info = BookInfo(
        title=title or f"News archive: {len(stored)} articles", language=book_language(stored)
    )
    write_atomically(path, lambda out: write_book(out, info, chapters, embedded))
    return len(stored)


def select_articles(
    archive: Archive, ids: Iterable[int] = (), query: str | None = None
) -> list[int] | None:
    """The articles to export: those given by id, then the matches of ``query`` best first (a
    reading list, copies of one story once); None when neither is given (all of them)."""
    if query is None:
        return list(dict.fromkeys(archive.resolve(i) for i in ids)) or None
    from newsarchive.searching import search

    hits = search(archive, query, limit=max(archive.count(), 1), exact=True)
    if not hits:
        raise NotFoundError(f"no articles match {query!r}")
    return list(dict.fromkeys([*(archive.resolve(i) for i in ids), *(hit.id for hit in hits)]))


def _book_path(path: Path) -> Path:
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the book's file name (book.epub)")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    return path


def export_jsonl(archive: Archive, ids: Iterable[int] | None = None) -> Iterator[str]:
    """One JSON object per article per line (body HTML sanitised), for piping elsewhere."""
    for stored in _articles(archive, ids):
        yield json.dumps(article_record(stored), ensure_ascii=False)


def _articles(archive: Archive, ids: Iterable[int] | None) -> Iterator[StoredArticle]:
    wanted = archive.article_ids() if ids is None else [archive.resolve(i) for i in ids]
    for article_id in wanted:
        yield archive.get(article_id)


def _prepare_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{folder}: exists and is not a folder") from None
    except OSError as error:
        raise InputError(f"{folder}: cannot create the folder ({error.strerror})") from None
    return folder.resolve()


def article_record(stored: StoredArticle) -> dict:
    """The article as ``show --format json`` prints it, with its HTML sanitised."""
    record = stored_article_json(stored)
    record["html"] = sanitize_html(stored.article.html, stored.url)
    return record


def to_json(stored: StoredArticle) -> str:
    return json.dumps(article_record(stored), ensure_ascii=False, indent=2) + "\n"


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as HTML, links, images or emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: valid whatever it holds (quotes, colons,
    line breaks, ``---``, control characters)."""
    return '"' + _YAML_ESCAPED.sub(_yaml_escape, text) + '"'


def _yaml_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _YAML_SHORT:
        return _YAML_SHORT[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def front_matter(stored: StoredArticle) -> str:
    """YAML front matter (as static site generators and note apps read it) of the article."""
    article = stored.article
    fields = {
        "title": article.headline,
        "authors": article.authors,
        "published": article.published,
        "site": article.site,
        "url": stored.url,
        "saved": stored.saved_at,
        "id": stored.id,
        "tags": list(stored.tags),
    }
    return (
        "---\n"
        + "".join(f"{key}: {_yaml_value(value)}\n" for key, value in fields.items())
        + "---\n"
    )


def _yaml_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_string(str(item)) for item in value) + "]"
    return yaml_string(str(value))


def to_markdown(stored: StoredArticle) -> str:
    article = stored.article
    lines = [front_matter(stored)]
    lines += [f"# {escape_markdown(_one_line(article.headline or '(no headline)'))}", ""]
    if article.authors or article.site or article.published:
        lines.append(escape_markdown(_one_line(byline(article))) + "  ")
    lines.append(f"<{stored.url}>" if _linkable(stored.url) else escape_markdown(stored.url))
    lines += [escape_markdown(_one_line(line)) + "  " for line in _user_lines(stored)]
    if article.standfirst:
        lines += ["", "> " + escape_markdown(_one_line(article.standfirst))]
    body = markdown_body(article.html, article.text, stored.url)
    return "\n".join([*lines, "", body]) + "\n"


def markdown_body(markup: str, text: str, base_url: str) -> str:
    """The body as Markdown with its headings, lists, block quotes, tables and links, from
    the sanitised HTML (markdownify); the plain text when no HTML was kept."""
    soup = parse_flattened(sanitize_html(markup))
    for link in soup.find_all("a"):
        href = followable_url(str(link.get("href") or ""), base_url)
        if href is None:
            link.unwrap()
        else:
            link.attrs = {"href": href, **({"title": link["title"]} if link.get("title") else {})}
    converted = _MARKDOWN.convert_soup(soup).strip() if soup.get_text().strip() else ""
    if not converted:
        paragraphs = (line.strip() for line in text.split("\n"))
        converted = "\n\n".join(escape_markdown(line) for line in paragraphs if line)
    return re.sub(r"\n{3,}", "\n\n", converted)


_MARKDOWN = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=True)


def _linkable(url: str) -> bool:
    return url.startswith(("http://", "https://")) and not re.search(r"[\s<>]", url)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_html(stored: StoredArticle) -> str:
    article = stored.article
    title = html.escape(article.headline or "(no headline)")
    meta = html.escape(byline(article))
    source = sanitize_html(f'<a href="{html.escape(stored.url)}">{html.escape(stored.url)}</a>')
    standfirst = f"<p><em>{html.escape(article.standfirst)}</em></p>" if article.standfirst else ""
    yours = "".join(f"<p>{html.escape(line)}</p>\n" for line in _user_lines(stored))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title></head>\n<body><article>\n<h1>{title}</h1>\n"
        f"<p>{meta}<br>{source}</p>\n{yours}{standfirst}\n{sanitize_html(article.html, stored.url)}\n"
        "</article></body></html>\n"
    )


def _user_lines(stored: StoredArticle) -> list[str]:
    """What the user gave the article: its tags and their note, one line each."""
    lines = [f"Tags: {', '.join(stored.tags)}"] if stored.tags else []
    return lines + ([f"Note: {stored.user_note}"] if stored.user_note else [])


RENDERERS = {"markdown": to_markdown, "html": to_html, "json": to_json}
