"""Drafts: one document as one post, from text, Markdown, HTML or Word."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from forumgrader.discussions.documents import document_text, read_document
from forumgrader.discussions.model import ExportError, ImportOptions

REFERENCES = (
    "Jesus, V., Liem, A., Borra, D., & Appel, J. (2022). Who’s the Boss? Focus, 2(20), 215-219.",
    "Malhotra, S., & Sahoo, A. (2017). Rebuilding the brain with psychotherapy. Indian Journal of Psychiatry, 59(4).",
)


def word_file(author: str | None = None) -> bytes:
    document = docx.Document()
    if author is not None:
        document.core_properties.author = author
    document.add_paragraph("Psychotherapy has a biological basis (Malhotra & Sahoo, 2017).")
    document.add_paragraph("")  # Word users space paragraphs with empty ones
    heading = document.add_paragraph("References")
    heading.add_run().add_break()
    heading.add_run(REFERENCES[0] + " to an external site.")
    document.add_paragraph(REFERENCES[1])
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Word count", "312"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_keeps_paragraphs_line_breaks_and_tables() -> None:
    assert document_text(word_file(), "draft.docx") == (
        "Psychotherapy has a biological basis (Malhotra & Sahoo, 2017).\n\n"
        f"References\n{REFERENCES[0]}\n\n{REFERENCES[1]}\n\nWord count\t312"
    )


def test_markdown_html_and_text_drafts() -> None:
    markdown = f"# My post\n\nSome *emphasis*.\n\n## References\n\n{REFERENCES[0]}\n{REFERENCES[1]}\n".encode()
    assert (
        document_text(markdown, "draft.md")
        == f"My post\n\nSome emphasis.\n\nReferences\n\n{REFERENCES[0]}\n{REFERENCES[1]}"
    )
    html = f"<p>Some text.</p><p>{REFERENCES[0]} (Links to an external site.)</p>".encode()
    assert document_text(html, "draft.html") == f"Some text.\n\n{REFERENCES[0]}"
    text = f"Copied from Canvas.\n\n{REFERENCES[0]}Links to an external site.\n".encode("cp1252")
    assert document_text(text, "draft.txt") == f"Copied from Canvas.\n\n{REFERENCES[0]}"


def test_pasted_text_without_a_file_name_is_read_as_html_or_text() -> None:
    assert document_text(b"<p>one</p><p>two</p>", "") == "one\n\ntwo"
    assert document_text(b"one <two> three\nfour", "") == "one <two> three\nfour"


def test_an_unknown_file_type_names_the_accepted_ones() -> None:
    with pytest.raises(ExportError, match=r"\.pdf files are not documents we read: use one of .docx, .htm, .html"):
        document_text(b"%PDF-1.7", "draft.pdf")
    with pytest.raises(ExportError, match="save it again from Word"):
        document_text(b"not a zip", "draft.docx")


def test_a_draft_is_a_topic_with_one_post_by_its_author() -> None:
    export = read_document(word_file(author="Danielle Okafor"), filename="week3-draft.docx")
    (topic,) = export.topics
    (post,) = topic.posts()
    assert topic.info.title == "week3-draft" and post.author_key == "Danielle Okafor"
    assert [person.display_name for person in export.people] == ["Danielle Okafor"]
    # python-docx signs its files "python-docx": that is no student
    assert read_document(word_file(), filename="d.docx").people == ()
    named = read_document(b"text", filename="d.txt", options=ImportOptions(author="Tyler Hughes"))
    assert next(named.topics[0].posts()).author_key == "Tyler Hughes"


def test_the_seed_drafts_read_as_text(samples: Path) -> None:
    seed = (samples / "seeds" / "000_d55d0333e560cda0.txt").read_bytes()
    text = document_text(seed, "000_d55d0333e560cda0.txt")
    assert "ReferencesAvasthi A, Grover S" in text
    assert "to an external site" not in text
    assert "Journal of Individual  Psychology78(2), 155–174.\n\nSunderani" in text
