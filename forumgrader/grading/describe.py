"""A rubric said in words, as an instructor reads it in the LMS: each level's conditions as a phrase, and when a
criterion can be not assessed. Pure: the rubric page and `rubrics check` print these."""

from __future__ import annotations

from collections.abc import Callable

from forumgrader.grading.measures.posts import finding_words
from forumgrader.grading.measures.registry import plural
from forumgrader.grading.rubric import AppliesTo, Bound, Criterion, Level, MeasureCall, Order, Rubric
from forumgrader.grading.scores import points_text


def _count(bound: Bound, singular: str, plural_form: str = "") -> str:
    """ "at least 3 credible sources", "at most 1 ...", "no ...", "2 to 4 ..." """
    low, high = bound.minimum, bound.maximum
    many = plural_form or singular + "s"
    if high is not None and high <= 0 and (low is None or low <= 0):
        return f"no {many}"
    if low is not None and high is not None:
        return f"{points_text(low)} to {points_text(high)} {many}"
    if low is not None:
        return f"at least {plural(low, singular, many).removeprefix('no ')}" if low else f"any number of {many}"
    assert high is not None
    return f"at most {plural(high, singular, many)}"


def _late(what: str, unit: float) -> Callable[[Bound], str]:
    """Say a lateness condition; `unit` turns the measure's values into minutes."""

    def say(bound: Bound) -> str:
        low = None if bound.minimum is None else bound.minimum * unit
        high = None if bound.maximum is None else bound.maximum * unit
        if high is not None and low is None:
            if high < 0:
                return f"{what} at least {_span(-high)} before its due date"
            return f"{what} by its due date" if high == 0 else f"{what} at most {_span(high)} late"
        if high is None:
            return f"{what} at least {_span(low or 0)} late"
        return f"{what} {_span(low or 0)} to {_span(high)} late"

    return say


def _span(minutes: float) -> str:
    if minutes % (24 * 60) == 0:
        return plural(minutes / (24 * 60), "day")
    if minutes % 60 == 0:
        return plural(minutes / 60, "hour")
    return plural(minutes, "minute")


def _findings(bound: Bound) -> str:
    severity = bound.call.param("severity") or ()
    noun = {("info",): ("APA note", "APA notes")}.get(tuple(severity), ("citation error or warning",
                                                                         "citation errors or warnings"))  # fmt: skip
    if not severity:
        noun = ("citation finding", "citation findings")
    phrase = _count(bound, *noun)
    codes = bound.call.param("codes") or ()
    if codes:
        phrase += " of these kinds: " + "; ".join(finding_words(code) for code in codes)
    ignored = bound.call.param("ignore") or ()
    if ignored:
        phrase += " (not counting " + "; ".join(finding_words(code) for code in ignored) + ")"
    return phrase


def _coverage(bound: Bound) -> str:
    if bound.minimum is not None and bound.minimum >= 1:
        return "answers every part of the prompt"
    return f"answers at least {round(100 * (bound.minimum or 0))}% of the parts of the prompt"


# How each measure's condition reads.
PHRASES: dict[str, Callable[[Bound], str]] = {
    "words": lambda b: _count(b, "word"),
    "sources_cited": lambda b: _count(b, "source cited", "sources cited"),
    "sources_credible": lambda b: _count(b, "credible source"),
    "sources_verified": lambda b: _count(b, "source matching its Crossref record", "sources matching their record"),
    "sources_recent": lambda b: (
        _count(b, "credible source", "credible sources") + f" from the last {b.call.param('years', 5)} years"
    ),
    "sources_peer_reviewed": lambda b: _count(b, "peer-reviewed source"),
    "references_flagged": lambda b: _count(
        b,
        "reference a TA confirmed as not found, wrong or retracted",
        "references a TA confirmed as not found, wrong or retracted",
    ),
    "references_minor": lambda b: _count(
        b, "reference differing from its record", "references differing from their records"
    ),
    "findings": _findings,
    "minutes_late": _late("posted", 1),
    "days_late": _late("posted", 24 * 60),
    "initial_minutes_late": _late("the main post posted", 1),
    "initial_days_late": _late("the main post posted", 24 * 60),
    "replies_minutes_late": lambda b: _late(_nth_reply(b.call), 1)(b),
    "replies_days_late": lambda b: _late(_nth_reply(b.call), 24 * 60)(b),
    "prompt_coverage": _coverage,
    "replies_written": lambda b: _count(b, "reply", "replies") + _min_words(b.call),
    "posts_written": lambda b: _count(b, "post") + _min_words(b.call),
    "replies_received": lambda b: _count(b, "reply received", "replies received") + _min_words(b.call),
    "reply_words": lambda b: f"{_longest(b.call)} {_count(b, 'word')}",
    "posting_days": lambda b: "posted on " + _count(b, "different day"),
}

