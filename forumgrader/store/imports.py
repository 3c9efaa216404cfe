"""Store a read export: find or make its course and topic, upsert people, threads and posts, record the batch.

Imports are stored one at a time (forumgrader.store.importlock): the second of two imports of a file at the same
moment waits for the first, then finds its batch ("already imported").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["ImportSummary", "default_course_name", "import_export"]

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.discussions.formats import default_course_name, untitled_topic
from forumgrader.discussions.model import (
    DiscussionExport,
    ExportError,
    ExportFormat,
    ImportSummary,
    Participant,
    PostRecord,
    Role,
    TopicExport,
    content_hash,
)
from forumgrader.discussions.rosters import plain_name
from forumgrader.store.checks import chunks
from forumgrader.store.db import utcnow
from forumgrader.store.importlock import wait_for_other_imports
from forumgrader.store.models import Course, ImportBatch, Person, Post, Thread, Topic
from forumgrader.store.rosters import waiting_to_post

LMS_FORMATS = frozenset({ExportFormat.CANVAS, ExportFormat.MOODLE, ExportFormat.D2L})
_CHUNK = 500  # ids per IN (...) query: well under every database's parameter limit
_PLACEHOLDER = "placeholder"  # content_hash of a post we only know was replied to


def import_export(
    session: Session,
    export: DiscussionExport,
    *,
    file_name: str,
    sha256: str,
    course_name: str | None = None,
    topic_id: int | None = None,
    topic_title: str | None = None,
) -> ImportSummary:
    """Store an export in one go (flush only): identical files change nothing, later exports add and update.

    A new topic is titled `topic_title`, else as the file names it, else (a Moodle forum export names no forum) after
    the thread an instructor started, else the file's name unless it is Moodle's "discussion", else "Forum imported on
    <date>" (the settings page renames it).
    """
    wait_for_other_imports(session)
    earlier = _earlier_batch(session, sha256, course_name, topic_id)
    if earlier is not None:
        course = session.get_one(Course, earlier.course_id)
        topics = [session.get_one(Topic, found) for found in earlier.counts.get("topics", [])]
        unchanged = sum(1 for topic in export.topics for _post in topic.posts())
        return _summary(session, course, topics, export, Counter(unchanged=unchanged), earlier.created_at)
    if topic_id is not None and len(export.topics) != 1:
        raise ExportError(f"this file holds {len(export.topics)} topics: import it without naming a topic")
    course = _course(session, export, file_name, course_name, topic_id)
    people = _people(session, course, export.people)
    counts: Counter[str] = Counter()
    topics = [
        _store_topic(
            session,
            course,
            topic_export,
            people,
            counts,
            topic_id=topic_id,
            title=topic_title or untitled_topic(topic_export, export, file_name, utcnow()),
        )
        for topic_export in export.topics
    ]
    summary = _summary(session, course, topics, export, counts, None)
    session.add(
        ImportBatch(
            course_id=course.id,
            topic_id=topics[0].id if topics else None,
            file_name=_fit(Path(file_name).name, 500),
            sha256=sha256,
            format=str(export.format),
            counts=summary.as_json(),
            errors=list(export.warnings),
        )
    )
    session.flush()
    return summary


def _earlier_batch(session: Session, sha256: str, course_name: str | None, topic_id: int | None) -> ImportBatch | None:
    query = select(ImportBatch).where(ImportBatch.sha256 == sha256).order_by(ImportBatch.created_at.desc())
    if course_name is not None:
        query = query.join(Course, Course.id == ImportBatch.course_id).where(Course.name == course_name)
    if topic_id is not None:
        query = query.where(ImportBatch.topic_id == topic_id)
    for batch in session.scalars(query):
        wanted = batch.counts.get("topics", [])
        if batch.course_id is not None and all(session.get(Topic, found) is not None for found in wanted):
            return batch
    return None


def _course(
    session: Session, export: DiscussionExport, file_name: str, course_name: str | None, topic_id: int | None
) -> Course:
    if topic_id is not None:
        topic = session.get(Topic, topic_id)
        if topic is None:
            raise ExportError(f"there is no topic {topic_id}: use the topic id an import printed")
        if course_name is not None and topic.course.name != course_name:
            raise ExportError(f"topic {topic_id} belongs to course {topic.course.name!r}, not {course_name!r}")
        return topic.course
    if course_name is None:
        for topic_export in export.topics:
            found = _known_topic(session, None, topic_export, str(export.format))
            if found is not None:
                return found.course
    name = _fit(course_name or export.course_hint or default_course_name(file_name), 300)
    course = session.scalars(select(Course).where(Course.name == name)).first()
    if course is None:
        course = Course(name=name, lms=str(export.format), lms_course_id=_lms_course_id(export.course_hint))
        session.add(course)
        session.flush()
    elif not course.lms and export.format in LMS_FORMATS:  # a course started on the web learns its LMS
        course.lms = str(export.format)
    return course


def _lms_course_id(hint: str) -> str:
    return hint.rsplit(" ", 1)[-1] if hint.startswith("Canvas course ") else ""


def _known_topic(session: Session, course: Course | None, topic_export: TopicExport, lms: str) -> Topic | None:
    """Find the topic a later export of the same discussion belongs to: by LMS topic id, else by its posts' ids."""
    lms_topic_id = topic_export.info.lms_topic_id
    scope = select(Topic).join(Course, Course.id == Topic.course_id)
    scope = scope.where(Topic.course_id == course.id) if course is not None else scope.where(Course.lms == lms)
    if lms_topic_id:
        found = session.scalars(scope.where(Topic.lms_topic_id == lms_topic_id).order_by(Topic.id)).first()
        if found is not None:
            return found
    votes: Counter[int] = Counter()
    post_ids = [post.lms_post_id for post in topic_export.posts()]
    thread_ids = [thread.lms_thread_id for thread in topic_export.threads]
    for model, column, ids in ((Post, Post.lms_post_id, post_ids), (Thread, Thread.lms_thread_id, thread_ids)):
        for chunk in chunks(ids, _CHUNK):
            query = select(model.topic_id).where(column.in_(chunk)).join(Topic, Topic.id == model.topic_id).join(Course)
            query = query.where(Topic.course_id == course.id) if course is not None else query.where(Course.lms == lms)
            if lms_topic_id:  # a topic known under another LMS id is another discussion
                query = query.where(Topic.lms_topic_id.in_(("", lms_topic_id)))
            votes.update(session.scalars(query))
    return session.get(Topic, votes.most_common(1)[0][0]) if votes else None


