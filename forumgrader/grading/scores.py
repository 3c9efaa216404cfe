"""The scores scoring hands out: per criterion and per student, and the instructor's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def points_text(points: float) -> str:
    """Write points as a teacher would: 36, 7.5, 8.25."""
    return f"{points:g}" if float(points).is_integer() else f"{points:.2f}".rstrip("0")


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """A criterion's level and points for one student, and why."""

    criterion: str
    name: str
    level: str | None
    points: float
    possible: float
    reason: str
    provisional: bool = False
    overridden: bool = False
    awaiting: tuple[str, ...] = ()  # keys of references whose pending review could change the points
    awaiting_minor: tuple[str, ...] = ()  # keys of references with small differences whose review cannot
    missing: str = ""  # what the criterion looked for and did not find: "main post", "second reply"
    not_assessed: str = ""  # why there was nothing to assess ("nothing is cited"); "" when assessed
    hint: str = ""  # when not assessed: what the student could do to be assessed ("cite your sources ...")
    evidence: str = ""  # what was seen, in words; for an override, the instructor's reason


@dataclass(frozen=True, slots=True)
class StudentScore:
    """A student's score for one topic under one rubric."""

    student: str
    rubric: str
    total: float
    possible: float
    criteria: tuple[CriterionScore, ...]
    provisional: bool
    feedback: str
    name: str = ""

    @property
    def awaiting(self) -> int:
        """Return how many references await a TA's review that could change the score."""
        return len({key for score in self.criteria for key in score.awaiting})

    @property
    def awaiting_minor(self) -> int:
        """Return how many references with small differences await a TA's review that cannot change the score."""
        held = {key for score in self.criteria for key in score.awaiting}
        return len({key for score in self.criteria for key in score.awaiting_minor} - held)

    def criterion(self, criterion_id: str) -> CriterionScore:
        """Return the score of one criterion."""
        return next(score for score in self.criteria if score.criterion == criterion_id)


@dataclass(frozen=True, slots=True)
class Override:
    """An instructor's points for one criterion, with the reason."""

    points: float
    reason: str


def score_to_json(score: StudentScore) -> dict[str, Any]:
    """Return a score as JSON-ready data: what `grade --json` prints and what a stored grade keeps."""
    return {
        "student": score.student,
        "name": score.name,
        "rubric": score.rubric,
        "total": score.total,
        "possible": score.possible,
        "provisional": score.provisional,
        "awaiting_review": score.awaiting,
        "awaiting_review_minor": score.awaiting_minor,
        "feedback": score.feedback,
        "criteria": [
            {
                "criterion": c.criterion,
                "name": c.name,
                "level": c.level,
                "points": c.points,
                "possible": c.possible,
                "reason": c.reason,
                "provisional": c.provisional,
                "overridden": c.overridden,
                "awaiting": list(c.awaiting),
                "awaiting_minor": list(c.awaiting_minor),
                "missing": c.missing,
                "assessed": not c.not_assessed,
                "not_assessed": c.not_assessed,
                "evidence": c.evidence,
            }
            for c in score.criteria
        ],
    }
