"""Ids as the database holds them, and numbers read from people (addresses, forms, commands) to look them up with."""

from __future__ import annotations

import re

# The id columns are 32-bit integers on PostgreSQL: a larger number is no row's id (and overflows SQLite's).
ID_MAX = 2**31 - 1
_WHOLE = re.compile(r"[0-9]{1,10}")


def whole_number(raw: str | None, maximum: int = ID_MAX) -> int | None:
    """Return the text as a whole number from 0 to `maximum` (ASCII digits only), or None when it is not one."""
    if raw is None or not _WHOLE.fullmatch(raw.strip()):
        return None
    number = int(raw.strip())
    return number if number <= maximum else None
