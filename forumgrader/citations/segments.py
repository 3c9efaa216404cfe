"""Read the parts that follow a reference's authors and date: title, container, volume, pages, publisher."""

from __future__ import annotations

import re
from dataclasses import dataclass

from forumgrader.citations.text import word_set

# Words that end with a period without ending a sentence: initials, abbreviated journal words, labels.
_ABBREVIATIONS = word_set(
    """
    vs v ed eds no nos vol vols pp p para e.g i.e al st dr jr sr inc co ltd corp dept univ assoc proc natl nat
    acad sci j am rev psychol psych med soc int res clin eur br brit can aust engl ann arch gen educ behav cogn
    dev exp appl pers ther adolesc fam nurs hlth pract perspect curr q bull trans rep pub publ intl ment
    psychiatr serv neurosci biol chem phys stud comm opin lett sch mgmt manag econ polit theor technol ment mon
    fig ch sect rev'd et seq
    """
)
# APA keeps a multivolume work's volume inside the title: "Attachment and loss: Vol. 1. Attachment".
_VOLUME_IN_TITLE = re.compile(r":\s(?:Vols?|Volume|Part|Book)\.?\s(?:\d{1,4}|[IVXLC]{1,7})$")
_BOUNDARY = re.compile(r"[.?!]['\"]?\s+(?=[^\s])")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){1,4}[A-Za-z]?")  # "U.S.", "e.g."
_VOLUME_WORD = re.compile(r"\s?,?\s?(?:vol(?:ume)?\.?)$", re.IGNORECASE)
_QUOTED = re.compile(r"[\"'](?P<title>[^\"]{3,400}?)[.,?!]?[\"'](?=[\s.,]|$)")
_VOLUME = re.compile(  # the lookahead, what each part starts with, only skips fast where none can start
    r"(?=[\dA-Z,v])(?:(?P<vol>\b[A-Z]?\d{1,5})\s?\((?P<iss>[^()]{1,20})\)"
    r"|,\s(?P<vol2>\d{1,5}),\s(?=(?:pp?\.\s?)?[A-Za-z]?\d|Article)"
    r"|\bvol(?:ume)?\.?\s?(?P<vol3>\d{1,5}))"
)
_PAGES = re.compile(
    r"\s?[,:]?\s?(?P<pages>(?:pp?\.\s?)?[A-Za-z]{0,2}\d{1,7}[a-z]?(?:\s?-\s?[A-Za-z]{0,2}\d{0,7}[a-z]?)?)(?!\d|\()"
    r"|\s?,\s?(?:Article|Art\.|article)\s(?P<article>[A-Za-z]{0,3}\d{1,12})"
)
_ISSUE_MLA = re.compile(r"\bno\.\s?(?P<iss>[\w-]{1,10})")
PAGES_LABELLED = re.compile(r"\bpp?\.\s?(?P<pages>[A-Za-z]?\d{1,7}[a-z]?(?:\s?-\s?[A-Za-z]?\d{0,7}[a-z]?)?)")
# An article out before its issue: "Experimental Psychology. Advance online publication." (no volume yet)
ONLINE_FIRST = re.compile(
    r"\b(?:advance online publication|online ahead of print|published online first|online first|early view)\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"\bArticle\s(?P<article>[A-Za-z]{0,3}\d{1,12})")
_CHAPTER = re.compile(r"(?:^|[.?!]\s+)In\s(?=\S)")
_EDITORS_END = re.compile(r"\((?:Eds?|Trans|Comp)s?\.?\)\s?,?\s?", re.IGNORECASE)
_CHAPTER_PAGES = re.compile(r"\((?P<pre>[^()]{0,40}?)\bpp?\.\s?(?P<pages>[^)]{1,25})\)")
_EDITION = re.compile(r"\s?\((?P<ed>(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][a-z]{1,10}\.?)\s?(?:ed\.|edition)[^)]{0,30})\)")
_EDITION_LOOSE = re.compile(r"(?P<ed>\d{1,3}(?:st|nd|rd|th))\s(?:ed\.|edition)", re.IGNORECASE)
_DESCRIPTION = re.compile(r"\s?\[(?P<what>[^\]]{2,90})\]")
_NUMBERED = re.compile(r"\s?\((?P<what>[^()]{0,40}(?:\bNo\.|Version|;|, Trans\.|, Narr\.)[^()]{0,40})\)")


@dataclass(frozen=True, slots=True)
class Parts:
    """What follows the date of an entry, as read."""

    title: str = ""
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    article_number: str = ""
    edition: str = ""
    publisher: str = ""
    description: str = ""  # "[Data set]", "[Video]"
    chapter: bool = False


def sentence_ends(text: str) -> list[int]:
    """Return the positions just after each sentence end (".", "?" or "!") that is not an abbreviation."""
    ends = []
    for found in _BOUNDARY.finditer(text):
        at = found.start()
        word = text[max(0, at - 12) : at].rsplit(None, 1)[-1] if at else ""
        word = word.lstrip("([\"'")
        if text[at] == "." and ((len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS):
            continue
        if text[at] == "." and _INITIALISM.fullmatch(word + "."):
            continue
        if text.count("(", 0, at) > text.count(")", 0, at):
            continue
        near = max(0, at - 20)
        if text[at] == "." and text.find(":", near, at) >= 0 and _VOLUME_IN_TITLE.search(text, near, at):
            continue
        ends.append(found.end())
    return ends


def tidy(text: str) -> str:
    """Return a field without surrounding spaces and trailing separators."""
    return text.strip().strip(",;:").strip().rstrip(".").strip()


def pages_of(raw: str) -> str:
    """Return a page range without label or spaces: "pp. 99 - 103" -> "99-103"."""
    if raw.startswith(("p.", "pp.")):
        raw = raw.split(".", 1)[1]
    return "".join(raw.split())


def _title_split(text: str, limit: int) -> tuple[str, int]:
    """Return the title (up to the last sentence end before `limit`) and where the rest begins."""
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted.group("title").strip(), quoted.end()
    ends = [e for e in sentence_ends(text[:limit] + " ") if e <= limit]
    if not ends:
        return "", 0
    return text[: ends[0]], ends[0]


def _with_edition(title: str) -> tuple[str, str, str]:
    """Split "(2nd ed.)" and "[Data set]" off a title."""
    edition, description = "", ""
    if "(" not in title and "[" not in title:
        return tidy(title), edition, description
    found = _EDITION.search(title)
    if found:
        edition = re.sub(r"\s?(?:ed\.|edition)$", "", found.group("ed").strip())
        title = title[: found.start()] + title[found.end() :]
    for pattern in (_DESCRIPTION, _NUMBERED):
        found = pattern.search(title)
        if found:
            description = f"{description} {found.group('what')}".strip()
            title = title[: found.start()] + title[found.end() :]
    return tidy(title), edition, description


def _journal(text: str, volume: re.Match[str]) -> Parts:
    """Read "Title. Journal, 12(3), 45-67." around the volume found."""
    before = text[: volume.start()]
    quoted = _QUOTED.match(before)
    if quoted:
        cut, title = quoted.end(), quoted.group("title")
    else:
        ends = sentence_ends(before + " ")
        cut = ends[-1] if ends else 0
        title = before[:cut]
    title, edition, description = _with_edition(title)
    vol = volume.group("vol") or volume.group("vol2") or volume.group("vol3") or ""
    issue = volume.group("iss") or ""
    after = text[volume.end() :]
    pages = article = ""
    if volume.group("vol3"):
        found = _ISSUE_MLA.search(after[:40])
        issue = found.group("iss") if found else ""
        found = PAGES_LABELLED.search(after[:80])
        pages = pages_of(found.group("pages")) if found else ""
    else:
        found = _PAGES.match(after if not volume.group("vol2") else ", " + after)
        if found and found.group("article"):
            article = found.group("article")
        elif found and found.group("pages"):
            pages = pages_of(found.group("pages"))
    found = _ARTICLE.search(after[:60]) if "Article" in after else None
    if found and not pages:
        article = found.group("article")
    container = tidy(_DESCRIPTION.sub("", before[cut:]) if "[" in before else before[cut:])
    container = (_VOLUME_WORD.sub("", container) if "vol" in container.lower() else container).strip(" ,")
    return Parts(title, container, vol, issue or "", pages, article, edition, description=description)


def _chapter(text: str, marker: re.Match[str]) -> Parts:
    """Read "Chapter. In E. Editor (Ed.), Book (2nd ed., pp. 1-10). Publisher."."""
    title, edition, description = _with_edition(text[: marker.start() + 1])
    rest = text[marker.end() :]
    editors = _EDITORS_END.search(rest[:400])
    book_start = editors.end() if editors else 0
    book_rest = rest[book_start:]
    pages_found = _CHAPTER_PAGES.search(book_rest[:600])
    ends = sentence_ends(book_rest + " ")
    book_end = pages_found.start() if pages_found else (ends[0] if ends else len(book_rest))
    book, book_edition, _ = _with_edition(book_rest[:book_end])
    after = book_rest[pages_found.end() :] if pages_found else book_rest[book_end:]
    publisher = tidy(after.lstrip(". ").split(". ")[0]) if after.strip(" .") else ""
    loose = _EDITION_LOOSE.search(pages_found.group("pre")) if pages_found else None
    edition = edition or book_edition or (loose.group("ed") if loose else "")
    return Parts(
        title,
        tidy(book),
        pages=pages_of(pages_found.group("pages")) if pages_found else "",
        edition=edition,
        publisher=publisher,
        description=description,
        chapter=True,
    )


def _online_first(text: str) -> Parts:
    """Read "Title. Journal." of an article published online before its volume."""
    text = text.rstrip(" .,;")
    ends = sentence_ends(text + " ")
    cut = ends[-1] if ends else 0
    title, edition, description = _with_edition(text[:cut])
    return Parts(title, tidy(text[cut:]), edition=edition, description=description)


def read_parts(text: str, journal: bool = False) -> Parts:
    """Read what follows the date of an APA, Harvard or Chicago entry (DOI and URL already taken out).

    `journal` says the entry is an article even without a volume: its last part is then the journal.
    """
    text = text.strip().lstrip(".").strip()
    volumes = [v for v in _VOLUME.finditer(text) if v.start() > 3]
    if volumes:
        mla = [v for v in volumes if v.group("vol3")]
        return _journal(text, mla[0] if mla else volumes[-1])
    marker = _CHAPTER.search(text)
    if marker and marker.start() > 0:
        return _chapter(text, marker)
    online = ONLINE_FIRST.search(text)
    if online or journal:
        return _online_first(text[: online.start()] if online else text)
    title, rest_at = _title_split(text, len(text))
    if not title:
        title, rest_at = text, len(text)
    title, edition, description = _with_edition(title)
    rest = text[rest_at:].strip()
    loose = _EDITION_LOOSE.match(rest) or re.match(r"(?P<ed>\d{1,3}(?:st|nd|rd|th))\sedn\.?\s?", rest)
    if loose:
        edition, rest = edition or loose.group("ed"), rest[loose.end() :].lstrip(". ")
    ends = sentence_ends(rest + " ")
    publisher = tidy(rest[: ends[0]] if ends else rest)
    place = re.match(r"[A-Z][\w .,]{1,30}:\s(?=\S)", publisher)
    publisher = publisher[place.end() :] if place else publisher
    article = _ARTICLE.search(rest)
    return Parts(
        title,
        edition=edition,
        publisher=publisher,
        description=description,
        article_number=article.group("article") if article else "",
    )
