"""Author names: split a reference's author element, and tell surnames from ordinary words."""

from __future__ import annotations

import re
from functools import lru_cache

from forumgrader.citations.model import Author
from forumgrader.citations.text import squash, word_set

PARTICLES = word_set(
    """
    de la le du des del della di da das do dos van der den von vom zu ter ten bin ibn al el st st. y e
    """
)
# Small words that may sit inside a group author's name but never inside a person's surname.
GROUP_WORDS = frozenset(["of", "for", "and", "the", "on", "in", "&", "at", "to"])
ORG_WORDS = word_set(
    """
    organization organisation association institute institutes centers centres center centre department agency
    council society foundation board commission office service services university college network alliance
    bureau administration prevention academy federation ministry committee trust union
    """
)
# Words that name groups but no person ("Mental Health America", "United Nations"): a capitalised run holding one
# is an organisation even when the reference list does not name it.
GROUP_NAME_WORDS = word_set(
    """
    health mental medical medicine public research science sciences psychological psychiatric education educational
    national international global world united nations america american americas canada canadian australia
    australian europe european britain british england scotland ireland africa african asia asian pacific federal
    human rights children youth watch coalition partnership project initiative campaign fund bank forum clinic
    hospital statistics affairs labor labour justice safety protection environmental
    """
)
# Capitalised words that open sentences or name things but are not authors.
NOT_AUTHORS = word_set(
    """
    the this that these those there their in on at by for from with within since during until after before
    between among as an a it its we our they he she i you when while although though if because however
    therefore thus also and but or so yet research researchers study studies data figure table chapter section
    year years census covid report survey page appendix part phase wave grade level class semester january
    february march april may june july august september october november december spring summer autumn fall
    winter monday tuesday wednesday thursday friday saturday sunday today note version according based like
    unlike per via article articles book journal theory model act law bill
    """
)
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['.-](?=[^\W\d_])){0,40}\.?")
_INITIALS = re.compile(r"(?:[^\W\d_]{1,2}\.\s?-?\s?){1,5}|[^\W\d_]{1,3}")
_EDITOR = re.compile(r"\((?:eds?|editors?|comps?|trans)\.?\)", re.IGNORECASE)
_ABBREV = re.compile(r"[\[(]([A-Z][A-Za-z&]{1,11})[\])]")
_ELLIPSIS = re.compile(r"(?:\.\s?){2,3}|…")
# "X. Ru", "J.-P. Sartre": initials first, then a family name that is no initial itself
_GIVEN_FIRST = re.compile(r"(?:[^\W\d_]\.\s?-?\s?){1,3}[^\W\d_][\w'-]+(?:\s[^\W\d_][\w'-]+){0,2}")
# The lookahead only skips, fast, the places where no separator can start.
_SEPARATORS = re.compile(r"(?=[\s,&a])\s*(?:,\s*&|,\s*and\s|&|\band\b)\s*")
_INITIAL_END = re.compile(r"\b[^\W\d_]\.$")  # "... Smith, J." ends with an initial, not a full stop
_ET_AL = re.compile(r",?\s*\bet\.? al\b\.?")
_HAS_INITIALS = re.compile(r",\s?[^\W\d_]{1,2}\.")
_ENDS_INITIALS = re.compile(r"\s[A-Z]{1,3}$")
_NAME_AND_INITIALS = re.compile(r"\S.{0,60}\s[A-Z]{1,3}")


@lru_cache(maxsize=4096)
def is_surname(name: str) -> bool:
    """Tell whether a string looks like one person's family name ("de la Rie", "O'Neil", "Kiecolt-Glaser")."""
    tokens = name.split()
    if not 1 <= len(tokens) <= 4:
        return False
    for i, token in enumerate(tokens):
        if token.lower() in PARTICLES and i < len(tokens) - 1:
            continue
        if not _NAME_TOKEN.fullmatch(token) or not (token[0].isupper() or token[:2] in ("d'", "l'")):
            return False
    return True


def is_group(name: str) -> bool:
    """Tell whether a name is an organisation: an acronym, or several words some of them small."""
    tokens = name.split()
    if len(tokens) == 1:
        return tokens[0].isupper() and len(tokens[0]) >= 2
    if tokens[-1].rstrip(".").lower() in ("inc", "corp", "ltd", "llc", "co", "plc", "gmbh"):
        return True
    return len(tokens) >= 2 and (
        any(t.lower() in GROUP_WORDS for t in tokens[1:]) or len(tokens) >= 3 or not is_surname(name)
    )


def acronym(name: str) -> str:
    """Return the initials of a group's significant words: "World Health Organization" -> "WHO"."""
    explicit = _ABBREV.search(name)
    if explicit:
        return explicit.group(1)
    return "".join(t[0] for t in name.split() if t[0].isupper() and t.lower() not in GROUP_WORDS)


def group_name(name: str) -> str:
    """Return a group's name without a bracketed abbreviation: "World Health Organization [WHO]"."""
    return squash(_ABBREV.sub("", name))


def _is_initials(part: str) -> bool:
    part = part.strip()
    return bool(part) and part[0].isupper() and ("." in part or part.isupper()) and bool(_INITIALS.fullmatch(part))


def _inverted_first_only(parts: list[str]) -> bool:
    """Tell Chicago's and MLA's "Huo, D., L. Sun, and X. Ru" from APA's "Huo, D., Sun, L., & Ru, X."."""
    given = parts[1].strip() if len(parts) > 2 else ""
    return (_is_initials(given) or given.isalpha()) and all(_GIVEN_FIRST.fullmatch(p.strip()) for p in parts[2:])


def _apa(parts: list[str]) -> list[Author]:
    """Read "Family, I. I., Family, I." parts (also Harvard's "Family, Given")."""
    authors: list[Author] = []
    i = 0
    while i < len(parts):
        family = parts[i].strip()
        given = parts[i + 1].strip() if i + 1 < len(parts) else ""
        if given and (_is_initials(given) or (len(given.split()) <= 3 and "." in given)):
            authors.append(Author(family.strip(), given))
            i += 2
        else:
            joined = family.rstrip(".").strip()
            if joined:
                initials = ""
                tokens = joined.split()
                if len(tokens) >= 2 and _is_initials(tokens[-1]) and tokens[-1].isupper():
                    initials, joined = tokens[-1], " ".join(tokens[:-1])
                authors.append(Author(joined, initials))
            i += 1
    return authors


def _vancouver(parts: list[str]) -> list[Author]:
    """Read "Family II" parts (NLM/Vancouver, AMA)."""
    authors = []
    for part in parts:
        tokens = part.strip().rstrip(".").split()
        if len(tokens) >= 2 and _is_initials(tokens[-1]):
            authors.append(Author(" ".join(tokens[:-1]), tokens[-1]))
        elif tokens:
            authors.append(Author(" ".join(tokens)))
    return authors


def _given_first(parts: list[str]) -> list[Author]:
    """Read MLA/Chicago "Family, Given, and Given Family" parts."""
    authors = [Author(parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")]
    for part in parts[2:]:
        tokens = part.strip().rstrip(".").split()
        if not tokens:
            continue
        cut = len(tokens) - 1
        while cut > 1 and tokens[cut - 1].lower() in PARTICLES:
            cut -= 1
        authors.append(Author(" ".join(tokens[cut:]), " ".join(tokens[:cut])))
    return authors


def parse_authors(segment: str) -> tuple[tuple[Author, ...], str]:
    """Split a reference's author element into authors; say how it leaves names out ("et al.", "…") if it does."""
    text = squash(_EDITOR.sub("", segment) if "(" in segment else segment).strip(" ,;:")
    # a match of _INITIAL_END can only start two characters from the end
    text = text[:-1].rstrip() if text.endswith(".") and not _INITIAL_END.search(text, len(text) - 2) else text
    shortened = ""
    if "et al" in text or "et. al" in text:
        text, shortened = _ET_AL.sub("", text), "et al."
    if ". ." in text or ".." in text or "…" in text:
        text, cuts = _ELLIPSIS.subn(",", text)
        shortened = shortened or ("…" if cuts else "")
    if not text:
        return (), shortened
    has_initials = "," in text and bool(_HAS_INITIALS.search(text))
    if not has_initials and "," not in text and is_group(text) and not _ENDS_INITIALS.search(text):
        return (Author(group_name(text), group=True),), shortened
    parts = [p for p in _SEPARATORS.sub(",", text).split(",") if p.strip()]
    if has_initials and _inverted_first_only(parts):
        authors = _given_first(parts)
    elif has_initials:
        authors = _apa(parts)
    elif all(_NAME_AND_INITIALS.fullmatch(p.strip().rstrip(".")) for p in parts):
        authors = _vancouver(parts)
    elif len(parts) >= 2 and len(parts[1].split()) <= 3:
        authors = _given_first(parts)
    else:
        authors = [Author(group_name(text), group=True)]
    return tuple([a for a in authors if a.family]), shortened
