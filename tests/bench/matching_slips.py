"""Cases for the verification classes that used to slip, added to the matching benchmark after its other cases.

- a record whose title lost characters the reference has (a deposit that dropped a Greek letter, a formula or an
  italic name): the served record is the shipped one with that element taken out of its title;
- pages with letter suffixes ("1078c-8" for 1078c-1078h): the served record's pages get the suffixes;
- a DOI written without its "10.": a broken DOI, reported with the right DOI;
- an author's name with two letters transposed ("Smtih"), in APA and in styles that write given names in full.

They are served from a collection of their own, so that the other cases and their figures do not change.
"""

from __future__ import annotations

import random
import re
from typing import Any

from matching_cases import Case, Collection, articles, render

_ELEMENT = re.compile(r"<(i|sub|sup|scp)>[^<]{1,40}</\1>")
_GREEK = re.compile(r"[\u0391-\u03a9\u03b1-\u03c9]")


def _stripped(title: str) -> str:
    """Return a title as a deposit that lost an inline element or a Greek letter has it; "" when it has neither."""
    if _GREEK.search(title):
        return _GREEK.sub("", title)
    found = _ELEMENT.search(title)
    return title[: found.start()] + " " + title[found.end() :] if found else ""


def _transposed(name: str, rng: random.Random) -> str:
    """Return a family name with two neighbouring letters swapped ("Smith" -> "Smtih"), or "" when none differ."""
    spots = [i for i in range(1, len(name) - 2) if name[i] != name[i + 1] and name[i : i + 2].isalpha()]
    if not spots:
        return ""
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def slip_cases(collection: Collection, rng: random.Random, per_class: int = 40) -> list[Case]:
    """Return the cases, changing the records of the collection they need (each record serves one case)."""
    free = [r for r in articles(collection.records) if not r.get("bench-retracted")]
    rng.shuffle(free)
    out: list[Case] = []
    taken: set[str] = set()

    def take(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        chosen = [r for r in records if r["DOI"] not in taken][:per_class]
        taken.update(r["DOI"] for r in chosen)
        return chosen

    for record in take([r for r in free if _stripped(r["title"][0])]):
        text = render(record, doi=rng.random() < 0.5)  # the title as the article prints it
        record["title"] = [_stripped(record["title"][0])]
        out.append(
            Case(
                "record title lost characters",
                text,
                frozenset({"verified"}),
                record["DOI"].lower(),
                correct=True,
                slip=True,
            )
        )
    ranged = [r for r in free if re.fullmatch(r"\d{2,5}-\d{2,5}", r.get("page", "")) and r.get("volume")]
    for n, record in enumerate(take(ranged)):
        first = record["page"].split("-")[0]
        text = render(record, doi=False)
        written = [f"{first}c–{first}h", f"{first}c–{first[-2:].lstrip('0') or first}", f"{first}c–h"][n % 3]
        record["page"] = f"{first}c-{first}h"
        out.append(
            Case(
                "pages with letter suffixes",
                re.sub(r"\b" + re.escape(first) + r"[–-]\d+", written, text, count=1),
                frozenset({"verified"}),
                record["DOI"].lower(),
                correct=True,
                slip=True,
            )
        )
    for n, record in enumerate(take(free)):
        doi = record["DOI"].lower()
        text = render(record)
        form = [f"https://doi.org/{doi[3:]}", f"doi:{doi[3:]}", doi[3:]][n % 3]
        written = text.replace(f"https://doi.org/{doi}", form)
        out.append(Case("DOI without its 10.", written, frozenset({"broken_doi"}), doi, field="doi", slip=True))
    named = [r for r in free if any(_transposed(a.get("family", ""), rng) for a in r["author"])]
    for n, record in enumerate(take(named)):
        author = next(a for a in record["author"] if _transposed(a.get("family", ""), rng))
        style = ["apa", "chicago-author-date"][n % 2]
        text = render(record, style, doi=False)
        wrong = _transposed(author["family"], rng)
        out.append(
            Case(
                "author with transposed letters",
                text.replace(author["family"], wrong, 1),
                frozenset({"mismatch"}),
                record["DOI"].lower(),
                field="authors",
                style=style,
                slip=True,
            )
        )
    return out
