"""Who may use which route: one table for every route, enforced before each request, and helpers views fetch with.

Every endpoint of the app has a rule in ROUTES. A route without one is refused, and tests/web/test_access.py
fails, so the access-control tests stay exhaustive as routes are added. Courses a user may not see answer 404,
never 403, so that their existence does not leak.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, cast

from flask import Flask, abort, current_app, request
from flask import session as flask_session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store.accounts import CourseRole, Role
from forumgrader.store.models import Course, Draft, Job, Post, Topic, User
from forumgrader.web.api import auth as api_auth
from forumgrader.web.api import is_api_request

log = logging.getLogger(__name__)


class Rule(StrEnum):
    """Who may use a route."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in user
    INSTRUCTOR = "instructor"  # users whose account is an instructor's or an admin's
    ADMIN = "admin"  # admins only
    COURSE_MEMBER = "course_member"  # anyone in the route's course, and admins
    COURSE_REVIEWER = "course_reviewer"  # the course's TAs and instructors, and admins
    COURSE_GRADER = "course_grader"  # the course's instructors, and admins
    POST_READER = "post_reader"  # the course's staff, and the student who wrote the post
    JOB_WATCHER = "job_watcher"  # whoever started the job, the staff of its course, and admins
    DRAFT_OWNER = "draft_owner"  # the user who saved the draft, no one else (admins neither)
    GRADE_READER = "grade_reader"  # the course's staff and admins, and the student whose grade it is
    DEEP_LINKER = "deep_linker"  # an instructor of the course whose LMS asked, in this browser, what to place


# Every route and its rule, by endpoint. Add a line here with every new view.
ROUTES: dict[str, Rule] = {
    "static": Rule.PUBLIC,
    "auth.login": Rule.PUBLIC,
    "auth.logout": Rule.SIGNED_IN,
    "courses.home": Rule.PUBLIC,
    "courses.course": Rule.COURSE_MEMBER,
    "jobs.job": Rule.JOB_WATCHER,
    "jobs.status": Rule.JOB_WATCHER,
    "instructor.new_course": Rule.INSTRUCTOR,
    "instructor.import_export": Rule.COURSE_GRADER,
    "instructor.progress": Rule.COURSE_REVIEWER,
    "instructor.retry": Rule.COURSE_GRADER,
    "topics.topic": Rule.COURSE_MEMBER,  # staff see the dashboard, a student their own posts
    "topics.export": Rule.COURSE_GRADER,
    "topics.change_rubric": Rule.COURSE_GRADER,
    "topics.recheck": Rule.COURSE_GRADER,
    "settings.topic_settings": Rule.COURSE_GRADER,
    "settings.rubric": Rule.COURSE_REVIEWER,  # TAs read the rubric they review against
    "rosters.roster": Rule.COURSE_GRADER,
    "posts.post": Rule.POST_READER,
    "posts.override": Rule.COURSE_GRADER,
    "grading.first": Rule.COURSE_REVIEWER,  # TAs read the grades; only graders see the override forms
    "grading.student": Rule.COURSE_REVIEWER,
    "review.queue": Rule.SIGNED_IN,  # the courses you review; none for students
    "review.course": Rule.COURSE_REVIEWER,
    "review.decision": Rule.COURSE_REVIEWER,
    "review.bulk": Rule.COURSE_REVIEWER,
    "api.openapi": Rule.PUBLIC,
    "api.docs": Rule.PUBLIC,  # the documentation page over openapi.json
    "api.courses": Rule.SIGNED_IN,
    "api.course": Rule.COURSE_MEMBER,
    "api.course_topics": Rule.COURSE_MEMBER,
    "api.topic": Rule.COURSE_MEMBER,
    "api.job": Rule.JOB_WATCHER,
    "selfcheck.page": Rule.PUBLIC,
    "selfcheck.check": Rule.PUBLIC,
    "drafts.drafts": Rule.SIGNED_IN,
    "drafts.save": Rule.SIGNED_IN,
    "drafts.draft": Rule.DRAFT_OWNER,
    "drafts.delete": Rule.DRAFT_OWNER,
    "student.posts": Rule.SIGNED_IN,
    "api.topic_posts": Rule.COURSE_MEMBER,  # a student lists their own posts only
    "api.post": Rule.POST_READER,
    "api.post_report": Rule.POST_READER,
    "api.topic_findings": Rule.COURSE_MEMBER,  # a student, the findings of their own posts only
    "api.course_reviews": Rule.COURSE_REVIEWER,
    "api.review_post": Rule.COURSE_REVIEWER,
    "api.topic_grades": Rule.COURSE_REVIEWER,  # TAs read the grades the dashboard shows them; only graders change them
    "api.person_grades": Rule.GRADE_READER,
    "api.self_check": Rule.PUBLIC,  # a token is optional; rate-limited per client address
    "api.check_topic": Rule.COURSE_GRADER,
    # LTI: the LMS's doors (state, nonce and signatures protect them), deep linking, admins' registrations
    "lti.login": Rule.PUBLIC,
    "lti.launch": Rule.PUBLIC,
    "lti.jwks": Rule.PUBLIC,
    "lti.deep_link": Rule.DEEP_LINKER,
    "lti.deep_link_answer": Rule.DEEP_LINKER,
    "lti_admin.page": Rule.ADMIN,
    "lti_admin.register": Rule.ADMIN,
    "lti_admin.add_deployment": Rule.ADMIN,
    "lti_admin.delete_platform": Rule.ADMIN,
    "lti_admin.rotate_key": Rule.ADMIN,
    "lti_admin.retire_key": Rule.ADMIN,
    # a course's LMS links (LTI roster, Canvas connection and import) and a topic's grade passback
    "lms.course": Rule.COURSE_GRADER,
    "lms.roster": Rule.COURSE_GRADER,
    "lms.canvas_connect": Rule.COURSE_GRADER,
    "lms.canvas_revoke": Rule.COURSE_GRADER,
    "lms.canvas_import": Rule.COURSE_GRADER,
    "lms.topic": Rule.COURSE_GRADER,
    "lms.choose_settings": Rule.COURSE_GRADER,
    "lms.send": Rule.COURSE_GRADER,
}


