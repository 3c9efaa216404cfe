"""Text cleanup before anything reads a post: HTML to text that keeps paragraphs and lines, LMS residue removed."""

from __future__ import annotations

import html as html_entities
import re

import lxml.etree
import lxml.html
from markdown_it import MarkdownIt

from forumgrader.citations.text import EXTERNAL_LINK, EXTERNAL_LINK_TAILS
from forumgrader.discussions.model import BodyFormat

# Private sentinels while rendering: HTML whitespace collapses, these survive until the end.
# _LINE is a hard break (<br>); _BOUNDARY ends a line only when the line holds something (</li><li>);
# _NBSP is a space that does not collapse, as a browser shows "adolescents.&nbsp; Focus".
_PARA, _LINE, _TAB, _KEEP_SPACE, _BOUNDARY, _NBSP = "\x00", "\x01", "\x02", "\x03", "\x04", "\x05"
_LINE_MARKS = re.compile(f"({_LINE}|{_BOUNDARY})")

_BLOCKS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table", "section",
    "article", "header", "footer", "aside", "nav", "figure", "figcaption", "address", "hr", "form", "fieldset",
    "main", "details", "summary", "center",
))  # fmt: skip
_LINES = frozenset(("li", "dt", "dd", "tr", "caption"))
_CELLS = frozenset(("td", "th"))
_UNREAD = frozenset((
    "script", "style", "head", "title", "template", "noscript", "iframe", "object", "embed", "svg", "math", "select",
))  # fmt: skip
# Canvas adds these around external links when it renders a page; copied HTML brings them along.
_CANVAS_DECORATION = frozenset(("screenreader-only", "ui-icon-extlink"))

_HTML_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

_PHRASE = "(?:" + "|".join(f"{lead} {tail}" for lead, tail in EXTERNAL_LINK).replace(" ", r"\s") + ")"
_EXTERNAL_LINK = re.compile(rf"[ \t\u00a0]*(?:\\?\(\s*{_PHRASE}\\?\.\s*\\?\)|{_PHRASE}\\?\.)", re.IGNORECASE)
# The tail alone ("... 155–174. to an external site.") is residue only after punctuation, a digit or a line start
# and at a line end: "we were sent to an external site." in prose stays.
_EXTERNAL_LINK_TAIL = re.compile(
    rf"(?:^|(?<=[^\s\w])|(?<=\d))[ \t\u00a0]*(?:{EXTERNAL_LINK_TAILS})\.[ \t\u00a0]*$", re.IGNORECASE | re.MULTILINE
)
_WORD = re.compile(r"(?<!\S)\S*?[^\W_]\S*")  # a whitespace-separated token with a letter or a digit in it
_PLUGINFILE = re.compile(r"[ \t]*(?:@@PLUGINFILE@@|%40%40PLUGINFILE%40%40)/?[^\s\"'<>)\]]*")


def html_to_text(html: str) -> str:
    """Render HTML as plain text: blocks become paragraphs, <br> and list items lines, entities decoded."""
    if not html or not html.strip():
        return ""
    try:
        document = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html))
    except lxml.etree.ParserError:
        return ""
    body = document.find("body")
    if body is None:
        return ""
    out: list[str] = []
    _render(body, out)
    return _tidy("".join(out))


def _is_decoration(element: lxml.html.HtmlElement) -> bool:
    return bool(_CANVAS_DECORATION.intersection((element.get("class") or "").split()))


def _render(element: lxml.html.HtmlElement, out: list[str]) -> None:
    out.append(element.text or "")
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append(_LINE)
        elif tag and tag not in _UNREAD and not _is_decoration(child):
            _render_element(child, tag, out)
        out.append(child.tail or "")


def _render_element(element: lxml.html.HtmlElement, tag: str, out: list[str]) -> None:
    mark = _PARA if tag in _BLOCKS else _BOUNDARY if tag in _LINES else ""
    out.append(mark)
    if tag == "li":
        out.append(_list_marker(element))
    elif tag in _CELLS and element.getprevious() is not None:
        out.append(_TAB)
    if tag == "pre":
        text = element.text_content()
        out.append(text.replace("\t", _TAB).replace(" ", _KEEP_SPACE).replace("\r\n", "\n").replace("\n", _LINE))
    else:
        _render(element, out)
    out.append(mark)


def _list_marker(item: lxml.html.HtmlElement) -> str:
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    start = parent.get("start", "1")
    first = int(start) if start.strip().lstrip("-").isdigit() else 1
    position = sum(1 for sibling in item.itersiblings(preceding=True) if sibling.tag == "li")
    return f"{first + position}. "


def _tidy(rendered: str) -> str:
    text = _HTML_SPACE.sub(" ", rendered.replace("\u00a0", _NBSP))
    paragraphs = []
    for paragraph in text.split(_PARA):
        lines: list[str] = []
        current = ""
        for piece in _LINE_MARKS.split(paragraph):
            if piece == _LINE or (piece == _BOUNDARY and current.strip(" ")):
                lines.append(current)
                current = ""
            elif piece != _BOUNDARY:
                current += piece
        lines.append(current)
        lines = [line.replace(_NBSP, " ").strip(" ").replace(_TAB, "\t").replace(_KEEP_SPACE, " ") for line in lines]
        lines = [line for index, line in enumerate(lines) if line or (index and lines[index - 1])]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def strip_lms_residue(text: str) -> str:
    """Remove "Links to an external site." in all its forms and Moodle's @@PLUGINFILE@@ tokens."""
    lowered = text.lower()
    if "extern" in lowered:
        text = _EXTERNAL_LINK_TAIL.sub("", _EXTERNAL_LINK.sub("", text))
    if "pluginfile" in lowered:
        text = _PLUGINFILE.sub("", text)
    return text


def clean_html(html: str) -> str:
    """Return the text a reader sees in an LMS post body: HTML rendered, residue removed."""
    return strip_lms_residue(html_to_text(html))


def render_body(message: str, body_format: BodyFormat) -> tuple[str, str]:
    """Return (HTML, clean text) for a message written in `body_format`; HTML bodies are kept as they came."""
    message = message.replace("\r\n", "\n").replace("\r", "\n")
    if body_format is BodyFormat.PLAIN:
        paragraphs = [part for part in re.split(r"\n[ \t]*\n", message.replace("\u00a0", " ")) if part.strip()]
        shown = "".join(f"<p>{html_entities.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
        return shown, strip_lms_residue("\n\n".join(part.strip("\n") for part in paragraphs))
    if body_format is BodyFormat.MARKDOWN:
        # breaks: a reference list typed one entry a line stays one entry a line
        shown = MarkdownIt("commonmark", {"breaks": True, "html": True}).render(message)
        return shown, clean_html(shown)
    if body_format is BodyFormat.AUTO:
        shown = message.replace("\n", "<br>\n")
        return shown, clean_html(shown)
    return message, clean_html(message)


def word_count(text: str) -> int:
    """Count words as a teacher would: whitespace-separated tokens holding a letter or a digit."""
    return len(_WORD.findall(text))