# When a measure can have nothing to measure, in words, for "not assessed when ..."
_LATENESS = ("minutes_late", "days_late", "initial_minutes_late", "initial_days_late", "replies_minutes_late",
             "replies_days_late")  # fmt: skip
GAPS: dict[str, str] = {
    "findings": "nothing is cited",
    "references_flagged": "there are no references",
    "references_minor": "there are no references",
    "prompt_coverage": "the rubric names no parts of the prompt",
} | dict.fromkeys(_LATENESS, "no due date is set")


def _nth_reply(call: MeasureCall) -> str:
    number = call.param("replies", 1)
    return ("the first reply" if number == 1 else f"reply number {number}") + " posted"


def _min_words(call: MeasureCall) -> str:
    least = call.param("min_words", 0)
    return f" of at least {least} words" if least else ""


def _longest(call: MeasureCall) -> str:
    number = call.param("replies", 1)
    return "the longest reply has" if number == 1 else f"each of the {number} longest replies has"


def condition(bound: Bound) -> str:
    """Say one condition in words: "at least 3 credible sources"."""
    phrase = PHRASES.get(bound.call.measure)
    return phrase(bound) if phrase else f"{bound.call.measure.replace('_', ' ')} as the rubric sets"


def level_rule(level: Level) -> str:
    """Say what a level needs ("at least 300 words and at least 3 credible sources"), or "" when it needs nothing."""
    rule = " and ".join(condition(bound) for bound in level.when)
    if level.scale is not None:
        scale = level.scale
        low, high = (points_text(points) for points in level.points)
        noun = SCALED.get(scale.call.measure, scale.call.measure.replace("_", " "))
        if scale.call.measure == "findings":
            noun = "APA notes" if scale.call.param("severity") == ("info",) else "citation errors or warnings"
        rule += ("; " if rule else "") + (
            f"{low} to {high} points as the {noun} go from {points_text(scale.start)} to {points_text(scale.stop)}"
        )
    return rule


def earn_rule(criterion: Criterion) -> str:
    """Say how an engagement-points criterion earns: "40 points for each post of at least 40 words, ..."."""
    each = [
        f"{points_text(earn.points)} points for each {_EARNED[earn.call.measure]}{_min_words(earn.call)}"
        for earn in criterion.earn
    ]
    rule = "; ".join(each)
    if criterion.weekly_cap is not None:
        rule += f"; at most {points_text(criterion.weekly_cap)} a week"
    return rule + f"; at most {points_text(criterion.possible)} in all"


SCALED = {"words": "words", "posting_days": "posting days", "replies_written": "replies", "posts_written": "posts",
          "sources_credible": "credible sources", "reply_words": "words"}  # fmt: skip
_EARNED = {"posts_written": "post", "replies_written": "reply", "replies_received": "reply received"}


def not_assessed_rule(criterion: Criterion) -> str:
    """Say when a criterion is not assessed and what it then gives, or "" when it always is."""
    measures = [bound.call.measure for level in criterion.levels for bound in level.when]
    when = list(dict.fromkeys(GAPS[name] for name in measures if name in GAPS))
    if not when or criterion.manual:
        return ""
    gives = (
        "your decision (0 points until you override it)"
        if criterion.not_assessed.instructor
        else f"{points_text(criterion.not_assessed.points)} points"
    )
    due = " (until you set the due date or override it)" if "no due date is set" in when else ""
    return f"Not assessed when {' or '.join(when)}: {gives}{due}."


def summary(rubric: Rubric) -> list[str]:
    """One line per criterion that can be not assessed, for `rubrics check`."""
    return [f"{criterion.name}: {rule}" for criterion in rubric.criteria if (rule := not_assessed_rule(criterion))]


_NTH = ("", "", "second", "third", "fourth", "fifth")


def applies_to(criterion: Criterion) -> str:
    """Say what a criterion scores: "Scores the main post.", "Scores the second-best reply."."""
    if criterion.applies_to is AppliesTo.MAIN_POST:
        return "Scores the main post."
    if criterion.applies_to is AppliesTo.PARTICIPATION:
        return "Scores all of the student's posts in the topic."
    nth = _NTH[criterion.rank] if criterion.rank < len(_NTH) else f"number {criterion.rank}"
    which = (f"{nth}-best" if nth else "best") if criterion.order is Order.BEST else nth or "first"
    if criterion.best == 1:
        return f"Scores the student's {which} reply to a classmate."
    return f"Scores the student's {criterion.best} {which} replies, each rated on these levels."
