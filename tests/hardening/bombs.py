"""Hostile files: zip bombs and XML entity bombs dressed as Excel workbooks and Word documents, built in memory."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import docx
import openpyxl

MOODLE = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "moodle" / "discussion.csv"
PLACEHOLDER = "PLACEHOLDER-TEXT"
# Nine levels of ten: "&lol9;" stands for a thousand million "lol"s.
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


def _rewrite(archive: bytes, text: str, *, dtd: bool = False) -> bytes:
    """Return the archive with PLACEHOLDER replaced by text (and a DTD of entities added), deflated as Office does."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if PLACEHOLDER.encode() in data:
                xml = data.decode("utf-8").replace(PLACEHOLDER, text)
                if dtd:  # after the XML declaration, if there is one
                    end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
                    xml = xml[:end] + LAUGHS + xml[end:]
                data = xml.encode("utf-8")
            target.writestr(name, data)
    return out.getvalue()


def moodle_workbook(message: str = PLACEHOLDER) -> bytes:
    """Return the bundled Moodle forum saved as .xlsx, its first post's message replaced."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for number, cells in enumerate(csv.reader(io.StringIO(MOODLE.read_text(encoding="utf-8")))):
        if number == 1:
            cells[9] = message
        sheet.append([int(cell) if cell.isdigit() else cell for cell in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_bomb(megabytes: int = 40) -> bytes:
    """A small workbook whose one cell unpacks to `megabytes` MB (a thousand times its packed size)."""
    return _rewrite(moodle_workbook(), "A" * (megabytes * 1024 * 1024))


def workbook_laughs() -> bytes:
    """A workbook whose one cell is an XML entity expanding to a thousand million "lol"s."""
    return _rewrite(moodle_workbook(), "&lol9;", dtd=True)


def word_document(text: str = PLACEHOLDER) -> bytes:
    """Return a .docx holding one paragraph."""
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def document_bomb(megabytes: int = 40) -> bytes:
    """A small .docx whose one paragraph unpacks to `megabytes` MB."""
    return _rewrite(word_document(), "A" * (megabytes * 1024 * 1024))


def document_laughs() -> bytes:
    """A .docx whose paragraph is an XML entity expanding to a thousand million "lol"s."""
    return _rewrite(word_document(), "&lol9;", dtd=True)
