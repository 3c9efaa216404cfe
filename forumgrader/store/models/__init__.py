"""Every table, importable from one place (Alembic and the services read them here)."""

from forumgrader.store.models.accounts import ApiToken, Draft, Membership, User
from forumgrader.store.models.citations import PostAnalysis, ReferenceCheck, Review
from forumgrader.store.models.crossref import CrossrefAnswer, SnapshotLoad, SnapshotToken, SnapshotWork
from forumgrader.store.models.discussions import Course, ImportBatch, Person, Post, Thread, Topic
from forumgrader.store.models.grading import AuditEntry, Grade, GradeOverride
from forumgrader.store.models.jobs import CheckChunk, Job

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CheckChunk",
    "Course",
    "CrossrefAnswer",
    "Draft",
    "Grade",
    "GradeOverride",
    "ImportBatch",
    "Job",
    "Membership",
    "Person",
    "Post",
    "PostAnalysis",
    "ReferenceCheck",
    "Review",
    "SnapshotLoad",
    "SnapshotToken",
    "SnapshotWork",
    "Thread",
    "Topic",
    "User",
]
