"""Compare volume, issue and pages: swapped volume and issue, truncated ranges, article numbers written as pages."""

from __future__ import annotations

import re

from forumgrader.crossref.model import Difference, Work
from forumgrader.crossref.normal import fold, plain

INFO, WARNING = "info", "warning"
_LABEL = re.compile(r"^\s*(?:vol(?:ume)?|no|n[°º]|nr|issue|t|tome|heft|bd)\.?\s*", re.IGNORECASE)
_PAGE_LABEL = re.compile(r"^\s*(?:pp?\.?|pages?|article(?:\s+(?:no\.?|number))?|art\.?|e-?locator)\s*", re.IGNORECASE)
_DASH = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")


def number_form(value: str) -> str:
    """Return a volume, issue or page as compared: letters and digits, lower case, no label, no leading zeros."""
    return fold(_LABEL.sub("", value or "")).lstrip("0")


def digits(value: str) -> str:
    """Return only the digits of a value."""
    return "".join(ch for ch in value if ch.isdigit())


def _same_number(cited: str, recorded: str) -> bool:
    """Tell whether two volumes or issues are the same: "Suppl 1" and "S1", "n° 95" and "95"."""
    return cited == recorded or (bool(digits(cited)) and digits(cited) == digits(recorded))


def _issue_parts(issue: str) -> set[str]:
    return {number_form(p) for p in re.split(r"[-/,&\u2013]|\band\b", issue) if number_form(p)}


def typo(a: str, b: str) -> bool:
    """Tell whether two numbers of two or more digits differ by a slip of one digit or two swapped digits."""
    return len(a) == len(b) > 1 and (sum(x != y for x, y in zip(a, b, strict=True)) == 1 or sorted(a) == sorted(b))


def volume_issue_differences(volume: str, issue: str, work: Work) -> list[Difference]:
    """Return volume and issue differences; volume and issue written the other way round is a slip."""
    cited_volume, cited_issue = number_form(volume), number_form(issue)
    record_volume, record_issue = number_form(work.volume), number_form(work.issue)
    volume_wrong = bool(cited_volume and record_volume and not _same_number(cited_volume, record_volume))
    issue_wrong = bool(
        cited_issue
        and record_issue
        and not _same_number(cited_issue, record_issue)
        and cited_issue not in _issue_parts(work.issue)
    )
    if volume_wrong and issue_wrong and cited_volume == record_issue and cited_issue == record_volume:
        return [Difference("volume", volume, work.volume, INFO), Difference("issue", issue, work.issue, INFO)]
    if volume_wrong and not record_issue and cited_issue == record_volume:
        return [Difference("volume", volume, work.volume, INFO)]  # the volume written where the issue goes
    found = []
    if volume_wrong:
        found.append(Difference("volume", volume, work.volume, INFO if typo(cited_volume, record_volume) else WARNING))
    if issue_wrong:
        found.append(Difference("issue", issue, work.issue, INFO if typo(cited_issue, record_issue) else WARNING))
    return found


def _page_parts(page: str) -> tuple[str, str, str]:
    """Split a page into letters before, digits and letters after: "e123" -> ("e", "123", ""), "1078c" -> "c"."""
    found = re.fullmatch(r"([a-z]*)(\d*)([a-z]*)", page)
    if not found:
        return "", page, ""
    if not found.group(2):
        return "", "", page  # letters alone: the end of a range ("1078c-h")
    return found.group(1), found.group(2), found.group(3)


def page_range(pages: str) -> tuple[str, str, bool]:
    """Return first page, last page and whether a range was begun: "pp. 1425-37" -> ("1425", "1437", True).

    A last page written short takes its missing digits (and letters before) from the first: "1078c-8" is
    1078c-1078, "e123-30" is e123-e130, "1078c-h" is 1078c-1078h."""
    text = _PAGE_LABEL.sub("", plain(pages))
    parts = _DASH.split(text.strip(" .,;"), maxsplit=1)
    first = number_form(parts[0])
    last = number_form(parts[1]) if len(parts) > 1 else ""
    (lead, number, _), (last_lead, last_number, last_tail) = _page_parts(first), _page_parts(last)
    if number and last and len(last_number) < len(number) and not last_lead:
        last = lead + number[: len(number) - len(last_number)] + last_number + last_tail  # "1425-37" is 1425-1437
    return first, last, len(parts) > 1


def same_page(cited: str, recorded: str) -> bool:
    """Tell whether two pages (as page_range returns them) are one: "1078" and "1078h" are, when one lost its letter."""
    if cited == recorded:
        return True
    (lead, number, tail), (record_lead, record_number, record_tail) = _page_parts(cited), _page_parts(recorded)
    return bool(number) and number == record_number and lead == record_lead and not (tail and record_tail)


def usable_range(pages: str) -> bool:
    """Tell whether a record's page field can be compared ("604.4-604" and "99-12" cannot)."""
    first, last, _ = page_range(pages)
    if re.search(r"\d\.\d", pages):
        return False
    return not (first.isdigit() and last.isdigit() and int(last) < int(first))


def pages_difference(pages: str, article_number: str, work: Work) -> Difference | None:
    """Return the pages difference; an article number written as pages and "pp." are not differences."""
    cited = pages or article_number
    if not cited or not (work.pages or work.article_number):
        return None
    first, last, ranged = page_range(cited)
    record_number = number_form(work.article_number)
    if record_number and first == record_number and not last:
        return None
    record_first, record_last, _ = page_range(work.pages)
    if not record_first or not usable_range(work.pages):
        return None
    if same_page(first, record_first):
        if not record_last or same_page(last, record_last):
            return None
        # "581" or "61-" for 581-624 or 61-72: the right article, its range left incomplete
        return Difference("pages", cited, work.pages, INFO if not last or typo(last, record_last) else WARNING)
    if last and record_number and first == "1" and last.isdigit():
        return None  # "1-12" of an article that also has an article number: the PDF's own page count
    severity = INFO if typo(first, record_first) and (not ranged or last == record_last) else WARNING
    return Difference("pages", cited, work.pages or work.article_number, severity)