class Decision(StrEnum):
    """What the rule says about one request."""

    ALLOW = "allow"
    FORBIDDEN = "forbidden"  # 403: the user knows the thing exists, but may not do this
    NOT_FOUND = "not_found"  # 404: the user may not know whether the thing exists


# How a route's path parameter leads to its course, for the course rules.
SCOPES: dict[str, Callable[[Session, int], int | None]] = {
    "course_id": lambda session, id_: id_ if session.get(Course, id_) is not None else None,
    "topic_id": lambda session, id_: topic.course_id if (topic := session.get(Topic, id_)) else None,
    "post_id": lambda session, id_: _post_course(session, id_),
    "job_id": lambda session, id_: job.course_id if (job := session.get(Job, id_)) else None,
}


def _post_course(session: Session, post_id: int) -> int | None:
    post = session.get(Post, post_id)
    topic = session.get(Topic, post.topic_id) if post is not None else None
    return topic.course_id if topic is not None else None


def course_of(session: Session, view_args: Mapping[str, Any]) -> int | None:
    """Return the id of the course a route's parameters point into, or None when they point at nothing."""
    for name, resolve in SCOPES.items():
        if name in view_args:
            return resolve(session, view_args[name])
    raise LookupError(f"a course rule needs one of the parameters {', '.join(SCOPES)} in the route")


def _in_course(allowed: Callable[[Session, User, int], bool]) -> Callable[[Session, User, Mapping[str, Any]], Decision]:
    def check(session: Session, user: User, view_args: Mapping[str, Any]) -> Decision:
        course_id = course_of(session, view_args)
        if course_id is None or not accounts.can_view_course(session, user, course_id):
            return Decision.NOT_FOUND
        return Decision.ALLOW if allowed(session, user, course_id) else Decision.FORBIDDEN

    return check


def _with_role(*roles: Role) -> Callable[[Session, User, Mapping[str, Any]], Decision]:
    return lambda _session, user, _args: Decision.ALLOW if user.role in roles else Decision.FORBIDDEN


def _post_reader(session: Session, user: User, view_args: Mapping[str, Any]) -> Decision:
    post = session.get(Post, view_args["post_id"])
    return Decision.ALLOW if post is not None and accounts.can_view_post(session, user, post) else Decision.NOT_FOUND


def _job_watcher(session: Session, user: User, view_args: Mapping[str, Any]) -> Decision:
    job = session.get(Job, view_args["job_id"])
    return Decision.ALLOW if job is not None and accounts.can_watch_job(session, user, job) else Decision.NOT_FOUND


def _draft_owner(session: Session, user: User, view_args: Mapping[str, Any]) -> Decision:
    draft = session.get(Draft, view_args["draft_id"])
    return Decision.ALLOW if draft is not None and draft.user_id == user.id else Decision.NOT_FOUND


