"""Score a student's participation against a rubric: a level and points per criterion, each with its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from forumgrader.grading.facts import Participation, PostFacts
from forumgrader.grading.feedback import feedback
from forumgrader.grading.measures import Context, Measured, Subject, evaluate
from forumgrader.grading.measures.registry import plural
from forumgrader.grading.measures.timing import local, moment
from forumgrader.grading.rubric import AppliesTo, Bound, Criterion, Level, MeasureCall, Order, Rubric
from forumgrader.grading.scores import CriterionScore, Override, StudentScore, points_text
from forumgrader.grading.tally import tally

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def score_student(
    rubric: Rubric,
    participation: Participation,
    *,
    now: datetime,
    due_initial: datetime | None,
    due_replies: datetime | None,
) -> StudentScore:
    """Score one student's participation in a topic; the same inputs always give the same score."""
    context = Context(now, due_initial, due_replies, _zone(rubric.timezone), rubric.prompt, rubric.prompt_threshold)
    scores = tuple(_score(criterion, participation, context) for criterion in rubric.criteria)
    score = _total(rubric, participation.student, participation.name, scores)
    return replace(score, feedback=feedback(score, rubric))


def apply_overrides(score: StudentScore, rubric: Rubric, overrides: Mapping[str, Override]) -> StudentScore:
    """Put the instructor's points in place of the computed ones, keeping what was computed in the reason."""
    changed = []
    for computed in score.criteria:
        override = overrides.get(computed.criterion)
        if override is None:
            changed.append(computed)
            continue
        criterion = rubric.criterion(computed.criterion)
        # a level rates one post: points for several replies together name none
        levels = criterion.levels if criterion.times == 1 else ()
        level = next((lv.name for lv in levels if lv.points[0] <= override.points <= lv.points[1]), None)
        reason = (
            f"set by the instructor to {points_text(override.points)}/{points_text(computed.possible)}: "
            f"{override.reason} "
            f"(computed: {points_text(computed.points)}, {computed.level or 'no level'})"
        )
        changed.append(
            replace(
                computed,
                level=level,
                points=round(override.points, 2),
                reason=reason,
                provisional=False,
                overridden=True,
                awaiting=(),
                awaiting_minor=(),
            )
        )
    score = _total(rubric, score.student, score.name, tuple(changed))
    return replace(score, feedback=feedback(score, rubric))


def _total(rubric: Rubric, student: str, name: str, scores: tuple[CriterionScore, ...]) -> StudentScore:
    return StudentScore(
        student=student,
        rubric=rubric.name,
        total=round(sum(score.points for score in scores), 2),
        possible=round(rubric.possible, 2),
        criteria=scores,
        provisional=any(score.provisional for score in scores),
        feedback="",
        name=name,
    )


def _score(criterion: Criterion, participation: Participation, context: Context) -> CriterionScore:
    blank = CriterionScore(criterion.id, criterion.name, None, 0.0, criterion.possible, "")
    if criterion.manual:
        return replace(blank, reason="marked by the instructor: not marked yet", provisional=True)
    if criterion.earn:
        return tally(criterion, Subject(participation), context, blank)
    if not participation.all_posts:
        return _missing(blank, "posts in this topic", context.due_initial, context, criterion.possible)
    if criterion.applies_to is AppliesTo.EACH_REPLY:
        return _replies(criterion, participation, context, blank)
    post = participation.main_post
    if criterion.applies_to is AppliesTo.MAIN_POST and post is None:
        return _missing(blank, "main post", context.due_initial, context, criterion.possible)
    rated = _rate(criterion, Subject(participation, post, False), context)
    score = replace(
        blank,
        level=rated.level.name if rated.level else None,
        points=rated.points,
        reason=f"{rated.reason} -> {_verdict(rated, criterion.possible)}",
    )
    return _awaiting(score, *rated.reviews())


def _awaiting(score: CriterionScore, held: frozenset[str], minor: frozenset[str]) -> CriterionScore:
    """Say which reviews are pending: those that could change the points hold the criterion as provisional."""
    notes = []
    if held:
        notes.append(f"{plural(len(held), 'reference')} {'awaits' if len(held) == 1 else 'await'} review")
    if minor:
        one = len(minor) == 1
        notes.append(
            f"{plural(len(minor), 'reference')} with small differences {'awaits' if one else 'await'} review; "
            f"{'it does' if one else 'they do'} not change the score"
        )
    return replace(
        score,
        provisional=score.provisional or bool(held),
        reason="; ".join([score.reason, *notes]),
        awaiting=tuple(sorted(held)),
        awaiting_minor=tuple(sorted(minor)),
    )


def _missing(
    blank: CriterionScore, what: str, due: datetime | None, context: Context, possible: float
) -> CriterionScore:
    missing = replace(blank, missing=what)
    if due is not None and context.now < due:
        reason = f"no {what} yet, not due until {moment(due, context)} -> 0/{points_text(possible)}"
        return replace(missing, reason=reason, provisional=True)
    return replace(missing, reason=f"no {what} -> 0/{points_text(possible)}")


