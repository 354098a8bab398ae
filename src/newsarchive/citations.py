"""Citations of archived articles: CSL-JSON (what Zotero and pandoc read), BibTeX and RIS.

A citation names the article (title, authors, site, published date, URL) and the archive's
capture of it: the access date is when the page was captured. Headlines are untrusted text:
BibTeX gets every special character as a command whose braces balance (BibTeX counts braces
even after a backslash), RIS and BibTeX get one line per field, whatever the text holds.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsarchive.errors import InputError
from newsarchive.extract.authors import PARTICLES
from newsarchive.models import StoredArticle
from newsarchive.records import CaptureFacts
from newsarchive.store import Archive

FORMATS = ("csl-json", "bibtex", "ris")
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Words of a byline that names a newsroom, not a person ("Harbour Times Staff", "AP News Desk").
NEWSROOM_WORDS = {"staff", "news", "press", "desk", "team", "editors", "editorial", "board"}
NEWSROOM_WORDS |= {"bureau", "agency", "reporters", "correspondents", "service", "wire", "times"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Each special character as a command: braces stay balanced, % starts no comment, # and &
# break no field, ~ is no space.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_ESCAPED = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


@dataclass(frozen=True)
class Citable:
    """An archived article with the facts of its capture (None when it has no capture)."""

    stored: StoredArticle
    capture: CaptureFacts | None


def citable(archive: Archive, reference: str | int) -> Citable:
    """The article with this id or URL, with the facts of the capture it was extracted from."""
    stored = archive.get(reference)
    return Citable(stored, archive.capture_facts(stored.id))


def write_citations(
    archive: Archive, path: str | Path, ids: Iterable[int] | None = None, fmt: str = "csl-json"
) -> int:
    """Write the articles (all, or ``ids``) cited in ``fmt`` to ``path``, replacing it whole or
    not at all; return how many."""
    from newsarchive.files import write_atomically

    wanted = archive.article_ids() if ids is None else list(ids)
    text = cite([citable(archive, article_id) for article_id in wanted], fmt)
    write_atomically(Path(path), lambda out: out.write(text.encode("utf-8")))
    return len(wanted)


def cite(items: list[Citable], fmt: str) -> str:
    """The articles cited in ``fmt`` (one of FORMATS), as one text to print or write."""
    if fmt not in FORMATS:
        raise InputError(f"{fmt}: unknown citation format (use {', '.join(FORMATS)})")
    if fmt == "csl-json":
        return json.dumps([csl_item(item) for item in items], ensure_ascii=False, indent=2) + "\n"
    render: Callable[[Citable], str] = bibtex_entry if fmt == "bibtex" else ris_entry
    return "\n".join(render(item) for item in items)


def single_line(text: str) -> str:
    """Control characters and line breaks become spaces, runs of spaces one: a field's value
    on one line, whatever the headline holds."""
    return " ".join(_CONTROL.sub(" ", text).split())


def date_parts(value: str | None) -> list[int] | None:
    """``[year, month, day]`` (as much as is known) of an ISO 8601 date or time."""
    match = _DATE.match(value or "")
    if match is None:
        return None
    return [int(part) for part in match.groups() if part is not None]


def split_name(name: str) -> dict[str, str]:
    """A CSL name: ``family`` and ``given`` for a person's name (particles such as "van der"
    go with the family name, "Jr." is a suffix, "Doe, Jane" is read family first); one word
    or an organisation's many words stay whole, as ``literal``."""
    name = single_line(name)
    if "," in name:
        family, _, given = name.partition(",")
        if family.strip() and given.strip() and "," not in given:
            return {"family": family.strip(), "given": given.strip()}
        return {"literal": name}
    words = name.split()
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in SUFFIXES else None
    if not _personal(words):
        return {"literal": name}
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    person = {"family": " ".join(words[start:]), "given": " ".join(words[:start])}
    return person | ({"suffix": suffix} if suffix else {})


def _personal(words: list[str]) -> bool:
    """Two to four capitalised words (particles aside), none a newsroom's."""
    if not 2 <= len(words) <= 4 or any(word.lower() in NEWSROOM_WORDS for word in words):
        return False
    return all(word[:1].isupper() or word in PARTICLES for word in words)


