"""Read a reference with the learned sequence labeller: label each word, then read each labelled part into fields.

The labeller is a linear-chain CRF (CRFsuite) trained on AnyStyle's labelled references by
tools/train_reference_model.py; the model ships as package data beside AnyStyle's licence. It reads the styles the
rules in entries.py do not: Harvard, Chicago, MLA, Vancouver, initials first, IEEE, German and French lists...
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib.resources import as_file, files

import pycrfsuite

from forumgrader.citations.features import token_features
from forumgrader.citations.model import Author
from forumgrader.citations.names import NOT_AUTHORS, PARTICLES, parse_authors
from forumgrader.citations.segments import Parts, pages_of, tidy
from forumgrader.citations.text import word_set

MODEL = "reference-parser.crfsuite"
_local = threading.local()  # a CRFsuite tagger is not safe to share between threads

_YEAR = re.compile(r"(?<!\d)(?P<year>1[5-9]\d\d|20\d\d)(?P<suffix>[a-z])?(?!\d)")
_NO_DATE = re.compile(r"\b(?:n\.\s?d|s\.\s?d|o\.\s?J|sans date|no date)\b", re.IGNORECASE)
_IN_PRESS = re.compile(r"\b(?:in press|forthcoming|im Druck|sous presse|à paraître|in preparation)\b", re.IGNORECASE)
_CONTAINER_LEAD = re.compile(r"^(?:in|en|dans|im)\s?:?\s+(?=\S)", re.IGNORECASE)
_MARKUP = re.compile(r"</?[A-Za-z]{1,10}>")
_NUMBER_LABEL = re.compile(
    r"\b(?:vols?|volume|bd|band|jg|jahrgang|tome|t|no|nos|nr|issue|heft|h|num|n[°º]|fasc|number)\b\.?|n[°º]",
    re.IGNORECASE,
)
_VOLUME_ISSUE = re.compile(r"(?P<vol>[A-Za-z]?\d{1,5}[A-Za-z]?|[IVXLC]{1,7})\s?\((?P<iss>[^()]{1,20})\)")
_NUMBER = re.compile(r"[A-Za-z]?\d{1,6}[A-Za-z]?(?:\s?[-/]\s?[A-Za-z]?\d{1,6})?|\b[IVXLC]{1,7}\b")
_VANCOUVER_DATE = re.compile(r"^(?:1[5-9]\d\d|20\d\d)(?:\s[A-Z][a-z]{2}(?:\s\d{1,2})?)?\s?;\s?")
# "2002;70(3):537-47", "2015 Apr;24 Suppl 3:331-8": one word to the labeller, four fields to a reader
_VANCOUVER = re.compile(
    r"(?<!\d)(?P<year>1[5-9]\d\d|20\d\d)(?:\s[A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?(?:\s\d{1,2})?)?\s?;\s?"
    r"(?P<vol>[A-Za-z]?\d{1,5})(?:\s?\((?P<iss>[^()]{1,20})\))?(?:\s?:\s?(?P<pages>[A-Za-z]{0,2}\d{1,7}(?:-[A-Za-z]{0,2}\d{0,7})?))?"
)
_PAGES_AFTER = re.compile(r":\s?(?P<pages>[A-Za-z]?\d{1,7}(?:\s?-\s?[A-Za-z]?\d{1,7})?)")
_ARTICLE = re.compile(
    r"^(?:article|art\.?|paper|e-?locator)\s?(?:no\.?|number)?\s?(?P<number>\S{1,15})$", re.IGNORECASE
)
_ORDINAL = re.compile(r"\d{1,3}(?:st|nd|rd|th|e|er|ème|\.)?", re.IGNORECASE)
_CHAPTER_CUES = ("editor", "pages")
_JOINS = word_set("and & und et y e i")
_INITIAL = re.compile(r"(?:[^\W\d_]{1,2}\.\s?-?){1,4},?")
_NOT_A_SENTENCE_END = word_set("al. eds. ed. hrsg. hg. jr. sr. dir. coord. comp. trans. et al.")


@dataclass(frozen=True, slots=True)
class Reading:
    """What the labeller read in an entry."""

    authors: tuple[Author, ...]
    shortened: str  # "et al." or "…" when the author list leaves names out
    year: int | None
    year_suffix: str
    year_note: str  # "n.d." or "in press"
    parts: Parts
    date_late: bool  # the date comes after the title, as in Vancouver, IEEE and MLA


def _tagger() -> pycrfsuite.Tagger:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = pycrfsuite.Tagger()
        with as_file(files("forumgrader.citations") / "data" / MODEL) as path:
            tagger.open(str(path))
        _local.tagger = tagger
    return tagger


def label_words(words: list[str]) -> list[str]:
    """Return the label of each word of a reference ("author", "date", "title", "journal", "volume"...)."""
    return list(_tagger().tag(token_features(words))) if words else []


def _spans(words: list[str], labels: list[str]) -> list[tuple[str, str]]:
    """Return the runs of words that share a label, as (label, text), in order."""
    spans: list[tuple[str, list[str]]] = []
    for word, label in zip(words, labels, strict=True):
        if spans and spans[-1][0] == label:
            spans[-1][1].append(word)
        else:
            spans.append((label, [word]))
    return [(label, " ".join(run)) for label, run in spans]


def _quoted_title(words: list[str], labels: list[str]) -> list[str]:
    """A title in quotation marks ends at its closing mark: the quoted words, and only them, are the title."""
    for i, word in enumerate(words):
        mark = word[0]
        if mark not in "\"'" or (i and words[i - 1][-1] not in ".,:;)"):
            continue  # a mark that opens a part of the reference, not an apostrophe ("the '50s")
        end = next((j for j in range(i + 1, min(i + 60, len(words))) if words[j].rstrip(".,;:!?)").endswith(mark)), 0)
        opens_title = labels[i] == "title" and (not i or labels[i - 1] != "title")
        if end and opens_title and not words[end].endswith(":"):  # '"Behind the Store": Montreal...' goes on
            after = next((label for label in labels[end + 1 :] if label != "title"), "container-title")
            relabelled = [*labels[:i], *["title"] * (end + 1 - i)]
            rest = labels[end + 1 :]
            run = next((k for k, label in enumerate(rest) if label != "title"), len(rest))
            return relabelled + [after] * run + rest[run:]  # title words after the mark belong to what follows
        return labels
    return labels


def _name_end(word: str) -> bool:
    """Tell a word that ends a list of names ("Davis.", "Ziebertz.") from an initial ("S.", "J.-F.")."""
    return word.endswith(".") and not _INITIAL.fullmatch(word) and word.lower() not in _NOT_A_SENTENCE_END


def _author_bounds(labels: list[str]) -> tuple[int, int]:
    """Return where the first run of author words starts and ends (0, 0 when the labeller found no author)."""
    start = next((i for i, label in enumerate(labels) if label == "author"), -1)
    if start < 0:
        return 0, 0
    end = next((i for i in range(start, len(labels)) if labels[i] != "author"), len(labels))
    return start, end


def _names_run_on(words: list[str], labels: list[str]) -> list[str]:
    """An author list the labeller closed too early goes on to its last name: "Sander, K., und | Torsten Ziebertz.

    Title...", "Ryan Farrell, | Om Oza, ..., and Larry S Davis. Title...". The names it takes in are capitalised words
    up to the first full stop that ends a name, holding "and" (or an author list that ended on it)."""
    start, end = _author_bounds(labels)
    if end == start or end >= len(labels) or labels[end] != "title":
        return labels
    joined = words[end - 1].lower() in _JOINS
    if not (joined or words[end - 1].endswith(",")):
        return labels
    for k in range(end, min(end + (6 if joined else 30), len(words) - 1)):
        word, lower = words[k], words[k].lower()
        join = lower in _JOINS or lower in PARTICLES
        if labels[k] != "title" or not (join or word[0].isupper()) or (not join and lower.strip(".,") in NOT_AUTHORS):
            return labels
        if _name_end(word):
            piece = {w.lower() for w in words[end : k + 1]}
            listed = piece & _JOINS and any(w.endswith(",") for w in words[end:k])  # "Oza, ..., and Larry S Davis."
            if labels[k + 1] != "title" or not (joined or listed):
                return labels
            return [*labels[:end], *["author"] * (k + 1 - end), *labels[k + 1 :]]
    return labels


def _book_after_editors(spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A second title right after the editors ("In: H. Schmidt (Hrsg.): Handbuch.") is the book's: the container."""
    if any(label in ("journal", "container-title") for label, _ in spans):
        return spans
    titles = [k for k, (label, _) in enumerate(spans) if label == "title"]
    for k in titles[1:]:
        if spans[k - 1][0] == "editor":
            return [*spans[:k], ("container-title", spans[k][1]), *spans[k + 1 :]]
    return spans


