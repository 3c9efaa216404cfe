"""Text helpers shared by the citation modules: length-preserving normalisation, folding, residue."""

from __future__ import annotations

import re
import unicodedata

# One character in, one character out, so that every span found in the normalised text is a span of the original.
_SAME_LENGTH = str.maketrans(
    {
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t\f\v", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        "\u2026": ".",
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\uff08": "(",
        "\uff09": ")",
        "\uff1b": ";",
        "\uff0c": ",",
    }
)

# What an LMS leaves behind when HTML becomes text; matched case-insensitively.
LMS_RESIDUE = re.compile(
    r"(?:links? )?to an external site\.?|\(opens in (?:a )?new (?:window|tab)\)|@@PLUGINFILE@@/?\S{0,200}",
    re.IGNORECASE,
)

_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return the text with quotes, dashes and odd spaces made ASCII, keeping its length."""
    return text.replace("\r\n", " \n").translate(_SAME_LENGTH)


def fold(text: str) -> str:
    """Return a comparison key: accents removed, case folded, only letters and digits kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def squash(text: str) -> str:
    """Return the text with runs of whitespace made one space and the ends stripped."""
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> int:
    """Count the words in a text."""
    return sum(1 for _ in _WORD.finditer(text))


def word_set(words_: str) -> frozenset[str]:
    """Return the set of the whitespace-separated words of a string."""
    return frozenset(words_.split())
