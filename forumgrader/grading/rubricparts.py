"""Reading the parts of a rubric file (due dates, prompt parts, criteria, levels, conditions) with precise errors."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from forumgrader.grading.rubric import (
    AppliesTo,
    Bound,
    Criterion,
    DueDates,
    Earn,
    IfNotAssessed,
    Level,
    MeasureCall,
    Order,
    PromptPart,
    Scale,
)
from forumgrader.grading.rubricreader import (
    CRITERION_ID,
    CRITERION_KEYS,
    DUE_KEYS,
    LEVEL_KEYS,
    MAX_NUMBER,
    Reader,
    is_number,
)


def when_of(value: Any, zone: ZoneInfo) -> datetime | None:
    """Turn a TOML date or time into an aware datetime: local times in the rubric's zone, dates at 23:59:59."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):  # the whole day, as LMSs set "11:59 pm": a post at 23:59:30 is on time
        return datetime.combine(value, time(23, 59, 59), tzinfo=zone)
    return None


def read_due(reader: Reader, table: Any, zone: ZoneInfo) -> DueDates:
    """Read the [due] table."""
    if not isinstance(table, dict):
        reader.expected("due", "a table", table)
        return DueDates()
    reader.unknown(table, DUE_KEYS, "due.")
    moments = {}
    for key in ("initial", "replies"):
        if key in table:
            moments[key] = when_of(table[key], zone)
            if moments[key] is None:
                reader.expected(f"due.{key}", "a date and time such as 2024-09-11T23:59:00-06:00", table[key])
    return DueDates(
        initial=moments.get("initial"),
        replies=moments.get("replies"),
        initial_days_before_replies=reader.number(table, "initial_days_before_replies", "due."),
        replies_days_after_initial=reader.number(table, "replies_days_after_initial", "due."),
    )


def read_prompt(reader: Reader, parts: Any) -> tuple[PromptPart, ...]:
    """Read the [[prompt]] parts."""
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        reader.expected("prompt", "[[prompt]] tables, each with part and keywords", parts)
        return ()
    found = []
    for number, part in enumerate(parts, 1):
        prefix = f"prompt[{number}]."
        reader.unknown(part, ("part", "keywords"), prefix)
        groups = part.get("keywords")
        if not isinstance(groups, list) or not groups:
            reader.expected(
                prefix + "keywords", 'a list of keywords or keyword groups, e.g. [["brain", "neuro*"]]', groups
            )
            continue
        read = []
        for group in groups:
            words = [group] if isinstance(group, str) else group
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                reader.expected(prefix + "keywords", "keywords (texts) or lists of keywords", group)
                break
            read.append(tuple(words))
        found.append(PromptPart(reader.text(part, "part", None, prefix), tuple(read)))
    return tuple(found)


def read_criteria(reader: Reader, criteria: Any) -> tuple[Criterion, ...]:
    """Read every [[criteria]] table."""
    if criteria is None:
        reader.problem("criteria", "missing: add at least one [[criteria]] table")
        return ()
    if not isinstance(criteria, list) or not criteria or not all(isinstance(c, dict) for c in criteria):
        reader.expected("criteria", "one or more [[criteria]] tables", criteria)
        return ()
    found: list[Criterion] = []
    for number, table in enumerate(criteria, 1):
        ident = table.get("id")
        reader.where = f'criterion "{ident}"' if isinstance(ident, str) and ident else f"criteria[{number}]"
        criterion = _criterion(reader, table)
        if criterion is not None:
            if any(other.id == criterion.id for other in found):
                reader.problem("id", f'"{criterion.id}" is used by another criterion: ids must be unique')
            found.append(criterion)
    reader.where = ""
    return tuple(found)


