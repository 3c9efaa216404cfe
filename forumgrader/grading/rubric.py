"""A rubric as plain values: criteria, their levels and the measured conditions that pick a level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class AppliesTo(StrEnum):
    """What a criterion looks at."""

    MAIN_POST = "main_post"
    EACH_REPLY = "each_reply"
    PARTICIPATION = "participation"


class Order(StrEnum):
    """How replies are ranked for "first response", "second response" and best-N criteria."""

    BEST = "best"  # by this criterion's points, ties to the earlier reply
    CHRONOLOGICAL = "chronological"


class RubricError(ValueError):
    """A rubric file that cannot be used, with every problem found, each naming file, criterion and key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


Params = tuple[tuple[str, Any], ...]  # a measure's parameters, sorted by name; lists become tuples


@dataclass(frozen=True, slots=True)
class MeasureCall:
    """A measure with its parameters, e.g. sources_recent with years = 5."""

    measure: str
    params: Params = ()

    def param(self, name: str, default: Any = None) -> Any:
        """Return one parameter's value."""
        return dict(self.params).get(name, default)


@dataclass(frozen=True, slots=True)
class Bound:
    """A condition: the measure's value lies between minimum and maximum (inclusive, either may be open)."""

    call: MeasureCall
    minimum: float | None = None
    maximum: float | None = None
    label: str = ""  # the key the rubric file used, when it names the measure under another name

    def holds(self, value: float) -> bool:
        """Tell whether a value meets the condition."""
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)


@dataclass(frozen=True, slots=True)
class Scale:
    """Where in a level's range the points fall: in proportion to a measure between two values."""

    call: MeasureCall
    start: float
    stop: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class Level:
    """One rating of a criterion; the first level whose conditions all hold is the student's."""

    name: str
    points: tuple[float, float]  # (low, high); equal for fixed points
    description: str = ""
    when: tuple[Bound, ...] = ()
    scale: Scale | None = None

    @property
    def is_range(self) -> bool:
        """Tell whether the level spans a range of points."""
        return self.points[0] != self.points[1]

    @property
    def span(self) -> str:
        """Write the level's points as a rubric file does: 10, or [6, 8]."""
        low, high = self.points
        return f"[{low:g}, {high:g}]" if self.is_range else f"{high:g}"

    def overlap(self, other: Level) -> str:
        """Say which points both levels hold beyond a shared end ("40 to 42 points", "40 points"), or ""."""
        low, high = max(self.points[0], other.points[0]), min(self.points[1], other.points[1])
        if low < high:
            return f"{low:g} to {high:g} points"
        if low == high and any(start < low < stop for start, stop in (self.points, other.points)):
            return f"{low:g} points"
        return ""


@dataclass(frozen=True, slots=True)
class Earn:
    """Points earned for each counted thing (post, comment, reply received), for engagement-point criteria."""

    call: MeasureCall
    points: float


@dataclass(frozen=True, slots=True)
class IfNotAssessed:
    """What a criterion gives when there is nothing to measure (no citations, no due date): points, or a decision."""

    points: float = 0.0
    instructor: bool = False  # the instructor decides (an override); until then `points`, provisional


@dataclass(frozen=True, slots=True)
class Criterion:
    """One row of the rubric."""

    id: str
    name: str
    applies_to: AppliesTo
    levels: tuple[Level, ...] = ()
    description: str = ""
    manual: bool = False
    rank: int = 1  # each_reply: the first reply this criterion scores, in `order`
    best: int = 1  # each_reply: how many replies it scores from there
    order: Order = Order.BEST
    earn: tuple[Earn, ...] = ()
    cap: float | None = None  # earn: points possible
    weekly_cap: float | None = None  # earn: most points one week can bring
    show: tuple[MeasureCall, ...] = ()  # measures written into the reason without deciding anything
    not_assessed: IfNotAssessed = field(default_factory=IfNotAssessed)

    @property
    def times(self) -> int:
        """Return how many times the levels are given: to `best` replies for each_reply criteria, else once."""
        return self.best if self.applies_to is AppliesTo.EACH_REPLY else 1

    @property
    def possible(self) -> float:
        """Return the most points this criterion can give."""
        if self.earn:
            return float(self.cap or 0.0)
        return max((level.points[1] for level in self.levels), default=0.0) * self.times

    def level_for(self, points: float) -> Level | None:
        """Return the level a number of points reaches: the best level whose lowest points it attains."""
        return next((level for level in self.levels if level.points[0] <= points), None)

    def calls(self) -> tuple[MeasureCall, ...]:
        """Return every measure the criterion reads, in the order the rubric names them."""
        found: dict[MeasureCall, None] = dict.fromkeys(self.show)
        for level in self.levels:
            for bound in level.when:
                found[bound.call] = None
            if level.scale:
                found[level.scale.call] = None
        for earn in self.earn:
            found[earn.call] = None
        return tuple(found)


@dataclass(frozen=True, slots=True)
class PromptPart:
    """A part of the discussion prompt: covered when every keyword group has one match in the post."""

    name: str
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class DueDates:
    """Due dates the rubric sets over the topic's, or derives one from the other."""

    initial: datetime | None = None
    replies: datetime | None = None
    initial_days_before_replies: float | None = None
    replies_days_after_initial: float | None = None


@dataclass(frozen=True, slots=True)
class Rubric:
    """A whole rubric file."""

    name: str
    title: str
    criteria: tuple[Criterion, ...]
    description: str = ""
    timezone: str = "UTC"
    due: DueDates = field(default_factory=DueDates)
    prompt: tuple[PromptPart, ...] = ()
    prompt_threshold: float = 85.0
    source: str = field(default="", compare=False)  # the file it came from

    @property
    def possible(self) -> float:
        """Return the rubric's points possible."""
        return sum(criterion.possible for criterion in self.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        """Return the criterion with this id, or raise KeyError naming the ones there are."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        known = ", ".join(c.id for c in self.criteria)
        raise KeyError(f"rubric {self.name!r} has no criterion {criterion_id!r}; it has: {known}")


def resolve_due(
    rubric: Rubric, topic_initial: datetime | None, topic_replies: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """Return the due dates of the initial post and of replies: the rubric's, else the topic's, else derived."""
    initial = rubric.due.initial or topic_initial
    replies = rubric.due.replies or topic_replies
    if initial is None and replies is not None and rubric.due.initial_days_before_replies is not None:
        initial = replies - timedelta(days=rubric.due.initial_days_before_replies)
    if replies is None and initial is not None and rubric.due.replies_days_after_initial is not None:
        replies = initial + timedelta(days=rubric.due.replies_days_after_initial)
    return initial, replies
