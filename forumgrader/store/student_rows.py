"""The dashboard's students table as the address asks for it: sorted, filtered, one page of it (on the server, so
that it also works without JavaScript and a page stays small however large the class)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from forumgrader.store.dashboard import StudentRow

PER_PAGE = 100  # students on one page of the table
# How the table sorts, by the name in ?sort=; ties fall back to the student's name.
SORTS: dict[str, Callable[[StudentRow], Any]] = {
    "name": lambda row: row.sort_name.casefold(),
    "score": lambda row: row.percent if row.percent is not None else -1.0,
    "posts": lambda row: row.posts,
    "replies": lambda row: row.replies,
    "references": lambda row: row.references,
    "flags": lambda row: (row.flags, row.flags_awaiting),
    "late": lambda row: row.late,
}
# What the "only" filters keep, by the name in ?only=.
ONLY: dict[str, Callable[[StudentRow], bool]] = {
    "flags": lambda row: row.flags > 0,
    "late": lambda row: row.late > 0,
    "provisional": lambda row: row.provisional,
}


@dataclass(frozen=True, slots=True)
class RowQuery:
    """How the table is sorted and filtered, and which page of it is shown (also without JavaScript, from the
    address: ?sort=score&order=desc&q=ada&only=flags&page=2)."""

    sort: str = "name"
    descending: bool = False
    text: str = ""
    only: frozenset[str] = frozenset()
    page: int = 1

    @property
    def filtered(self) -> bool:
        """Tell whether the query leaves some students out."""
        return bool(self.text.split() or self.only)


@dataclass(frozen=True, slots=True)
class TablePage:
    """One page of the sorted, filtered table, and where it stands among the rest."""

    rows: list[StudentRow]
    page: int  # from 1
    pages: int
    matching: int  # students the filters keep
    total: int  # students of the topic
    first: int  # the number of the page's first row among the matching ones (from 1; 0 when none)

    @property
    def complete(self) -> bool:
        """Tell whether this page holds every student (so a script may sort and filter it in place)."""
        return self.matching == self.total and self.pages == 1


def matches(row: StudentRow, query: RowQuery) -> bool:
    """Tell whether a student's row passes the query's filters."""
    words = query.text.casefold().split()
    return all(word in row.name.casefold() for word in words) and all(ONLY[name](row) for name in query.only)


def sort_rows(rows: Sequence[StudentRow], query: RowQuery) -> list[StudentRow]:
    """Sort the students' rows as the query asks; ties keep the order of names."""
    by_name = sorted(rows, key=SORTS["name"])
    return sorted(by_name, key=SORTS.get(query.sort, SORTS["name"]), reverse=query.descending)


def table_page(rows: Sequence[StudentRow], query: RowQuery) -> TablePage:
    """Filter and sort the students' rows as the query asks, and return the page it asks for (the last one when
    it asks beyond), of PER_PAGE rows."""
    kept = [row for row in sort_rows(rows, query) if matches(row, query)]
    pages = max(1, -(-len(kept) // PER_PAGE))
    page = min(max(1, query.page), pages)
    start = (page - 1) * PER_PAGE
    shown = kept[start : start + PER_PAGE]
    return TablePage(shown, page, pages, len(kept), len(rows), start + 1 if shown else 0)
