"""A feedback paragraph addressed to the student: what they did, what would earn more, what is still open.

Every sentence agrees with the points: a criterion worth nothing never speaks of marks, one that was not assessed
says why and what its points are, and one the instructor set speaks with the instructor's reason.
"""

from __future__ import annotations

from forumgrader.grading.rubric import Criterion, Level, Rubric
from forumgrader.grading.scores import CriterionScore, StudentScore, points_text


def _lower(name: str) -> str:
    """Lower-case the first word for the middle of a sentence, leaving acronyms such as APA alone."""
    first = name.split(" ", 1)[0]
    return name if len(first) > 1 and first.isupper() else name[:1].lower() + name[1:]


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def _points(points: float) -> str:
    return f"{points_text(points)} point{'' if points == 1 else 's'}"


def _full(score: CriterionScore, criterion: Criterion) -> bool:
    """Tell whether a criterion worth points gave all of them."""
    return criterion.possible > 0 and score.points >= criterion.possible and not score.not_assessed


def _next_level(score: CriterionScore, criterion: Criterion) -> Level | None:
    """The level just above the student's, whose description says what would earn more."""
    names = [level.name for level in criterion.levels]
    if criterion.times != 1 or score.level not in names:
        return None
    above = [level for level in criterion.levels[: names.index(score.level)] if level.points[1] > score.points]
    return above[-1] if above else None


def _how_to_grow(score: CriterionScore, criterion: Criterion) -> str:
    points = f"({points_text(score.points)}/{points_text(score.possible)})"
    if score.overridden:
        return f"{criterion.name} {points}: set by your instructor: {score.evidence.rstrip('.')}."
    if criterion.manual:
        return f"{criterion.name} will be marked by your instructor."
    if criterion.possible == 0:
        return f"{criterion.name} (worth no points): {score.evidence}."
    line = f"{criterion.name} {points}: {score.evidence}."
    better = _next_level(score, criterion) if not score.provisional else None
    if better is not None and better.description:
        line += f" {better.name} ({_points(better.points[1])}) asks for: {_lower(better.description.rstrip('.'))}."
    return line


def _not_assessed(pairs: list[tuple[CriterionScore, Criterion]]) -> list[str]:
    """One sentence per reason something could not be assessed, with the points it gave and how to earn more."""
    by_reason: dict[str, list[tuple[CriterionScore, Criterion]]] = {}
    for score, criterion in pairs:
        if score.not_assessed and criterion.possible > 0:
            by_reason.setdefault(score.not_assessed, []).append((score, criterion))
    sentences = []
    for reason, found in by_reason.items():
        names = _listed([f"“{criterion.name}”" for _, criterion in found])
        given = sum(score.points for score, _ in found)
        possible = sum(criterion.possible for _, criterion in found)
        sentence = f"We could not assess {names}, because {reason} ({points_text(given)} of {_points(possible)})."
        if any(score.provisional for score, _ in found):
            sentence = f"We could not assess {names} yet, because {reason}; your instructor will decide."
        elif given < possible and (hint := next((score.hint for score, _ in found if score.hint), "")):
            sentence += f" To earn these points, {hint}."
        sentences.append(sentence)
    return sentences


def feedback(score: StudentScore, rubric: Rubric) -> str:
    """Write the paragraph a student reads beside the score."""
    greeting = f"Hi {score.name}, thank you" if score.name else "Thank you"
    sentences = [
        f"{greeting} for taking part in this discussion.",
        f"Your score is {points_text(score.total)} of {_points(score.possible)}.",
    ]
    pairs = [(s, rubric.criterion(s.criterion)) for s in score.criteria]
    strong = [_lower(c.name) for s, c in pairs if _full(s, c) and not s.provisional]
    if strong:
        sentences.append(f"Well done on {_listed(strong)}.")
    absent = [(s, c) for s, c in pairs if s.missing and not s.provisional]
    missing = list(dict.fromkeys(s.missing for s, _ in absent))
    if missing:
        worth = sum(s.possible for s, _ in absent)
        sentences.append(
            f"We did not find a {_listed(missing).replace(' and ', ' or a ')} from you in this discussion; "
            f"{'it is' if len(missing) == 1 else 'they are'} worth {_points(worth)}."
        )
    sentences += _not_assessed(pairs)
    growth = [
        _how_to_grow(s, c)
        for s, c in pairs
        if not _full(s, c) and not (s.missing and not s.provisional) and not (s.not_assessed and not s.overridden)
        and not (c.possible == 0 and s.level == (c.levels[0].name if c.levels else None))
    ]  # fmt: skip
    if growth:
        sentences.append("Where you can grow: " + " ".join(growth))
    if score.awaiting:
        sentences.append(
            f"{score.awaiting} of your references {'is' if score.awaiting == 1 else 'are'} still being looked at by "
            "a teaching assistant, so this score may still change."
        )
    elif score.provisional:
        sentences.append("Part of this score is not final yet and may still change.")
    if score.awaiting_minor:
        one = score.awaiting_minor == 1
        sentences.append(
            f"A teaching assistant will also look at {score.awaiting_minor} of your references that "
            f"{'differs' if one else 'differ'} from {'its' if one else 'their'} published record in small details; "
            "this does not change your score."
        )
    return " ".join(sentences)
