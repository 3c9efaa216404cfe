"""What the API answers with: each resource's JSON Schema beside the function that writes it, so they agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forumgrader import jobs
from forumgrader.store.models import Course, Grade, Job, Person, Post, Topic
from forumgrader.web.api import registry

Schema = dict[str, Any]
TIME = {"type": ["string", "null"], "format": "date-time"}


def iso_time(value: datetime | None) -> str | None:
    """Write a time as ISO 8601 (with its UTC offset), or None."""
    return value.isoformat() if value is not None else None


def object_schema(properties: Schema) -> Schema:
    """Return the schema of an object with exactly these properties, all required."""
    return {"type": "object", "required": sorted(properties), "additionalProperties": False, "properties": properties}


COURSE = registry.schema(
    "Course",
    object_schema(
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
        "created_at": iso_time(course.created_at),
    }


TOPIC = registry.schema(
    "Topic",
    object_schema(
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
        "due_initial_at": iso_time(topic.due_initial_at),
        "due_replies_at": iso_time(topic.due_replies_at),
        "points_possible": topic.points_possible,
        "required_replies": topic.required_replies,
        "posts": posts,
    }


JOB = registry.schema(
    "Job",
    object_schema(
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
        "created_at": iso_time(job.created_at),
        "started_at": iso_time(job.started_at),
        "finished_at": iso_time(job.finished_at),
    }


AUTHOR = object_schema({"person_id": {"type": "integer"}, "name": {"type": "string"}})
POST = registry.schema(
    "Post",
    object_schema(
        {
            "id": {"type": "integer"},
            "topic_id": {"type": "integer"},
            "thread_id": {"type": "integer"},
            "parent_id": {"type": ["integer", "null"], "description": "the post this one replies to"},
            "author": AUTHOR | {"type": ["object", "null"], "description": "null when the export named no one"},
            "subject": {"type": "string"},
            "text": {"type": "string", "description": "the clean text: HTML rendered, LMS residue removed"},
            "word_count": {"type": "integer"},
            "created_at": TIME,
            "edited_at": TIME,
            "deleted": {"type": "boolean", "description": "a deleted post kept so that its replies keep a parent"},
        }
    ),
)


def post_json(post: Post) -> dict[str, Any]:
    """Write a post as the API answers it."""
    author = post.author
    return {
        "id": post.id,
        "topic_id": post.topic_id,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "author": {"person_id": author.id, "name": author.display_name or author.key} if author else None,
        "subject": post.subject,
        "text": post.body_text,
        "word_count": post.word_count,
        "created_at": iso_time(post.created_at),
        "edited_at": iso_time(post.edited_at),
        "deleted": post.deleted,
    }


PERSON = registry.schema(
    "Person",
    object_schema(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "sortable_name": {"type": "string"},
            "lms_user_id": {"type": "string"},
            "sis_user_id": {"type": "string"},
            "login_id": {"type": "string"},
            "email": {"type": "string"},
            "section": {"type": "string"},
        }
    ),
)


def person_json(person: Person) -> dict[str, Any]:
    """Write a student of a course as the API answers it, with every id a gradebook may match on."""
    return {
        "id": person.id,
        "name": person.display_name or person.key,
        "sortable_name": person.sortable_name,
        "lms_user_id": person.lms_user_id,
        "sis_user_id": person.sis_user_id,
        "login_id": person.login_id,
        "email": person.email,
        "section": person.section,
    }


POINTS = {"type": "number", "minimum": 0}
CRITERION = object_schema(
    {
        "criterion": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": ["string", "null"]},
        "points": POINTS,
        "possible": POINTS,
        "reason": {"type": "string", "description": "why these points: the measures behind them"},
        "provisional": {"type": "boolean"},
        "overridden": {"type": "boolean", "description": "points set by an instructor"},
        "awaiting": {"type": "array", "items": {"type": "string"}, "description": "references awaiting review"},
        "missing": {"type": "string"},
        "assessed": {"type": "boolean", "description": "false: nothing to assess (nothing cited, no due date set)"},
        "not_assessed": {"type": "string", "description": "why nothing could be assessed, in words"},
    }
)
GRADE = registry.schema(
    "Grade",
    object_schema(
        {
            "person": PERSON,
            "topic_id": {"type": "integer"},
            "rubric": {"type": "string"},
            "total": POINTS,
            "possible": POINTS,
            "provisional": {"type": "boolean", "description": "some references are unchecked or await review"},
            "awaiting_review": {"type": "integer", "minimum": 0},
            "feedback": {"type": "string"},
            "criteria": {"type": "array", "items": CRITERION},
            "computed_at": TIME,
        }
    ),
)


def grade_json(grade: Grade, person: Person) -> dict[str, Any]:
    """Write a stored grade with its breakdown, criterion by criterion, as the API answers it."""
    breakdown = grade.breakdown or {}
    return {
        "person": person_json(person),
        "topic_id": grade.topic_id,
        "rubric": grade.rubric,
        "total": grade.total,
        "possible": grade.possible,
        "provisional": grade.provisional,
        "awaiting_review": int(breakdown.get("awaiting_review", 0)),
        "feedback": str(breakdown.get("feedback", "")),
        "criteria": [
            {name: criterion.get(name, default) for name, default in CRITERION_DEFAULTS.items()}
            for criterion in breakdown.get("criteria", [])
        ],
        "computed_at": iso_time(grade.computed_at),
    }


CRITERION_DEFAULTS: dict[str, Any] = {
    "criterion": "",
    "name": "",
    "level": None,
    "points": 0.0,
    "possible": 0.0,
    "reason": "",
    "provisional": False,
    "overridden": False,
    "awaiting": [],
    "missing": "",
    "assessed": True,
    "not_assessed": "",
}
PERSON_GRADES = registry.schema(
    "PersonGrades",
    object_schema({"person": PERSON, "grades": {"type": "array", "items": GRADE, "description": "empty until graded"}}),
)
