"""Reading the pieces every export is made of: text in some encoding, LMS ids, JSON, CSV rows, times."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from forumgrader import strict_json
from forumgrader.discussions.model import ExportError
from forumgrader.discussions.sheets import is_workbook, sheet_records

MAX_ID_LENGTH = 100
_CSV_FIELD_LIMIT = 256 * 1024 * 1024  # a post with an inline image easily passes csv's 128 KB default
_DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SEPARATOR = re.compile(r"sep=(.)\r?(?:\n|\Z)", re.IGNORECASE)  # Excel's hint line before the header
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes) -> str:
    """Decode an export: a byte-order mark wins, then UTF-8, then Windows-1252 (Excel's "CSV" on Windows).

    Text holding a NUL character is refused: it is binary data (or UTF-16 without its byte-order mark), and no text
    column can keep it.
    """
    text = _decoded(data)
    if "\x00" in text:
        raise ExportError("the file holds NUL characters, so it is not text (binary, or UTF-16): save it as UTF-8")
    return text


def _decoded(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise ExportError(f"the file says it is {encoding} but is not: save it again as UTF-8") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ExportError("the file is neither UTF-8 nor Windows-1252 text: save it again as UTF-8") from error


def lms_id(value: Any, *, field: str, line: int | None = None, entry: str | None = None) -> str:
    """Return an LMS id as a string: integers and strings both arrive, ids are compared as text."""
    if isinstance(value, bool) or value is None:
        found = ""
    elif isinstance(value, float) and value.is_integer():
        found = str(int(value))
    elif isinstance(value, int | str):
        found = str(value).strip()
    else:
        raise ExportError(f"{value!r} is not an id", line=line, entry=entry, field=field)
    if not found:
        raise ExportError("the id is missing: export again with all columns", line=line, entry=entry, field=field)
    if len(found) > MAX_ID_LENGTH:
        raise ExportError(f"an id of {len(found)} characters is not an LMS id", line=line, entry=entry, field=field)
    return found


def optional_id(value: Any, *, field: str, line: int | None = None, entry: str | None = None) -> str | None:
    """Return an LMS id, or None when the cell or key is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return lms_id(value, field=field, line=line, entry=entry)


def load_json(text: str) -> Any:
    """Parse JSON strictly (forumgrader.strict_json), naming the line and column where it breaks."""
    try:
        return strict_json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(
            f"the JSON breaks at column {error.colno} ({error.msg}): download the file again, it may be cut short",
            line=error.lineno,
        ) from error
    except strict_json.TooDeep as error:  # Python's parser stops about a thousand brackets deep
        raise ExportError(
            "the JSON nests too deeply to read (replies to replies hundreds of levels deep): "
            "export the discussion as a CSV of posts instead, one row a post"
        ) from error
    except ValueError as error:
        raise ExportError(f"the JSON cannot be read: {error}: export it again") from error


def csv_delimiter(text: str) -> str:
    """Tell a CSV's delimiter: Excel's `sep=;` first line, else the one of , ; tab | its first line uses most."""
    found = _EXCEL_SEPARATOR.match(text)
    if found:
        return found[1]
    first_line = re.split(r"[\r\n]", text, maxsplit=1)[0]
    return max(_DELIMITERS, key=first_line.count)


def csv_records(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Read a CSV's header and yield (line where the record starts, {column: value}) for each record."""
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    # strict: a quote left open is an error at its line, not the rest of the file read into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text), strict=True)
    try:
        if _EXCEL_SEPARATOR.match(text):
            next(reader)
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        raise ExportError(_broken_quotes(error), line=reader.line_num or 1) from error
    if not any(header):
        raise ExportError("the file is empty: export again", line=reader.line_num or 1)

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ExportError(_broken_quotes(error), line=start) from error
            if any(cell.strip() for cell in cells):
                if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                    raise ExportError(
                        f"{len(cells)} cells under {len(header)} columns: a comma or quote inside a message "
                        "was not escaped; export again",
                        line=start,
                    )
                yield start, dict(zip(header, cells, strict=False))
            start = reader.line_num + 1

    return header, records()


def table_records(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Read a CSV file's or an .xlsx workbook's header and records (a workbook's "line" is its row number)."""
    return sheet_records(data) if is_workbook(data) else csv_records(decode_text(data))


def _broken_quotes(error: csv.Error) -> str:
    if "unexpected end of data" in str(error):
        return "a quote opened in this row is never closed, so the rest of the file would be one cell: close it"
    return f"the CSV breaks here ({error}): check the quotes"


def iso_time(value: Any, *, timezone: tzinfo) -> datetime | None:
    """Parse an ISO 8601 time ("2024-06-03T14:15:00Z"); a time without a zone is read in `timezone`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(f"{value!r} is not an ISO 8601 date like 2024-06-03T14:15:00Z") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone)
    return in_utc(parsed)


def in_utc(moment: datetime) -> datetime:
    """Return an aware time in UTC; ValueError for one at the very edge of the calendar (year 1 or 9999)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"{moment.isoformat()} is not a time we can place: check the year") from error
