"""Dates as ISO 8601: keep the timezone the page gives; a date without a time stays a date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

DATE_ONLY = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})\s*$")
# "13/11/2025 09:21:40": read only when one number is above 12, which settles the order.
SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?\s*$")
# One separator throughout, and the day ends a path segment or the slug's first word:
# "/2023/10/3-questions" is a month followed by a slug, not the 3rd of October.
URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)"),
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?:[/_-]|$)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$)"),
)


def normalise_date(value: str | None) -> str | None:
    """``value`` as ISO 8601 ("2024-03-01" or "2024-03-01T09:30:00+01:00"), None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    only = DATE_ONLY.match(value)
    if only:
        return _date_only(*only.groups())
    slashed = SLASHED.match(value)
    if slashed:
        return _slashed(*slashed.groups())
    parsed = _parse_datetime(value)
    return parsed.replace(microsecond=0).isoformat() if parsed else None


def _date_only(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _slashed(first: str, second: str, year: str, time: str | None) -> str | None:
    if int(first) > 12 >= int(second):
        first, second = second, first
    elif int(second) <= 12:
        return None  # 03/04/2025: March or April, the value alone cannot say
    day = _date_only(year, first, second)
    if not day or not time:
        return day
    return normalise_date(f"{day}T{time if time.index(':') == 2 else '0' + time}")


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


# "03/01/2017" is the 1st of March in the US and the 3rd of January in Britain: read only with
# an order (the groups holding year, month and day) that the page itself suggests.
SLASHED_TEXT = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b")
MONTH_FIRST = (3, 1, 2)
DAY_FIRST = (3, 2, 1)
Order = tuple[int, int, int]


def date_in_text(text: str, slashed: Order | None = None) -> str | None:
    """The first date written out in ``text`` ("12.01.2017", "3 June 2024", "June 3, 2024"):
    the one that starts first, whichever way it is written. "03/01/2017" counts only when
    ``slashed`` says which number is the month (``MONTH_FIRST`` or ``DAY_FIRST``)."""
    found = date_in_text_at(text, slashed)
    return found[1] if found else None


def date_in_text_at(text: str, slashed: Order | None = None) -> tuple[int, str] | None:
    """Where the first date written out in ``text`` starts, and that date (ISO)."""
    patterns = (*TEXT_DATES, (SLASHED_TEXT, slashed)) if slashed else TEXT_DATES
    found = (_earliest(pattern, order, text) for pattern, order in patterns)
    return min(filter(None, found), default=None)


def slashed_order(text: str, language: str | None) -> Order | None:
    """How a page orders "03/01/2017": from its slashed dates that only one order can read
    ("01/31/2025"), else its language ("en-GB", "de": day first; "en-US": month first), else
    how it writes dates with month names ("3 October" or "October 3"), else month first for
    plain "en"; None when nothing tells."""
    pairs = [(int(first), int(second)) for first, second, _ in SLASHED_TEXT.findall(text)]
    day_first = sum(first > 12 >= second for first, second in pairs)
    month_first = sum(second > 12 >= first for first, second in pairs)
    if day_first != month_first:
        return DAY_FIRST if day_first > month_first else MONTH_FIRST
    tag = (language or "").lower().replace("_", "-")
    if tag.startswith("en-") or (tag and not tag.startswith("en")):
        return MONTH_FIRST if tag == "en-us" else DAY_FIRST
    written = _written_order(text)
    return written or (MONTH_FIRST if tag == "en" else None)


def _written_order(text: str) -> Order | None:
    """The order of the dates written with a month name, by majority."""
    day_first = len(TEXT_DATES[2][0].findall(text))
    month_first = len(TEXT_DATES[3][0].findall(text))
    if day_first == month_first:
        return None
    return DAY_FIRST if day_first > month_first else MONTH_FIRST


def _earliest(
    pattern: re.Pattern[str], order: tuple[int, int, int], text: str
) -> tuple[int, str] | None:
    """Where the first valid date ``pattern`` finds in ``text`` starts, and that date."""
    for match in pattern.finditer(text):
        year, month, day = (match.group(index) for index in order)
        found = _date_only(year, str(MONTHS.get(month.lower(), month)), day)
        if found:
            return match.start(), found
    return None


def date_from_url(url: str | None) -> str | None:
    """The date in a URL path such as ``/2024/03/01/`` (year, month and day all needed)."""
    for pattern in URL_DATES:
        match = pattern.search(url or "")
        day = _date_only(*match.groups()) if match else None
        if day:
            return day
    return None


def shift_day(day: str, days: int) -> str | None:
    """The ISO day ``days`` after ``day`` (``day`` may carry a time: only its date is used), or
    None past the calendar's ends (year 1 or 9999, which broken pages do declare)."""
    try:
        return (date.fromisoformat(day[:10]) + timedelta(days=days)).isoformat()
    except OverflowError:
        return None


NAMES_BY_MONTH: dict[int, list[str]] = {}
for _name, _number in MONTHS.items():
    NAMES_BY_MONTH.setdefault(_number, []).append(_name)


def renderings(day: str) -> list[str]:
    """How pages write the ISO ``day`` for readers, casefolded ("march 1, 2024", "01.03.2024")."""
    value = date.fromisoformat(day[:10])
    y, m, d = value.year, value.month, value.day
    forms = [f"{d:02}.{m:02}.{y}", f"{d}.{m}.{y}", f"{m:02}/{d:02}/{y}", f"{m}/{d}/{y}"]
    forms += [f"{d:02}/{m:02}/{y}", f"{y}/{m:02}/{d:02}"]
    for name in NAMES_BY_MONTH[m]:
        for number in {str(d), f"{d:02}"}:
            forms += [f"{name} {number}, {y}", f"{name}. {number}, {y}", f"{name} {number} {y}"]
            forms += [f"{number} {name} {y}", f"{number}. {name} {y}", f"{number} de {name} de {y}"]
        forms += [f"{name} {d}{_ordinal(d)}, {y}", f"{d}{_ordinal(d)} {name} {y}"]
    return forms


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
