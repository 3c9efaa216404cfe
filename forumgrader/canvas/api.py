"""Canvas's REST API through canvasapi: a course's discussion topics, a topic's full view, grades with comments.

The one adapter for Canvas's REST API: canvasapi's and requests' errors become CanvasFailed, whose message says
what to do. The full view has no canvasapi method; it is read through canvasapi's own requester, as canvasapi's
objects do, and a grade is set through canvasapi's Submission without fetching the submission first.
"""

from __future__ import annotations

import ipaddress
import re
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from canvasapi import Canvas
from canvasapi.course import Course
from canvasapi.exceptions import (
    CanvasException,
    Forbidden,
    InvalidAccessToken,
    RateLimitExceeded,
    ResourceDoesNotExist,
    Unauthorized,
)
from canvasapi.submission import Submission

_COURSE_URL = re.compile(r"^/courses/(\d+)(?:/|$)")
VIEW_RETRIES = 4  # Canvas answers 503 while it builds a topic's view: ask again, waiting longer each time


class CanvasFailed(Exception):
    """Canvas could not be used as asked; str() says why and what to do."""


@dataclass(frozen=True, slots=True)
class CanvasCourse:
    """Where a Canvas course is: the site, and the course's id there."""

    base_url: str
    course_id: str


@dataclass(frozen=True, slots=True)
class CanvasTopic:
    """A discussion topic as Canvas lists it."""

    id: str
    title: str
    assignment_id: str
    points_possible: float | None
    entries: int


def parse_course_url(url: str) -> CanvasCourse:
    """Read a Canvas course's address (https://school.instructure.com/courses/1234/...) into its site and id."""
    parts = urlsplit(url.strip())
    found = _COURSE_URL.match(parts.path)
    if parts.scheme not in {"https", "http"} or not parts.hostname or found is None:
        raise CanvasFailed(f"{url!r} is not a Canvas course address: copy it from the course's home page, such as "
                           "https://school.instructure.com/courses/1234")  # fmt: skip
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise CanvasFailed("Canvas must be reached over https://, so that the token is never sent in the clear.")
    return CanvasCourse(f"{parts.scheme}://{parts.netloc}", found[1])


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# canvasapi's errors, most specific first, and what a person is told
FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (InvalidAccessToken, "Canvas refused the token (expired, revoked or mistyped): connect again with a new token"),
    (Unauthorized, "The token's owner may not do this in Canvas (it needs a teacher's or admin's token)"),
    (RateLimitExceeded, "Canvas's rate limit was reached: try again in a few minutes"),
    (Forbidden, "Canvas refused (a topic that requires an initial post needs a teacher's token)"),
    (ResourceDoesNotExist, "Canvas has no such course, topic, assignment or student (check the address)"),
    (CanvasException, "Canvas answered with an error"),
    (requests.RequestException, "Canvas could not be reached (check the address and the network)"),
)


@contextmanager
def _failures(doing: str) -> Iterator[None]:
    try:
        yield
    except tuple(kind for kind, _message in FAILURES) as error:
        message = next(message for kind, message in FAILURES if isinstance(error, kind))
        raise CanvasFailed(f"{message}, while {doing}.") from error


class CanvasAPI:
    """One Canvas site, with one token."""

    def __init__(self, base_url: str, token: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        with warnings.catch_warnings():
            # canvasapi warns about http:// addresses; parse_course_url allows them only on this machine
            warnings.filterwarnings("ignore", message="Canvas may respond unexpectedly", category=UserWarning)
            self._canvas = Canvas(base_url, token)
        self._requester = self._canvas._Canvas__requester  # canvasapi's own session, token and error handling
        self._sleep = sleep

    def whoami(self) -> str:
        """Return the token owner's name (checks the token)."""
        with _failures("checking the token"):
            user = self._canvas.get_current_user()
        return str(getattr(user, "name", "") or getattr(user, "id", ""))

    def topics(self, course_id: str) -> list[CanvasTopic]:
        """List a course's discussion topics (every page), announcements aside."""
        with _failures("listing the course's discussion topics"):
            found = list(Course(self._requester, {"id": int(course_id)}).get_discussion_topics())
        return [
            CanvasTopic(
                id=str(topic.id),
                title=str(getattr(topic, "title", "") or ""),
                assignment_id=str(getattr(topic, "assignment_id", "") or ""),
                points_possible=_points(getattr(topic, "assignment", None)),
                entries=int(getattr(topic, "discussion_subentry_count", 0) or 0),
            )
            for topic in found
        ]

    def topic_export(self, course_id: str, topic_id: str) -> tuple[bytes, bytes]:
        """Return a topic's full view (with new entries) and the topic itself, as the JSON the importer reads."""
        base = f"courses/{int(course_id)}/discussion_topics/{int(topic_id)}"
        with _failures("reading the topic"):
            topic = self._requester.request("GET", base).content
        for attempt in range(VIEW_RETRIES + 1):
            try:
                return self._requester.request("GET", f"{base}/view", include_new_entries=1).content, topic
            except CanvasException as error:
                if not self._still_building() or attempt == VIEW_RETRIES:
                    with _failures("reading the topic's posts"):
                        raise error
            self._sleep(2.0**attempt)
        raise CanvasFailed("Canvas is still preparing the topic's posts: try again in a minute.")  # pragma: no cover

    def _still_building(self) -> bool:
        """Tell whether Canvas's last answer was 503: it is still building the topic's view."""
        last = self._requester._cache[0] if self._requester._cache else None
        return last is not None and last.status_code == 503

    def post_grade(self, course_id: str, assignment_id: str, user_id: str, points: float, comment: str) -> None:
        """Set a student's grade on an assignment (PUT .../submissions/:user_id), with a comment when there is one."""
        fields: dict[str, Any] = {"submission": {"posted_grade": f"{points:g}"}}
        if comment:
            fields["comment"] = {"text_comment": comment}
        where = {"course_id": int(course_id), "assignment_id": int(assignment_id), "user_id": int(user_id)}
        with _failures(f"posting the grade of Canvas user {user_id}"):
            Submission(self._requester, where).edit(**fields)


def _points(assignment: Any) -> float | None:
    points = assignment.get("points_possible") if isinstance(assignment, dict) else None
    return float(points) if isinstance(points, int | float) else None
