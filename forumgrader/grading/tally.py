"""Engagement points: points for each post, comment and reply received, with a weekly cap and a ceiling."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from forumgrader.grading.measures import Context, Subject, evaluate
from forumgrader.grading.measures.registry import plural
from forumgrader.grading.measures.timing import local
from forumgrader.grading.rubric import Criterion
from forumgrader.grading.scores import CriterionScore, points_text


def _week(when: datetime | None, context: Context) -> tuple[int, int] | None:
    """The ISO week (Monday to Sunday, in the rubric's time zone) something happened in."""
    if when is None:
        return None
    year, week, _ = local(when, context).isocalendar()
    return (year, week)


def tally(criterion: Criterion, subject: Subject, context: Context, blank: CriterionScore) -> CriterionScore:
    """Add up the points earned, week by week, each week capped, the whole capped at the points possible."""
    weeks: dict[tuple[int, int] | None, float] = {}
    parts = []
    for earn in criterion.earn:
        measured = evaluate(earn.call, subject, context)
        parts.append(f"{measured.evidence} (+{points_text(earn.points * len(measured.events))})")
        for when in measured.events:
            week = _week(when, context)
            weeks[week] = weeks.get(week, 0.0) + earn.points
    earned = sum(weeks.values())
    reason = ", ".join(parts) + f" = {points_text(earned)}"
    capped = earned
    if criterion.weekly_cap is not None:
        capped = sum(min(points, criterion.weekly_cap) for points in weeks.values())
        if capped < earned:
            over = sum(1 for points in weeks.values() if points > criterion.weekly_cap)
            reason += (
                f", at most {points_text(criterion.weekly_cap)} a week "
                f"({plural(over, 'week')} over): {points_text(capped)}"
            )
    possible = criterion.possible
    points = round(min(capped, possible), 2)
    if points < capped:
        reason += f", at most {points_text(possible)} in all"
    return replace(blank, points=points, reason=f"{reason}: {points_text(points)}/{points_text(possible)}",
                   evidence=reason)  # fmt: skip
