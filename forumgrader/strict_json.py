"""JSON from outside (exports, API bodies) read strictly: only what is JSON, and only values the rest can hold.

Python's json module accepts NaN and Infinity, whole numbers of any length (10**400 then fails in float()), numbers
that overflow to infinity (1e400), lone surrogates ("\\ud800", which no UTF-8 writer can encode) and "\\u0000" (which
PostgreSQL text cannot hold); and it nests until Python's recursion limit breaks. `loads` refuses each with a
ValueError that says what is wrong.
"""

from __future__ import annotations

import json
import math
from typing import Any

INT_DIGITS = 19  # a whole number of more digits does not fit 64 bits


class TooDeep(ValueError):
    """JSON nested deeper than the reader allows (or than Python's parser can follow)."""


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > INT_DIGITS:
        raise ValueError(f"the number {text[:12]}… is too large")
    return int(text)


def _decimal(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:24]} is too large")
    return number


def loads(data: str | bytes, *, max_depth: int | None = None) -> Any:
    """Parse JSON strictly (see above), refusing nesting beyond `max_depth` too; ValueError says what is wrong.

    A json.JSONDecodeError (a ValueError) keeps its line and column.
    """
    try:
        value = json.loads(data, parse_constant=_constant, parse_int=_whole, parse_float=_decimal)
    except RecursionError as error:
        raise TooDeep("it nests too deeply (hundreds of levels)") from error
    except UnicodeDecodeError as error:
        raise ValueError("it is not UTF-8 text") from error
    _check(value, max_depth)
    return value


def _check(value: Any, max_depth: int | None) -> None:
    """Refuse nesting beyond max_depth, and text holding a lone surrogate or a NUL character (keys included)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if max_depth is not None and depth > max_depth:
                raise TooDeep(f"it nests deeper than {max_depth} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if "\x00" in item:
                raise ValueError("its text holds a NUL character (\\u0000)")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ValueError(
                    "its text holds a lone surrogate (\\ud800 to \\udfff), which is not Unicode"
                ) from error
