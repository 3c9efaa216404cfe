"""Read a line of a reference list: does it open an entry, does the entry so far look whole, is it prose instead?"""

from __future__ import annotations

import re

from forumgrader.citations.names import GROUP_WORDS, is_surname
from forumgrader.citations.text import LMS_RESIDUE, residue, word_set

_PARTICLES = r"(?:(?:de|la|le|du|des|del|della|di|da|dos|van|der|den|von|ter|ten|al|el|st\.?)\s){0,3}"
_WORD = r"[^\W\d_][\w'-]{0,40}"
PERSON = re.compile(_PARTICLES + rf"(?P<family>{_WORD}(?:\s{_WORD}){{0,2}}),\s{{0,2}}(?P<given>[^\W\d_]{{1,20}}\.?)")
_VANCOUVER = re.compile(  # "Spratt NJ, ", "Tallgren A.M., " "Păstrav I., "
    rf"(?P<family>{_WORD}(?:\s{_WORD}){{0,2}})\s(?P<given>[A-Z]{{1,3}}|(?:[A-Z]\.-?){{1,3}}(?=,\s))"
    r"(?:,\s|\.\s|\s(?=\((?:1[5-9]|20)\d\d))"
)
# A family name in capitals, then the given name: "ROBIN Régine, ", "DONIER Virginie et", as French lists write them.
_CAPITALS_FIRST = re.compile(
    r"[A-Z][A-Z'-]{2,}(?:\s[A-Z][A-Z'-]{2,}){0,2}\s[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?(?:,|\set\s)"
)
_GIVEN_FIRST = re.compile(rf"(?:[A-Z]\.\s?-?){{1,3}}\s?{_WORD}(?:,|\sand\s|\s&\s)")  # "S. E. Han, G. Chen," (IEEE)
_GROUP = re.compile(
    r"(?P<family>(?:[A-Z]\.){0,4}\s?[^\W\d_][^.()\[\]\n]{1,150}?)(?:\s?[(\[][A-Z][A-Za-z]{1,10}[)\]])?\.\s{0,2}"
    r"(?P<date>\()(?:\d{4}|n\.\s?d\.|in press|forthcoming)[^()]{0,30}\)\.",
    re.IGNORECASE,
)
_YEAR_FIRST = re.compile(r"(?:1[5-9]|20)\d\d[a-z]?\s?[:.,]\s(?:[^\W\d_]\.\s?){0,3}[A-Z][^\W\d_]")  # "1995: Ulf..."
YEAR_ELEMENT = re.compile(r"\((?:1[5-9]\d\d|20\d\d)[a-z]?(?:[,/-][^()]{0,30})?\)|\(n\.\s?d\.(?:-[a-z])?\)|\(in press\)")
_YEAR_DIGITS = re.compile(r"(?:1[6-9]|20)\d\d(?!\d)")  # no look-behind: scanning with one is ten times slower
_NO_DATE = re.compile(r"\bn\.\s?d\.")
# An entry may end without a stop, at its pages or its year: "..., 2004" / "... 79 (2001), pp. 39-41"
_NUMBERS_END = re.compile(r"(?:\b(?:1[5-9]|20)\d\d|\d{1,5}\s?[-–]\s?\d{1,5})$")
REF_FEATURE = re.compile(
    r"\d{1,5}\s?\(\S{1,12}\)|\bpp?\.\s?\d|\d{1,6}\s?[-–]\s?\d{1,6}|doi|https?:|www\.|\b(?:Retrieved|Available|"
    r"Press|Publish\w*|Journal|Review|University|Vol\.|vol\.|ed\.|Eds?\.)",
)
# An author element left open at a line end: the next line goes on with it, whatever it looks like ("M. Vale, M.").
_OPEN_AUTHORS = re.compile(r"(?:[,&]|\band|…|\.\s?\.\s?\.)$")
CONTINUES = re.compile(
    r"[a-z(\[&]|\d{1,5}\s?(?:\(\S{1,12}\)|[,:;.-])|(?:https?:|www\.|doi|DOI|Retrieved|Available|Accessed|In |pp?\.|"
    r"Article |PMID|PMCID|Epub|Vol\.|\))"
)
# What only ever follows an entry on a line of its own: its link, its DOI, where it was retrieved, LMS residue.
_ATTACHMENT = re.compile(
    r"(?:https?://|www\.|doi\s?:|DOI\s?:|https?:\s|10\.\d{4,9}/|[(\[]?(?:Retrieved|Available|Accessed|viewed|Online:|Acesso|Consult[ée]|Abgerufen|Zugriff|Disponível|Disponible|Verfügbar)|PMID|PMCID)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[a-z]{3}[.?!] [A-Z][a-z]")
