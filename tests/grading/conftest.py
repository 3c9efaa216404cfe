"""Fixtures for grading tests: the measure context of the test week, and a participation builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

import pytest

from forumgrader.grading.facts import Participation, PostFacts, participations
from forumgrader.grading.measures import Context

from .factories import DUE_INITIAL, DUE_REPLIES, NOW


@pytest.fixture
def context() -> Context:
    """The measure context of the week the tests are set in."""
    return Context(NOW, DUE_INITIAL, DUE_REPLIES, UTC)


@pytest.fixture
def participation_of() -> Callable[..., Participation]:
    """Build one student's participation from a topic's posts."""

    def build(student: str, *posts: PostFacts, staff: tuple[str, ...] = ()) -> Participation:
        authors = {p.author for p in posts if p.author}
        return participations(posts, sorted(authors | {student}), staff=staff)[student]

    return build