def csl_item(item: Citable) -> dict:
    """The article as a CSL-JSON item of type ``article-newspaper``."""
    stored, article = item.stored, item.stored.article
    record: dict = {
        "id": f"newsarchive-{stored.id}",
        "type": "article-newspaper",
        "title": single_line(article.headline or stored.url),
        "author": [split_name(name) for name in article.authors],
        "container-title": article.site,
        "issued": _csl_date(article.published),
        "URL": _url(item),
        "accessed": _csl_date(item.capture.captured_at if item.capture else stored.saved_at),
        "language": article.language,
        "abstract": single_line(article.standfirst) if article.standfirst else None,
    }
    return {key: value for key, value in record.items() if value not in (None, [])}


def _csl_date(value: str | None) -> dict | None:
    parts = date_parts(value)
    return {"date-parts": [parts]} if parts else None


def _url(item: Citable) -> str:
    """The URL the page was found at in the end, else the one it is filed under."""
    return (item.capture.final_url if item.capture else None) or item.stored.url


def bibtex_text(text: str) -> str:
    """``text`` safe inside a braced BibTeX field: one line, every special character a command."""
    return _BIBTEX_ESCAPED.sub(lambda match: _BIBTEX_SPECIAL[match.group()], single_line(text))


def bibtex_url(url: str) -> str:
    """A URL as the url field takes it (verbatim): what would break the field percent-encoded."""
    return re.sub(r"[\s{}\\]", lambda match: f"%{ord(match.group()):02X}", single_line(url))


def bibtex_entry(item: Citable) -> str:
    """The article as a BibTeX ``@article`` (biblatex reads ``date``, ``urldate`` too)."""
    csl = csl_item(item)
    fields = {
        "title": bibtex_text(csl["title"]),
        "author": " and ".join(_bibtex_name(name) for name in csl.get("author", [])),
        "journal": bibtex_text(csl.get("container-title") or ""),
        "year": _part(csl.get("issued"), 0),
        "date": _iso_date(csl.get("issued")),
        "url": bibtex_url(csl["URL"]),
        "urldate": _iso_date(csl.get("accessed")),
    }
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items() if value)
    return f"@article{{{_bibtex_key(item, csl)},\n{body}}}\n"


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + bibtex_text(name["literal"]) + "}"  # an organisation: not split in two
    parts = [name["family"], *([name["suffix"]] if "suffix" in name else []), name["given"]]
    return ", ".join(bibtex_text(part) for part in parts)


def _bibtex_key(item: Citable, csl: dict) -> str:
    """``<first author's family name or site><year>-<id>``, in ASCII letters and digits."""
    first = (csl.get("author") or [{}])[0]
    word = first.get("family") or first.get("literal") or csl.get("container-title") or "article"
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    return f"{re.sub(r'[^a-z0-9]', '', folded) or 'article'}{_part(csl.get('issued'), 0)}-{item.stored.id}"


def _part(date: dict | None, index: int) -> str:
    parts = date["date-parts"][0] if date else []
    return str(parts[index]) if len(parts) > index else ""


def _iso_date(date: dict | None) -> str:
    parts = date["date-parts"][0] if date else []
    return "-".join(f"{part:02d}" for part in parts)


def ris_entry(item: Citable) -> str:
    """The article as a RIS record of type NEWS, one field a line."""
    csl = csl_item(item)
    lines = [("TY", "NEWS"), ("TI", csl["title"])]
    lines += [("AU", _ris_name(name)) for name in csl.get("author", [])]
    lines += [
        ("T2", csl.get("container-title")),
        ("PY", _part(csl.get("issued"), 0)),
        ("DA", _ris_date(csl.get("issued"))),
        ("UR", csl["URL"]),
        ("Y2", _ris_date(csl.get("accessed"))),
        ("LA", csl.get("language")),
        ("AB", csl.get("abstract")),
    ]
    return "".join(f"{tag}  - {single_line(value)}\n" for tag, value in lines if value) + "ER  - \n"


def _ris_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    suffix = f", {name['suffix']}" if "suffix" in name else ""
    return f"{name['family']}, {name['given']}{suffix}"


def _ris_date(date: dict | None) -> str:
    """RIS dates: ``YYYY/MM/DD/``, the parts not known left empty."""
    parts = [f"{part:02d}" for part in (date["date-parts"][0] if date else [])]
    return "/".join([*parts, *[""] * (3 - len(parts))]) + "/" if parts else ""
