"""Canvas rubric CSV, both ways: our rubric files out to Canvas's importer, Canvas rubric CSVs in as rubric files."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from forumgrader.grading.rubric import AppliesTo, Criterion, Level, Rubric, RubricError
from forumgrader.grading.rubricreader import MAX_NUMBER, is_number
from forumgrader.grading.spreadsheet import Cell, points_cell, write_csv

HEADER = ("Rubric Name", "Criteria Name", "Criteria Description", "Criteria Enable Range")
RATING = ("Rating Name", "Rating Description", "Rating Points")
_NUMBERED = re.compile(r"\s*\d+\Z")
_DECIMAL_COMMA = re.compile(r"\A\s*-?\d+,\d+\s*\Z")


def _ratings(criterion: Criterion) -> list[tuple[str, str, float]]:
    """Canvas gives each rating one number, the top of its range; best-N criteria count N replies."""
    if criterion.earn:
        return [("Full engagement", criterion.description, criterion.possible), ("No engagement", "", 0.0)]
    return [(level.name, level.description, level.points[1] * criterion.times) for level in criterion.levels]


def rubric_to_canvas_csv(rubric: Rubric) -> str:
    """Write a rubric as a Canvas rubric import CSV (conditions stay behind: Canvas ratings have none)."""
    rows = [(criterion, _ratings(criterion)) for criterion in rubric.criteria]
    width = max(len(ratings) for _, ratings in rows)
    lines: list[list[Cell]] = [list(HEADER + RATING * width)]
    for criterion, ratings in rows:
        ranged = bool(criterion.earn) or any(level.is_range for level in criterion.levels)
        cells: list[Cell] = [rubric.title, criterion.name, criterion.description, "true" if ranged else "false"]
        for name, description, points in ratings:
            cells += [name, description, points_cell(points)]
        lines.append(cells)
    return write_csv(lines)


@dataclass(frozen=True, slots=True)
class _Rating:
    name: str
    description: str
    points: float


def _number(cell: str, where: str, problems: list[str]) -> float | None:
    text = cell.strip()
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        points = float(text)
    except ValueError:
        points = None
    if not is_number(points):
        size = f" of at most {MAX_NUMBER:,}" if points is not None else ""
        problems.append(f"{where}: Rating Points: expected a number{size}, got {cell!r}")
        return None
    return points


def _check_header(header: list[str], source: str) -> None:
    names = [cell.strip().lower() for cell in header]
    if tuple(names[:4]) != tuple(h.lower() for h in HEADER):
        raise RubricError(
            [
                f"{source}: line 1: expected the columns {', '.join(HEADER)}, then Rating Name, Rating "
                f"Description, Rating Points for each rating; got {', '.join(header[:4])}"
            ]
        )
    for index, cell in enumerate(header[4:]):
        plain = _NUMBERED.sub("", cell.strip()).lower()
        if plain and plain != RATING[index % 3].lower():
            raise RubricError(
                [
                    f"{source}: line 1, column {index + 5}: expected {RATING[index % 3]!r} (numbered or "
                    f"not), got {cell!r}"
                ]
            )


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "criterion"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _levels(ratings: list[_Rating], ranged: bool) -> tuple[Level, ...]:
    """Ratings best first; a range rating runs from the next lower rating's points ("20 to >15 pts") to its own."""
    levels = []
    for rating in sorted(ratings, key=lambda rating: -rating.points):
        below = [other.points for other in ratings if other.points < rating.points]
        low = max(below, default=0.0) if ranged else rating.points
        levels.append(Level(rating.name, (low, rating.points), rating.description))
    return tuple(levels)


def rubrics_from_canvas_csv(text: str, source: str = "rubric.csv") -> list[Rubric]:
    """Read a Canvas rubric CSV (numbered or plain rating headers, ragged rows, decimal commas) as manual rubrics."""
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=dialect))
    if not lines:
        raise RubricError([f"{source}: the file is empty"])
    _check_header(lines[0], source)
    problems: list[str] = []
    found: dict[str, list[Criterion]] = {}
    taken: dict[str, set[str]] = {}
    for number, row in enumerate(lines[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (4 - len(row))
        rubric_name, name, description, ranged = (cell.strip() for cell in row[:4])
        where = f"{source}: line {number}"
        if not rubric_name:
            problems.append(f"{where}: Rubric Name is missing")
            continue
        if not name:
            problems.append(f"{where}: Criteria Name is missing")
            continue
        if ranged.lower() not in ("", "true", "false"):
            problems.append(f"{where}: Criteria Enable Range: expected true or false, got {ranged!r}")
        ratings: list[_Rating] = []
        for start in range(4, len(row), 3):
            cells = [*row[start : start + 3], "", ""][:3]
            if not any(cell.strip() for cell in cells):
                continue
            points = _number(cells[2], f"{where}, rating {len(ratings) + 1}", problems)
            if points is not None:
                ratings.append(_Rating(cells[0].strip() or f"Rating {len(ratings) + 1}", cells[1].strip(), points))
        if not ratings:
            problems.append(f"{where}: criterion {name!r} has no ratings")
            continue
        criterion = Criterion(
            id=_slug(name, taken.setdefault(rubric_name, set())),
            name=name,
            applies_to=AppliesTo.PARTICIPATION,
            levels=_levels(ratings, ranged.lower() == "true"),
            description=description,
            manual=True,
        )
        found.setdefault(rubric_name, []).append(criterion)
    if problems:
        raise RubricError(problems)
    return [
        Rubric(name=_slug(title, set()), title=title, criteria=tuple(criteria), source=source)
        for title, criteria in found.items()
    ]
