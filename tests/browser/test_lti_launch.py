"""A launch end to end in Chromium: the local LMS shows forumgrader in an iframe, the browser goes through the OIDC
login and the launch, and the instructor sees the topic's dashboard, the student the self-check, inside the frame."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from lti.platform import INSTRUCTOR, LEARNER, LaunchSpec, LocalPlatform, Person, Served, serve
from sqlalchemy.orm import Session

from forumgrader.store import lti_platforms
from forumgrader.store.lti_platforms import Endpoints
from forumgrader.store.models import Course, Topic

from .conftest import LiveServer
from .screens import LAPTOP, PHONE, SMALL_PHONE, problems_at


@pytest.fixture
def platform(live_server: LiveServer, live_db: Session) -> Iterator[LocalPlatform]:
    """The local LMS, registered with the live server, and a course 501 with a topic imported before."""
    served: Served = serve()
    served.platform.tool_login_url = f"{live_server.url}/lti/login"
    endpoints = Endpoints(served.platform.url, f"{served.platform.url}/auth", f"{served.platform.url}/token",
                          f"{served.platform.url}/jwks")  # fmt: skip
    lti_platforms.register_platform(live_db, name="Local LMS", lms="canvas", client_id=served.platform.client_id,
                                    endpoints=endpoints, deployment_ids=[served.platform.deployment_id])  # fmt: skip
    course = Course(name="NURS 6501 Fall", lms="canvas", lms_course_id="501")
    live_db.add(course)
    live_db.flush()
    live_db.add(Topic(course_id=course.id, title="Week 3: Inflammation"))
    live_db.commit()
    yield served.platform
    served.stop()


@pytest.fixture
def lms_tab(browser: Any, live_server: LiveServer, platform: LocalPlatform) -> Iterator[Any]:
    """A browser tab that may load the LMS and the live server, and nothing else; JavaScript errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    allowed = re.compile(rf"^({re.escape(live_server.url)}|{re.escape(platform.url)})/")
    elsewhere: list[str] = []
    context.route("**/*", lambda route: route.continue_() if allowed.match(route.request.url)
                  else (elsewhere.append(route.request.url), route.abort()))  # fmt: skip
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert elsewhere == [] and errors == []


def _topic_id(live_db: Session) -> int:
    live_db.expire_all()
    topic = live_db.query(Topic).one()
    return topic.id


def test_an_instructor_launch_opens_the_topic_dashboard_inside_the_lms(
    lms_tab: Any, platform: LocalPlatform, live_db: Session
) -> None:
    teacher = Person("teacher-sub", "Grace Hopper", "grace@example.edu", INSTRUCTOR, "Grace", "Hopper")
    custom = {"canvas_course_id": "501", "topic": str(_topic_id(live_db)), "view": "dashboard"}
    hint = platform.prepare(LaunchSpec(teacher, custom=custom))
    lms_tab.goto(f"{platform.url}/course?hint={hint}")
    frame = lms_tab.frame_locator("iframe[name=tool]")
    frame.get_by_role("heading", name="Week 3: Inflammation").wait_for()
    assert frame.get_by_text("Grace Hopper").count() >= 1  # signed in as the LMS's user, inside the frame


def test_a_student_launch_opens_the_self_check_inside_the_lms(lms_tab: Any, platform: LocalPlatform) -> None:
    student = Person("student-sub", "Ada Lovelace", "ada@example.edu", LEARNER, "Ada", "Lovelace")
    hint = platform.prepare(LaunchSpec(student, custom={"canvas_course_id": "501"}))
    lms_tab.goto(f"{platform.url}/course?hint={hint}")
    frame = lms_tab.frame_locator("iframe[name=tool]")
    frame.locator("textarea").first.wait_for()
    assert frame.get_by_text("Ada Lovelace").count() >= 1


def test_the_deep_linking_page_fits_a_phone_and_passes_axe(
    lms_tab: Any, platform: LocalPlatform, live_db: Session
) -> None:
    teacher = Person("teacher-sub", "Grace Hopper", "grace@example.edu", INSTRUCTOR, "Grace", "Hopper")
    hint = platform.prepare(
        LaunchSpec(teacher, message_type="LtiDeepLinkingRequest", custom={"canvas_course_id": "501"})
    )
    lms_tab.goto(f"{platform.url}/course?hint={hint}")
    frame = lms_tab.frame_locator("iframe[name=tool]")
    frame.get_by_role("heading", name="Place forumgrader in your course").wait_for()
    tool = next(f for f in lms_tab.frames if f.name == "tool")
    lms_tab.goto(tool.url)  # the same page, top-level, in the same browser (its launch is in the session)
    lms_tab.get_by_label(re.compile("Week 3: Inflammation")).wait_for()
    wrong = [
        f"at {width} px: {problem}" for width in (LAPTOP, PHONE, SMALL_PHONE) for problem in problems_at(lms_tab, width)
    ]
    assert not wrong, "\n".join(wrong)
