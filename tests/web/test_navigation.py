"""Every page a role may use is reachable by links from the pages it already sees, not only by typing an address."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from .conftest import World


def links(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_instructor_finds_how_to_start_a_course_import_and_review(
    world: World, client_as: Callable[[str], FlaskClient]
) -> None:
    instructor = client_as("instructor")
    assert "/courses/new" in links(instructor, "/")
    course_page = links(instructor, f"/courses/{world.course_a}")
    assert f"/courses/{world.course_a}/import" in course_page
    assert f"/courses/{world.course_a}/review" in course_page


def test_a_ta_finds_the_review_queue_but_no_import(world: World, client_as: Callable[[str], FlaskClient]) -> None:
    ta = client_as("ta")
    assert "/courses/new" not in links(ta, "/")
    course_page = links(ta, f"/courses/{world.course_a}")
    assert f"/courses/{world.course_a}/review" in course_page
    assert f"/courses/{world.course_a}/import" not in course_page


def test_a_student_finds_their_posts_and_drafts_and_nothing_of_staff(
    world: World, client_as: Callable[[str], FlaskClient]
) -> None:
    student = client_as("student")
    home = links(student, "/")
    assert "/me/posts" in home and "/drafts" in home
    course_page = links(student, f"/courses/{world.course_a}")
    assert "/import" not in course_page and "/review" not in course_page