def _first(spans: list[tuple[str, str]], *labels: str) -> str:
    return next((text for label, text in spans if label in labels), "")


def _date(spans: list[tuple[str, str]]) -> tuple[int | None, str, str]:
    """Return year, suffix and note ("n.d.", "in press") from the first date that gives one."""
    for label, text in spans:
        if label != "date":
            continue
        found = _YEAR.search(text)
        if found:
            return int(found.group("year")), found.group("suffix") or "", ""
        if _NO_DATE.search(text):
            return None, "", "n.d."
        if _IN_PRESS.search(text):
            return None, "", "in press"
    return None, "", ""


def volume_issue(text: str) -> tuple[str, str, str]:
    """Read volume, issue and any pages from a volume part: "12(3):45-67", "Vol. 9, no. 2", "2010;12(3):"."""
    text = _VANCOUVER_DATE.sub("", text.strip(" .,;:"))
    pages = _PAGES_AFTER.search(text)
    found = _VOLUME_ISSUE.search(text)
    if found:
        return found.group("vol"), found.group("iss").strip(), pages_of(pages.group("pages")) if pages else ""
    numbers = _NUMBER.findall(_NUMBER_LABEL.sub(" ", text))
    if not numbers:
        return tidy(text), "", ""
    labelled_issue = len(numbers) > 1 and not pages and re.search(r"[,.(]|\s", text)
    return numbers[0], numbers[1] if labelled_issue else "", pages_of(pages.group("pages")) if pages else ""


