"""Find DOIs in text, normalise them, and tell the forms APA 7 does not want from broken ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from forumgrader.citations.text import word_set

_PREFIX = re.compile(
    r"^\s*(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|urn:doi:|info:doi/|doi\s*:?\s*)",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"10\.\d{4,9}")
_REGISTRANT = re.compile(r"\d{4,9}")  # "1037" of "1037/0003-066X.59.1.29": a DOI that lost its "10."
# A DOI written without its "10." and without a label, inside an entry: a registrant code, a slash, and a suffix with a
# letter or a dot ("1037/0003-066x.59.1.29", "7717/peerj.3449"); not a year range ("2019/20") nor part of a link.
_PREFIXLESS = re.compile(
    r"(?<![\w./:-])(?P<body>\d{4,5}/(?:(?=[^\s/]*(?:[a-z]|\.\w))[^\s/][^\s]{3,200}|\d{6,30}(?![\w/])))", re.IGNORECASE
)
_MENTION = re.compile(
    r"(?P<url>(?:https?://)?(?:dx\.|www\.)?doi\.org/)(?P<ubody>\S{0,300})"
    r"|(?P<label>\bdoi\b\s{0,3}(?::\s{0,3}|(?=10\.)))(?P<lbody>\S{0,300})"
    r"|(?<![/\w.:])(?P<bare>10\.\d{4,9}/\S{1,300})",
    re.IGNORECASE,
)
# Regexes that open with optional parts try every position; scanning for these literals first is much faster.
_CANDIDATE = re.compile(r"[Dd][Oo][Ii]|10\.\d")
_URL_PREFIXES = ("https://dx.", "http://dx.", "https://www.", "http://www.", "https://", "http://", "dx.", "www.")
# What follows a DOI after a space, inside an entry, is most often the DOI's own tail cut off: a lower-case word
# ("psychiatry. indianjpsychiatry_50_21"), a part that opens with a dot or a dash ("peerj .9744"), or digits
# joined by dots that can only be DOI ("0033-2909. 133.4.581").
_TAIL = re.compile(
    r" (?P<word>[a-z][\w./-]{0,80}|[.\-/]\w[\w./-]{0,80})"
    r"|(?P<mark>[.\-/]?) (?P<digits>\d{1,9}(?:[.\-]\w{1,20}){1,8})(?![^\s.,;])"
)
_NOT_TAIL = word_set(
    """
    to and or from in on at the a an of links link retrieved accessed available epub pmid pmcid see
    """
)
_TRAILING = ".,;:'\""


@dataclass(frozen=True, slots=True)
class DoiMention:
    """One DOI written in a text: where it stands, the DOI itself and how it was written."""

    start: int
    end: int
    doi: str  # normalised; spaces written inside it are removed
    form: str  # "https" (as APA wants), "http", "dx", "label" (doi:/DOI:) or "bare"
    problem: str = ""  # why it cannot be right as written ("spaces inside", "no suffix"); "" when it can

    @property
    def malformed(self) -> bool:
        """Tell whether the DOI cannot be right as written."""
        return bool(self.problem)


def _strip_trailing(body: str) -> str:
    while body:
        last = body[-1]
        if (
            last in _TRAILING
            or (last == ")" and body.count("(") < body.count(")"))
            or (last == "]" and body.count("[") < body.count("]"))
        ):
            body = body[:-1]
        else:
            break
    return body


def normalise_doi(s: str) -> str:
    """Return a DOI in lower case without resolver, label or trailing punctuation."""
    body = s.strip()
    if not body.startswith("10."):
        for _ in range(2):  # "doi: https://doi.org/10..." carries two prefixes
            body = _PREFIX.sub("", body, count=1)
    if "%" in body:
        body = unquote(body)
    return _strip_trailing(body.strip()).lower()


def problem(doi: str) -> str:
    """Return why a normalised DOI cannot be a DOI ("wrong prefix", "no suffix", "doubled slash" ...), or ""."""
    prefix, _, suffix = doi.partition("/")
    if not _DOI_PREFIX.fullmatch(prefix):
        return "no 10. at its start" if _REGISTRANT.fullmatch(prefix) and suffix else "wrong prefix"
    if not suffix.strip("/"):
        return "no suffix"
    if "//" in doi:
        return "doubled slash"
    if doi.endswith("/"):
        return "ends with a slash"
    return "spaces inside" if any(map(str.isspace, doi)) else ""  # "%20" in a resolver's address


def _form(prefix: str) -> str:
    low = prefix.lower()
    if "dx." in low:
        return "dx"
    if low.startswith("https://"):
        return "https"
    if "doi.org" in low:
        return "http"
    return "label"


def _tail(text: str, end: int) -> tuple[str, int]:
    """Return the words that continue a DOI cut by spaces, and where they end."""
    raw = ""
    for _ in range(3):
        found = _TAIL.match(text, end)
        piece = (found.group("word") or found.group("mark") + found.group("digits")) if found else ""
        if not found or piece.split(".")[0].lower() in _NOT_TAIL:
            break
        raw, end = raw + piece, found.end()
    tail = _strip_trailing(raw)
    return tail, end - (len(raw) - len(tail))


def find_dois(text: str, *, in_entry: bool = False) -> list[DoiMention]:
    """Return every DOI written in the text; inside an entry, words cut off by spaces count as part of it."""
    return list(doi_mentions(text, in_entry))


@lru_cache(maxsize=4096)  # an entry is read for its fields, then for its findings, then for its search
def doi_mentions(text: str, in_entry: bool) -> tuple[DoiMention, ...]:
    """Return the DOIs written in a text, as find_dois does, remembered."""
    return tuple(_find(text, in_entry))


def _candidates(text: str) -> list[int]:
    """Return where _CANDIDATE matches, as its finditer would; in ASCII text with str.find, several times faster."""
    if not text.isascii():  # lower() keeps the length of ASCII text only
        return [found.start() for found in _CANDIDATE.finditer(text)]
    lower, at = text.lower(), 0
    found: list[int] = []
    while True:
        doi, ten = lower.find("doi", at), text.find("10.", at)
        while ten >= 0 and not text[ten + 3 : ten + 4].isdigit():
            ten = text.find("10.", ten + 1)
        if doi < 0 and ten < 0:
            return found
        at = doi if ten < 0 or 0 <= doi < ten else ten
        found.append(at)
        at += 3 if at == doi else 4


def _find(text: str, in_entry: bool) -> list[DoiMention]:
    mentions: list[DoiMention] = []
    if "10." not in text and "doi" not in text.lower():
        return _prefixless(text, mentions) if in_entry else mentions
    for at in _candidates(text):
        if mentions and at < mentions[-1].end:
            continue
        if text[at : at + 8].lower() == "doi.org/":
            window = text[max(0, at - 12) : at].lower()
            at -= len(next(filter(window.endswith, _URL_PREFIXES), ""))
        found = _MENTION.match(text, at)
        if found is None:
            continue
        if found.group("bare"):
            prefix, body, form = "", found.group("bare"), "bare"
        elif found.group("url") is not None:
            prefix, body = found.group("url"), found.group("ubody")
            form = _form(prefix)
        else:
            prefix, body, form = found.group("label"), found.group("lbody"), "label"
        body = _strip_trailing(body)
        if form == "label" and not (body.startswith("10") or _PREFIXLESS.fullmatch(body)):
            continue  # the word "doi" in passing, not a DOI
        end = found.start() + len(prefix) + len(body)
        doi = normalise_doi(body)
        why = problem(doi)
        if in_entry and form != "bare" and body and not body.endswith(")"):
            tail, tail_end = _tail(text, end) if end < len(text) else ("", end)  # nothing follows the DOI
            if tail:
                doi, end, why = (doi + tail).lower(), tail_end, "spaces inside"
        mentions.append(DoiMention(found.start(), end, doi, form, why))
    return mentions + _prefixless(text, mentions) if in_entry else mentions


def _prefixless(text: str, mentions: list[DoiMention]) -> list[DoiMention]:
    """Return the DOIs of an entry written bare without their "10." ("1037/0003-066X.59.1.29"): malformed ones."""
    if "/" not in text or mentions:
        return []
    found = _PREFIXLESS.search(text)
    if not found or "http" in text[max(0, found.start() - 60) : found.start()].lower():
        return []
    body = _strip_trailing(found.group("body"))
    doi = normalise_doi(body)
    return [DoiMention(found.start(), found.start() + len(body), doi, "bare", problem(doi))]
