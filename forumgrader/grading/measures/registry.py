"""The measure registry: each measure is a named function over a post or a participation, with typed parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from forumgrader.grading.facts import Participation, PostFacts
from forumgrader.grading.rubric import MeasureCall, PromptPart


class Scope(StrEnum):
    """What a measure reads: one post, or the student's whole participation."""

    POST = "post"
    PARTICIPATION = "participation"


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter a rubric may give a measure."""

    kind: str  # integer | number | text | texts
    default: Any
    help: str
    choices: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Measured:
    """A measure's value and its evidence in words."""

    value: float | None  # None: the thing measured is missing (no main post, too few replies): conditions fail
    evidence: str
    awaiting: frozenset[str] = frozenset()  # references whose pending review could change the value
    awaiting_minor: frozenset[str] = frozenset()  # small differences nobody reviewed: each dismissal lowers it by 1
    events: tuple[datetime | None, ...] = ()  # when each counted thing happened, for engagement points
    gap: Gap | None = None  # set when there is nothing to measure: the measure is "not assessed"

    @property
    def assessed(self) -> bool:
        """Tell whether there was something to measure."""
        return self.gap is None


@dataclass(frozen=True, slots=True)
class Gap:
    """Why a measure has nothing to measure, in words, and whether only the instructor can settle it."""

    reason: str  # "no due date is set for the main post", "nothing is cited"
    instructor: bool = False  # the topic lacks what the measure needs (a due date): the instructor decides
    hint: str = ""  # what the student could do to be assessed: "cite your sources ..."


def not_assessed(reason: str, *, instructor: bool = False, hint: str = "") -> Measured:
    """Say that a measure has nothing to measure, and why."""
    return Measured(None, f"not assessed: {reason}", gap=Gap(reason, instructor, hint))


@dataclass(frozen=True, slots=True)
class Context:
    """What every measure may know besides the posts: the clock, due dates, the rubric's prompt parts."""

    now: datetime
    due_initial: datetime | None = None
    due_replies: datetime | None = None
    timezone: tzinfo | None = None
    prompt: tuple[PromptPart, ...] = ()
    prompt_threshold: float = 85.0


@dataclass(frozen=True, slots=True)
class Subject:
    """What a criterion scores: a participation, and for post criteria the one post (main post or a reply)."""

    participation: Participation
    post: PostFacts | None = None
    as_reply: bool = False


@dataclass(frozen=True, slots=True)
class Measure:
    """A registered measure."""

    name: str
    scope: Scope
    help: str
    compute: Callable[..., Measured]
    params: Mapping[str, Param] = field(default_factory=dict)
    total: Callable[..., str] | None = None  # post measures that add up: phrase for the sum over all posts
    counts: bool = False  # yields events, so engagement points can be earned from it


MEASURES: dict[str, Measure] = {}


def measure(
    name: str,
    scope: Scope,
    help: str,
    *,
    params: Mapping[str, Param] | None = None,
    total: Callable[..., str] | None = None,
    counts: bool = False,
) -> Callable[[Callable[..., Measured]], Callable[..., Measured]]:
    """Register a function as the measure `name`."""

    def register(function: Callable[..., Measured]) -> Callable[..., Measured]:
        MEASURES[name] = Measure(name, scope, help, function, dict(params or {}), total, counts)
        return function

    return register


def arguments(call: MeasureCall) -> dict[str, Any]:
    """Return the call's parameters with the measure's defaults filled in."""
    found = MEASURES[call.measure]
    values = {name: param.default for name, param in found.params.items()}
    values.update({name: list(value) if isinstance(value, tuple) else value for name, value in call.params})
    return values


def evaluate(call: MeasureCall, subject: Subject, context: Context) -> Measured:
    """Compute one measure for a subject; a post measure on a participation adds up over all the student's posts."""
    found = MEASURES[call.measure]
    params = arguments(call)
    if found.scope is Scope.PARTICIPATION:
        return found.compute(subject.participation, context, **params)
    if subject.post is not None:
        return found.compute(subject.post, context, subject.as_reply, **params)
    assert found.total is not None, f"{call.measure} cannot be added up over posts"
    main = subject.participation.main_post
    every = [
        found.compute(post, context, post is not main and post.is_reply, **params)
        for post in subject.participation.all_posts
    ]
    parts = [part for part in every if part.assessed]
    if every and not parts:  # none of the posts holds anything to measure
        return every[0]
    total = sum(part.value or 0.0 for part in parts)
    posts = len(parts)
    return Measured(
        total,
        f"{found.total(total, **params)} across {posts} post{'' if posts == 1 else 's'}",
        frozenset().union(*(part.awaiting for part in parts)),
        frozenset().union(*(part.awaiting_minor for part in parts)),
    )


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """Write a count with its noun: "1 source", "3 sources", "no sources"."""
    number = int(count) if float(count).is_integer() else round(count, 2)
    noun = singular if number == 1 else (plural_form or singular + "s")
    return f"{'no' if number == 0 else number} {noun}"
