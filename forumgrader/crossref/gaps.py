"""Tell a record title that lost part of itself in its publisher's deposit from a title that differs.

Deposits drop what their pipeline could not carry: a Greek letter ("Role of  in..." for "Role of TNF-α in..."),
MathML, a formula, an italic name. The reference then holds words the record lacks, where the record shows a gap or
where the missing words look like what gets lost; that is no mistake of the student's.
"""

from __future__ import annotations

import re

from forumgrader.crossref.normal import normalise, plain

_GREEK_NAMES = frozenset(
    re.findall(
        r"\w+",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
        "upsilon phi chi psi omega",
    )
)
# Where an element was taken out: two line breaks, two spaces, empty brackets, a hyphen or a comma left alone
# (not " :" nor " ;", which French typography writes).
_GAP = re.compile(r"\S\s*\n\s*\n\s*\S|\S {2,}\S|\(\s*\)|\[\s*\]|\w-(?=\s|$)|\s[,.)]|^\s*[,.;:]")
_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:\s[a-z]+){1,2}")  # "Apostichopus japonicus": a species, once in italics
MAX_LOST = 5  # words


def _words(title: str) -> list[tuple[str, str]]:
    """Return each normalised word of a title with the word as written that it comes from."""
    return [(word, token) for token in plain(title).split() for word in normalise(token).split()]


def _looks_lost(tokens: list[str]) -> bool:
    """Tell whether words look like what deposits lose: Greek letters, formulas, symbols, a Latin name."""
    for token in tokens:
        if not token.isascii() or any(c.isdigit() for c in token) or any(c.isupper() for c in token[1:]):
            return True  # "β", "CO2", "TNF-α", "NF-kB"
        if normalise(token) in _GREEK_NAMES:
            return True
    return bool(_LATIN_NAME.fullmatch(" ".join(tokens).strip(" ,.;:()")))


def _missing_runs(cited: str, recorded: list[str]) -> list[list[str]] | None:
    """Return the runs of cited words the record's words skip, or None when the record is not a part of the cited."""
    runs: list[list[str]] = []
    run: list[str] = []
    j = 0
    for word, token in _words(cited):
        if j < len(recorded) and word == recorded[j]:
            j += 1
            if run:
                runs.append(run)
                run = []
        elif not run or run[-1] != token:
            run.append(token)
    if run:
        runs.append(run)
    return runs if j == len(recorded) else None


def lost_in_deposit(cited: str, record_title: str) -> bool:
    """Tell whether a record's title (as deposited, markup and all) is the cited title less what a deposit lost."""
    recorded = normalise(plain(record_title)).split()
    if len(recorded) < 3 or not cited:
        return False
    runs = _missing_runs(cited, recorded)
    if not runs or len(runs) > 2:
        return False
    missing = sum(len(normalise(" ".join(run)).split()) for run in runs)
    if missing > MAX_LOST or missing > 0.4 * (missing + len(recorded)):
        return False
    return bool(_GAP.search(record_title)) or all(_looks_lost(run) for run in runs)
