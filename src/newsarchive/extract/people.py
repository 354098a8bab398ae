"""Author names from bylines: "By Jane Doe and John Roe, Political Editor" -> two names."""

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
# Account names, not people: "admin", "andrew.keaveney", "page.head.author".
NOT_PERSON = re.compile(r"\badmin(?:istrator)?\b|\bwebmaster\b|[a-z]\.[a-z]{2,}", re.IGNORECASE)
NAME = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,4}$")


def clean_authors(raw_names: list[str], trusted: bool = False) -> list[str]:
    """Names only, in order, without duplicates: no "By", job titles, dates or URLs.

    ``trusted`` values come from markup that names the author on purpose (JSON-LD, meta
    tags): one of those that is a single name, not a list, is kept even when it reads like a
    team ("Podium Staff", "The Currency editors"), since that is how the site credits it.
    """
    names: list[str] = []
    for raw in raw_names:
        for name in _split(raw, trusted):
            if name.lower() not in (known.lower() for known in names):
                names.append(name)
    return names


def _split(raw: str, trusted: bool) -> list[str]:
    text = BY.sub("", " ".join((raw or "").split()))
    if "://" in text or "@" in text:
        return []
    parts = [BY.sub("", part).strip(" .-–—") for part in SEPARATORS.split(text)]
    if trusted and len(parts) == 1 and _is_name(parts[0], job_titles_allowed=True):
        return parts
    return [part for part in parts if _is_name(part)]


def _is_name(part: str, job_titles_allowed: bool = False) -> bool:
    return (
        bool(NAME.match(part))
        and len(part) <= 60
        and (job_titles_allowed or not JOB_WORDS.search(part))
        and not DATE_LIKE.search(part)
        and not NOT_PERSON.search(part)
    )