@dataclass(frozen=True, slots=True)
class _Rated:
    level: Level | None
    points: float
    reason: str
    awaiting: frozenset[str]  # flagged references whose review could change how they count
    minor: frozenset[str] = frozenset()  # references with small differences nobody has reviewed
    reachable: frozenset[float] = frozenset()  # the points once a TA dismisses some or all of those

    @property
    def settled(self) -> bool:
        """Tell whether dismissing the small differences leaves the points as they are."""
        return self.reachable <= {self.points}

    def reviews(self) -> tuple[frozenset[str], frozenset[str]]:
        """Return the pending reviews that could change the points, and those that cannot."""
        if self.settled:
            return self.awaiting, self.minor
        return self.awaiting | self.minor, frozenset()


def _verdict(rated: _Rated, possible: float) -> str:
    name = rated.level.name if rated.level else "no level"
    return f"{name}, {points_text(rated.points)}/{points_text(possible)}"


def _rate(criterion: Criterion, subject: Subject, context: Context) -> _Rated:
    """Measure what the criterion reads, then take the first level whose conditions all hold."""
    measured: dict[MeasureCall, Measured] = {call: evaluate(call, subject, context) for call in criterion.calls()}
    awaiting = frozenset().union(*(m.awaiting for m in measured.values()))
    minor = frozenset().union(*(m.awaiting_minor for m in measured.values()))
    reason = ", ".join(dict.fromkeys(m.evidence for m in measured.values()))
    level, points = _level(criterion, measured)
    reachable = frozenset(_level(criterion, _dismissed(measured, n))[1] for n in range(1, len(minor) + 1))
    return _Rated(level, points, reason, awaiting, minor, reachable)


def _level(criterion: Criterion, measured: Mapping[MeasureCall, Measured]) -> tuple[Level | None, float]:
    for level in criterion.levels:
        if all(_holds(bound, measured[bound.call]) for bound in level.when):
            return level, _level_points(level, measured)
    return None, 0.0


def _dismissed(measured: Mapping[MeasureCall, Measured], count: int) -> dict[MeasureCall, Measured]:
    """The measures as they would read if a TA dismissed `count` of the small differences awaiting review."""
    return {
        call: replace(m, value=m.value - min(count, len(m.awaiting_minor)))
        if m.awaiting_minor and m.value is not None
        else m
        for call, m in measured.items()
    }


def _holds(bound: Bound, measured: Measured) -> bool:
    if not measured.checked:
        return True  # the rubric or topic lacks what this needs: the condition does not decide
    return measured.value is not None and bound.holds(measured.value)


def _level_points(level: Level, measured: Mapping[MeasureCall, Measured]) -> float:
    low, high = level.points
    if level.scale is None or low == high:
        return high
    value = measured[level.scale.call].value
    if value is None or not measured[level.scale.call].checked:
        return high
    share = (value - level.scale.start) / (level.scale.stop - level.scale.start)
    return round(low + (high - low) * min(1.0, max(0.0, share)), 2)


def _replies(
    criterion: Criterion, participation: Participation, context: Context, blank: CriterionScore
) -> CriterionScore:
    """Rate every reply, order them (best first, ties to the earlier; or by time), and keep the ones this scores."""
    rated = [(_rate(criterion, Subject(participation, reply, True), context), reply) for reply in participation.replies]
    if criterion.order is Order.BEST:
        rated.sort(key=lambda pair: -pair[0].points)  # stable: replies are already oldest first
    first = criterion.rank - 1
    kept = rated[first : first + criterion.best]
    each = criterion.possible / criterion.best
    parts = [
        f"{_ordinal(first + i)} reply ({_when(reply, context)}): {r.reason} -> {_verdict(r, each)}"
        for i, (r, reply) in enumerate(kept)
    ]
    reviews = [r.reviews() for r, _ in kept]
    held = frozenset().union(*(pair[0] for pair in reviews))
    minor = frozenset().union(*(pair[1] for pair in reviews))
    if criterion.order is Order.BEST and kept:
        # a reply ranked below the kept ones could overtake one once its small differences are dismissed
        lowest = min(r.points for r, _ in kept)
        held |= frozenset().union(
            *(r.minor for r, _ in rated[first + len(kept) :] if max(r.reachable, default=0) > lowest)
        )
    if len(kept) < criterion.best:
        missing = " or ".join(_ordinal(i) for i in range(first + len(kept), first + criterion.best)) + " reply"
        gap = _missing(blank, missing, context.due_replies, context, each * (criterion.best - len(kept)))
        written = plural(len(rated), "reply", "replies")
        parts.append(gap.reason.replace(" -> ", f" ({written} written) -> "))
        blank = replace(blank, provisional=gap.provisional, missing=missing if not kept else "")
    points = round(sum(r.points for r, _ in kept), 2)
    level = kept[0][0].level.name if len(kept) == 1 and criterion.best == 1 and kept[0][0].level else None
    if criterion.best > 1:
        parts.append(f"total {points_text(points)}/{points_text(criterion.possible)}")
    return _awaiting(replace(blank, level=level, points=points, reason="; ".join(parts)), held, minor - held)


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"number {index + 1}"


def _when(post: PostFacts, context: Context) -> str:
    return local(post.created_at, context).strftime("%a %d %b") if post.created_at else "undated"
