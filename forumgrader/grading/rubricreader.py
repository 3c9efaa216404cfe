"""The reader behind rubric files: key lists, and one problem per wrong key naming file, criterion and key."""

from __future__ import annotations

import difflib
import json
import math
import re
from enum import StrEnum
from typing import Any

from forumgrader.grading.measures import MEASURES, Param, Scope
from forumgrader.grading.rubric import AppliesTo, Params

TOP_KEYS = ("name", "title", "description", "timezone", "due", "prompt", "prompt_threshold", "criteria")
DUE_KEYS = ("initial", "replies", "initial_days_before_replies", "replies_days_after_initial")
CRITERION_KEYS = (
    "id",
    "name",
    "description",
    "applies_to",
    "manual",
    "rank",
    "best",
    "order",
    "levels",
    "earn",
    "cap",
    "weekly_cap",
    "show",
    "not_assessed",
)
LEVEL_KEYS = ("name", "points", "description", "when", "scale")
CRITERION_ID = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,99}\Z")
# No rubric counts points, words, sources or minutes beyond a million; inf, nan and 1e308 are not numbers a rubric
# means (they would grade "inf/inf"), so every number in a rubric is finite and at most this large either way.
MAX_NUMBER = 1_000_000
_NUMBER = "a number"


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def is_number(value: Any) -> bool:
    """Tell whether a TOML value is a number a rubric can mean: finite, at most MAX_NUMBER either way (no boolean)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_NUMBER
    )


class Reader:
    """Reads one rubric document, collecting every problem with where it is."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.where = ""

    def problem(self, key: str, message: str) -> None:
        place = f"{self.where}, " if self.where else ""
        self.problems.append(f'{self.source}: {place}key "{key}": {message}')

    def expected(self, key: str, what: str, value: Any) -> None:
        numbers = value if isinstance(value, list) else [value]
        if any(isinstance(v, int | float) and not isinstance(v, bool) and not is_number(v) for v in numbers):
            what += f" (numbers in a rubric are finite and at most {MAX_NUMBER:,} either way)"
        self.problem(key, f"expected {what}, got {_show(value)}")

    def unknown(self, table: dict[str, Any], allowed: tuple[str, ...] | set[str], prefix: str = "") -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else f"; allowed: {', '.join(sorted(allowed))}"
                self.problem(prefix + key, f"unknown key{hint}")

    def text(self, table: dict[str, Any], key: str, default: str | None = None, prefix: str = "") -> str:
        value = table.get(key, default)
        if value is None:
            self.problem(prefix + key, "missing: expected a text")
            return ""
        if not isinstance(value, str):
            self.expected(prefix + key, "a text", value)
            return ""
        return value

    def number(self, table: dict[str, Any], key: str, prefix: str = "", *, low: float = 0.0) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if not is_number(value) or value < low:
            self.expected(prefix + key, f"a number of at least {low:g}", value)
            return None
        return float(value)

    def integer(self, table: dict[str, Any], key: str, default: int, prefix: str = "") -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_NUMBER:
            self.expected(prefix + key, "a whole number of at least 1", value)
            return default
        return value

    def choice(self, table: dict[str, Any], key: str, enum: type[StrEnum], default: Any, prefix: str = "") -> Any:
        value = table.get(key, default)
        try:
            return enum(value)
        except ValueError:
            self.expected(prefix + key, "one of " + ", ".join(f'"{m.value}"' for m in enum), value)
            return default

    def params(self, given: dict[str, Any], measure: str, prefix: str, reserved: tuple[str, ...]) -> Params:
        known = MEASURES[measure].params
        self.unknown({k: v for k, v in given.items() if k not in reserved}, set(known), prefix)
        found = []
        for name, param in known.items():
            if name in given and self._param_ok(param, given[name], prefix + name):
                value = given[name]
                found.append((name, tuple(value) if isinstance(value, list) else value))
        return tuple(sorted(found))

    def _param_ok(self, param: Param, value: Any, key: str) -> bool:
        ok = {
            "integer": isinstance(value, int) and is_number(value) and value >= 0,
            "number": is_number(value),
            "text": isinstance(value, str) and (not param.choices or value in param.choices),
            "texts": isinstance(value, list)
            and all(isinstance(v, str) for v in value)
            and (not param.choices or set(value) <= param.choices),
        }[param.kind]
        if not ok:
            choices = f" from {', '.join(sorted(param.choices))}" if param.choices else ""
            what = {"integer": "a whole number", "number": _NUMBER, "text": "a text", "texts": "a list of texts"}
            self.expected(key, what[param.kind] + choices, value)
        return ok

    def measure_name(self, name: str, key: str, applies_to: AppliesTo, *, counting: bool = False) -> bool:
        found = MEASURES.get(name)
        if found is None:
            close = difflib.get_close_matches(name, list(MEASURES), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f"; known: {', '.join(sorted(MEASURES))}"
            self.problem(key, f'unknown measure "{name}"{hint}')
            return False
        if found.scope is Scope.POST and applies_to is AppliesTo.PARTICIPATION and found.total is None:
            self.problem(key, f'measure "{name}" reads one post: use it in a main_post or each_reply criterion')
            return False
        if counting and not found.counts:
            counts = ", ".join(sorted(n for n, m in MEASURES.items() if m.counts))
            self.problem(key, f'measure "{name}" does not count posts; points can be earned from: {counts}')
            return False
        return True
