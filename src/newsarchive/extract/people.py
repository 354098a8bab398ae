"""Author names from bylines: "By Jane Doe and John Roe, Political Editor" -> two names."""

from __future__ import annotations

import re

JOB_WORDS = re.compile(
    r"\b(?:editor|correspondent|reporter|writer|journalist|columnist|staff|contributor|chief"
    r"|senior|news|desk|team|agency|bureau|producer|photographer|analyst|updated|published"
    r"|director|manager|officer|head|expert|founder|ceo|president|specialist|reviewed|edited"
    r"|fact-checked|sr|jr|ph\.?d|md|mba|rn|phd"
    r"|redakteur|redaktion|rédaction|redacción|correspondant|corresponsal)\b",
    re.IGNORECASE,
)
BY = re.compile(r"^\s*(?:written\s+)?(?:by|von|par|por)\s*[:,]?\s+", re.IGNORECASE)
SEPARATORS = re.compile(r"\s*(?:,|;|\||\s&\s|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
DATE_LIKE = re.compile(r"\d{1,4}[./:-]\d{1,2}|\b(?:19|20)\d{2}\b")
NAME = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,4}$")


def clean_authors(raw_names: list[str]) -> list[str]:
    """Names only, in order, without duplicates: no "By", job titles, dates or URLs."""
    names: list[str] = []
    for raw in raw_names:
        for name in _split(raw):
            if name.lower() not in (known.lower() for known in names):
                names.append(name)
    return names


def _split(raw: str) -> list[str]:
    text = BY.sub("", " ".join((raw or "").split()))
    if "://" in text or "@" in text:
        return []
    parts = (BY.sub("", part).strip(" .-–—") for part in SEPARATORS.split(text))
    return [part for part in parts if _is_name(part)]


def _is_name(part: str) -> bool:
    return (
        bool(NAME.match(part))
        and len(part) <= 60
        and not JOB_WORDS.search(part)
        and not DATE_LIKE.search(part)
    )
