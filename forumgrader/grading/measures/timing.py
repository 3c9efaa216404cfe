"""Measures of time: how early or late posts came against their due dates, and on how many days a student posted."""

from __future__ import annotations

from datetime import UTC, datetime

from forumgrader.grading.facts import Participation, PostFacts
from forumgrader.grading.measures.registry import Context, Measured, Param, Scope, measure, not_assessed, plural

MINUTES_PER_DAY = 24 * 60


def local(when: datetime, context: Context) -> datetime:
    """Return a time in the rubric's time zone."""
    return when.astimezone(context.timezone or UTC)


def moment(when: datetime, context: Context) -> str:
    """Write a time as a student reads it: "Wed 11 Sep 23:59"."""
    return local(when, context).strftime("%a %d %b %H:%M")


def duration(minutes: float) -> str:
    """Write a span of minutes in days, hours and minutes."""
    if 0 < abs(minutes) < 1:
        return "less than a minute"
    left = round(abs(minutes))
    days, left = divmod(left, MINUTES_PER_DAY)
    hours, mins = divmod(left, 60)
    parts = [plural(days, "day")] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins and not days:
        parts.append(f"{mins} min")
    return " ".join(parts) or "0 min"


def _lateness(post: PostFacts | None, due: datetime | None, what: str, context: Context, unit: float) -> Measured:
    if due is None:
        return not_assessed(f"no due date is set for the {_due_of(what)}", instructor=True)
    if post is None:
        return Measured(None, f"no {what}")
    if post.created_at is None:
        return not_assessed(f"the {what} has no posting time in the export", instructor=True)
    minutes = (post.created_at - due).total_seconds() / 60
    side = "after" if minutes > 0 else "before"
    return Measured(minutes / unit, f"{what} posted {duration(minutes)} {side} the due date ({moment(due, context)})")


def _due_of(what: str) -> str:
    return "main post" if what == "main post" else "replies"


def _post_lateness(post: PostFacts, context: Context, as_reply: bool, unit: float) -> Measured:
    due = context.due_replies if as_reply else context.due_initial
    return _lateness(post, due, "reply" if as_reply else "main post", context, unit)


@measure("minutes_late", Scope.POST, "Minutes after the post's due date (negative: before it); replies use theirs.")
def minutes_late(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    return _post_lateness(post, context, as_reply, 1)


@measure("days_late", Scope.POST, "Days after the post's due date (negative: before it), with fractions.")
def days_late(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    return _post_lateness(post, context, as_reply, MINUTES_PER_DAY)


@measure("initial_minutes_late", Scope.PARTICIPATION, "Minutes after the initial post's due date of the main post.")
def initial_minutes_late(participation: Participation, context: Context) -> Measured:
    return _lateness(participation.main_post, context.due_initial, "main post", context, 1)


@measure("initial_days_late", Scope.PARTICIPATION, "Days after the initial post's due date of the main post.")
def initial_days_late(participation: Participation, context: Context) -> Measured:
    return _lateness(participation.main_post, context.due_initial, "main post", context, MINUTES_PER_DAY)


_REPLIES = {"replies": Param("integer", 1, "the reply, in time order, whose posting time counts (2: the second)")}


def _nth_reply(participation: Participation, context: Context, replies: int, unit: float) -> Measured:
    timed = [reply for reply in participation.replies if reply.created_at is not None]  # replies are oldest first
    what = "reply" if replies == 1 else f"reply number {replies}"
    if context.due_replies is not None and len(timed) < replies:
        return Measured(None, f"only {plural(len(timed), 'reply', 'replies')}, {replies} needed")
    post = timed[replies - 1] if len(timed) >= replies else None
    return _lateness(post, context.due_replies, what, context, unit)


@measure(
    "replies_minutes_late",
    Scope.PARTICIPATION,
    "Minutes after the replies' due date of the student's reply number `replies` in time order.",
    params=_REPLIES,
)
def replies_minutes_late(participation: Participation, context: Context, replies: int) -> Measured:
    return _nth_reply(participation, context, replies, 1)


@measure(
    "replies_days_late",
    Scope.PARTICIPATION,
    "Days after the replies' due date of the student's reply number `replies` in time order.",
    params=_REPLIES,
)
def replies_days_late(participation: Participation, context: Context, replies: int) -> Measured:
    return _nth_reply(participation, context, replies, MINUTES_PER_DAY)


@measure("posting_days", Scope.PARTICIPATION, "Distinct days (in the rubric's time zone) the student posted on.")
def posting_days(participation: Participation, context: Context) -> Measured:
    days = sorted({local(post.created_at, context).date() for post in participation.all_posts if post.created_at})
    listed = ", ".join(day.strftime("%a %d %b") for day in days)
    return Measured(len(days), f"posted on {plural(len(days), 'day')}" + (f" ({listed})" if days else ""))
