"""Grading: rubric files, measures over posts and participation, scores with reasons, and LMS grade files. Pure."""

from __future__ import annotations

from forumgrader.grading.canvas_rubric import rubric_to_canvas_csv, rubrics_from_canvas_csv
from forumgrader.grading.exports import EXPORTS, ExportError, ExportOptions, GradeRow, MatchBy
from forumgrader.grading.facts import (
    Decision,
    FindingFacts,
    Participation,
    PostFacts,
    SourceFacts,
    Standing,
    Verdict,
    label_of,
    participations,
    post_facts,
    source_facts,
)
from forumgrader.grading.rubric import AppliesTo, Criterion, Level, Order, Rubric, RubricError, resolve_due
from forumgrader.grading.rubricfile import load_rubric, parse_rubric, rubric_text, rubric_to_toml, shipped_rubrics
from forumgrader.grading.scores import CriterionScore, Override, StudentScore, score_to_json
from forumgrader.grading.scoring import apply_overrides, score_student

__all__ = [
    "EXPORTS",
    "AppliesTo",
    "Criterion",
    "CriterionScore",
    "Decision",
    "ExportError",
    "ExportOptions",
    "FindingFacts",
    "GradeRow",
    "Level",
    "MatchBy",
    "Order",
    "Override",
    "Participation",
    "PostFacts",
    "Rubric",
    "RubricError",
    "SourceFacts",
    "Standing",
    "StudentScore",
    "Verdict",
    "apply_overrides",
    "label_of",
    "load_rubric",
    "parse_rubric",
    "participations",
    "post_facts",
    "resolve_due",
    "rubric_text",
    "rubric_to_canvas_csv",
    "rubric_to_toml",
    "rubrics_from_canvas_csv",
    "score_student",
    "score_to_json",
    "shipped_rubrics",
    "source_facts",
]
