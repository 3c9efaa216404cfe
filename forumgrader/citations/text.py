"""Text helpers shared by the citation modules: length-preserving normalisation, folding, residue."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# One character in, one character out, so that every span found in the normalised text is a span of the original.
# "…" stays: it is no period, and APA's 21+ author lists need it (the first 19, "…", the last).
_SAME_LENGTH = str.maketrans(
    {
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t\f\v", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\uff08": "(",
        "\uff09": ")",
        "\uff1b": ";",
        "\uff0c": ",",
    }
)

_REPLACEMENTS = {chr(code): value for code, value in _SAME_LENGTH.items()}

# Canvas's screen-reader text after each external link (i18n key titles.external_link), as it reads in the locales
# seen in real copied posts: (first word, the rest). The rest alone is what survives when a line wraps before it.
EXTERNAL_LINK = (
    ("Links", "to an external site"),  # English
    ("Enlaces", "a un sitio externo"),  # Spanish
    ("Connexions", "vers un site externe"),  # French
    ("Links", "para um site externo"),  # Portuguese
    ("Koppelingen", "naar een externe site"),  # Dutch
)
EXTERNAL_LINK_LEADS = "|".join(sorted({lead for lead, _ in EXTERNAL_LINK})).replace("Links", "Links?")
EXTERNAL_LINK_TAILS = "|".join(tail.replace(" ", r"\s") for _, tail in EXTERNAL_LINK)

# What an LMS leaves behind when HTML becomes text; matched case-insensitively.
LMS_RESIDUE = re.compile(
    rf"(?:(?:{EXTERNAL_LINK_LEADS})\s)?(?:{EXTERNAL_LINK_TAILS})\.?"
    r"|\(opens in (?:a )?new (?:window|tab)\)|@@PLUGINFILE@@/?\S{0,200}",
    re.IGNORECASE,
)

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_ISSUE = re.compile(r"\(\w{1,6}\)")


def normalise(text: str) -> str:
    """Return the text with quotes, dashes and odd spaces made ASCII, keeping its length."""
    text = text.replace("\r\n", " \n")
    if text.isascii() and "\r" not in text and "\t" not in text:
        return text
    for char, value in _REPLACEMENTS.items():  # "in" per character beats set(text) and translate() several times
        if char in text:
            text = text.replace(char, value)
    return text


def residue(text: str) -> list[re.Match[str]]:
    """Return the LMS residue in a text ("to an external site.", "(opens in new window)", @@PLUGINFILE@@)."""
    lower = text.lower()
    if "extern" not in lower and "opens in" not in lower and "@@pluginfile@@" not in lower:
        return []
    return list(LMS_RESIDUE.finditer(text))


def glued(text: str) -> list[int]:
    """Return where a volume number is glued to the word or bracket before it: "Psychology78(2)", ")69(10)"."""
    positions = []
    for found in _ISSUE.finditer(text):  # the issue first: a literal "(" is found fast, a digit anywhere is not
        start = found.start()
        if not start or not text[start - 1].isdigit():
            continue  # no volume before the issue: "(2020)"
        at = start - 1
        while at > start - 5 and at > 0 and text[at - 1].isdigit():
            at -= 1  # the volume: up to five digits before the issue
        if at > 0 and text[at - 1].isdigit():
            continue
        before = text[max(0, at - 3) : at]
        if before.endswith(")") or (len(before) == 3 and before.isalpha()):
            positions.append(at)
    return positions


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Return a comparison key: accents removed, case folded, only letters and digits kept."""
    if text.isascii():
        return _NOT_ALNUM.sub("", text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def squash(text: str) -> str:
    """Return the text with runs of whitespace made one space and the ends stripped."""
    return " ".join(text.split())


def word_set(words_: str) -> frozenset[str]:
    """Return the set of the whitespace-separated words of a string."""
    return frozenset(words_.split())
