"""The review queue's filter menus say how many flags each choice would show under the other filters, the same
number choosing it shows; the numbers follow each decision, in the page and in the JSON the page's script reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from classroom import PASSWORD, build_class
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.flags import FlagFilters, FlagStatus, flags
from forumgrader.store.models import Person, Post, ReferenceCheck
from forumgrader.store.reviews import decide

from .conftest import sign_in

Menus = dict[str, dict[str, int]]  # a menu's name: each option's value and the count it reads


@dataclass(frozen=True)
class Queue:
    course_id: int
    url: str
    topics: tuple[int, ...]
    retracted_by: tuple[int | None, ...]  # the authors of the two retracted references
    client: FlaskClient


@pytest.fixture
def queue(app: Flask, session: Session) -> Queue:
    """A class of 12 over two topics with 30 flags of four kinds; two references retracted (one not found, one
    verified: a flag for that alone); three flags confirmed and two dismissed. Its TA signed in."""
    room = build_class(session, students=12, flags=30, topics=2)
    checks = (
        select(ReferenceCheck, Post.author_id)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .where(Post.topic_id.in_(room.topic_ids))
        .order_by(ReferenceCheck.id)
    )
    not_found = session.execute(checks.where(ReferenceCheck.verdict == "not_found")).first()
    verified = session.execute(checks.where(ReferenceCheck.verdict == "verified")).first()
    assert not_found is not None and verified is not None
    not_found[0].retracted = verified[0].retracted = True
    session.flush()
    for number, flag in enumerate(flags(session, room.course_id)[3:13:2]):
        decide(session, flag.post_id, flag.reference_key, "confirmed" if number < 3 else "dismissed", "", None)
    session.commit()
    client = app.test_client()
    sign_in(client, room.ta, PASSWORD)
    return Queue(
        room.course_id, f"/courses/{room.course_id}/review", room.topic_ids, (not_found[1], verified[1]), client
    )


def menus(page: str) -> Menus:
    """Read each filter menu of a queue page: its options' values and the counts they read."""
    return {
        name: {
            value: int(count)
            for value, count in re.findall(r'<option value="([^"]*)"[^>]*>[^<]* \((\d+)\)</option>', options)
        }
        for name, options in re.findall(r'<select id="filter-\w+" name="(\w+)"[^>]*>(.*?)</select>', page, re.S)
    }


def shown(page: str) -> int:
    """Return how many flags the page says its filters show."""
    return int(re.search(r'<p class="queue-count"[^>]*>\s*(\d+) flags?\b', page).group(1))  # type: ignore[union-attr]


def get(queue: Queue, filters: Mapping[str, object]) -> str:
    response = queue.client.get(f"{queue.url}?{urlencode(filters)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_choice_reads_how_many_flags_choosing_it_shows(queue: Queue) -> None:
    people = [person for person in queue.retracted_by if person is not None]
    combinations: list[dict[str, object]] = [
        {},  # the queue as it opens: flags awaiting review
        {"status": "all"},
        {"verdict": "not_found", "status": "all"},
        {"topic": queue.topics[1], "verdict": "mismatch"},
        {"topic": queue.topics[0], "student": people[0], "status": "confirmed"},
    ]
    for filters in combinations:
        page = get(queue, filters)
        read = menus(page)
        assert set(read) == {"topic", "student", "verdict", "status"}
        assert len(read["student"]) == 13 and len(read["verdict"]) == 6 and len(read["topic"]) == 3
        for menu, options in read.items():
            for value, count in options.items():
                assert shown(get(queue, {**filters, menu: value})) == count, (filters, menu, value)


def test_a_kind_is_a_verdict_or_retracted_whatever_the_verdict(queue: Queue) -> None:
    kinds = menus(get(queue, {"status": "all"}))["verdict"]
    assert kinds["retracted"] == 2
    assert kinds["broken_doi"] > 0 and kinds["not_found"] > 0 and kinds["mismatch"] > 0 and kinds["wrong_doi"] > 0
    # "every kind" counts each flag once: the retracted one not found is under two kinds, the verified one under one
    assert sum(count for kind, count in kinds.items() if kind) == kinds[""] + 1
    assert kinds[""] == 31  # the 30 flagged verdicts and the retracted verified reference


def test_a_choice_that_shows_nothing_reads_zero_and_stays_chosen(queue: Queue, session: Session) -> None:
    retracted_by = set(queue.retracted_by)
    other = session.scalars(
        select(Person.id).where(Person.role == "student", Person.id.not_in(retracted_by)).order_by(Person.id)
    ).first()
    page = get(queue, {"verdict": "retracted", "student": other, "status": "all"})
    assert shown(page) == 0 and "Nothing to review with these filters." in page
    assert re.search(rf'<option value="{other}" selected>[^<]* \(0\)</option>', page)
    assert re.search(r'<option value="retracted" selected>Retracted \(0\)</option>', page)
    assert menus(page)["verdict"][""] > 0  # the student's other flags, of every kind
    assert sum(menus(page)["student"][str(person)] for person in retracted_by) == 2


def test_a_decision_answers_with_every_menus_counts_as_the_page_shows_them(queue: Queue, session: Session) -> None:
    filters = {"topic": queue.topics[1]}  # awaiting review, in the second topic
    first = flags(session, queue.course_id, FlagFilters(topic_id=queue.topics[1], status=FlagStatus.AWAITING))[0]
    counted = menus(get(queue, filters))
    answer = queue.client.post(
        f"{queue.url}/decisions?{urlencode(filters)}",
        headers={"Accept": "application/json"},
        data={"post_id": first.post_id, "reference_key": first.reference_key, "decision": "confirmed"},
    ).get_json()
    after = menus(get(queue, filters))
    # the JSON holds what the page now reads (an option it leaves out reads 0)
    assert {menu: {value: answer["counts"][menu].get(value, 0) for value in after[menu]} for menu in after} == after
    assert after["status"]["awaiting"] == counted["status"]["awaiting"] - 1
    assert after["status"]["confirmed"] == counted["status"]["confirmed"] + 1
    assert after["verdict"][first.kind] == counted["verdict"][first.kind] - 1
    assert after["verdict"][""] == counted["verdict"][""] - 1
    assert after["student"][str(first.person_id)] == counted["student"][str(first.person_id)] - 1
    assert after["topic"][str(queue.topics[1])] == counted["topic"][str(queue.topics[1])] - 1
    assert after["topic"][str(queue.topics[0])] == counted["topic"][str(queue.topics[0])]  # the other topic's flags


def test_a_bulk_decision_comes_back_to_the_page_with_fresh_counts(queue: Queue) -> None:
    back = f"{queue.url}?topic={queue.topics[0]}"
    counted = menus(get(queue, {"topic": queue.topics[0]}))
    assert counted["verdict"]["mismatch"] > 0
    page = queue.client.post(
        f"{queue.url}/bulk",
        data={"scope": "filtered", "topic": queue.topics[0], "verdict": "mismatch", "status": "awaiting",
              "decision": "dismissed", "back": back},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    after = menus(page)
    assert after["verdict"]["mismatch"] == 0
    assert after["verdict"][""] == counted["verdict"][""] - counted["verdict"]["mismatch"]
    assert after["status"]["dismissed"] == counted["status"]["dismissed"] + counted["verdict"]["mismatch"]
