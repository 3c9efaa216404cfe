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
from forumgrader.grading.measures.registry import Gap, plural
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
    timezone: str | None = None,
) -> StudentScore:
    """Score one student's participation in a topic; the same inputs always give the same score.

    `timezone` (the topic's) counts days and weeks instead of the rubric's, when given.
    """
    zone = _zone(timezone or rubric.timezone)
    context = Context(now, due_initial, due_replies, zone, rubric.prompt, rubric.prompt_threshold)
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
        level = criterion.level_for(override.points) if criterion.times == 1 else None
        was = "not assessed" if computed.not_assessed else computed.level or "no level"
        reason = (
            f"set by the instructor to {points_text(override.points)}/{points_text(computed.possible)}: "
            f"{override.reason} (computed: {points_text(computed.points)}, {was})"
        )
        changed.append(
            replace(
                computed,
                level=level.name if level else None,
                points=round(override.points, 2),
                reason=reason,
                evidence=override.reason,
                provisional=False,
                overridden=True,
                awaiting=(),
                awaiting_minor=(),
                missing="",
                not_assessed="",
                hint="",
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
        reason=f"{rated.reason}: {_verdict(rated, criterion.possible)}",
        evidence=rated.reason,
        provisional=rated.decide,
        not_assessed=rated.not_assessed,
        hint=rated.hint,
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
        evidence = f"no {what} yet, not due until {moment(due, context)}"
        return replace(missing, reason=f"{evidence}: 0/{points_text(possible)} for now", evidence=evidence,
                       provisional=True)  # fmt: skip
    return replace(missing, reason=f"no {what}: 0/{points_text(possible)}", evidence=f"no {what}")


@dataclass(frozen=True, slots=True)
class _Rated:
    level: Level | None
    points: float
    reason: str
    awaiting: frozenset[str]  # flagged references whose review could change how they count
    minor: frozenset[str] = frozenset()  # references with small differences nobody has reviewed
    reachable: frozenset[float] = frozenset()  # the points once a TA dismisses some or all of those
    gaps: tuple[Gap, ...] = ()  # why there was nothing to assess: the criterion is "not assessed"
    instructor: bool = False  # the rubric leaves a criterion with nothing to assess to the instructor

    @property
    def not_assessed(self) -> str:
        """Say why there was nothing to assess, or "" when the criterion was assessed."""
        return "; ".join(dict.fromkeys(gap.reason for gap in self.gaps))

    @property
    def hint(self) -> str:
        """Say what the student could do to be assessed."""
        return next((gap.hint for gap in self.gaps if gap.hint), "")

    @property
    def decide(self) -> bool:
        """Tell whether the points wait for the instructor's decision (an override, or a due date to set)."""
        return bool(self.gaps) and (self.instructor or any(gap.instructor for gap in self.gaps))

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
    points = f"{points_text(rated.points)}/{points_text(possible)}"
    if rated.gaps:
        return points + (" until your instructor decides" if rated.decide else "")
    return f"{rated.level.name if rated.level else 'no level'}, {points}"


def _rate(criterion: Criterion, subject: Subject, context: Context) -> _Rated:
    """Measure what the criterion reads, then take the first level whose conditions all hold.

    A condition on a measure with nothing to measure neither holds nor fails: when the levels cannot be told
    apart without it, the criterion is not assessed and gives the rubric's points for that case.
    """
    measured: dict[MeasureCall, Measured] = {call: evaluate(call, subject, context) for call in criterion.calls()}
    awaiting = frozenset().union(*(m.awaiting for m in measured.values()))
    minor = frozenset().union(*(m.awaiting_minor for m in measured.values()))
    level, points, gaps = _level(criterion, measured)
    shown = [m for m in measured.values() if m.gap in gaps] if gaps else list(measured.values())
    reason = ", ".join(dict.fromkeys(m.evidence for m in shown))
    reachable = frozenset(_level(criterion, _dismissed(measured, n))[1] for n in range(1, len(minor) + 1))
    return _Rated(level, points, reason, awaiting, minor, reachable, gaps, criterion.not_assessed.instructor)


def _level(
    criterion: Criterion, measured: Mapping[MeasureCall, Measured]
) -> tuple[Level | None, float, tuple[Gap, ...]]:
    for level in criterion.levels:
        if any(measured[bound.call].assessed and not _holds(bound, measured[bound.call]) for bound in level.when):
            continue
        gaps = tuple(dict.fromkeys(m.gap for bound in level.when if (m := measured[bound.call]).gap is not None))
        if gaps:  # this level may be the student's or not: nothing tells
            return None, criterion.not_assessed.points, gaps
        return level, _level_points(level, measured), ()
    return None, 0.0, ()


def _dismissed(measured: Mapping[MeasureCall, Measured], count: int) -> dict[MeasureCall, Measured]:
    """The measures as they would read if a TA dismissed `count` of the small differences awaiting review."""
    return {
        call: replace(m, value=m.value - min(count, len(m.awaiting_minor)))
        if m.awaiting_minor and m.value is not None
        else m
        for call, m in measured.items()
    }


def _holds(bound: Bound, measured: Measured) -> bool:
    return measured.value is not None and bound.holds(measured.value)


def _level_points(level: Level, measured: Mapping[MeasureCall, Measured]) -> float:
    low, high = level.points
    if level.scale is None or low == high:
        return high
    value = measured[level.scale.call].value
    if value is None:  # nothing to scale by earns the level's least
        return low
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
        f"{_ordinal(first + i)} reply ({_when(reply, context)}): {r.reason}: {_verdict(r, each)}"
        for i, (r, reply) in enumerate(kept)
    ]
    evidence = [f"{_ordinal(first + i)} reply: {r.reason}" for i, (r, _reply) in enumerate(kept)]
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
        parts.append(gap.reason.replace(": ", f" ({written} written): ", 1))
        evidence.append(f"{gap.evidence} ({written} written)")
        blank = replace(blank, provisional=gap.provisional, missing=missing if not kept else "")
    points = round(sum(r.points for r, _ in kept), 2)
    level = kept[0][0].level.name if len(kept) == 1 and criterion.best == 1 and kept[0][0].level else None
    if criterion.best > 1:
        parts.append(f"total {points_text(points)}/{points_text(criterion.possible)}")
    unassessed = [r for r, _ in kept if r.gaps]
    every_gap = len(unassessed) == len(kept)  # a criterion is not assessed when none of its replies was
    score = replace(
        blank,
        level=level,
        points=points,
        reason="; ".join(parts),
        evidence="; ".join(evidence),
        provisional=blank.provisional or any(r.decide for r in unassessed),
        not_assessed="; ".join(dict.fromkeys(r.not_assessed for r in unassessed)) if every_gap else "",
        hint=next((r.hint for r in unassessed if r.hint), ""),
    )
    return _awaiting(score, held, minor - held)


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"number {index + 1}"


def _when(post: PostFacts, context: Context) -> str:
    return local(post.created_at, context).strftime("%a %d %b") if post.created_at else "undated"
