"""Instructors' pages: a new course, importing an export and following its checks, a topic's dashboard, a post."""

from __future__ import annotations

from forumgrader.web.instructor import grading, imports, posts, topics

BLUEPRINTS = (imports.blueprint, topics.blueprint, posts.blueprint, grading.blueprint)