_CITATION = re.compile(r"\([A-Z][a-z]+(?: et al\.| (?:&|and) [A-Z][a-z]+)?, (?:1[5-9]|20)\d\d[a-z]?\)")
_NAME_WORDS = word_set("and und et al von van der den del della dos das les")
_NAME_ALONE = re.compile(r"[^\W\d_][\w'-]*(?:,?\s[^\W\d_][\w'-]*){0,2}[,!]?")
_ABBREVIATED = re.compile(
    r"(?:[A-Z]\.){1,3}|(?:[A-Z][a-z]?\.-?){1,2}|(?:ed|eds|vol|no|pp|p|dept|univ|trans|inc|co|st)\.", re.IGNORECASE
)
# The writer or the reader of a post, doing something: "I think", "we saw", "your post" (not "Phase I: Report").
_PERSONAL = re.compile(r"\b(?:I'(?:m|ve|d|ll)|I\s(?!and\b)[a-z]{2,}|(?:[Ww]e|[Yy]ou|[Mm]y|[Oo]ur|[Yy]our)\s[a-z]{2,})")
# How posts close or greet; not words a title may open with ("Great Falls", "Hope and Despair", "Best Practices").
_SIGN_OFF = re.compile(
    r"(?:thanks|thank you|many thanks|thx|best regards|best wishes|kind regards|warm regards|regards|cheers|"
    r"sincerely|respectfully|take care|good luck|hi|hello|hey|dear (?:all|class|everyone|classmates|professor)|"
    r"looking forward|see you|let me know)(?=[\s,!.:]|$)",
    re.IGNORECASE,
)
_FUNCTION_WORDS = word_set(
    """
    the a an and or but of to in on at for with is are was were be been it this that these those as by from not
    can could would should will may might have has had do does did so than then there their they he she his her
    its which who what when where how also very more most
    """
)


def any_year(text: str) -> bool:
    """Tell whether a text gives a year (1600-2099, not inside a longer number) or "n.d."."""
    for found in _YEAR_DIGITS.finditer(text):
        if not found.start() or not text[found.start() - 1].isdigit():
            return True
    return "n." in text and bool(_NO_DATE.search(text))


def entry_start(body: str) -> int:
    """Rate how surely a line opens a reference entry: 2 sure, 1 likely, 0 not."""
    head = body[:700]
    year = YEAR_ELEMENT.search(head)
    person = PERSON.match(head)
    if person and is_surname(person.group("family")):
        given = person.group("given")
        if year and (len(given) <= 2 and given[0].isupper()) and year.start() < 600:
            return 2
        return 1 if given[0].isupper() else 0
    vancouver = _VANCOUVER.match(head)
    if vancouver and is_surname(vancouver.group("family")) and any_year(head):
        return 2 if re.search(r"\b(?:19|20)\d\d\s?(?:[A-Z][a-z]{2}\s?)?[;:(]|\bdoi\b", head) else 1
    group = _GROUP.match(head)
    if group and group.group("family")[0].isupper() and year and year.start() == group.start("date"):
        words = group.group("family").split()
        titled = len(words) <= 12 and all(w[0].isupper() or w in GROUP_WORDS for w in words)
        return 2 if titled else 1  # a work without author opens with its title
    if ((_GIVEN_FIRST.match(head) or _CAPITALS_FIRST.match(head)) and any_year(head)) or _YEAR_FIRST.match(head):
        return 1
    return 0


def looks_like_reference(body: str) -> bool:
    """Tell whether a text has a year and something only references have (volume, pages, DOI, publisher...)."""
    return any_year(body[:600]) and bool(REF_FEATURE.search(body[:600]))


def has_year(entry_text: str) -> bool:
    """Tell whether an entry so far gives a year (or n.d.)."""
    return bool(YEAR_ELEMENT.search(entry_text[:600])) or any_year(entry_text[:600])


