"""Times as exports write them: epoch seconds, ISO 8601, or Moodle's human-readable dates in several locales."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from itertools import product

from forumgrader.discussions.fields import in_utc, iso_time

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"^(?P<day>[a-z]{3,9})\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MERIDIEM = re.compile(r"\s*\b([ap])\.?\s?m\.?(?=\s|$)", re.IGNORECASE)
_SLASHED = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?P<rest>.*)$")
_DATES = ("%d %B %Y", "%B %d %Y", "%d %b %Y", "%b %d %Y", "%Y-%m-%d", "%d-%m-%Y")
_TIMES = ("%I:%M %p", "%I:%M:%S %p", "%I %p", "%H:%M", "%H:%M:%S", "")
_FORMATS = tuple(f"{date} {time}".strip() for date, time in product(_DATES, _TIMES))
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")  # fmt: skip


def export_time(value: object, *, timezone: tzinfo) -> datetime | None:
    """Read a time cell: epoch seconds, ISO 8601, or a human date (read in `timezone` when it names no zone)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(value)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return _epoch(float(text))
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        return iso_time(text, timezone=timezone)
    return human_date(text, timezone=timezone)


def _epoch(seconds: float) -> datetime | None:
    if seconds == 0:
        return None  # Moodle writes 0 for "never"
    if seconds < 0 or seconds > 4_102_444_800:  # after 2100: milliseconds, or not a time at all
        raise ValueError(f"{seconds:g} is not a time in epoch seconds")
    return datetime.fromtimestamp(seconds, UTC)


def human_date(text: str, *, timezone: tzinfo) -> datetime:
    """Parse "Monday, 3 June 2024, 9:15 AM" and its locale variants; refuse what is ambiguous or unknown."""
    cleaned = " ".join(text.replace(",", " ").replace(" at ", " ").split())
    weekday = None
    found = _WEEKDAY.match(cleaned)
    if found and _weekday_index(found["day"]) is not None:
        weekday = _weekday_index(found["day"])
        cleaned = cleaned[found.end() :]
    cleaned = _ORDINAL.sub(r"\1", cleaned)
    cleaned = _MERIDIEM.sub(lambda match: f" {match[1].upper()}M", cleaned)
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned, flags=re.IGNORECASE)
    cleaned = _unslash(cleaned, text)
    for pattern in _FORMATS:
        try:
            parsed = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        if weekday is not None and parsed.weekday() != weekday:
            raise ValueError(
                f"{text!r} says {_WEEKDAYS[weekday].title()} but {parsed:%d %B %Y} is a {parsed:%A}: "
                "export again with epoch dates (untick human-readable dates)"
            )
        return in_utc(parsed.replace(tzinfo=timezone))
    raise ValueError(
        f"{text!r} is not a date we can read: export again with epoch dates (untick human-readable dates), "
        "or write dates like 'Monday, 3 June 2024, 9:15 AM'"
    )


def _weekday_index(word: str) -> int | None:
    word = word.lower()
    for index, name in enumerate(_WEEKDAYS):
        if name.startswith(word) and len(word) >= 3:
            return index
    return None


def _unslash(cleaned: str, original: str) -> str:
    """Turn 03/06/2024 into a named month when only one reading is a date; refuse it when both are."""
    found = _SLASHED.match(cleaned)
    if not found:
        return cleaned
    first, second, year = int(found["a"]), int(found["b"]), found["year"]
    if first <= 12 and second <= 12 and first != second:
        raise ValueError(
            f"{original!r} could be {first} {_MONTH_NAMES[second]} or {second} {_MONTH_NAMES[first]}: "
            "export again with epoch dates (untick human-readable dates)"
        )
    day, month = (first, second) if second <= 12 else (second, first)
    if month > 12 or not 1 <= day <= 31:
        return cleaned
    return f"{day} {_MONTH_NAMES[month]} {year}{found['rest']}"
