"""Dates as ISO 8601: keep the timezone the page gives; a date without a time stays a date."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

DATE_ONLY = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})\s*$")
URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$)")


def normalise_date(value: str | None) -> str | None:
    """``value`` as ISO 8601 ("2024-03-01" or "2024-03-01T09:30:00+01:00"), None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    only = DATE_ONLY.match(value)
    if only:
        return _date_only(*only.groups())
    parsed = _parse_datetime(value)
    return parsed.replace(microsecond=0).isoformat() if parsed else None


def _date_only(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _parse_datetime(value: str) -> datetime | None:
    cleaned = re.sub(r"\s+", " ", value).replace(" ", "T", 1) if value[:4].isdigit() else value
    cleaned = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", cleaned)
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "january jan januar janvier enero",
            "february feb februar février fevrier febrero",
            "march mar märz maerz mars marzo",
            "april apr avril abril",
            "may mai mayo",
            "june jun juni juin junio",
            "july jul juli juillet julio",
            "august aug août agosto",
            "september sep sept septembre septiembre",
            "october oct oktober okt octobre octubre",
            "november nov novembre noviembre",
            "december dec dezember dez décembre decembre diciembre",
        ],
        start=1,
    )
    for name in names.split()
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
TEXT_DATES = (
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"), (1, 2, 3)),
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})\b"), (3, 2, 1)),
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?({_MONTH})\.?,?\s+(?:de\s+)?"
            r"((?:19|20)\d{2})\b",
            re.IGNORECASE,
        ),
        (3, 2, 1),
    ),
    (
        re.compile(
            rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b",
            re.IGNORECASE,
        ),
        (3, 1, 2),
    ),
)


def date_in_text(text: str) -> str | None:
    """The first date written out in ``text`` ("12.01.2017", "3 June 2024", "June 3, 2024")."""
    for pattern, order in TEXT_DATES:
        match = pattern.search(text)
        if match:
            year, month, day = (match.group(index) for index in order)
            month = str(MONTHS.get(month.lower(), month))
            return _date_only(year, month, day)
    return None


def date_from_url(url: str | None) -> str | None:
    """The date in a URL path such as ``/2024/03/01/`` (year, month and day all needed)."""
    match = URL_DATE.search(url or "")
    return _date_only(*match.groups()) if match else None
