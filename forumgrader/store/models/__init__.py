"""Every table, importable from one place (Alembic and the services read them here)."""

from forumgrader.store.models.accounts import ApiToken, Draft, Membership, User
from forumgrader.store.models.citations import PostAnalysis, ReferenceCheck, Review
from forumgrader.store.models.crossref import CrossrefAnswer, SnapshotLoad, SnapshotToken, SnapshotWork
from forumgrader.store.models.discussions import Course, ImportBatch, Person, Post, RosterImport, Thread, Topic
from forumgrader.store.models.grading import AuditEntry, Grade, GradeOverride
from forumgrader.store.models.jobs import CheckChunk, Job
from forumgrader.store.models.lti import (
    CanvasConnection,
    GradePassback,
    GradeSent,
    LtiContext,
    LtiDeployment,
    LtiKey,
    LtiLaunchValue,
    LtiLineItem,
    LtiMember,
    LtiPlatform,
    LtiUser,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CanvasConnection",
    "CheckChunk",
    "Course",
    "CrossrefAnswer",
    "Draft",
    "Grade",
    "GradeOverride",
    "GradePassback",
    "GradeSent",
    "ImportBatch",
    "Job",
    "LtiContext",
    "LtiDeployment",
    "LtiKey",
    "LtiLaunchValue",
    "LtiLineItem",
    "LtiMember",
    "LtiPlatform",
    "LtiUser",
    "Membership",
    "Person",
    "Post",
    "PostAnalysis",
    "ReferenceCheck",
    "Review",
    "RosterImport",
    "SnapshotLoad",
    "SnapshotToken",
    "SnapshotWork",
    "Thread",
    "Topic",
    "User",
]
