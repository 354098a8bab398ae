"""Author names from bylines: "By Jane Doe and John Roe, Political Editor" -> two names.

Degrees and certifications after a name are not people ("Jane Doe, MS, RD, FAND" is Jane
Doe). A group or organisation credited as the byline ("Harbour Gazette Staff", "The Ledger
editors", "Marsh & Fenwick") is kept whole, as written: it is never split at "&" or "and"
into people, and it is used only when no person is named.
"""

from __future__ import annotations

import re

JOB_WORDS = re.compile(
    r"\b(?:editor|correspondent|reporter|writer|journalist|columnist|staff|contributor|chief"
    r"|senior|news|desk|team|agency|bureau|producer|photographer|analyst|updated|published"
    r"|director|manager|officer|head|expert|founder|ceo|president|specialist|reviewed|edited"
    r"|fact-checked|sr|jr|ph\.?d|md|mba|rn|phd|former|certified|licensed|lead|consultant"
    r"|coordinator|reviewer|strategist|engineer|developer|designer|scientist|attorney|professor"
    r"|researcher|advisor|adviser|coach|therapist|dietitian|nutritionist|owner|partner"
    r"|redakteur|redaktion|rédaction|redacción|correspondant|corresponsal"
    # page furniture that sits in bylines: "7 min read", "Full Bio", "Learn more", "Sign in"
    r"|read|min|bio|learn|more|about|view|sign|login|follow|share|sponsored|advertisement"
    r"|editorial|guidelines|policy|policies|process|posts|articles|author|admin|administrator"
    r"|home|privacy|comments?|posted|written)\b",
    re.IGNORECASE,
)
BY = re.compile(
    r"^\s*(?:(?:written|posted|text|words|story|reporting|recipe|article)\s+)?"
    r"(?:by|von|par|por)\s*[:,]?(?:\s+|$)",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"\s*(?:,|;|\||\s&\s|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
DATE_LIKE = re.compile(
    r"\d{1,4}[./:-]\d{1,2}|\b(?:19|20)\d{2}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)
# Account names, not people: "admin", "jane.roe", "page.head.author".
NOT_PERSON = re.compile(r"\badmin(?:istrator)?\b|\bwebmaster\b|[a-z]\.[a-z]{2,}", re.IGNORECASE)
NAME = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,4}$")
# Degrees written with small letters; others are capitals ("MS", "M.D.", "RN", "CFA®").
DEGREE = re.compile(
    r"(?:ph\.? ?d|m\.?sc|b\.?sc|m\.?ed|b\.?ed|m\.?phil|d\.?phil|dr\.?ph|pharm\.?d|psy\.?d|ed\.?d"
    r"|mbchb|esq)\.?",
    re.IGNORECASE,
)
DOTTED = re.compile(r"[A-Z](?:\.[A-Z]){1,3}\.?")  # "M.D.", "R.N."
CREDENTIAL_LENGTH = 8  # "FACP", "MRCPsych" no, "DABFM" yes: capitals up to this long
ROMAN = re.compile(r"[IVX]+")  # "John Smith III": part of the name
# Words that make a byline a group's or an organisation's rather than a person's.
GROUP_WORDS = re.compile(
    r"\b(?:team|staff|editors|editorial|desk|newsroom|newsdesk|bureau|reporters|redaktion"
    r"|rédaction|redacción)\b",
    re.IGNORECASE,
)
MAX_AUTHORS = 100  # a byline credits a few people; a list of thousands is no byline
GROUP_NAME = re.compile(r"^[^\W\d_][\w.'’&-]*(?:\s+[\w.'’&-]+){0,5}$")


def clean_authors(raw_names: list[str], trusted: bool = False) -> list[str]:
    """Names only, in order, without duplicates: no "By", job titles, dates or URLs.

    ``trusted`` values come from markup that names the author on purpose (JSON-LD, meta
    tags): one of those that is a single name, not a list, is kept even when it reads like a
    team ("Harbour Gazette Staff", "The Ledger editors"), since that is how the site credits it.
    """
    names: dict[str, str] = {}  # lower-cased -> as first written
    for raw in raw_names:
        for name in _split(raw, trusted):
            names.setdefault(name.lower(), name)
        if len(names) >= MAX_AUTHORS:
            break
    return list(names.values())[:MAX_AUTHORS]


def _split(raw: str, trusted: bool) -> list[str]:
    text = BY.sub("", " ".join((raw or "").split()))
    if "://" in text or "@" in text:
        return []
    parts = [BY.sub("", part).strip(" .-–—") for part in SEPARATORS.split(text)]
    parts = _without_credentials(parts)
    if trusted and len(parts) == 1 and _is_name(parts[0], job_titles_allowed=True):
        return parts
    return [part for part in parts if _is_name(part)]


def _without_credentials(parts: list[str]) -> list[str]:
    """The parts without degrees and certifications ("Jane Doe, MS, RD" -> "Jane Doe").

    A part is told by its capitals, so only where the names are written in small letters
    too: in "JANE DOE, JOHN ROE" each part may be a name. Within a part only an unmistakable
    degree goes ("Jane Doe PhD", "Jane Doe M.D."): "Jean Paul DUPONT" may write a surname so.
    """
    if not any(_has_small_letters(part) and not _is_credential(part) for part in parts):
        return parts
    return [_without_degree(part) for part in parts if not _is_credential(part)]


def _without_degree(part: str) -> str:
    words = part.split()
    while len(words) > 2 and (DEGREE.fullmatch(words[-1]) or DOTTED.fullmatch(words[-1])):
        words.pop()
    return " ".join(words)


def _is_credential(text: str) -> bool:
    """Whether ``text`` is made only of degrees and certifications ("MS", "M.D. FACP")."""
    words = text.replace("®", "").replace("™", "").split()
    return bool(words) and all(map(_is_credential_word, words)) and not text.isdigit()


def _is_credential_word(word: str) -> bool:
    if DEGREE.fullmatch(word):
        return True
    letters = word.replace(".", "").replace("-", "")
    return (
        len(letters) <= CREDENTIAL_LENGTH
        and not _has_small_letters(word)
        and not ROMAN.fullmatch(letters)
        and letters.isalnum()
    )


def _has_small_letters(text: str) -> bool:
    return text != text.upper()


def organisation_names(raw_names: list[str]) -> list[str]:
    """Organisations credited as authors, each whole and as written: "Marsh & Fenwick" is
    one organisation, not two people."""
    names: list[str] = []
    for raw in raw_names:
        name = BY.sub("", " ".join((raw or "").split())).strip(" .-–—|,")
        if name and "://" not in name and "@" not in name and name not in names:
            names.append(name)
    return names


def group_name(pieces: list[str]) -> str | None:
    """The group a byline credits instead of a person ("By Harbour Gazette Staff", "Team
    Acme", "The Ledger editors"), as written, or None."""
    for piece in pieces:
        name = BY.sub("", " ".join(piece.split())).strip(" .-–—|,•·")
        if GROUP_WORDS.search(name) and GROUP_NAME.match(name) and not DATE_LIKE.search(name):
            return name
    return None


def _is_name(part: str, job_titles_allowed: bool = False) -> bool:
    return (
        bool(NAME.match(part))
        and len(part) <= 60
        and (job_titles_allowed or not JOB_WORDS.search(part))
        and not DATE_LIKE.search(part)
        and not NOT_PERSON.search(part)
    )
