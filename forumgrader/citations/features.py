"""Describe each word of a reference to the sequence labeller: its shape, its neighbours, where it stands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

from forumgrader.citations.text import word_set

# Words whose role in a reference is clear whatever the language: editors, months, labels, publishers' words.
_LEXICON = {
    "ed": word_set("ed eds ed. eds. editor editors edited hrsg hrsg. hg hg. éd éds dir dirs coord comp comps (ed.)"),
    "month": word_set(
        """
        jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august
        september october november december januar februar märz mai juni juli oktober dezember janvier février
        mars avril juin juillet août septembre octobre novembre décembre spring summer autumn fall winter
        """
    ),
    "in": word_set("in in: en dans im"),
    "pp": word_set("p p. pp pp. s s. pages page seiten ss ss. pgs"),
    "vol": word_set("vol vol. vols vols. volume bd bd. band jg jg. jahrgang t. tome tom"),
    "no": word_set("no no. nos nr nr. n° nº issue heft h. num núm fasc fasc. number"),
    "pub": word_set(
        """
        press verlag university universität université publishing publishers publisher publications books
        editions éditions edizioni editorial wiley springer elsevier routledge sage blackwell pearson kluwer
        mcgraw-hill macmillan harper academic taylor francis guilford norton cambridge oxford penguin de gruyter
        mohr siebeck beck suhrkamp gallimard seuil puf harvard yale princeton mit chicago ieee acm
        """
    ),
    "and": word_set("and & und et y e i och og"),
    "etal": word_set("et al al. al et.al. et.al u.a. u. a."),
    "genre": word_set("thesis dissertation phd ph.d. doctoral master's report paper working preprint unpublished"),
    "edition": word_set("edn edn. edition ed. aufl aufl. auflage éd. édition rev. revised ed"),
    "trans": word_set("trans trans. transl transl. translated translator übers übers. trad trad. traduit"),
    "access": word_set("retrieved accessed available abgerufen consulté online"),
    "serial": word_set(
        """
        journal journals review reviews proceedings proc bulletin annals quarterly letters studies research science
        sciences transactions trans magazine zeitschrift revue rivista revista archives archiv bulletin newsletter
        conference symposium workshop congress j
        """
    ),
}
# Each word of the lexicon with its classes, in the lexicon's order: one look-up a word, not one a class.
_CLASSES: dict[str, tuple[str, ...]] = {
    word: tuple(name for name, words in _LEXICON.items() if word in words) for word in set().union(*_LEXICON.values())
}


def _classes_of(lower: str, raw: str) -> tuple[str, ...]:
    """Return the lexicon classes of a word bare or with its punctuation ("ed." and "ed"), in the lexicon's order."""
    found = set(_CLASSES.get(lower, ())) | set(_CLASSES.get(raw, ()))
    return tuple(name for name in _LEXICON if name in found) if found else ()


# An abbreviated word of a journal's name: "Opt.", "Soc.", "Harb." (a capital, a few letters, a full stop).
_ABBREVIATION = re.compile(r"[A-Z][a-z]{1,5}\.,?")
_STRIP = "\"'.,;:()[]{}«»<>*!?"
_SHAPE = str.maketrans(
    {
        **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "A"),
        **dict.fromkeys("abcdefghijklmnopqrstuvwxyz", "a"),
        **dict.fromkeys("0123456789", "9"),
    }
)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?:1[5-9]\d\d|20\d\d)[a-z]?")
_RANGE = re.compile(r"[A-Za-z]{0,2}\d{1,6}\s?-\s?[A-Za-z]{0,2}\d{1,6}")
_VOLUME_ISSUE = re.compile(r"\d{1,5}\s?\(\w{1,12}(?:[-/]\w{1,6})?\)")


def _shape(token: str) -> str:
    """Return a word's shape: "Smith," -> "Aa,", "(2011)." -> "(9).", "J." -> "A."."""
    if not token.isascii():
        token = "".join(("A" if c.isupper() else "a") if c.isalpha() else c for c in token)
    return "".join(char for char, _ in groupby(token.translate(_SHAPE)))


_OFFSETS = (-2, -1, 1, 2)


@dataclass(frozen=True, slots=True)
class WordFeatures:
    """A word's features on its own, and as its neighbours see it (two before it, one before, one after, two after)."""

    own: tuple[str, ...]
    seen: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4096)  # a reference's small words, labels and punctuation come back in every reference
def word_features(token: str) -> WordFeatures:
    """Return a word's features on its own and as its neighbours see it."""
    own = _word(token)
    flags = [f for f in own if "=" not in f]
    seen = tuple((f"{o}{own[0]}", f"{o}{own[1]}", *(f"{o}{flag}" for flag in flags)) for o in _OFFSETS)
    return WordFeatures(tuple(own), seen)


def _word(token: str) -> list[str]:
    """Return the features of a word on its own, without its position or neighbours."""
    bare = token.strip(_STRIP)
    lower = bare.lower()
    raw = token.lower()
    out = [f"w={lower}", f"s={_shape(token)}", f"f={token[0]}", f"l={token[-1]}"]
    if len(lower) > 2:
        out += [f"p2={lower[:2]}", f"x2={lower[-2:]}"]
    if len(lower) > 3:
        out += [f"p={lower[:3]}", f"x={lower[-3:]}"]
    if len(lower) > 4:
        out += [f"p4={lower[:4]}", f"x4={lower[-4:]}"]
    if bare:
        if bare.isdigit():
            out.append(f"d={min(len(bare), 5)}")
        elif bare[0].isupper():
            out.append("caps" if bare.isupper() else "cap")
        if _YEAR.fullmatch(bare):
            out.append("year")
        elif "-" in bare and _RANGE.fullmatch(bare):
            out.append("range")
        elif "(" in token and _VOLUME_ISSUE.search(token):
            out.append("volume_issue")
    out += _CLASSES.get(lower, ()) if lower == raw else _classes_of(lower, raw)
    if _ABBREVIATION.fullmatch(token):
        out.append("abbr")
    if "http" in raw or "www." in raw:
        out.append("url")
    elif "doi" in raw or raw.startswith("10."):
        out.append("doi")
    return out