def complete(entry_text: str) -> bool:
    """Tell whether an entry so far has its year and ends as a sentence does (not at an initial: "di M.")."""
    tail = entry_text[-120:]
    tail = (LMS_RESIDUE.sub("", tail) if residue(tail) else tail).rstrip()
    if re.search(r"(?:https?://|doi\.org/|10\.\d{4,9}/)\S{1,300}$", tail):
        return True
    last = tail.rsplit(None, 1)[-1] if tail else ""
    if _ABBREVIATED.fullmatch(last):
        return False
    return has_year(entry_text) and (tail[-1:] in ".?!)" or bool(_NUMBERS_END.search(tail)))


def open_authors(entry_text: str) -> bool:
    """Tell whether an entry so far is an author list that stops at a separator, before any date."""
    tail = entry_text[-6:].rstrip()
    if len(entry_text) >= 400 or not tail.endswith((",", "&", "and", "…", ".")):
        return False
    if not _OPEN_AUTHORS.search(entry_text[-8:].rstrip()) or has_year(entry_text):
        return False
    words = [w for w in re.findall(r"[^\W\d_]{3,}", entry_text) if w.islower() and w not in _NAME_WORDS]
    return ":" not in entry_text and len(words) <= 1  # names only: no title words, no "Place: Publisher"


def cut_off(entry_text: str, body: str) -> bool:
    """Tell whether a paragraph goes on with an entry cut by a blank line: "... of the neural" / "mechanisms of..."."""
    if complete(entry_text) or entry_start(body):
        return False
    if not has_year(entry_text) and CONTINUES.match(body):
        return True  # "Pirkola, S." / "(2022). Socioeconomic factors..."
    return entry_text.rstrip()[-1:].isalpha() and body[:1].islower()


def attachment(body: str) -> bool:
    """Tell whether a line is only what follows an entry: a link, a DOI, "Retrieved from...", LMS residue."""
    return bool(_ATTACHMENT.match(body) or LMS_RESIDUE.fullmatch(body.strip()))


def sign_off(text: str) -> bool:
    """Tell whether a short line closes a post ("Thanks, Maria", "Best wishes") rather than naming an author."""
    return len(text.split()) <= 5 and bool(_SIGN_OFF.match(text.lstrip("-–*• "))) and not any_year(text)


def prose(text: str, *, line: bool = False, strong: bool = False) -> bool:
    """Tell whether a paragraph is demonstrably not a reference: a greeting, a question, first or second person...

    `line`: the text is one line of a paragraph, which may be a line of a wrapped entry ("Where are my followers?"
    may be a line of a title): only a greeting or the writer's own voice, twice, then tells. `strong`: only what no
    reference looks like counts, not a question nor a name alone (which a title or a truncated entry may be)."""
    head = text[:600]
    words = text.split()
    shaped = any_year(head) or bool(REF_FEATURE.search(head))
    if _SIGN_OFF.match(text.lstrip("-–*• ")) and (len(words) <= 6 or not shaped):
        return True
    if shaped and ("http" in text or "doi" in text.lower()):
        return False  # a link or a DOI: a reference, whatever else it holds
    personal = _personal(text)
    if shaped:
        if personal >= 3:
            return True
        cited = _CITATION.search(text)  # "(Marwood et al., 2018)": a paragraph that cites is no reference
        return bool(cited) and (personal > 0 or len(_SENTENCE.findall(text)) >= 3) and _wordy(words)
    if personal >= (2 if line else 1):
        return True
    if line or strong:
        return len(words) >= 40 and _wordy(words)
    if len(words) <= 3:
        return bool(_NAME_ALONE.fullmatch(text.strip()))  # "Maria": a signature, not a short title
    return text.rstrip().endswith(("?", "!")) or (len(words) >= 40 and _wordy(words))


def _personal(text: str) -> int:
    """Count the places a text speaks in the first or second person ("I think", "your post")."""
    if not any(word in text for word in ("I", "we", "We", "you", "You", "my", "My", "our", "Our")):
        return 0
    return len(_PERSONAL.findall(text, 0, 1000))


def _wordy(words: list[str]) -> bool:
    """Tell whether words run as sentences do, more of them small than titles have."""
    lower = [w.lower().strip(".,;:") for w in words]
    return sum(w in _FUNCTION_WORDS for w in lower) >= 0.3 * len(words)
