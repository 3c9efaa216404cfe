"""Compare a reference's authors with a record's: family names in order, initials against given names.

Whether a record's author is cited at all is read from the reference string, whatever the citation style writes
("Sahoo, S.", "S. Sahoo", "Sahoo S"); initials are compared only where the parsed entry named that same person, so a
style the parser reads badly never produces a false accusation.
"""

from __future__ import annotations

import re
from itertools import pairwise

from forumgrader.citations.model import Author, Reference
from forumgrader.crossref.model import Difference, RecordAuthor, Work
from forumgrader.crossref.normal import contains, fold, normalise, reference_string, similarity, unaccented

INFO, WARNING = "info", "warning"
_ET_AL = re.compile(r"\bet\.?\s?al\b|\.\.\.|…", re.IGNORECASE)
_PARTICLES = frozenset(re.findall(r"\w+", "de la le du des del della di da dos das van von der den ter ten op zu d l"))
_INITIALS = re.compile(r"(?:[^\W\d_](?:[.\s-]+|$)){1,4}")  # "R. R.", "J.-P."; not "S. McDonald", nor "X. Ru"
# Words of a family name that are not the name itself: "Melo Júnior" is Melo.
_SUFFIXES = frozenset({"junior", "jr", "filho", "neto", "sobrinho", "senior", "sr", "ii", "iii"})
APA_LIST_LIMIT = 20  # APA 7 lists up to 20 authors, then "...", then the last one


def record_initials(given: str) -> str:
    """Return the first letters of given names: "Paulo A. S." -> "pas", "Jean-Paul" -> "jp"."""
    parts = re.split(r"[\s.\-]+", unaccented(given))
    return "".join(part[0] for part in parts if part[:1].isalpha()).casefold()


def cited_initials(initials: str) -> str:
    """Return a cited author's initials as letters: "R. R." -> "rr", "J.-P." -> "jp"."""
    return fold(initials)


def _family_words(family: str) -> list[str]:
    """Return the words of a family name that are the name: "de la Rie" -> ["rie"], "Melo Júnior" -> ["melo"]."""
    words = normalise(family).split()
    return [w for w in words if w not in _PARTICLES and w not in _SUFFIXES] or words


def _person_words(author: RecordAuthor) -> list[str]:
    """Return the names a reference may cite a person by besides the family name, when the record holds the person
    whole ("name": "Wei Zhang", or "family": "Zhang Wei" with no given name) or swaps given and family names."""
    whole = author.name if not author.family else "" if author.given else author.family
    if whole:
        words = [w for w in _family_words(whole) if len(w) >= 2]
        return words if 2 <= len(words) <= 3 else []  # longer: an organisation's name
    return [w for w in normalise(author.given).split() if len(w) >= 2]  # not initials


def family_agrees(cited: str, recorded: str) -> bool:
    """Tell whether two family names are the same: diacritics, hyphens, particles and double names forgiven."""
    a, b = fold(cited), fold(recorded)
    if not a or not b:
        return False
    if a == b or "".join(_family_words(cited)) == "".join(_family_words(recorded)):
        return True  # "Smith" is "Smith Jr.", "van der Kolk" is "Kolk"
    # "García Márquez" is often cited as "García"; "Kiecolt-Glaser" and "Glaser" are two people
    cited_parts, record_parts = ({fold(w) for w in name.split()} for name in (cited, recorded))
    shorter, longer = sorted((cited_parts, record_parts), key=len)
    plausible = all(len(w) >= 3 for w in shorter) and all(len(w) > 1 for w in longer)  # "L. Zhou" is not a name
    return len(longer) > 1 and shorter <= longer and plausible


def record_name(author: RecordAuthor) -> str:
    """Return a record's author as "Family, Given" (or an organisation's name)."""
    if author.family:
        return f"{author.family}, {author.given}" if author.given else author.family
    return author.name


def cited_name(author: Author) -> str:
    """Return a cited author as written in APA: "Family, I. I."."""
    return f"{author.family}, {author.initials}" if author.initials and not author.group else author.family


def author_agrees(cited: Author, recorded: RecordAuthor) -> bool:
    """Tell whether a cited author names the record's author (family name, or an organisation's name)."""
    if (cited.group or not recorded.family) and similarity(
        normalise(cited.family), normalise(recorded.name or recorded.family)
    ) >= 0.9:
        return True
    if cited.group:
        return False
    names = ([recorded.family] if recorded.family else []) + _person_words(recorded)
    return any(family_agrees(cited.family, name) for name in names)


def first_author_agrees(cited: tuple[Author, ...], work: Work) -> bool | None:
    """Tell whether the first cited author is the record's first author (None when either has none)."""
    if not cited or not work.authors:
        return None
    return author_agrees(cited[0], work.authors[0])


def authors_truncated(text: str) -> bool:
    """Tell whether an entry shortens its author list ("et al.", an ellipsis)."""
    return bool(_ET_AL.search(text))


def _family_forms(author: RecordAuthor) -> set[str]:
    """Return the forms of _forms that write a person's family name itself, not a given name."""
    return {normalise(author.family), " ".join(_family_words(author.family))}


