"""Zip archives (.xlsx workbooks, .docx documents) checked before any library reads them, on the web and the CLI.

A zip bomb is small on disk and huge once unpacked: a 195 KB workbook holding one 190 MB shared string, or XML whose
entities expand a billion times. Before openpyxl or python-docx sees an archive, `open_archive` checks what its
directory declares (Python's zipfile never unpacks an entry beyond its declared size, and fails on a mismatch):
how many entries, how much they unpack to in all, how far the archive and each sizeable entry are compressed, and
that no XML part
declares a DTD, which Word and Excel never write and which entity bombs need. The parsers themselves resolve no
entities (defusedxml under openpyxl, lxml's resolve_entities=False under python-docx) in case one gets past.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from forumgrader.discussions.model import ExportError

MB = 1024 * 1024
_PROLOG_BYTES = 64 * 1024  # an XML part's declaration, comments and DTD come before its first element
_PROLOG_NOISE = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ELEMENT = re.compile(r"<[^!?]")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an archive may unpack to: entries, total bytes, and how compressed one sizeable entry may be."""

    unpacked: int = 200 * MB  # in all (the web and the CLI pass 4 x MAX_IMPORT_BYTES)
    entries: int = 10_000
    ratio: float = 100.0  # Office XML compresses 5 to 25 times; zip bombs a thousand times
    ratio_from: int = 512 * 1024  # what unpacks to less than this may be compressed further: it cannot grow far


def open_archive(
    data: bytes, *, what: str, remedy: str = "save it again", limits: ArchiveLimits | None = None
) -> zipfile.ZipFile:
    """Open a zip archive once its directory and XML prologs are within the limits; ExportError otherwise.

    `what` names the file in messages ("workbook"); `remedy` ends each message with what to do.
    """
    limits = limits or ArchiveLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise ExportError(f"this {what} is not a zip archive, or it is damaged: {remedy}") from error
    if len(entries) > limits.entries:
        raise ExportError(f"this {what} holds {len(entries):,} files; a real one holds a few dozen: {remedy}")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.unpacked:
        raise ExportError(
            f"this {what} would unpack to {unpacked / MB:,.0f} MB, over the {limits.unpacked / MB:,.0f} MB we read: "
            "split it, or export it as CSV"
        )
    sizes = [("it", unpacked, len(data))] + [(repr(e.filename), e.file_size, e.compress_size) for e in entries]
    for name, size, packed in sizes:
        if size >= limits.ratio_from and size / max(1, packed) > limits.ratio:
            raise ExportError(
                f"this {what} is a zip bomb, not a document: {name} unpacks to {size / max(1, packed):,.0f} times "
                f"its packed size: {remedy}"
            )
    for entry in entries:
        if entry.filename.lower().endswith((".xml", ".rels")):
            _refuse_dtd(archive, entry, what, remedy)
    return archive


def _refuse_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, what: str, remedy: str) -> None:
    """Refuse an XML part that declares a DTD (the only way to entities), reading no more than its prolog."""
    try:
        with archive.open(entry) as part:
            head = part.read(_PROLOG_BYTES)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, OSError, EOFError) as error:
        raise ExportError(f"this {what} cannot be unpacked ({entry.filename}: {error}): {remedy}") from error
    text = head.decode("utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8", errors="replace")
    text = text.lstrip("\ufeff")
    noise = _PROLOG_NOISE.match(text)
    rest = text[noise.end() :] if noise else text
    if rest[:9].upper() == "<!DOCTYPE":
        raise ExportError(
            f"this {what} declares a DTD in {entry.filename}, which Word and Excel never write (it is how XML entity "
            f"bombs work): {remedy}"
        )
    if len(head) == _PROLOG_BYTES and not _ELEMENT.match(rest):
        raise ExportError(f"this {what} has over 64 KB before the first element of {entry.filename}: {remedy}")
