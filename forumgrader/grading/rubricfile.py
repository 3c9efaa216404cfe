"""Rubric files: read and validate TOML (every problem named by file, criterion and key), write TOML, find by name."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forumgrader.grading.rubric import AppliesTo, Bound, Criterion, Level, MeasureCall, Rubric, RubricError
from forumgrader.grading.rubricparts import read_criteria, read_due, read_prompt
from forumgrader.grading.rubricreader import DUE_KEYS, TOP_KEYS, Reader


def parse_rubric(text: str, source: str = "rubric.toml") -> Rubric:
    """Read a rubric from TOML text, or raise RubricError listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RubricError([f"{source}: not valid TOML: {error}"]) from None
    except RecursionError:
        raise RubricError([f"{source}: not a rubric: its arrays or tables nest hundreds of levels deep"]) from None
    reader = Reader(source)
    reader.unknown(document, TOP_KEYS)
    name = reader.text(document, "name", Path(source).stem)
    timezone = reader.text(document, "timezone", "UTC")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.expected("timezone", 'a time zone name such as "America/Chicago"', timezone)
        zone = ZoneInfo("UTC")
    threshold = reader.number(document, "prompt_threshold")
    if threshold is not None and threshold > 100:
        reader.expected("prompt_threshold", "a number from 0 to 100", document["prompt_threshold"])
    rubric = Rubric(
        name=name,
        title=reader.text(document, "title", name),
        description=reader.text(document, "description", ""),
        timezone=timezone,
        due=read_due(reader, document.get("due", {}), zone),
        prompt=read_prompt(reader, document.get("prompt", [])),
        prompt_threshold=85.0 if threshold is None else threshold,
        criteria=read_criteria(reader, document.get("criteria")),
        source=source,
    )
    if not rubric.prompt:
        _prompt_unused(reader, rubric)
    if reader.problems:
        raise RubricError(reader.problems)
    return rubric


def _prompt_unused(reader: Reader, rubric: Rubric) -> None:
    """Refuse conditions on prompt coverage in a rubric that names no parts of the prompt: they could never decide."""
    for criterion in rubric.criteria:
        reader.where = f'criterion "{criterion.id}"'
        for number, level in enumerate(criterion.levels, 1):
            calls = [(f"when.{b.label or b.call.measure}", b.call) for b in level.when]
            if level.scale:
                calls.append((f"scale.{level.scale.label or level.scale.call.measure}", level.scale.call))
            for key, call in calls:
                if call.measure == "prompt_coverage":
                    reader.problem(
                        f"levels[{number}].{key}",
                        "the rubric names no parts of the prompt (add [[prompt]] tables), so every student would be "
                        "not assessed on this criterion: add the parts, or remove this condition",
                    )
    reader.where = ""


def load_rubric(name_or_path: str | Path) -> Rubric:
    """Load a shipped rubric by name ("graduate-discussion") or any rubric file by path."""
    path = Path(name_or_path)
    if path.is_file():
        return parse_rubric(rubric_text(path), str(path))
    shipped = resources.files("forumgrader") / "rubrics" / f"{name_or_path}.toml"
    if not path.suffix and "/" not in str(name_or_path) and shipped.is_file():
        return parse_rubric(shipped.read_text(encoding="utf-8"), f"{name_or_path}.toml")
    raise RubricError(
        [
            f"{name_or_path}: no such rubric file, and no shipped rubric by that name "
            f"(shipped: {', '.join(shipped_rubrics())})"
        ]
    )


