"""A feedback paragraph addressed to the student: what went well, what would earn more, what is still open."""

from __future__ import annotations

from forumgrader.grading.rubric import Criterion, Rubric
from forumgrader.grading.scores import CriterionScore, StudentScore, points_text


def _lower(name: str) -> str:
    """Lower-case a criterion name for the middle of a sentence, leaving acronyms such as APA alone."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def _full(score: CriterionScore, criterion: Criterion) -> bool:
    """Full points; for a criterion worth nothing, its first level."""
    if criterion.manual and not score.overridden:
        return False
    if criterion.possible > 0:
        return score.points >= criterion.possible
    return bool(criterion.levels) and score.level == criterion.levels[0].name


def _evidence(score: CriterionScore) -> str:
    """The reason without the verdicts: what we saw."""
    parts = [part.split(" -> ")[0] for part in score.reason.split("; ") if not part.startswith("total ")]
    # what the rubric did not check (no prompt parts, no due date) tells the student nothing
    kept = [", ".join(p for p in part.split(", ") if "not checked" not in p) for part in parts]
    return "; ".join(part for part in kept if part)


def _how_to_grow(score: CriterionScore, criterion: Criterion) -> str:
    points = f"({points_text(score.points)}/{points_text(score.possible)})"
    if score.overridden:
        return f"{criterion.name} {points}: {score.reason}."
    if criterion.manual:
        return f"{criterion.name} will be marked by your instructor."
    line = f"{criterion.name} {points}: {_evidence(score)}."
    top = criterion.levels[0] if criterion.levels else None
    if top and top.description and not score.provisional:
        line += f" For full marks: {_lower(top.description.rstrip('.'))}."
    return line


def feedback(score: StudentScore, rubric: Rubric) -> str:
    """Write the paragraph a student reads beside the score."""
    greeting = f"Hi {score.name}, thank you" if score.name else "Thank you"
    sentences = [
        f"{greeting} for taking part in this discussion.",
        f"Your score is {points_text(score.total)} of {points_text(score.possible)} points.",
    ]
    pairs = [(s, rubric.criterion(s.criterion)) for s in score.criteria]
    strong = [_lower(c.name) for s, c in pairs if c.possible > 0 and _full(s, c) and not s.provisional]
    if strong:
        sentences.append(f"Well done on {_listed(strong)}.")
    missing = list(dict.fromkeys(s.missing for s, _ in pairs if s.missing and not s.provisional))
    if missing:
        worth = sum(s.possible for s, _ in pairs if s.missing and not s.provisional)
        sentences.append(
            f"We did not find a {_listed(missing).replace(' and ', ' or a ')} from you in this discussion; "
            f"{'it is' if len(missing) == 1 else 'they are'} worth {points_text(worth)} points."
        )
    growth = [_how_to_grow(s, c) for s, c in pairs if not _full(s, c) and not (s.missing and not s.provisional)]
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
