"""Instructors' pages: a new course, importing an export and following its checks, a topic's dashboard, settings and
rubric, a post, and the course's roster."""

from __future__ import annotations

from forumgrader.web.instructor import grading, imports, posts, rosters, settings, topics

BLUEPRINTS = (
    imports.blueprint,
    topics.blueprint,
    posts.blueprint,
    grading.blueprint,
    rosters.blueprint,
    settings.blueprint,
)
