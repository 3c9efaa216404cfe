"""The web layer: blueprints for instructors, students, reviewers and the JSON API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, sign-in, CSRF protection and rate limits."""
