"""Every CSV forumgrader writes (grade files, the Canvas rubric, `grade --csv`) goes through `write_csv`.

Spreadsheets run a cell that starts like a formula. As OWASP advises against CSV injection, a text cell starting
with =, +, -, @, a tab or a carriage return (or their full-width forms, which some spreadsheets read the same) is
prefixed with a single quote, so that Excel, LibreOffice and Google Sheets show it as text. Numbers are passed as
numbers (int or Decimal) and written as they are, so negative points stay numbers. Every line break inside a cell is
written as a quoted "\n": a name holding a bare carriage return cannot split a row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from forumgrader.grading.scores import points_text

Cell = str | int | Decimal | None  # None: an empty cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def text_cell(text: str) -> str:
    """Return text as a spreadsheet shows it, never as a formula: line breaks as \\n, a risky start quoted."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def points_cell(points: float) -> Decimal:
    """Return points as a number cell, written as a teacher would: 36, 7.5, 8.25."""
    return Decimal(points_text(points))


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return text_cell(value)
    if isinstance(value, bool) or not (isinstance(value, int) or value.is_finite()):
        raise ValueError(f"{value!r} is not a number a spreadsheet can hold")
    return str(value)


def write_csv(rows: Iterable[Sequence[Cell]]) -> str:
    """Write rows as CSV text ("\\n" line ends), every text cell made safe for spreadsheets."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()