def _grade_reader(session: Session, user: User, view_args: Mapping[str, Any]) -> Decision:
    course_id = course_of(session, view_args)
    if course_id is None or not accounts.can_view_course(session, user, course_id):
        return Decision.NOT_FOUND
    if accounts.can_review_course(session, user, course_id):
        return Decision.ALLOW
    membership = accounts.membership_of(session, user, course_id)
    if membership is not None and membership.role == CourseRole.STUDENT:
        # another student's grade: as if there were none
        return Decision.ALLOW if membership.person_id == view_args["person_id"] else Decision.NOT_FOUND
    return Decision.FORBIDDEN


def _deep_linker(session: Session, user: User, _view_args: Mapping[str, Any]) -> Decision:
    course_id = flask_session.get("lti_course")  # set by a launch (web/lti/launch.py)
    allowed = isinstance(course_id, int) and accounts.can_grade_course(session, user, course_id)
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


CHECKS: dict[Rule, Callable[[Session, User, Mapping[str, Any]], Decision]] = {
    Rule.SIGNED_IN: lambda _session, _user, _args: Decision.ALLOW,
    Rule.INSTRUCTOR: _with_role(Role.INSTRUCTOR, Role.ADMIN),
    Rule.ADMIN: _with_role(Role.ADMIN),
    Rule.COURSE_MEMBER: _in_course(accounts.can_view_course),
    Rule.COURSE_REVIEWER: _in_course(accounts.can_review_course),
    Rule.COURSE_GRADER: _in_course(accounts.can_grade_course),
    Rule.POST_READER: _post_reader,
    Rule.JOB_WATCHER: _job_watcher,
    Rule.DRAFT_OWNER: _draft_owner,
    Rule.GRADE_READER: _grade_reader,
    Rule.DEEP_LINKER: _deep_linker,
}


def init_app(app: Flask) -> None:
    """Check every request against its route's rule before the view runs."""
    app.before_request(enforce)


def enforce() -> ResponseReturnValue | None:
    """Let the request through, or answer: sign in (401 / the sign-in page), 403 or 404."""
    if request.endpoint is None:
        return None  # no route matched: the 404 or 405 follows
    rule = ROUTES.get(request.endpoint)
    if rule is None:
        log.error("route %s has no rule in forumgrader/web/access.py ROUTES: refused", request.endpoint)
        abort(403)
    if rule is Rule.PUBLIC:
        return None
    user = current_actor()
    if user is None:
        if is_api_request():
            api_auth.refuse()
        return cast(ResponseReturnValue, current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    decision = CHECKS[rule](store.session(), user, request.view_args or {})
    if decision is Decision.FORBIDDEN:
        abort(403)
    if decision is Decision.NOT_FOUND:
        abort(404)
    return None


def allows(endpoint: str, view_args: Mapping[str, Any]) -> bool:
    """Tell whether the current user may use a route with these parameters (pages show only such links)."""
    rule = ROUTES.get(endpoint)
    if rule is None:
        return False
    if rule is Rule.PUBLIC:
        return True
    user = current_actor()
    return user is not None and CHECKS[rule](store.session(), user, view_args) is Decision.ALLOW


def current_actor() -> User | None:
    """Return who is making the request: the API token's owner under /api/v1, else the signed-in user."""
    if is_api_request():
        return api_auth.token_user()
    return current_user._get_current_object() if current_user.is_authenticated else None


def signed_in_user() -> User:
    """Return the user of a route that requires one (the rules have already refused everyone else)."""
    user = current_actor()
    if user is None:
        abort(401)
    return user


def course_or_404(course_id: int) -> Course:
    """Return a course the current user may see, or answer 404 (also for courses that exist but are not theirs)."""
    session = store.session()
    course = session.get(Course, course_id)
    if course is None or not accounts.can_view_course(session, current_actor(), course.id):
        abort(404)
    return course


def topic_or_404(topic_id: int) -> Topic:
    """Return a topic of a course the current user may see, or answer 404."""
    topic = store.session().get(Topic, topic_id)
    if topic is None:
        abort(404)
    course_or_404(topic.course_id)
    return topic


def post_or_404(post_id: int) -> Post:
    """Return a post the current user may read, or answer 404."""
    session = store.session()
    post = session.get(Post, post_id)
    if post is None or not accounts.can_view_post(session, current_actor(), post):
        abort(404)
    return post


def job_or_404(job_id: int) -> Job:
    """Return a job the current user may follow, or answer 404."""
    session = store.session()
    job = session.get(Job, job_id)
    if job is None or not accounts.can_watch_job(session, current_actor(), job):
        abort(404)
    return job
