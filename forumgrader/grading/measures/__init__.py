"""Measures: named functions over a post or a participation, each returning a value and its evidence in words."""

from __future__ import annotations

from forumgrader.grading.measures import coverage, participation, posts, timing
from forumgrader.grading.measures.registry import (
    MEASURES,
    Context,
    Measure,
    Measured,
    Param,
    Scope,
    Subject,
    arguments,
    evaluate,
)

__all__ = [
    "MEASURES",
    "Context",
    "Measure",
    "Measured",
    "Param",
    "Scope",
    "Subject",
    "arguments",
    "coverage",
    "evaluate",
    "participation",
    "posts",
    "timing",
]
