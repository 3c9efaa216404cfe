"""Small factories for grading tests: times, sources and posts as plain values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forumgrader.grading.facts import FindingFacts, PostFacts, SourceFacts

DUE_INITIAL = datetime(2024, 9, 11, 23, 59, tzinfo=UTC)  # Wednesday, Day 3
DUE_REPLIES = datetime(2024, 9, 15, 23, 59, tzinfo=UTC)  # Sunday, Day 7
NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A time in September 2024, UTC."""
    return datetime(2024, 9, day, hour, minute, tzinfo=UTC)


def source(verdict: str | None = "verified", year: int = 2022, **fields: Any) -> SourceFacts:
    """A journal article source with a verdict; `matched` follows the verdict unless given."""
    fields.setdefault("matched", verdict in ("verified", "mismatch"))
    fields.setdefault("peer_reviewed", fields["matched"])
    fields.setdefault("key", f"k-{verdict}-{year}-{len(fields)}")
    fields.setdefault("label", f"Author ({year})")
    return SourceFacts(year=year, type="journal-article", verdict=verdict, **fields)


_ids = iter(range(1, 1_000_000))


def post(
    author: str = "ana",
    *,
    words: int = 300,
    when: datetime | None = None,
    parent: int | str | None = None,
    sources: tuple[SourceFacts, ...] = (),
    findings: tuple[tuple[str, str], ...] = (),
    text: str = "",
    **fields: Any,
) -> PostFacts:
    """A post with the given length, sources and findings (code, severity)."""
    return PostFacts(
        post_id=fields.pop("post_id", next(_ids)),
        author=author,
        created_at=when or at(10),
        text=text,
        words=words,
        parent_id=parent,
        references=sources,
        findings=tuple(FindingFacts(code, severity) for code, severity in findings),
        **fields,
    )
