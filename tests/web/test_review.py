"""The review queue: a course's flags worst first, filters, decisions with notes that persist across re-checks and
re-imports, feed the grades and are audited, in a page that works with and without its script."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store import flags
from forumgrader.store.checks import analyse_post
from forumgrader.store.flag_counts import flag_counts
from forumgrader.store.models import AuditEntry, Grade, Person, Post, ReferenceCheck, Review, Thread, Topic

from .conftest import World
from .sample_course import Sample, import_sample

pytestmark = pytest.mark.local_crossref

Client = Callable[[str], FlaskClient]


@pytest.fixture
def sample(app: Flask, session: Session, world: World, samples: Path) -> Sample:
    return import_sample(app, session, world, samples)


def words(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def queue_items(page: str) -> list[dict[str, str]]:
    """Each flag's row in the queue's table: its title (kind: student), status, post id and reference key."""
    items = []
    for row in re.findall(r'<tr class="flag [^"]*".*?</tr>', page, flags=re.S):
        kind = re.search(r'<span class="flag-kind[^"]*">(.*?)</span>', row, re.S).group(1)  # type: ignore[union-attr]
        student = re.search(r'<span class="flag-student">(.*?)</span>', row, re.S).group(1)  # type: ignore[union-attr]
        items.append(
            {
                "title": words(f"{kind}: {student}"),
                "status": words(re.search(r"data-flag-status>(.*?)</td>", row, re.S).group(1)),  # type: ignore[union-attr]
                "post_id": re.search(r'name="post_id" value="(\d+)"', row).group(1),  # type: ignore[union-attr]
                "key": re.search(r'name="reference_key" value="(\w+)"', row).group(1),  # type: ignore[union-attr]
                "text": words(row),
            }
        )
    return items


def grade_of(session: Session, sample: Sample, name: str) -> Grade:
    session.rollback()  # see what the requests committed
    return session.scalars(
        select(Grade).where(Grade.topic_id == sample.topic, Grade.person_id == sample.people[name])
    ).one()


def test_the_queue_lists_a_courses_flags_worst_first(client_as: Client, world: World, sample: Sample) -> None:
    page = client_as("ta").get(f"/courses/{world.course_a}/review").get_data(as_text=True)
    assert [item["title"] for item in queue_items(page)] == [
        "Broken DOI: Danielle Okafor",
        "Not found: Danielle Okafor",
        "Not found: Marcus Bennett",
        "Not found: Tyler Hughes",
        "Not found: Tyler Hughes",
        "Details differ: Marcus Bennett",
        "Details differ: Priya Raman",
    ]
    assert "7 flags awaiting review. 7 awaiting review under these filters." in words(page)
    broken = queue_items(page)[0]
    assert broken["status"] == "Awaiting review"
    assert "As cited Avasthi A, Grover S, Nischal A. Ethical and Legal Issues in Psychotherapy" in broken["text"]
    assert "Crossref record No record of this work was found." in broken["text"]
    assert 'href="https://doi.org/10.4103/indianpsychiatry.indianjpsychiatry_50_21"' in page
    assert "https://search.crossref.org/search/works?q=Avasthi%20A%2C%20Grover%20S" in page
    mismatch = queue_items(page)[5]
    assert "Authors: you wrote “Sahoo, A.”, the record says “Sahoo, Swapnajeet”" in mismatch["text"]
    assert 'aria-keyshortcuts="c"' in page and 'js/review.js"' in page


def test_the_queue_filters_by_topic_student_flag_and_status(client_as: Client, world: World, sample: Sample) -> None:
    client = client_as("instructor")
    url = f"/courses/{world.course_a}/review"

    def titles(query: str) -> list[str]:
        return [item["title"] for item in queue_items(client.get(url + query).get_data(as_text=True))]

    assert titles(f"?student={sample.people['Tyler Hughes']}") == ["Not found: Tyler Hughes"] * 2
    assert titles("?verdict=mismatch") == ["Details differ: Marcus Bennett", "Details differ: Priya Raman"]
    assert titles(f"?topic={sample.topic}&verdict=broken_doi") == ["Broken DOI: Danielle Okafor"]
    assert titles(f"?topic={world.topic_a}") == []
    assert "Nothing to review with these filters." in words(
        client.get(url + f"?topic={world.topic_a}").get_data(as_text=True)
    )
    assert titles("?status=dismissed") == []
    assert len(titles("?status=all")) == 7
    assert re.search(r'<option value="dismissed"[^>]*>Dismissed \(0\)</option>', client.get(url).get_data(as_text=True))


def test_a_dismissal_with_a_note_is_kept_audited_and_settles_the_grade(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    client = client_as("ta")
    url = f"/courses/{world.course_a}/review"
    tyler = [item for item in queue_items(client.get(url).get_data(as_text=True)) if "Tyler" in item["title"]]
    assert grade_of(session, sample, "Tyler Hughes").provisional
    first = client.post(
        f"{url}/decisions",
        data={
            "post_id": tyler[0]["post_id"],
            "reference_key": tyler[0]["key"],
            "decision": "dismissed",
            "note": "Real article, checked in PsycINFO",
            "back": url,
            "next": "flag-next",
        },
    )
    assert first.status_code == 302 and first.headers["Location"] == f"{url}#flag-next"
    assert grade_of(session, sample, "Tyler Hughes").provisional  # one of his two flags still waits
    client.post(
        f"{url}/decisions",
        data={"post_id": tyler[1]["post_id"], "reference_key": tyler[1]["key"], "decision": "confirmed", "note": ""},
    )
    assert not grade_of(session, sample, "Tyler Hughes").provisional
    review = session.scalars(select(Review).where(Review.reference_key == tyler[0]["key"])).one()
    assert (review.decision, review.note, review.verdict) == (
        "dismissed",
        "Real article, checked in PsycINFO",
        "not_found",
    )
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action.like("review.%")).order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.actor, entry.note) for entry in audit] == [
        ("review.dismissed", "Ta", "Real article, checked in PsycINFO"),
        ("review.confirmed", "Ta", ""),
    ]
    dismissed = queue_items(client.get(url + "?status=dismissed").get_data(as_text=True))
    assert len(dismissed) == 1
    assert dismissed[0]["status"].startswith("Dismissed by Ta")
    assert dismissed[0]["status"].endswith(": “Real article, checked in PsycINFO”")
    assert "History (1)" in dismissed[0]["text"]
    awaiting = client.get(url).get_data(as_text=True)
    assert len(queue_items(awaiting)) == 5 and "5 awaiting review under these filters." in words(awaiting)
    board = words(client.get(f"/topics/{sample.topic}").get_data(as_text=True))
    assert "Tyler Hughes" in board and "1 confirmed" in board


def test_the_page_script_gets_the_decision_and_the_grade_as_json(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    client = client_as("instructor")
    url = f"/courses/{world.course_a}/review"
    broken = queue_items(client.get(url).get_data(as_text=True))[0]
    response = client.post(
        f"{url}/decisions",
        headers={"Accept": "application/json"},
        data={
            "post_id": broken["post_id"],
            "reference_key": broken["key"],
            "decision": "confirmed",
            "note": "  DOI typed wrong  ",
        },
    )
    answer = response.get_json()
    danielle = grade_of(session, sample, "Danielle Okafor")
    people = {name: str(person_id) for name, person_id in sample.people.items()}
    assert answer == {
        "status": "confirmed",
        "note": "DOI typed wrong",
        "reviewer": "Instructor",
        "message": "Confirmed. The grade is provisional still.",
        "grade": {"total": danielle.total, "possible": danielle.possible, "provisional": True},
        "awaiting": 6,
        "counts": {  # each filter menu's, under the others (the status awaiting): the confirmed broken DOI left
            "topic": {"": 6, str(sample.topic): 6},
            "student": {
                "": 6,
                people["Danielle Okafor"]: 1,
                people["Marcus Bennett"]: 2,
                people["Priya Raman"]: 1,
                people["Tyler Hughes"]: 2,
            },
            "verdict": {"": 6, "not_found": 4, "mismatch": 2},
            "status": {"all": 7, "awaiting": 6, "confirmed": 1},
        },
    }
    # the counts come back under the page's filters, sent in the address: the menus show them
    tyler = sample.people["Tyler Hughes"]
    tylers = queue_items(client.get(f"{url}?student={tyler}").get_data(as_text=True))
    filtered = client.post(
        f"{url}/decisions?student={tyler}&status=awaiting",
        headers={"Accept": "application/json"},
        data={"post_id": tylers[0]["post_id"], "reference_key": tylers[0]["key"], "decision": "dismissed"},
    ).get_json()
    assert filtered["counts"]["status"] == {"all": 2, "awaiting": 1, "dismissed": 1}
    assert filtered["counts"]["verdict"] == {"": 1, "not_found": 1}
    assert filtered["counts"]["student"][people["Tyler Hughes"]] == 1
    assert filtered["counts"]["student"][people["Marcus Bennett"]] == 2  # every student's, under the other filters
    assert filtered["awaiting"] == 5  # the whole course
    verified = session.scalars(select(ReferenceCheck).where(ReferenceCheck.verdict == "verified")).first()
    assert verified is not None
    refused = client.post(
        f"{url}/decisions",
        headers={"Accept": "application/json"},
        data={"post_id": verified.post_id, "reference_key": verified.key, "decision": "dismissed"},
    )
    assert refused.status_code == 409
    assert refused.get_json()["message"].startswith("This reference is not flagged any more (it is now verified)")
    nonsense = client.post(
        f"{url}/decisions",
        headers={"Accept": "application/json"},
        data={"post_id": broken["post_id"], "reference_key": broken["key"], "decision": "maybe"},
    )
    assert nonsense.status_code == 409 and "confirm or dismiss" in nonsense.get_json()["message"]


def test_decisions_persist_across_a_recheck_and_a_reimport_that_keeps_the_reference(
    client_as: Client, world: World, sample: Sample, session: Session, app: Flask
) -> None:
    client = client_as("instructor")
    url = f"/courses/{world.course_a}/review"
    marcus = next(
        item for item in queue_items(client.get(url).get_data(as_text=True)) if "Not found: Marcus" in item["title"]
    )
    client.post(
        f"{url}/decisions",
        data={
            "post_id": marcus["post_id"],
            "reference_key": marcus["key"],
            "decision": "dismissed",
            "note": "Found it on the journal's site",
        },
    )
    assert client.post(f"/topics/{sample.topic}/recheck").status_code == 302  # the check job runs again
    again = queue_items(client.get(url + "?status=dismissed").get_data(as_text=True))
    assert [(item["post_id"], item["key"]) for item in again] == [(marcus["post_id"], marcus["key"])]
    # the student edits the post's text (a later export): the reference is unchanged, so is the decision
    post = session.get_one(Post, int(marcus["post_id"]))
    post.body_text = "An added first sentence.\n\n" + post.body_text
    session.commit()
    with app.app_context():
        analyse_post(session, post)
        session.commit()
    still = queue_items(client.get(url + "?status=dismissed").get_data(as_text=True))
    assert [(item["post_id"], item["key"]) for item in still] == [(marcus["post_id"], marcus["key"])]
    assert session.scalar(select(func.count()).select_from(Review)) == 1


def test_a_decision_can_be_taken_back(client_as: Client, world: World, sample: Sample, session: Session) -> None:
    client = client_as("ta")
    url = f"/courses/{world.course_a}/review"
    flag = queue_items(client.get(url + f"?student={sample.people['Marcus Bennett']}").get_data(as_text=True))[0]
    form = {"post_id": flag["post_id"], "reference_key": flag["key"]}
    client.post(f"{url}/decisions", data=form | {"decision": "dismissed", "note": "fine"})
    decided = client.get(url + "?status=dismissed").get_data(as_text=True)
    assert "Put it back in the queue" in decided
    client.post(f"{url}/decisions", data=form | {"decision": "reopen", "note": "asked the instructor"})
    assert session.scalar(select(func.count()).select_from(Review)) == 0
    assert queue_items(client.get(url).get_data(as_text=True))[2]["status"] == "Awaiting review"
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and (last.action, last.note, last.details["previous"]) == (
        "review.reopen",
        "asked the instructor",
        "dismissed",
    )


def test_a_decision_is_only_about_a_post_of_the_course(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    thread = Thread(topic_id=world.topic_b, lms_thread_id="b1")
    session.add(thread)
    session.flush()
    elsewhere = Post(
        topic_id=world.topic_b,
        thread_id=thread.id,
        lms_post_id="b1",
        body_text="x",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    session.add(elsewhere)
    session.commit()
    url = f"/courses/{world.course_a}/review/decisions"
    answer = client_as("ta").post(url, data={"post_id": elsewhere.id, "reference_key": "k", "decision": "dismissed"})
    assert answer.status_code == 404
    assert client_as("ta").post(url, data={"decision": "dismissed"}).status_code == 400


def test_the_review_page_lists_the_courses_you_review(client_as: Client, world: World, sample: Sample) -> None:
    ta = words(client_as("ta").get("/review").get_data(as_text=True))
    assert "PSY 101 Introduction to Psychology — 7 awaiting review" in ta
    assert "HIS 200" not in ta
    student = words(client_as("student").get("/review").get_data(as_text=True))
    assert "You review no course" in student


def test_a_retracted_record_ranks_between_not_found_and_details_that_differ(
    app: Flask, world: World, sample: Sample, session: Session
) -> None:
    verified = session.scalars(
        select(ReferenceCheck)
        .join(Post)
        .join(Person, Person.id == Post.author_id)
        .where(ReferenceCheck.verdict == "verified", Person.display_name == "Priya Raman")
    ).one()
    verified.retracted = True
    session.commit()
    found = flags.flags(session, world.course_a)
    assert [flag.kind for flag in found] == ["broken_doi"] + ["not_found"] * 4 + ["retracted"] + ["mismatch"] * 2
    only = flags.flags(session, world.course_a, flags.FlagFilters(verdict="retracted"))
    assert [(flag.student, flag.verdict) for flag in only] == [("Priya Raman", "verified")]
    assert flag_counts(session, world.course_a).status[flags.FlagStatus.AWAITING] == 8
    topic = session.get_one(Topic, sample.topic)
    assert topic.course_id == world.course_a


def test_ticked_flags_are_decided_together_with_one_note_each_audited(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    client = client_as("ta")
    url = f"/courses/{world.course_a}/review"
    tyler = [item for item in queue_items(client.get(url).get_data(as_text=True)) if "Tyler" in item["title"]]
    assert len(tyler) == 2 and grade_of(session, sample, "Tyler Hughes").provisional
    response = client.post(
        f"{url}/bulk",
        data={
            "scope": "selected",
            "flag": [f"{item['post_id']}:{item['key']}" for item in tyler],
            "decision": "dismissed",
            "note": "Both are real books",
            "back": url,
        },
        follow_redirects=True,
    )
    assert "Dismissed: 2 flags, with your note. The grades are updated." in words(response.get_data(as_text=True))
    session.rollback()
    reviews = session.scalars(select(Review).where(Review.post_id == int(tyler[0]["post_id"]))).all()
    assert {(review.decision, review.note) for review in reviews} == {("dismissed", "Both are real books")}
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "review.dismissed")).all()
    assert len(entries) == 2 and all(
        entry.details["bulk"] == 2 and entry.note == "Both are real books" for entry in entries
    )
    assert not grade_of(session, sample, "Tyler Hughes").provisional  # regraded at once


def test_every_flag_the_filters_show_can_be_decided_at_once(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    client = client_as("instructor")
    url = f"/courses/{world.course_a}/review"
    response = client.post(
        f"{url}/bulk",
        data={"scope": "filtered", "verdict": "not_found", "status": "awaiting", "decision": "confirmed"},
    )
    assert response.status_code == 302
    session.rollback()
    decided = session.scalars(select(Review)).all()
    assert len(decided) == 4 and {review.verdict for review in decided} == {"not_found"}
    assert {review.decision for review in decided} == {"confirmed"}
    page = client.get(url).get_data(as_text=True)
    assert [item["title"] for item in queue_items(page)] == [
        "Broken DOI: Danielle Okafor",
        "Details differ: Marcus Bennett",
        "Details differ: Priya Raman",
    ]
    assert re.search(r'<option value="confirmed"[^>]*>Confirmed \(4\)</option>', page)
    assert re.search(r'<option value="not_found"[^>]*>Not found \(0\)</option>', page)  # none awaits any more
    assert re.search(r'<option value="mismatch"[^>]*>Details differ \(2\)</option>', page)


def test_a_bulk_decision_takes_all_of_its_flags_or_none(
    client_as: Client, world: World, sample: Sample, session: Session
) -> None:
    client = client_as("ta")
    url = f"/courses/{world.course_a}/review"
    first = queue_items(client.get(url).get_data(as_text=True))[0]
    verified = session.scalars(select(ReferenceCheck).where(ReferenceCheck.verdict == "verified")).first()
    assert verified is not None
    ticked = [f"{first['post_id']}:{first['key']}", f"{verified.post_id}:{verified.key}"]
    refused = client.post(f"{url}/bulk", data={"scope": "selected", "flag": ticked, "decision": "confirmed"},
                          follow_redirects=True)  # fmt: skip
    assert "1 of these 2 flags are not flags of this course any more" in words(refused.get_data(as_text=True))
    nothing = client.post(f"{url}/bulk", data={"scope": "selected", "decision": "confirmed"}, follow_redirects=True)
    assert "Tick the flags to decide" in words(nothing.get_data(as_text=True))
    session.rollback()
    assert session.scalars(select(Review)).all() == []
    elsewhere = client_as("other_instructor").post(f"{url}/bulk", data={"scope": "filtered", "decision": "confirmed"})
    assert elsewhere.status_code == 404
