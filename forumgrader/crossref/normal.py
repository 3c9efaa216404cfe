"""Comparison forms of text: markup, diacritics, case, "&" and punctuation made irrelevant."""

from __future__ import annotations

import html
import re
import unicodedata

from rapidfuzz import fuzz

from forumgrader.citations.doi import find_dois
from forumgrader.citations.model import Reference

_MARKUP = re.compile(r"<[^<>]{1,200}>")
_NOT_WORD = re.compile(r"[\W_]+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_NOISE = re.compile(
    r"\bdoi\s*:|\b(?:pmid|pmcid)\b\s*:?\s*(?:pmc)?\d+|\b(?:isbn|issn)\b\s*:?\s*[\d\-xX ]{8,}"
    r"|\b(?:retrieved|accessed|available)\b(?:\s+\w+){0,6}?\s+(?:from|at)\b|\bepub\b[^.;]{0,30}"
    r"|\[(?:\d{1,4}|[^\W\d_][^\W\d]{0,40})\]",  # "[1]", "[Data set]"; not a title's "[Ru(bpy)3]2+"
    re.IGNORECASE,
)

_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
)
# Letters Unicode gives no base letter ("ø" is not "o" with a mark), as a keyboard without them writes them, and Greek
# letters by name ("β-amyloid" is cited as "beta-amyloid"): "Sørensen" and "Łukasz" are "Sorensen" and "Lukasz".
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H", "ı": "i"}
    | {"ŧ": "t", "Ŧ": "T", "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ς": "sigma"}
    # α-ρ, then σ-ω (U+03C2 is the final sigma above, U+03A2 is unassigned), small and capital
    | {chr(start + n + (n >= 17)): name for start in (0x3B1, 0x391) for n, name in enumerate(_GREEK.split())}
)


def plain(text: str) -> str:
    """Return the text with JATS/HTML markup and entities removed and whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub(" ", text or "")).split())


def without_marks(text: str) -> str:
    """Return the text in plain letters: diacritics removed, "ø", "ł", "æ" and Greek letters spelt out, case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_LETTERS)


def unaccented(text: str) -> str:
    """Return the text without markup and diacritics, case and punctuation kept."""
    return without_marks(plain(text))


def normalise(text: str) -> str:
    """Return a comparison form: no markup, no diacritics, case folded, "&" as "and", punctuation as spaces."""
    bare = unaccented(text).casefold().replace("&", " and ")
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def fold(text: str) -> str:
    """Return only the letters and digits of a normalised text: "Janicki-Deverts" -> "janickideverts"."""
    return normalise(text).replace(" ", "")


def similarity(a: str, b: str) -> float:
    """Return how alike two strings are, 0..1."""
    return fuzz.ratio(a, b) / 100 if a and b else 0.0


def contains(text: str, phrase: str) -> bool:
    """Tell whether a normalised phrase occurs in a normalised text as whole words."""
    return bool(phrase) and f" {phrase} " in f" {text} "


def search_text(reference: Reference) -> str:
    """Return what is sent to Crossref: the cleaned reference without DOI, URL, identifiers or access notes."""
    text = reference.clean or reference.text
    for mention in reversed(find_dois(text, in_entry=True)):
        text = text[: mention.start] + " " + text[mention.end :]
    text = _NOISE.sub(" ", _URL.sub(" ", text))
    return " ".join(text.split()).strip(" .,;:")


def reference_string(reference: Reference) -> str:
    """Return the reference as compared whatever its citation style: normalised, without DOI and URL."""
    return normalise(search_text(reference))
