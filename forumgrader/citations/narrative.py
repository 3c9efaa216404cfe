"""Read the authors written just before a narrative citation's "(2020)": "Luna and Bo", "the World Health
Organization", "Ito et al."."""

from __future__ import annotations

import re

from forumgrader.citations.names import GROUP_NAME_WORDS, GROUP_WORDS, NOT_AUTHORS, ORG_WORDS
from forumgrader.citations.text import word_set

# Particles that open a surname in running text; "do", "e", "y" and "al" are English or Spanish words there.
_NARRATIVE_PARTICLES = word_set(
    "de del della der den di du da la le van von dos das ter ten De Del Di Du Da Le Van Von"
)
_TOKEN = re.compile(r"[^\W\d_][\w'\-]{0,40}\.?|&|,|[^\s\w]")
_POSSESSIVE = re.compile(r"(?:'s|s')(?:\s[a-z][a-z-]{1,20}){0,3}\s?$")


def names_before(text: str, at: int, groups: frozenset[str]) -> tuple[int, tuple[str, ...], bool] | None:
    """Read the authors that end just before `at` (a narrative citation's "("); return start, names, et al."""
    window_start = max(0, at - 120)
    window = text[window_start:at].rstrip()
    possessive = _POSSESSIVE.search(window) if "'" in window else None
    for written in (window, window[: possessive.start()]) if possessive else (window,):
        for group in groups:
            if written.endswith(group) and (len(written) == len(group) or not written[-len(group) - 1].isalnum()):
                return window_start + len(written) - len(group), (group,), False
    if possessive:
        window = window[: possessive.start()]
    tokens, starts = _last_tokens(window)
    i = len(tokens) - 1
    et_al = False
    if i >= 1 and tokens[i] in ("al.", "al") and tokens[i - 1] in ("et", "et."):
        et_al, i = True, i - 2
        i -= 1 if i >= 0 and tokens[i] == "," else 0
    names: list[str] = []
    first = -1
    joined = False  # an "and" or "&" was passed: only then may commas separate the names before it
    while i >= 0:
        token = tokens[i]
        if not (token[0].isupper() and _word(token)) or token.lower() in NOT_AUTHORS:
            break
        j = i - 1
        while j >= 0 and tokens[j] in _NARRATIVE_PARTICLES:
            j -= 1
        names.insert(0, " ".join(tokens[j + 1 : i + 1]))
        first, i = j + 1, j
        k = i
        while k >= 0 and tokens[k] in (",", "&", "and"):
            k -= 1
        joined = joined or any(t in ("&", "and") for t in tokens[k + 1 : i + 1])
        if k == i or k < 0 or not joined or not (tokens[k][0].isupper() and _word(tokens[k])):
            break
        i = k
    organisation = None if et_al or not names else _organisation(tokens, len(tokens) - 1)
    if organisation and _names_a_group(organisation[1], len(names)):
        return window_start + starts[organisation[0]], (organisation[1],), False
    if not names or first < 0:
        return None
    return window_start + starts[first], tuple(names), et_al


# Small tokens a reading of names may go past: joining words, particles, "et al."
_PASSED = frozenset((",", "&", "et", "et.", "al", "al.")) | GROUP_WORDS | _NARRATIVE_PARTICLES


def _last_tokens(window: str) -> tuple[list[str], list[int]]:
    """Return the tokens of the window, and where each starts, from the last one that stops every reading of names
    (not capitalised, no particle, joining word or "et al.": ".", "says"), or all of them; read a word at a time
    from the end, since no token holds a space."""
    words: list[list[re.Match[str]]] = []
    end = len(window)
    while True:
        head = window[:end].rstrip()
        start = max(head.rfind(" "), head.rfind("\n")) + 1
        if not head or any(map(str.isspace, head[start:])):  # read them all; at an odd space, the window whole
            found = [m for later in reversed(words) for m in later] if not head else list(_TOKEN.finditer(window))
            break
        word = list(_TOKEN.finditer(head, start))
        stop = next((at for at in range(len(word) - 1, -1, -1) if _stops(word[at].group())), -1)
        if stop >= 0:
            found = word[stop:] + [m for later in reversed(words) for m in later]
            break
        words.append(word)
        end = start
    return [m.group() for m in found], [m.start() for m in found]


def _stops(token: str) -> bool:
    """Tell whether no reading of names goes past a token: "." or "says" stop them, "Luna", "and" or "van" not."""
    return not token[0].isupper() and token not in _PASSED


def _names_a_group(name: str, people: int) -> bool:
    """Tell whether a capitalised run names an organisation rather than the people read from it."""
    words = [w.lower() for w in name.split()]
    if any(w in ORG_WORDS for w in words) or " of " in name or " for " in name:
        return True
    return people == 1 and any(w in GROUP_NAME_WORDS for w in words)  # "Smith and Health (2020)" stays two people


def _word(token: str) -> bool:
    return len(token) >= 2 and token[-1] != "." and token.lower() != "and" and not any(map(str.isdigit, token))


def _organisation(tokens: list[str], last: int) -> tuple[int, str] | None:
    """Read a group name such as "World Health Organization" ending at token `last`; return its first token."""
    i = last
    while i >= 1 and ((tokens[i - 1][0].isupper() and _word(tokens[i - 1])) or tokens[i - 1] in GROUP_WORDS):
        i -= 1
    while i < last and (tokens[i] in GROUP_WORDS or tokens[i].lower() in NOT_AUTHORS):
        i += 1
    if i == last:
        return None
    return i, " ".join(tokens[i : last + 1])