def _pages(text: str) -> tuple[str, str]:
    """Return pages and article number from a pages part: "pp. 1761-1800)." -> "1761-1800", "Article e123"."""
    bare = text.strip().strip("().,;:").strip()
    if not any(char.isdigit() for char in bare):
        return "", ""  # a label alone ("p.") or a word
    article = _ARTICLE.match(bare)
    if article:
        return "", article.group("number").rstrip(".,;")
    bare = re.sub(r"^(?:pp?|pages?|s|ss|seiten?|pgs?)\.?\s?(?=[A-Za-z]?\d)", "", bare, flags=re.IGNORECASE)
    return pages_of(bare.strip("().,;: ")), ""


def _container(text: str) -> str:
    return tidy(_CONTAINER_LEAD.sub("", _MARKUP.sub("", text)).strip(" .,;:\"'"))


def _title(text: str) -> str:
    return tidy(_MARKUP.sub("", text).strip().strip("\"'").strip().rstrip(",.;:").strip().strip("\"'"))


def _edition(text: str) -> str:
    found = _ORDINAL.search(text)
    return found.group().rstrip(".") if found else tidy(text)


def read_reference(text: str) -> Reading:
    """Label the words of one reference and read its fields."""
    words = text.split()
    labels = _names_run_on(words, label_words(words))
    spans = _book_after_editors(_spans(words, _quoted_title(words, labels)))
    found = frozenset(label for label, _ in spans)
    people = _first(spans, "author") or (_first(spans, "editor") if spans and spans[0][0] == "editor" else "")
    authors, shortened = parse_authors(people) if people else ((), "")
    year, suffix, note = _date(spans)
    volume, issue, volume_pages = volume_issue(_first(spans, "volume"))
    vancouver = _VANCOUVER.search(text) if year is None or not volume else None
    if vancouver:
        year = year or int(vancouver.group("year"))
        volume, issue = volume or vancouver.group("vol"), issue or vancouver.group("iss") or ""
        volume_pages = volume_pages or vancouver.group("pages") or ""
    pages, article = _pages(_first(spans, "pages"))
    container = _container(_first(spans, "journal", "container-title"))
    chapter = "container-title" in found and "journal" not in found and any(c in found for c in _CHAPTER_CUES)
    parts = Parts(
        title=_title(_first(spans, "title")),
        container=container,
        volume=volume,
        issue=issue,
        pages=pages or volume_pages,
        article_number=article,
        edition=_edition(_first(spans, "edition")) if "edition" in found else "",
        publisher=tidy(_first(spans, "publisher")),
        description=tidy(_first(spans, "genre")),
        chapter=chapter,
    )
    order = [label for label, _ in spans]
    date_late = "date" in order and "title" in order and order.index("date") > order.index("title")
    return Reading(authors, shortened, year, suffix, note, parts, date_late)