def _people(session: Session, course: Course, participants: Iterable[Participant]) -> dict[str, Person]:
    stored = {person.key: person for person in session.scalars(select(Person).where(Person.course_id == course.id))}
    waiting = waiting_to_post(stored.values())
    by_participant: dict[str, Person] = {}
    for participant in participants:
        key = _fit(participant.key, 200)
        person = stored.get(key)
        if person is None and (person := waiting.pop(plain_name(participant.display_name), None)) is not None:
            person.key = key  # a student the roster enrolled writes for the first time
        if person is None:
            person = Person(course_id=course.id, key=key, role=str(participant.role))
            session.add(person)
        elif participant.role is not Role.STUDENT and person.role == Role.STUDENT:
            person.role = str(participant.role)
        stored[key] = person
        by_participant[participant.key] = person
        for column, value, length in (
            ("display_name", participant.display_name, 300),
            ("lms_user_id", participant.lms_user_id, 100),
            ("sis_user_id", participant.sis_user_id, 100),
            ("login_id", participant.login_id, 200),
            ("email", participant.email, 300),
        ):
            if value and not getattr(person, column):
                setattr(person, column, _fit(value, length))
    return by_participant


def _store_topic(
    session: Session,
    course: Course,
    topic_export: TopicExport,
    people: dict[str, Person],
    counts: Counter[str],
    *,
    topic_id: int | None,
    title: str,
) -> Topic:
    topic = session.get(Topic, topic_id) if topic_id is not None else None
    topic = topic or _known_topic(session, course, topic_export, course.lms)
    if topic is None:
        topic = Topic(course_id=course.id, title=_fit(title, 500))
        session.add(topic)
    _update_topic(topic, topic_export)
    session.flush()
    _store_posts(session, topic, topic_export, people, counts)
    return topic