_INITIAL = re.compile(r"(?:[A-Z]\.){1,3}|[A-Z][a-z]?\.-?[A-Z]?\.?")


def _chunks(tokens: list[str]) -> list[int]:
    """Return, for each word, which sentence-like part of the reference it stands in (parts end at ". " and ": ")."""
    index, out = 0, []
    for token in tokens:
        out.append(index)
        last = token[-1]
        sentence = last == "." and len(token) > 3 and not _INITIAL.fullmatch(token)
        if sentence or last in ":;" or token[-2:] in ('."', ',"'):
            index += 1
    return out


def _chunk_kinds(tokens: list[str], words: list[tuple[str, ...]], chunks: list[int]) -> list[str]:
    """Describe each sentence-like part: its length, and whether it holds a year, other numbers, a quote or "In"."""
    kinds: list[set[str]] = [set() for _ in range(chunks[-1] + 1)] if chunks else []
    sizes = [0] * len(kinds)
    for i, chunk in enumerate(chunks):
        sizes[chunk] += 1
        features = words[i]
        if "year" in features:
            kinds[chunk].add("y")
        elif _DIGIT.search(tokens[i]):
            kinds[chunk].add("n")
        if "in" in features and sizes[chunk] == 1:
            kinds[chunk].add("i")
        if tokens[i][0] in "\"'«":
            kinds[chunk].add("q")
        if "pub" in features:
            kinds[chunk].add("p")
    return [
        "".join(sorted(kind)) + str(min(size, 9) if size < 4 else 4 if size < 9 else 9)
        for kind, size in zip(kinds, sizes, strict=True)
    ]


def _chunk_features(kinds: list[str], year_chunk: int) -> list[tuple[str, ...]]:
    """Return the features every word of a sentence-like part shares: which part, its kind, its neighbours' kinds."""
    last = len(kinds) - 1
    out = []
    for chunk, kind in enumerate(kinds):
        shared = [
            f"c={min(chunk, 6)}",
            f"ce={min(last - chunk, 4)}",
            f"ck={kind}",
            f"ck-={kinds[chunk - 1] if chunk else 'none'}",
            f"ck+={kinds[chunk + 1] if chunk < last else 'none'}",
        ]
        if year_chunk >= 0:
            shared.append(f"cy={max(-3, min(chunk - year_chunk, 3))}")
        out.append(tuple(shared))
    return out


_POSITIONS = tuple(f"pos={i}" for i in range(10))
_AT = ("at=0", "at=1", "at=2")
_IN_CHUNK = tuple(f"ci={i}" for i in range(5))
_EDGES = tuple(f"{offset}none" for offset in _OFFSETS)


def token_features(tokens: list[str]) -> list[list[str]]:
    """Return the features of each word of a reference, for labelling or training."""
    described = [word_features(t) for t in tokens]
    words = [d.own for d in described]
    n = len(tokens)
    chunks = _chunks(tokens)
    kinds = _chunk_kinds(tokens, words, chunks)
    year_chunk = next((chunks[i] for i, w in enumerate(words) if "year" in w), -9)
    shared = _chunk_features(kinds, year_chunk)
    out: list[list[str]] = []
    chunk_start = 0
    quoted = bracketed = seen_year = seen_in = False
    for i, token in enumerate(tokens):
        features = list(words[i])
        features.append(_POSITIONS[10 * i // n])
        if i < 3:
            features.append(_AT[i])
        if i == n - 1:
            features.append("last")
        chunk = chunks[i]
        features += shared[chunk]
        if i == 0 or chunks[i - 1] != chunk:
            features.append("chunk_start")
            chunk_start = i
        features.append(_IN_CHUNK[min(i - chunk_start, 4)])
        if i == n - 1 or chunks[i + 1] != chunk:
            features.append("chunk_end")
        for k, offset in enumerate(_OFFSETS):
            j = i + offset
            features += described[j].seen[k] if 0 <= j < n else (_EDGES[k],)
        if i:
            before = tokens[i - 1][-1]
            features += (f"after={before}", f"ac={before}{token[0].isupper()}", f"b-={words[i - 1][0]}|{words[i][0]}")
        if i < n - 1:
            features.append(f"b+={words[i][0]}|{words[i + 1][0]}")
        opens = token[0] in "\"'«“"
        if quoted or opens:
            features.append("quoted")
        if bracketed:
            features.append("bracketed")
        if seen_year:
            features.append("after_year")
        if seen_in:
            features.append("after_in")
        out.append(features)
        quoted = (quoted or opens) and token.rstrip(_STRIP.replace('"', "").replace("'", ""))[-1:] not in "\"'»”"
        bracketed = (bracketed or "(" in token) and ")" not in token
        seen_year = seen_year or "year" in words[i]
        seen_in = seen_in or "in" in words[i]
    return out
