"""One document as one post: a student's draft, pasted or uploaded as text, Markdown, HTML or Word (.docx)."""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.table import Table

from forumgrader.discussions.archives import open_archive
from forumgrader.discussions.cleanup import html_to_text, render_body, word_count
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


def _pasted(data: bytes) -> tuple[str, BodyFormat]:
    text = decode_text(data)
    return text, BodyFormat.HTML if _TAGS.search(text) else BodyFormat.PLAIN


def _docx_html(data: bytes) -> tuple[str, BodyFormat]:
    """Write a Word document as HTML paragraphs (line breaks kept, tables as rows)."""
    blocks = []
    with _reading_docx():
        for block in _open_docx(data).iter_inner_content():
            if isinstance(block, Table):
                rows = ("<tr>" + "".join(f"<td>{html.escape(cell.text)}</td>" for cell in row.cells) + "</tr>"
                        for row in block.rows)  # fmt: skip
                blocks.append(f"<table>{''.join(rows)}</table>")
            elif block.text.strip():
                blocks.append(f"<p>{html.escape(block.text).replace(chr(10), '<br>')}</p>")
    return "\n".join(blocks), BodyFormat.HTML


@contextmanager
def _reading_docx() -> Iterator[None]:
    """Tell a damaged document's errors as ExportError: python-docx and lxml meet one with any error at all."""
    try:
        yield
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(
            f"this .docx cannot be read ({type(error).__name__}: {error}): save it again from Word as .docx"
        ) from error


def _open_docx(data: bytes) -> WordDocument:
    open_archive(data, what=".docx", remedy="save it again from Word as .docx")
    with _reading_docx():
        return docx.Document(io.BytesIO(data))


def _written_as(body_format: BodyFormat) -> Callable[[bytes], tuple[str, BodyFormat]]:
    return lambda data: (decode_text(data), body_format)


# file type -> the draft's message and the format it is written in
READERS: dict[str, Callable[[bytes], tuple[str, BodyFormat]]] = {
    ".txt": _written_as(BodyFormat.PLAIN),
    ".text": _written_as(BodyFormat.PLAIN),
    ".md": _written_as(BodyFormat.MARKDOWN),
    ".markdown": _written_as(BodyFormat.MARKDOWN),
    ".html": _written_as(BodyFormat.HTML),
    ".htm": _written_as(BodyFormat.HTML),
    ".docx": _docx_html,
    "": _pasted,  # pasted text: HTML when it holds tags, else plain
}


def _message(data: bytes, filename: str) -> tuple[str, BodyFormat]:
    suffix = Path(filename).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        accepted = ", ".join(sorted(name for name in READERS if name))
        raise ExportError(f"{suffix} files are not documents we read: use one of {accepted}, or paste the text")
    return reader(data)


def document_body(data: bytes, filename: str) -> tuple[str, str]:
    """Return (HTML, clean text) of a draft, read by its file type; the clean text has no LMS residue."""
    return render_body(*_message(data, filename))


def document_text(data: bytes, filename: str) -> str:
    """Return the clean text of a draft (.txt, .md, .html/.htm, .docx, or pasted text with no file name)."""
    return document_body(data, filename)[1]


def draft_text(data: bytes, filename: str) -> str:
    """Return a draft's text as the student wrote it, for checking: rendered to text, LMS residue kept.

    A student who pasted "Links to an external site." into a draft is told to remove it (the `lms_artifact`
    finding), so it must still be there when the draft is analysed; an imported post is cleaned instead, because
    there the LMS, not the student, added it.
    """
    message, body_format = _message(data, filename)
    if body_format is BodyFormat.PLAIN:
        return message.replace("\r\n", "\n").replace("\r", "\n")
    return html_to_text(render_body(message, body_format)[0])


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
    with _reading_docx():
        author = (_open_docx(data).core_properties.author or "").strip()
    return None if author in _WORD_DEFAULT_AUTHORS else author