def _criterion(reader: Reader, table: dict[str, Any]) -> Criterion | None:
    reader.unknown(table, CRITERION_KEYS)
    ident = reader.text(table, "id")
    if ident and not CRITERION_ID.match(ident):
        reader.expected("id", 'lower-case letters, digits, - and _ (e.g. "main-posting")', ident)
    if "applies_to" not in table:
        reader.problem("applies_to", 'missing: expected "main_post", "each_reply" or "participation"')
    applies_to = reader.choice(table, "applies_to", AppliesTo, AppliesTo.PARTICIPATION)
    manual = table.get("manual", False)
    if not isinstance(manual, bool):
        reader.expected("manual", "true or false", manual)
        manual = False
    if applies_to is not AppliesTo.EACH_REPLY:
        for key in ("rank", "best", "order"):
            if key in table:
                reader.problem(key, 'only criteria with applies_to = "each_reply" rank replies')
    earn = _earnings(reader, table, applies_to, manual)
    levels = _levels(reader, table.get("levels"), applies_to, manual, "earn" in table)
    top = max((level.points[1] for level in levels), default=0.0)
    return Criterion(
        id=ident,
        name=reader.text(table, "name"),
        applies_to=applies_to,
        levels=levels,
        description=reader.text(table, "description", ""),
        manual=manual,
        rank=reader.integer(table, "rank", 1),
        best=reader.integer(table, "best", 1),
        order=reader.choice(table, "order", Order, Order.BEST),
        earn=earn,
        cap=reader.number(table, "cap") if earn else None,
        weekly_cap=reader.number(table, "weekly_cap") if earn else None,
        show=_shown(reader, table.get("show", []), applies_to),
        not_assessed=_if_not_assessed(reader, table, top, manual or "earn" in table),
    )


def _if_not_assessed(reader: Reader, table: dict[str, Any], top: float, unmeasured: bool) -> IfNotAssessed:
    """Read what a criterion gives when there is nothing to assess: points (default 0) or "instructor"."""
    if "not_assessed" not in table:
        return IfNotAssessed()
    value = table["not_assessed"]
    if unmeasured:
        reader.problem("not_assessed", "only criteria whose levels are chosen by measures can be not assessed")
    elif value == "instructor":
        return IfNotAssessed(instructor=True)
    elif is_number(value) and 0 <= value <= top:
        return IfNotAssessed(points=float(value))
    else:
        reader.expected("not_assessed", f'points from 0 to {top:g}, or "instructor"', value)
    return IfNotAssessed()


def _shown(reader: Reader, names: Any, applies_to: AppliesTo) -> tuple[MeasureCall, ...]:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        reader.expected("show", 'a list of measure names, e.g. ["sources_cited", "sources_verified"]', names)
        return ()
    return tuple(MeasureCall(name) for name in names if reader.measure_name(name, "show", applies_to))


def _earnings(reader: Reader, table: dict[str, Any], applies_to: AppliesTo, manual: bool) -> tuple[Earn, ...]:
    if "earn" not in table:
        for key in ("cap", "weekly_cap"):
            if key in table:
                reader.problem(key, "only criteria that earn points per post (earn = [...]) take a cap")
        return ()
    entries = table["earn"]
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        reader.expected("earn", '[[criteria.earn]] tables such as { measure = "posts_written", points = 10 }', entries)
        return ()
    if applies_to is not AppliesTo.PARTICIPATION or manual:
        reader.problem("earn", 'points per post need applies_to = "participation" and no manual = true')
    if not is_number(table.get("cap")) or table["cap"] <= 0:
        reader.expected("cap", "the criterion's points possible (a number above 0)", table.get("cap"))
    found = []
    for number, entry in enumerate(entries, 1):
        prefix = f"earn[{number}]."
        name = entry.get("measure")
        if not isinstance(name, str):
            reader.expected(prefix + "measure", "the name of a counting measure", name)
            continue
        points = entry.get("points")
        if not is_number(points) or points < 0:
            reader.expected(prefix + "points", "a number of at least 0", points)
            continue
        if reader.measure_name(name, prefix + "measure", applies_to, counting=True):
            call = MeasureCall(name, reader.params(entry, name, prefix, ("measure", "points")))
            found.append(Earn(call, float(points)))
    return tuple(found)


def _levels(reader: Reader, levels: Any, applies_to: AppliesTo, manual: bool, earns: bool) -> tuple[Level, ...]:
    if earns:
        if levels is not None:
            reader.problem("levels", "a criterion earns points per post (earn) or has levels, not both")
        return ()
    if not isinstance(levels, list) or not levels or not all(isinstance(level, dict) for level in levels):
        reader.expected("levels", "one or more [[criteria.levels]] tables", levels)
        return ()
    found = []
    for number, table in enumerate(levels, 1):
        prefix = f"levels[{number}]."
        reader.unknown(table, LEVEL_KEYS, prefix)
        points = _level_points(reader, table.get("points"), prefix + "points")
        when = _conditions(reader, table.get("when", {}), applies_to, prefix + "when")
        if manual and ("when" in table or "scale" in table):
            reader.problem(prefix + "when", "a manual criterion's levels take no conditions: the instructor picks")
        if not manual and number < len(levels) and not when and "when" not in table:
            reader.problem(prefix + "when", "missing: without conditions the levels after this one are never reached")
        if not manual and number == len(levels) and "when" in table:
            reader.problem(prefix + "when", "the last level takes no conditions, so every student gets a level")
        scale = _scale(reader, table.get("scale"), applies_to, prefix + "scale", points)
        found.append(
            Level(
                reader.text(table, "name", None, prefix),
                points,
                reader.text(table, "description", "", prefix),
                when,
                scale,
            )
        )
    _check_order(reader, found)
    return tuple(found)


