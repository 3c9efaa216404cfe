"""What the API answers with: each resource's JSON Schema beside the function that writes it, so they agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forumgrader import jobs
from forumgrader.store.models import Course, Job, Topic
from forumgrader.web.api import registry

Schema = dict[str, Any]
TIME = {"type": ["string", "null"], "format": "date-time"}


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _object(properties: Schema) -> Schema:
    return {"type": "object", "required": sorted(properties), "additionalProperties": False, "properties": properties}


COURSE = registry.schema(
    "Course",
    _object(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "lms": {"type": "string", "description": "canvas, moodle, csv or document; empty when not imported"},
            "lms_course_id": {"type": "string"},
            "role": {"type": "string", "enum": ["instructor", "ta", "student", "admin"], "description": "yours"},
            "created_at": TIME,
        }
    ),
)


def course_json(course: Course, role: str) -> dict[str, Any]:
    """Write a course as the API answers it."""
    return {
        "id": course.id,
        "name": course.name,
        "lms": course.lms,
        "lms_course_id": course.lms_course_id,
        "role": role,
        "created_at": _time(course.created_at),
    }


TOPIC = registry.schema(
    "Topic",
    _object(
        {
            "id": {"type": "integer"},
            "course_id": {"type": "integer"},
            "title": {"type": "string"},
            "prompt_text": {"type": "string"},
            "due_initial_at": TIME | {"description": "when the initial post is due"},
            "due_replies_at": TIME | {"description": "when replies are due"},
            "points_possible": {"type": ["number", "null"]},
            "required_replies": {"type": ["integer", "null"]},
            "posts": {
                "type": "integer",
                "description": "posts you may see: all of them for staff, yours for a student",
            },
        }
    ),
)


def topic_json(topic: Topic, posts: int) -> dict[str, Any]:
    """Write a topic as the API answers it."""
    return {
        "id": topic.id,
        "course_id": topic.course_id,
        "title": topic.title,
        "prompt_text": topic.prompt_text,
        "due_initial_at": _time(topic.due_initial_at),
        "due_replies_at": _time(topic.due_replies_at),
        "points_possible": topic.points_possible,
        "required_replies": topic.required_replies,
        "posts": posts,
    }


JOB = registry.schema(
    "Job",
    _object(
        {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "done": {"type": "integer"},
            "total": {"type": "integer", "description": "0 while the size of the work is not known yet"},
            "percent": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "message": {"type": "string", "description": "how far it got, in words"},
            "error": {"type": "string", "description": "why it failed (or why the last attempt failed)"},
            "course_id": {"type": ["integer", "null"]},
            "topic_id": {"type": ["integer", "null"]},
            "created_at": TIME,
            "started_at": TIME,
            "finished_at": TIME,
        }
    ),
)


def job_json(job: Job) -> dict[str, Any]:
    """Write a job's progress as the API (and the progress bar) reads it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": jobs.percent(job),
        "message": job.message,
        "error": job.error,
        "course_id": job.course_id,
        "topic_id": job.topic_id,
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
    }