def _forms(author: RecordAuthor) -> list[str]:
    """Return the ways a reference may write an author's name, normalised: "de la Rie" also as "rie"."""
    if not author.family:
        return [normalise(author.name), *_person_words(author)]
    words = _family_words(author.family)
    forms = [normalise(author.family), " ".join(words)]
    separate = [normalise(w) for w in author.family.split() if normalise(w) in words]
    if len(separate) > 1 and len(separate[0]) >= 3:  # "García Márquez" cited as "García"; not "Januchowski-Hartley"
        forms.append(separate[0])
    forms.extend(_person_words(author))
    return [form for form in dict.fromkeys(forms) if form]


def consume(string: str, author: RecordAuthor, exclude: frozenset[str] = frozenset()) -> str | None:
    """Return the string with the author's name taken out once, or None when the name is not in it.

    A person named by given name but with the family name misspelt beside it ("Madelon L. Petres" for Peters) is not
    taken out: the misspelling is for the caller to report."""
    padded = f" {string} "
    for form in _forms(author):
        if f" {form} " in padded:
            by_given_name = author.family and author.given and form not in _family_forms(author)
            if by_given_name and _closest_word(string, author, exclude):
                return None
            return padded.replace(f" {form} ", " ", 1).strip()
    if not author.family and similarity(normalise(author.name), string) >= 0.9:
        return ""
    if author.family and contains(string.replace(" ", ""), fold(author.family)):
        return string  # written with other spacing ("Janicki Deverts"); not taken out
    return None


def _closest_word(string: str, author: RecordAuthor, exclude: frozenset[str]) -> str:
    """Return the word of the string most like the author's family name, if it looks like a misspelling of it."""
    words = _family_words(author.family) if author.family else []
    target = "".join(words) or fold(author.family or author.name)
    best, best_score = "", 0.0
    tokens = string.split()
    pairs = {a + b for a, b in pairwise(tokens)}  # "Janicki-Devarts" is two words here
    for word in (set(tokens) | pairs) - exclude:
        score = similarity(word, target)
        if len(word) >= 3 and score > best_score:
            best, best_score = word, score
    return best if best_score >= 0.75 else ""


def _expected(recorded: tuple[RecordAuthor, ...], cited: tuple[Author, ...], text: str) -> list[RecordAuthor]:
    """Return the record's authors a reference ought to name, given how it shortens its list."""
    if not authors_truncated(text):
        return list(recorded)
    shown = max(len(cited), 1)
    if "…" in text or "..." in text:  # APA 7: the first 19, an ellipsis, the last
        return [*recorded[: max(1, min(shown - 1, APA_LIST_LIMIT - 1))], recorded[-1]]
    return list(recorded[:shown])


def author_differences(reference: Reference, work: Work) -> list[Difference]:
    """Return the differences in the author list; fields the record lacks are not compared."""
    recorded = tuple(a for a in work.authors if fold(a.family or a.name))
    if not recorded:
        return []
    cited = reference.fields.authors
    text = f"{reference.text} {reference.clean}"  # the analysis writes "…" as "." in the clean text
    string = reference_string(reference)
    exclude = frozenset(normalise(f"{work.title} {work.container}").split())
    found: list[Difference] = []
    missing = []
    remaining = string
    # longest names first, each taken out of the string once: "Kiecolt-Glaser" does not also stand for "Glaser"
    expected = _expected(recorded, cited, text)
    for author in sorted(expected, key=lambda a: -len(fold(a.family or a.name))):
        rest = consume(remaining, author, exclude)
        if rest is not None:
            remaining = rest
            continue
        close = _closest_word(remaining, author, exclude)
        if close:
            found.append(Difference("authors", _as_written(close, text), record_name(author), INFO))
        elif author.family or not any(a.family for a in recorded):
            missing.append(record_name(author))
        # else a group Crossref lists beside the people named ("The X Study Group"): references often leave it out
    if missing and (cited or found or len(missing) < len(expected)):  # a reference naming no one is not compared
        written = "; ".join(cited_name(a) for a in cited) or "(none)"
        found.append(Difference("authors", written, "also: " + "; ".join(missing), WARNING))
    found.extend(_initial_differences(cited, recorded))
    return found


def _initial_differences(cited: tuple[Author, ...], recorded: tuple[RecordAuthor, ...]) -> list[Difference]:
    """Compare initials where a parsed author is one of the record's authors: "Sahoo, A." for Swapnajeet Sahoo."""
    found = []
    for author in cited:
        if author.group or not _INITIALS.fullmatch(author.initials):
            continue
        same = [r for r in recorded if r.family and family_agrees(author.family, r.family)]
        if len(same) != 1:
            continue  # two authors share the family name, or the parser misread this one: nothing certain to say
        mine, theirs = cited_initials(author.initials), record_initials(same[0].given)
        if mine and theirs and mine[0] != theirs[0]:
            found.append(Difference("authors", cited_name(author), record_name(same[0]), WARNING))
    return found


def _as_written(word: str, text: str) -> str:
    """Return a normalised word as the reference spells it, when it can be found."""
    for token in re.findall(r"[^\W\d_][\w'’-]*", text):
        if normalise(token).replace(" ", "") == word:
            return str(token)
    return word
