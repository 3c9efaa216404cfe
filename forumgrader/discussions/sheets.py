"""Excel workbooks (.xlsx): Moodle's "Download table data as Microsoft Excel", or a CSV of posts saved from Excel.

The first worksheet is read like a CSV: its first row is the header, and a record's "line" is its row number, the
number Excel shows at the left, so an error points at the row to fix.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import openpyxl

from forumgrader.discussions.archives import open_archive
from forumgrader.discussions.model import ExportError


def is_workbook(data: bytes) -> bool:
    """Tell whether the bytes are an .xlsx workbook (a zip holding xl/workbook.xml)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def sheet_records(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Return the first worksheet's header and yield (row number, {column: value}) for each row with content."""
    open_archive(data, what="workbook", remedy="save it again as .xlsx, or export as CSV")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl meets a damaged workbook with any error at all
        raise _unreadable(error) from error
    rows = _read(book.worksheets[0].iter_rows(values_only=True) if book.worksheets else iter(()))
    header: list[str] = []
    header_row = 0
    for cells in rows:  # the header is the first row with anything in it
        header_row += 1
        header = [_cell(value).strip() for value in cells]
        if any(header):
            break
    if not any(header):
        raise ExportError("the workbook's first sheet is empty: export again")
    while header and not header[-1]:
        header.pop()

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        for line, cells in enumerate(rows, start=header_row + 1):
            values = [_cell(value) for value in cells]
            if any(value.strip() for value in values):
                if any(value.strip() for value in values[len(header) :]):
                    raise ExportError(f"{len(values)} cells under {len(header)} columns: name every column", line=line)
                yield line, dict(zip(header, values, strict=False))
        book.close()

    return header, records()


def _unreadable(error: Exception) -> ExportError:
    return ExportError(
        f"the workbook cannot be read ({type(error).__name__}: {error}): save it again as .xlsx, or export as CSV"
    )


def _read(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Yield a worksheet's rows, a damaged one's errors told as ExportError (openpyxl reads rows lazily)."""
    try:
        yield from rows
    except Exception as error:  # as in load_workbook: any error at all, from openpyxl or the XML parser under it
        raise _unreadable(error) from error


def _cell(value: object) -> str:
    """Write a cell as the CSV export would: whole numbers without ".0", dates in ISO 8601, empty cells empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