def _check_order(reader: Reader, levels: list[Level]) -> None:
    """Levels go best first, and no score fits two of them (a shared end, as in Canvas's "20 to >15", is fine)."""
    for number, level in enumerate(levels[1:], 2):
        key, above = f"levels[{number}].points", levels[number - 2]
        if level.points[1] > above.points[1]:
            reader.problem(
                key,
                f"levels go best first, but this one gives up to {level.points[1]:g}, more than levels[{number - 1}] "
                f"({above.span})",
            )
            continue
        for other_number, other in enumerate(levels[: number - 1], 1):
            if shared := level.overlap(other):
                reader.problem(key, f"{level.span} overlaps levels[{other_number}] ({other.span}): {shared} fit both")


def _level_points(reader: Reader, value: Any, key: str) -> tuple[float, float]:
    if is_number(value) and value >= 0:
        return (float(value), float(value))
    if isinstance(value, list) and len(value) == 2 and all(is_number(v) for v in value) and 0 <= value[0] <= value[1]:
        return (float(value[0]), float(value[1]))
    if value is None:
        reader.problem(key, "missing: expected a number or [min, max]")
    else:
        reader.expected(key, "a number or [min, max]", value)
    return (0.0, 0.0)


def _call(
    reader: Reader, label: str, body: Any, applies_to: AppliesTo, key: str, reserved: tuple[str, ...]
) -> MeasureCall | None:
    if not isinstance(body, dict):
        reader.expected(key, "a table such as { min = 3 }", body)
        return None
    name = body.get("measure", label)
    if not isinstance(name, str):
        reader.expected(key + ".measure", "the name of a measure", name)
        return None
    if not reader.measure_name(name, key, applies_to):
        return None
    return MeasureCall(name, reader.params(body, name, key + ".", (*reserved, "measure")))


def _conditions(reader: Reader, when: Any, applies_to: AppliesTo, key: str) -> tuple[Bound, ...]:
    if not isinstance(when, dict):
        reader.expected(key, "a table of conditions such as { sources_cited = { min = 3 } }", when)
        return ()
    found = []
    for label, body in when.items():
        call = _call(reader, label, body, applies_to, f"{key}.{label}", ("min", "max"))
        if call is None:
            continue
        low, high = (
            reader.number(body, "min", f"{key}.{label}.", low=-MAX_NUMBER),
            reader.number(body, "max", f"{key}.{label}.", low=-MAX_NUMBER),
        )
        if low is None and high is None:
            reader.problem(f"{key}.{label}", "give min, max or both")
        elif low is not None and high is not None and low > high:
            reader.problem(f"{key}.{label}", f"min ({low:g}) is above max ({high:g})")
        found.append(Bound(call, low, high, label if label != call.measure else ""))
    return tuple(found)


def _scale(reader: Reader, scale: Any, applies_to: AppliesTo, key: str, points: tuple[float, float]) -> Scale | None:
    if scale is None:
        return None
    if points[0] == points[1]:
        reader.problem(key, "only a level with a range of points ([min, max]) can scale")
        return None
    if not isinstance(scale, dict) or len(scale) != 1:
        reader.expected(key, "one measure, such as { words = { from = 100, to = 300 } }", scale)
        return None
    ((label, body),) = scale.items()
    call = _call(reader, label, body, applies_to, f"{key}.{label}", ("from", "to"))
    if call is None:
        return None
    start, stop = body.get("from"), body.get("to")
    if not (is_number(start) and is_number(stop) and start != stop):
        reader.expected(f"{key}.{label}", "from and to, two different numbers", body)
        return None
    return Scale(call, float(start), float(stop), label if label != call.measure else "")