def rubric_text(path: Path) -> str:
    """Read a rubric file (TOML, or a Canvas rubric CSV) as UTF-8 text, or raise RubricError saying it is not one."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RubricError([f"{path}: cannot be read ({error.strerror})"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError([f"{path}: not UTF-8 text (a rubric is TOML or CSV text): save it as UTF-8"]) from None
    if "\x00" in text:
        raise RubricError([f"{path}: holds binary data, not the text of a rubric"])
    return text


def shipped_rubrics() -> list[str]:
    """Return the names of the rubrics shipped with forumgrader."""
    folder = resources.files("forumgrader") / "rubrics"
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def _call_table(call: MeasureCall, label: str = "") -> dict[str, Any]:
    table: dict[str, Any] = {"measure": call.measure} if label else {}
    return table | {name: list(value) if isinstance(value, tuple) else value for name, value in call.params}


def _points(level: Level) -> float | list[float]:
    low, high = level.points
    return high if low == high else [low, high]


def rubric_to_toml(rubric: Rubric) -> str:
    """Write a rubric as TOML that parse_rubric reads back to the same rubric."""
    import tomli_w

    document: dict[str, Any] = {"name": rubric.name, "title": rubric.title}
    if rubric.description:
        document["description"] = rubric.description
    if rubric.timezone != "UTC":
        document["timezone"] = rubric.timezone
    due = {key: getattr(rubric.due, key) for key in DUE_KEYS if getattr(rubric.due, key) is not None}
    if due:
        document["due"] = due
    if rubric.prompt_threshold != 85.0:
        document["prompt_threshold"] = rubric.prompt_threshold
    if rubric.prompt:
        document["prompt"] = [{"part": p.name, "keywords": [list(g) for g in p.groups]} for p in rubric.prompt]
    document["criteria"] = [_criterion_table(criterion) for criterion in rubric.criteria]
    return _SHORT_ARRAY.sub(_one_line, tomli_w.dumps(_tidy(document)))


# tomli_w writes every array one item per line; short arrays of plain values read better on one line
_SHORT_ARRAY = re.compile(r"\[\n((?:[ ]+[^\[\]{}\n]+,\n)+)[ ]*\]")


def _one_line(found: re.Match[str]) -> str:
    items = [line.strip().rstrip(",") for line in found.group(1).splitlines()]
    joined = "[" + ", ".join(items) + "]"
    return joined if len(joined) <= 100 else found.group(0)


def _tidy(value: Any) -> Any:
    """Write whole numbers without ".0", as a person would."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_tidy(item) for item in value]
    return value


def _criterion_table(criterion: Criterion) -> dict[str, Any]:
    table: dict[str, Any] = {"id": criterion.id, "name": criterion.name}
    if criterion.description:
        table["description"] = criterion.description
    table["applies_to"] = criterion.applies_to.value
    if criterion.manual:
        table["manual"] = True
    if criterion.show:
        table["show"] = [call.measure for call in criterion.show]
    if criterion.not_assessed.instructor:
        table["not_assessed"] = "instructor"
    elif criterion.not_assessed.points:
        table["not_assessed"] = criterion.not_assessed.points
    if criterion.applies_to is AppliesTo.EACH_REPLY:
        table.update(rank=criterion.rank, best=criterion.best, order=criterion.order.value)
    if criterion.earn:
        table["cap"] = criterion.cap
        if criterion.weekly_cap is not None:
            table["weekly_cap"] = criterion.weekly_cap
        table["earn"] = [{"measure": e.call.measure, "points": e.points, **_call_table(e.call)} for e in criterion.earn]
    table["levels"] = [_level_table(level) for level in criterion.levels] if criterion.levels else []
    if not table["levels"]:
        del table["levels"]
    return table


def _level_table(level: Level) -> dict[str, Any]:
    table: dict[str, Any] = {"name": level.name, "points": _points(level)}
    if level.description:
        table["description"] = level.description
    if level.when:
        table["when"] = {b.label or b.call.measure: _bound_table(b) for b in level.when}
    if level.scale:
        scale = level.scale
        body = {"from": scale.start, "to": scale.stop, **_call_table(scale.call, scale.label)}
        table["scale"] = {scale.label or scale.call.measure: body}
    return table


def _bound_table(bound: Bound) -> dict[str, Any]:
    table: dict[str, Any] = {}
    if bound.minimum is not None:
        table["min"] = bound.minimum
    if bound.maximum is not None:
        table["max"] = bound.maximum
    return {**table, **_call_table(bound.call, bound.label)}
