"""Export archived articles: one Markdown, HTML or JSON file per article, or JSON lines.
Each carries the article's tags and the user's note.

Headlines are untrusted text, so file names are built from a strict slug (letters, digits,
``-``) behind the article id: no separators, no dots, no reserved Windows names, bounded length.
Every file is written next to its final name and renamed into place, so a symlink planted in
the folder is replaced, never followed. HTML goes through the sanitiser.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsarchive.errors import InputError
from newsarchive.files import temporary_file
from newsarchive.models import StoredArticle
from newsarchive.render import byline, stored_article_json
from newsarchive.sanitize import sanitize_html
from newsarchive.store import Archive

FORMATS = {"markdown": "md", "html": "html", "json": "json"}
MAX_SLUG_BYTES = 120
_NOT_SLUG = re.compile(r"[^\w]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|#])")
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
        _write_atomically(path, RENDERERS[fmt](stored))
        yield path


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


def _write_atomically(path: Path, content: str) -> None:
    try:
        handle, temporary = temporary_file(path.parent, ".export-", ".tmp")
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None


def article_record(stored: StoredArticle) -> dict:
    """The article as ``show --format json`` prints it, with its HTML sanitised."""
    record = stored_article_json(stored)
    record["html"] = sanitize_html(stored.article.html)
    return record


def to_json(stored: StoredArticle) -> str:
    return json.dumps(article_record(stored), ensure_ascii=False, indent=2) + "\n"


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as HTML, links, images or emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def to_markdown(stored: StoredArticle) -> str:
    article = stored.article
    lines = [f"# {escape_markdown(_one_line(article.headline or '(no headline)'))}", ""]
    if article.authors or article.site or article.published:
        lines.append(escape_markdown(_one_line(byline(article))) + "  ")
    lines.append(f"<{stored.url}>" if _linkable(stored.url) else escape_markdown(stored.url))
    lines += [escape_markdown(_one_line(line)) + "  " for line in _user_lines(stored)]
    if article.standfirst:
        lines += ["", "> " + escape_markdown(_one_line(article.standfirst))]
    for paragraph in article.text.split("\n"):
        if paragraph.strip():
            lines += ["", escape_markdown(paragraph.strip())]
    return "\n".join(lines) + "\n"


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
        f"<p>{meta}<br>{source}</p>\n{yours}{standfirst}\n{sanitize_html(article.html)}\n"
        "</article></body></html>\n"
    )


def _user_lines(stored: StoredArticle) -> list[str]:
    """What the user gave the article: its tags and their note, one line each."""
    lines = [f"Tags: {', '.join(stored.tags)}"] if stored.tags else []
    return lines + ([f"Note: {stored.user_note}"] if stored.user_note else [])


RENDERERS = {"markdown": to_markdown, "html": to_html, "json": to_json}