def _update_topic(topic: Topic, topic_export: TopicExport) -> None:
    info = topic_export.info
    for column, value in (
        ("lms_topic_id", info.lms_topic_id),
        ("lms_assignment_id", info.lms_assignment_id),
        ("title", _fit(info.title, 500)),
        ("prompt_html", info.prompt_html),
        ("prompt_text", info.prompt_text),
        ("due_initial_at", info.due_initial_at),
        ("due_replies_at", info.due_replies_at),
        ("points_possible", info.points_possible),
        ("required_replies", info.required_replies),
    ):
        if value not in (None, "") and getattr(topic, column) != value:
            setattr(topic, column, value)


def _store_posts(
    session: Session, topic: Topic, topic_export: TopicExport, people: dict[str, Person], counts: Counter[str]
) -> None:
    threads = {
        thread.lms_thread_id: thread for thread in session.scalars(select(Thread).where(Thread.topic_id == topic.id))
    }
    posts = {post.lms_post_id: post for post in session.scalars(select(Post).where(Post.topic_id == topic.id))}
    parents: list[tuple[Post, str | None]] = []
    for thread_record in topic_export.threads:
        thread = threads.get(thread_record.lms_thread_id)
        if thread is None:
            thread = Thread(topic=topic, lms_thread_id=thread_record.lms_thread_id)
            threads[thread_record.lms_thread_id] = thread
        if thread_record.title and thread.title != _fit(thread_record.title, 500):
            thread.title = _fit(thread_record.title, 500)
        for record in thread_record.posts:
            digest = content_hash(record)
            post = posts.get(record.lms_post_id)
            if post is None:
                post = Post(topic_id=topic.id, lms_post_id=record.lms_post_id)
                session.add(post)
                posts[record.lms_post_id] = post
                counts["created"] += 1
            elif post.content_hash == digest:
                counts["unchanged"] += 1
                parents.append((post, record.lms_parent_id))
                continue
            else:
                counts["created" if post.content_hash == _PLACEHOLDER else "updated"] += 1
            _fill_post(post, record, thread, people, digest)
            parents.append((post, record.lms_parent_id))
    for post, parent_id in parents:
        if parent_id is not None and parent_id not in posts:
            posts[parent_id] = Post(
                topic_id=topic.id, thread=post.thread, lms_post_id=parent_id, deleted=True, content_hash=_PLACEHOLDER,
                raw={"placeholder": "replied to, but not in any export imported so far"},
            )  # fmt: skip
            session.add(posts[parent_id])
            counts["placeholders"] += 1
    # Link replies by id once every post has one: through the `parent` relationship the unit of work orders
    # new rows one by one, which takes minutes on a long chain of replies to replies.
    session.flush()
    for post, parent_id in parents:
        wanted = posts[parent_id].id if parent_id is not None else None
        if post.parent_id != wanted:
            post.parent_id = wanted
    session.flush()


def _fill_post(post: Post, record: PostRecord, thread: Thread, people: dict[str, Person], digest: str) -> None:
    post.thread = thread
    post.author = people.get(record.author_key) if record.author_key else None
    post.created_at = record.created_at
    post.edited_at = record.edited_at
    post.subject = _fit(record.subject, 500)
    post.body_html = record.body_html
    post.body_text = record.body_text
    post.word_count = record.word_count
    post.deleted = record.deleted
    post.private = record.private
    post.raw = dict(record.raw)
    post.content_hash = digest


def _summary(
    session: Session,
    course: Course,
    topics: list[Topic],
    export: DiscussionExport,
    counts: Counter[str],
    already: datetime | None,
) -> ImportSummary:
    session.flush()
    ids = [topic.id for topic in topics]
    live = select(Post).where(Post.topic_id.in_(ids), Post.deleted.is_(False)).subquery()

    def count(*conditions: Any, what: Any = None) -> int:
        return session.scalar(select(func.count(what if what is not None else live.c.id)).where(*conditions)) or 0

    return ImportSummary(
        course=course.name,
        course_id=course.id,
        topics=tuple((topic.id, topic.title) for topic in topics),
        format=str(export.format),
        threads=session.scalar(select(func.count(Thread.id)).where(Thread.topic_id.in_(ids))) or 0,
        posts=count(),
        replies=count(live.c.parent_id.is_not(None)),
        private=count(live.c.private.is_(True)),
        people=count(live.c.author_id.is_not(None), what=func.distinct(live.c.author_id)),
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        placeholders=counts["placeholders"],
        already_imported_at=already,
        warnings=export.warnings,
    )


def _fit(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"
