"""One document as one post: a student's draft, pasted or uploaded as text, Markdown, HTML or Word (.docx)."""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from forumgrader.discussions.cleanup import render_body, word_count
from forumgrader.discussions.fields import decode_text
from forumgrader.discussions.model import (
    BodyFormat,
    DiscussionExport,
    ExportError,
    ExportFormat,
    ImportOptions,
    Participant,
    PostRecord,
    ThreadRecord,
    TopicExport,
    TopicInfo,
)

_TAGS = re.compile(r"<(?:html|body|p|div|br|span|a|ul|ol|li|h[1-6]|strong|em|b|i|table)\b[^>]*>", re.IGNORECASE)
_WORD_DEFAULT_AUTHORS = frozenset(("", "python-docx"))  # python-docx's template signs every file it makes


def _text_body(data: bytes) -> tuple[str, str]:
    text = decode_text(data)
    return render_body(text, BodyFormat.HTML if _TAGS.search(text) else BodyFormat.PLAIN)


def _markdown_body(data: bytes) -> tuple[str, str]:
    return render_body(decode_text(data), BodyFormat.MARKDOWN)


def _plain_body(data: bytes) -> tuple[str, str]:
    return render_body(decode_text(data), BodyFormat.PLAIN)


def _html_body(data: bytes) -> tuple[str, str]:
    return render_body(decode_text(data), BodyFormat.HTML)


def _docx_body(data: bytes) -> tuple[str, str]:
    """Render a Word document as HTML paragraphs (line breaks kept, tables as rows), then as text."""
    blocks = []
    for block in _open_docx(data).iter_inner_content():
        if isinstance(block, Table):
            rows = ("<tr>" + "".join(f"<td>{html.escape(cell.text)}</td>" for cell in row.cells) + "</tr>"
                    for row in block.rows)  # fmt: skip
            blocks.append(f"<table>{''.join(rows)}</table>")
        elif block.text.strip():
            blocks.append(f"<p>{html.escape(block.text).replace(chr(10), '<br>')}</p>")
    return render_body("\n".join(blocks), BodyFormat.HTML)


def _open_docx(data: bytes) -> WordDocument:
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ExportError(f"this .docx cannot be opened ({error}): save it again from Word as .docx") from error


READERS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    ".txt": _plain_body,
    ".text": _plain_body,
    ".md": _markdown_body,
    ".markdown": _markdown_body,
    ".html": _html_body,
    ".htm": _html_body,
    ".docx": _docx_body,
    "": _text_body,  # pasted text: HTML when it holds tags, else plain
}


def document_body(data: bytes, filename: str) -> tuple[str, str]:
    """Return (HTML, clean text) of a draft, read by its file type."""
    suffix = Path(filename).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        accepted = ", ".join(sorted(name for name in READERS if name))
        raise ExportError(f"{suffix} files are not documents we read: use one of {accepted}, or paste the text")
    return reader(data)


def document_text(data: bytes, filename: str) -> str:
    """Return the clean text of a draft (.txt, .md, .html/.htm, .docx, or pasted text with no file name)."""
    return document_body(data, filename)[1]


def read_document(data: bytes, *, filename: str, options: ImportOptions | None = None) -> DiscussionExport:
    """Read a draft as a topic of one thread and one post, named after the file."""
    options = options or ImportOptions()
    shown, text = document_body(data, filename)
    name = Path(filename).name or "pasted text"
    author = options.author or _docx_author(data, filename)
    post_id = f"document:{name}" if filename else f"document:{hashlib.sha256(data).hexdigest()[:16]}"
    post = PostRecord(
        lms_post_id=post_id,
        lms_thread_id=post_id,
        lms_parent_id=None,
        author_key=author,
        created_at=None,
        edited_at=None,
        subject=Path(name).stem,
        body_html=shown,
        body_text=text,
        word_count=word_count(text),
        raw={"file_name": name},
    )
    thread = ThreadRecord(lms_thread_id=post_id, title=Path(name).stem, posts=(post,))
    return DiscussionExport(
        format=ExportFormat.DOCUMENT,
        course_hint="",
        topics=(TopicExport(info=TopicInfo(lms_topic_id=post_id, title=Path(name).stem), threads=(thread,)),),
        people=(Participant(key=author, display_name=author),) if author else (),
    )


def _docx_author(data: bytes, filename: str) -> str | None:
    if Path(filename).suffix.lower() != ".docx":
        return None
    author = (_open_docx(data).core_properties.author or "").strip()
    return None if author in _WORD_DEFAULT_AUTHORS else author
