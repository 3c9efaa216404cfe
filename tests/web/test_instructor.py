"""Instructor pages: a new course, importing with errors in words, the checking page, the topic dashboard with its
table and plots, the grade files, the rubric, a post's page with its marked citations, and overrides."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store import student_rows
from forumgrader.store.checks import analyse_post
from forumgrader.store.models import AuditEntry, Course, Grade, GradeOverride, Job, Membership, Post, Topic, User

from .conftest import World
from .sample_course import TITLE, TOPIC_JSON, VIEW, Sample, import_sample

pytestmark = pytest.mark.local_crossref

Client = Callable[[str], FlaskClient]


def text_of(response: Any) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).strip())


@pytest.fixture
def sample(app: Flask, session: Session, world: World, samples: Path) -> Sample:
    return import_sample(app, session, world, samples)


def upload(client: FlaskClient, course_id: int, files: dict[str, tuple[bytes, str]], **fields: str) -> Any:
    data: dict[str, Any] = {name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}
    return client.post(f"/courses/{course_id}/import", data={**data, **fields}, content_type="multipart/form-data")


def test_an_instructor_starts_a_course_and_teaches_it(client_as: Client, session: Session) -> None:
    response = client_as("instructor").post("/courses/new", data={"name": "PSY 210 Research Methods"})
    course = session.scalars(select(Course).where(Course.name == "PSY 210 Research Methods")).one()
    assert response.headers["Location"] == f"/courses/{course.id}/import"
    membership = session.scalars(select(Membership).where(Membership.course_id == course.id)).one()
    teacher = session.get_one(User, membership.user_id)
    assert (teacher.email, membership.role) == ("instructor@example.edu", "instructor")
    again = client_as("instructor").post("/courses/new", data={"name": "psy 210 research methods"})
    assert again.status_code == 400 and "exists already" in text_of(again)


def test_an_upload_is_imported_checked_graded_and_followed_to_the_dashboard(
    client_as: Client, world: World, samples: Path, session: Session
) -> None:
    files = {
        "export": ((samples / VIEW).read_bytes(), "discussion.view.json"),
        "topic_json": ((samples / TOPIC_JSON).read_bytes(), "topic.json"),
    }
    client = client_as("instructor")
    response = upload(client, world.course_a, files, timezone="UTC", rubric="canvas-discussion-60")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/courses/{world.course_a}/progress?job=")
    topic = session.scalars(select(Topic).where(Topic.title == TITLE)).one()
    assert (topic.course_id, topic.rubric, topic.lms_assignment_id) == (world.course_a, "canvas-discussion-60", "48213")
    job = session.scalars(select(Job).where(Job.topic_id == topic.id)).one()
    assert (job.kind, job.status, job.params) == ("check_topic", "done", {"rubric": "canvas-discussion-60"})
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert f'data-next-href="/topics/{topic.id}"' in html  # where the page goes when the check is done
    assert 'value="100">100%</progress>' in html
    assert "Imported 5 posts (4 replies) by 4 people" in text_of(page)
    grades = session.scalars(select(Grade).where(Grade.topic_id == topic.id)).all()
    assert len(grades) == 4 and {grade.rubric for grade in grades} == {"canvas-discussion-60"}


def test_a_file_that_cannot_be_read_is_explained_and_nothing_is_imported(
    client_as: Client, world: World, samples: Path, session: Session
) -> None:
    view = json.loads((samples / VIEW).read_text(encoding="utf-8"))
    view["view"][0]["created_at"] = "yesterday"
    client = client_as("instructor")
    response = upload(client, world.course_a, {"export": (json.dumps(view).encode(), "week1.view.json")})
    assert response.status_code == 400
    words = text_of(response)
    assert "Nothing was imported." in words
    assert "The problem is at entry 7001, field “created_at”: 'yesterday' is not an ISO 8601 date" in words
    assert "Fix the file or the options below, then upload it again." in words
    assert session.scalar(select(func.count()).select_from(Topic)) == 2  # the world's two topics, no more
    moodle = (samples / "moodle/discussion.csv").read_text(encoding="utf-8").replace(",parent,", ",parrent,", 1)
    no_parent = upload(client, world.course_a, {"export": (moodle.encode(), "forum.csv")})
    assert "The problem is at line 1, field “parent”: this file looks like a Moodle export without" in text_of(
        no_parent
    )
    wrong_kind = upload(client, world.course_a, {"export": (b"just some text", "notes.txt")})
    assert wrong_kind.status_code == 400
    assert "“notes.txt” is not a file we can read here: upload a .csv, .json or .xlsx file." in text_of(wrong_kind)
    nothing = upload(client, world.course_a, {})
    assert "Choose a file to upload." in text_of(nothing)
    bad_zone = upload(
        client, world.course_a, {"export": ((samples / VIEW).read_bytes(), "a.json")}, timezone="Mars/Olympus"
    )
    assert "“Mars/Olympus” is not a time zone name" in text_of(bad_zone)
    assert session.scalar(select(func.count()).select_from(Post)) == 2


def test_a_moodle_forum_downloaded_as_excel_is_imported(
    client_as: Client, world: World, samples: Path, session: Session
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in csv.reader(io.StringIO((samples / "moodle/discussion.csv").read_text(encoding="utf-8"))):
        sheet.append([int(cell) if cell.isdigit() else cell for cell in cells])  # numbers as Excel holds them
    content = io.BytesIO()
    book.save(content)
    response = upload(client_as("instructor"), world.course_a, {"export": (content.getvalue(), "forum.xlsx")})
    assert response.status_code == 302, text_of(response)
    imported = session.scalars(select(Post.lms_post_id).where(Post.lms_post_id.in_(["3101", "3107", "3118"]))).all()
    assert sorted(imported) == ["3101", "3107", "3118"]


def test_the_import_page_works_without_script_and_offers_a_drop_zone(client_as: Client, world: World) -> None:
    html = client_as("instructor").get(f"/courses/{world.course_a}/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" id="export" name="export"[^>]*required', html)
    assert "data-drop-zone" in html and 'js/upload.js"' in html
    assert '<option value="America/Chicago">' in html  # the time zones, for Moodle's human dates


def test_a_failed_check_says_why_and_can_be_tried_again(
    client_as: Client, world: World, session: Session, sample: Sample
) -> None:
    job = session.scalars(select(Job).where(Job.topic_id == sample.topic)).one()
    job.status, job.error = "failed", "LookupBlocked: Crossref refused us (403)"
    session.commit()
    client = client_as("instructor")
    page = client.get(f"/courses/{world.course_a}/progress?job={job.id}").get_data(as_text=True)
    assert "LookupBlocked: Crossref refused us (403)" in page
    assert re.search(
        rf'<form class="job-retry" method="post" data-job-retry\s+action="[^"]+/jobs/{job.id}/retry">', page
    )
    dashboard = text_of(client.get(f"/topics/{sample.topic}"))
    assert "The last check stopped: LookupBlocked: Crossref refused us (403) Try again" in dashboard
    response = client.post(f"/courses/{world.course_a}/jobs/{job.id}/retry")
    again = session.scalars(select(Job).where(Job.topic_id == sample.topic, Job.id != job.id)).one()
    assert response.headers["Location"] == f"/courses/{world.course_a}/progress?job={again.id}"
    assert (again.status, again.params) == ("done", job.params)
    assert client.post(f"/courses/{world.course_b}/jobs/{job.id}/retry").status_code == 404  # not theirs


def dashboard_rows(page: str) -> list[list[str]]:
    body = page.split("data-sortable-table", 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr (data-name[^>]*)>(.*?)</tr>", body, flags=re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)
        ]
        + (["hidden"] if " hidden" in attributes else [])
        for attributes, cells in rows
    ]


def test_the_dashboard_has_one_row_per_student_from_the_stored_grades(
    client_as: Client, sample: Sample, session: Session
) -> None:
    html = client_as("instructor").get(f"/topics/{sample.topic}").get_data(as_text=True)
    grades = {grade.person_id: grade for grade in session.scalars(select(Grade).where(Grade.topic_id == sample.topic))}
    danielle = grades[sample.people["Danielle Okafor"]]
    rows = dashboard_rows(html)
    assert [row[0] for row in rows] == ["Danielle Okafor", "Marcus Bennett", "Priya Raman", "Tyler Hughes"]
    assert rows[0][1] == f"{danielle.total:g}/{danielle.possible:g} provisional"
    assert rows[0][2:] == ["1", "0", "4", "2 awaiting review", "on time"]
    assert rows[1][2:] == ["1", "1", "2", "2 awaiting review", "on time"]  # a not_found and a mismatch
    assert rows[2][2:5] == ["2", "2", "2"]
    assert f'href="/posts/{sample.posts["Marcus Bennett"]}"' in html  # a name opens the student's first post


def test_the_dashboard_sorts_and_filters_without_script(client_as: Client, sample: Sample, session: Session) -> None:
    client = client_as("ta")
    by_score = dashboard_rows(client.get(f"/topics/{sample.topic}?sort=score&order=desc").get_data(as_text=True))
    scores = [float(row[1].split("/")[0]) for row in by_score]
    assert scores == sorted(scores, reverse=True)
    html = client.get(f"/topics/{sample.topic}?sort=score&order=desc").get_data(as_text=True)
    assert re.search(r'aria-sort="descending" data-sort-key="score"', html)
    assert f'href="/topics/{sample.topic}?sort=score&amp;order=asc#students"' in html  # clicking again turns it
    filtered = client.get(f"/topics/{sample.topic}?q=pri").get_data(as_text=True)
    assert [row[0] for row in dashboard_rows(filtered)] == ["Priya Raman"]  # the others are not sent
    assert "data-complete" not in filtered  # so a script asks the server again when the filter changes
    assert "data-complete" in client.get(f"/topics/{sample.topic}").get_data(as_text=True)
    provisional = dashboard_rows(client.get(f"/topics/{sample.topic}?only=provisional").get_data(as_text=True))
    expected = {
        person
        for person, grade in (
            (g.person_id, g) for g in session.scalars(select(Grade).where(Grade.topic_id == sample.topic))
        )
        if grade.provisional
    }
    shown = {sample.people[row[0]] for row in provisional if "hidden" not in row}
    assert shown == expected and expected
    assert "Showing 1 of 4 students." in text_of(client.get(f"/topics/{sample.topic}?q=tyler"))


def test_a_large_class_is_shown_a_page_at_a_time(
    client_as: Client, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(student_rows, "PER_PAGE", 3)
    client = client_as("instructor")
    first = client.get(f"/topics/{sample.topic}?sort=replies&order=desc").get_data(as_text=True)
    second = client.get(f"/topics/{sample.topic}?sort=replies&order=desc&page=2").get_data(as_text=True)
    assert len(dashboard_rows(first)) == 3 and len(dashboard_rows(second)) == 1
    replies = [int(row[3]) for row in dashboard_rows(first) + dashboard_rows(second)]
    assert replies == sorted(replies, reverse=True)  # sorted over the whole class, then cut into pages
    assert {row[0] for row in dashboard_rows(first) + dashboard_rows(second)} == set(sample.people)
    assert "Showing 1–3 of 4 students." in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", first))
    assert f'href="/topics/{sample.topic}?sort=replies&amp;order=desc&amp;page=2#students" rel="next"' in first
    assert f'href="/topics/{sample.topic}?sort=replies&amp;order=desc#students" rel="prev"' in second
    assert 'aria-current="page">2</a>' in second and "data-complete" not in first
    beyond = client.get(f"/topics/{sample.topic}?sort=replies&order=desc&page=99").get_data(as_text=True)
    assert dashboard_rows(beyond) == dashboard_rows(second)  # past the end: the last page


def test_the_dashboard_draws_its_plots_with_their_numbers(client_as: Client, world: World, sample: Sample) -> None:
    html = client_as("instructor").get(f"/topics/{sample.topic}").get_data(as_text=True)
    for plot in ("plot-scores", "plot-sources", "plot-verdicts"):
        assert re.search(rf'<svg class="plot-svg" [^>]*role="img" aria-labelledby="{plot}-title {plot}-desc"', html)
    words = text_of(client_as("instructor").get(f"/topics/{sample.topic}"))
    assert "Score distribution. 4 students graded: median" in words
    assert "Sources per post. 5 posts: median 2 sources per post; 1 post lists none." in words
    assert (
        "Verdicts per topic. This topic: 10 references (3 verified, 2 with details that differ, "
        "1 with a broken DOI, 4 not found). The course has 2 topics, each drawn as one bar."
    ) in words
    # the verdicts' table: one row per topic of the course
    assert f"{TITLE} 3 2 0 1 4 0 0 0" in words
    assert "style=" not in html and "<script>" not in html  # nothing the Content-Security-Policy blocks


def test_a_student_sees_their_own_posts_of_a_topic_not_the_dashboard(
    client_as: Client, world: World, session: Session
) -> None:
    page = text_of(client_as("student").get(f"/topics/{world.topic_a}"))
    assert "Your posts" in page and "Score distribution" not in page
    html = client_as("student").get(f"/topics/{world.topic_a}").get_data(as_text=True)
    assert f'href="/posts/{world.post_a}"' in html and f'href="/posts/{world.other_post_a}"' not in html


def test_grade_files_hold_the_grades_the_dashboard_shows(client_as: Client, sample: Sample, session: Session) -> None:
    client = client_as("instructor")
    response = client.get(f"/topics/{sample.topic}/export?lms=canvas&assignment_id=48213&item={TITLE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="psychotherapy-biological-basis-canvas-grades.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{TITLE} (48213)"]
    grades = {
        grade.person_id: grade.total for grade in session.scalars(select(Grade).where(Grade.topic_id == sample.topic))
    }
    assert {row[1]: float(row[5]) for row in rows[2:]} == {
        "20931": grades[sample.people["Danielle Okafor"]],
        "20940": grades[sample.people["Marcus Bennett"]],
        "20957": grades[sample.people["Priya Raman"]],
        "20968": grades[sample.people["Tyler Hughes"]],
    }
    missing = client.get(f"/topics/{sample.topic}/export?lms=canvas&assignment_id=")
    assert missing.status_code == 400 and "Canvas needs the assignment id" in text_of(missing)
    # a Canvas discussion names no email or ID number: no Moodle file, and the page says why and what to do
    moodle = client.get(f"/topics/{sample.topic}/export?lms=moodle&item=Week+1&match_by=email")
    assert moodle.status_code == 400
    assert (
        "No file was made for Moodle. Moodle matches students by email address or ID number, and 4 of 4 students "
        "have neither. Upload the course's Moodle roster on its roster page."
    ) in text_of(moodle)
    page = text_of(client.get(f"/topics/{sample.topic}/export"))
    assert "The topic is worth 100 points in the LMS and the rubric" not in page  # graduate-discussion: 100 too


def test_an_instructor_grades_a_topic_with_another_rubric(client_as: Client, sample: Sample, session: Session) -> None:
    client = client_as("instructor")
    response = client.post(f"/topics/{sample.topic}/rubric", data={"rubric": "engagement-points"})
    assert response.headers["Location"] == f"/topics/{sample.topic}"
    session.expire_all()
    assert session.get_one(Topic, sample.topic).rubric == "engagement-points"
    assert (
        session.scalar(select(func.count()).where(Grade.topic_id == sample.topic, Grade.rubric == "engagement-points"))
        == 4
    )
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "topic.rubric")).one()
    assert audit.details["rubric"] == "engagement-points" and audit.actor == "Instructor"
    assert "(engagement-points)" in text_of(client.get(f"/topics/{sample.topic}"))
    refused = client.post(f"/topics/{sample.topic}/rubric", data={"rubric": "/etc/passwd"}, follow_redirects=True)
    assert "not a rubric this site offers" in text_of(refused)
    assert session.get_one(Topic, sample.topic).rubric == "engagement-points"


def test_checking_again_starts_a_job_and_follows_it(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    response = client_as("instructor").post(f"/topics/{sample.topic}/recheck")
    jobs = session.scalars(select(Job).where(Job.topic_id == sample.topic).order_by(Job.id)).all()
    assert len(jobs) == 2 and jobs[1].status == "done"
    assert response.headers["Location"] == f"/courses/{world.course_a}/progress?job={jobs[1].id}"


def marks(page: str) -> list[tuple[str, str, str]]:
    """Each highlighted stretch of a post: (verdict class, text, what the tag says to a screen reader)."""
    found = re.findall(r'<mark class="cited cited-\w+ verdict-([\w-]+)">(.*?)</mark>', page, flags=re.S)
    return [
        (
            verdict,
            html.unescape(body.split("<", 1)[0]),
            html.unescape(re.search(r'<span class="visually-hidden">\s*\((.*?)\)</span>', body, re.S).group(1)),
        )  # type: ignore[union-attr]
        for verdict, body in found
    ]


def test_a_post_marks_each_citation_and_entry_with_its_verdict_in_words(client_as: Client, sample: Sample) -> None:
    page = client_as("ta").get(f"/posts/{sample.posts['Danielle Okafor']}").get_data(as_text=True)
    found = marks(page)
    assert ("not-found", "Jokinen & Hartshorne (2022)", "Not found in Crossref: reference 2") in found
    assert ("verified", "Moreira, Inman, & Cloninger, 2020", "Verified: reference 3") in found
    entries = [mark for mark in found if mark[1].startswith("Avasthi A, Grover S")]
    assert entries == [("broken-doi", entries[0][1], "DOI does not resolve: reference 1")]
    assert re.search(r'<a class="mark-tag" href="#ref-2">\s*<span aria-hidden="true">\?2</span>', page)
    legend = text_of_html(page.split('aria-label="What the signs mean">', 1)[1].split("</ul>", 1)[0])
    assert legend == "? Not found in Crossref ✓ Verified ! DOI does not resolve"
    words = text_of_html(page)
    assert "Reference 1 ! DOI does not resolve" in words
    assert "The DOI in Avasthi et al. (2022) cannot be right as written" in words  # the offline finding
    assert "Review: awaiting . Open in the review queue" in words


def test_an_edited_post_is_read_as_it_is_now_and_keeps_each_unchanged_references_verdict(
    client_as: Client, sample: Sample, session: Session
) -> None:
    post = session.get_one(Post, sample.posts["Danielle Okafor"])
    added = "Aaron, B. (2021). A study nobody has checked yet. Journal of Examples, 1(1), 1-2."
    post.body_text = post.body_text.replace("References", f"References\n\n{added}\n\n", 1)
    session.commit()  # an edit imported after the check, before the next one
    page = client_as("instructor").get(f"/posts/{post.id}").get_data(as_text=True)
    words = text_of_html(page)
    assert "Reference 1 … Not checked yet" in words and "A study nobody has checked yet" in words
    assert "Reference 2 ! DOI does not resolve" in words  # Avasthi moved down a place and kept its verdict


def text_of_html(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def test_a_reference_sits_beside_its_record_with_each_difference_and_the_apa_suggestion(
    client_as: Client, sample: Sample
) -> None:
    page = client_as("instructor").get(f"/posts/{sample.posts['Priya Raman']}").get_data(as_text=True)
    if "Marwood" not in page:  # Priya's first post is her reply to the deleted entry; the Marwood one is next
        page = client_as("instructor").get(f"/posts/{sample.posts['Priya Raman'] + 1}").get_data(as_text=True)
    words = text_of_html(page)
    assert "Pages: you wrote “61-”, the record says “61-72”" in words
    assert re.search(
        r"<dt>Pages</dt>\s*<dd>61-72\s*<span class=\"difference\"><span aria-hidden=\"true\">≠ </span>"
        r"you wrote “61-”</span></dd>",
        page,
    )
    assert '<div class="record-row record-differs">' in page
    assert 'href="https://doi.org/10.1016/j.neubiorev.2018.09.022"' in page
    assert re.search(
        r'href="https://search\.crossref\.org/search/works\?q=Marwood%2C%20L\.%2C[^"]*&amp;from_ui=yes"', page
    )
    assert "Suggested APA reference: Marwood, L., Wise, T., Perkins, A. M., & Cleare, A. J. (2018)." in words


def test_a_student_reads_their_own_post_in_learner_words_without_grades(
    client_as: Client, world: World, session: Session
) -> None:
    analyse_post(session, session.get_one(Post, world.post_a))
    session.commit()
    page = client_as("student").get(f"/posts/{world.post_a}").get_data(as_text=True)
    assert marks(page) == [("no-entry", "Walker, 2017", "Not in your reference list")]
    assert "grade for this topic" not in page and "Override" not in page
    assert client_as("other_student").get(f"/posts/{world.post_a}").status_code == 404


def test_a_reply_links_to_the_post_it_answers(client_as: Client, sample: Sample, session: Session) -> None:
    reply = session.get_one(Post, sample.posts["Marcus Bennett"])
    words = text_of(client_as("instructor").get(f"/posts/{reply.id}"))
    assert "in reply to Danielle Okafor" in words
    parent = text_of(client_as("instructor").get(f"/posts/{reply.parent_id}"))
    assert "Replies Marcus Bennett" in parent


def test_an_instructor_overrides_a_criterion_with_a_reason_and_clears_it(
    client_as: Client, sample: Sample, session: Session
) -> None:
    post_id = sample.posts["Danielle Okafor"]
    person = sample.people["Danielle Okafor"]
    client = client_as("instructor")

    def grade() -> Grade:
        session.rollback()  # a new transaction sees what the requests committed
        return session.scalars(select(Grade).where(Grade.topic_id == sample.topic, Grade.person_id == person)).one()

    before = grade()
    total = before.total
    computed = next(c for c in before.breakdown["criteria"] if c["criterion"] == "main-posting")["points"]
    no_reason = client.post(
        f"/posts/{post_id}/override", data={"criterion": "main-posting", "points": "30"}, follow_redirects=True
    )
    assert "Give the reason for the override" in text_of(no_reason)
    too_many = client.post(
        f"/posts/{post_id}/override",
        follow_redirects=True,
        data={"criterion": "main-posting", "points": "50", "reason": "generous"},
    )
    assert "'main-posting' takes up to 45 points, not 50." in text_of(too_many)
    assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0

    response = client.post(
        f"/posts/{post_id}/override",
        data={"criterion": "main-posting", "points": "30", "reason": "Two sources are not peer-reviewed"},
    )
    assert response.headers["Location"] == f"/posts/{post_id}#rubric"
    assert grade().total == total - computed + 30
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.override")).one()
    assert (entry.note, entry.details["points"], entry.actor) == ("Two sources are not peer-reviewed", 30, "Instructor")
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    row = text_of_html(page.split('<tr id="criterion-main-posting">', 1)[1].split("<details", 1)[0])
    assert row.startswith("Main posting")
    assert "30/45 overridden" in row
    assert re.search(r"Override by the instructor \(.+\): Two sources are not peer-reviewed$", row)

    client.post(f"/posts/{post_id}/override", data={"criterion": "main-posting", "action": "clear", "reason": "oops"})
    assert grade().total == total
    assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.override.clear")).one().note == "oops"
