"""Background jobs that use an LMS course's LTI services: fetch its roster (NRPS), send a topic's grades (AGS)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.lti.services import Gradebook, Score, ServiceFailed, roster
from forumgrader.store import lti_links
from forumgrader.store.db import utcnow
from forumgrader.store.grade_passback import automatic, enqueue_after_commit, mark_sent, plan
from forumgrader.store.grades import AFTER_GRADING, topic_rubric
from forumgrader.store.models import AuditEntry, Job, LtiContext, LtiLineItem, LtiPlatform, Topic


def _gradebook_contexts(session: Session, course_id: int) -> list[LtiContext]:
    contexts = [context for context in lti_links.contexts_of(session, course_id) if context.lineitems_url]
    if not contexts:
        raise jobs.JobFailed(
            "No LMS gradebook is linked to this course: open forumgrader from the course in the LMS once "
            "(with Assignment and Grade Services enabled for the tool)."
        )
    return contexts


def _line_item(session: Session, book: Gradebook, context: LtiContext, topic: Topic) -> str:
    """The topic's line item in an LMS course: remembered, else found by its resourceId or made (one per topic)."""
    row = session.scalar(select(LtiLineItem).where(LtiLineItem.context_id == context.id,
                                                   LtiLineItem.topic_id == topic.id))  # fmt: skip
    if row is None:
        url = book.line_item(topic.id, topic.title or f"Discussion {topic.id}", topic_rubric(topic).possible)
        row = LtiLineItem(context_id=context.id, topic_id=topic.id, url=url)
        session.add(row)
        session.flush()
    return row.url


@jobs.kind("lti_grades")
def send_grades(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Send a topic's grades, with their feedback as comments, to its line item in each linked LMS course."""
    topic = session.get(Topic, job.topic_id or 0)
    if topic is None:
        raise jobs.JobFailed("This topic no longer exists.")
    force = bool(job.params.get("force"))
    totals = {"sent": 0, "held": 0, "unchanged": 0, "unmatched": 0}
    for context in _gradebook_contexts(session, topic.course_id):
        platform = session.get_one(LtiPlatform, context.platform_id)
        try:
            book = Gradebook(session, current_app.config, platform, context)
            line_item = _line_item(session, book, context, topic)
            target = f"lti:{line_item}"
            outgoing = plan(session, topic, target, lti_links.member_subjects(session, context), force=force)
            for done, grade in enumerate(outgoing.send, start=1):
                score = Score(grade.lms_user, grade.points, grade.possible, grade.comment, grade.provisional)
                book.post(line_item, score, at=utcnow())
                mark_sent(session, target, grade)
                progress(done, len(outgoing.send), f"Sent {done} of {len(outgoing.send)} grades to {platform.name}")
        except ServiceFailed as error:
            raise jobs.JobFailed(str(error)) from error
        totals["sent"] += len(outgoing.send)
        totals["held"] += outgoing.held
        totals["unchanged"] += outgoing.unchanged
        totals["unmatched"] += len(outgoing.unmatched)
    session.add(AuditEntry(action="grades.sent", subject=f"topic:{topic.id}", details={"lms": "lti", **totals},
                           user_id=job.user_id))  # fmt: skip
    progress(totals["sent"], totals["sent"], _summary(totals))


def _summary(totals: dict[str, int]) -> str:
    parts = [f"Sent {totals['sent']} grade{'s' if totals['sent'] != 1 else ''}"]
    if totals["unchanged"]:
        parts.append(f"{totals['unchanged']} unchanged since last sent")
    if totals["held"]:
        parts.append(f"{totals['held']} provisional held back")
    if totals["unmatched"]:
        parts.append(f"{totals['unmatched']} not in the LMS roster (fetch the roster, then send again)")
    return "; ".join(parts) + "."


@jobs.kind("lti_roster")
def fetch_roster(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Fetch each linked LMS course's roster (NRPS) and fill in each person's ids."""
    contexts = [c for c in lti_links.contexts_of(session, job.course_id or 0) if c.memberships_url]
    if not contexts:
        raise jobs.JobFailed(
            "No LMS roster is linked to this course: open forumgrader from the course in the LMS once."
        )
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for done, context in enumerate(contexts, start=1):
        platform = session.get_one(LtiPlatform, context.platform_id)
        try:
            members = roster(session, current_app.config, platform, context)
        except ServiceFailed as error:
            raise jobs.JobFailed(str(error)) from error
        for key, value in lti_links.upsert_members(session, context, members, whole_roster=True).items():
            counts[key] += value
        progress(done, len(contexts), f"Read {len(members)} people from {platform.name}")
    progress(
        len(contexts), len(contexts), "Roster: {added} new, {updated} updated, {unchanged} unchanged.".format(**counts)
    )


def linked(session: Session, topic: Topic) -> bool:
    """Tell whether a topic's grades can go to an LMS gradebook through LTI (a linked course gave its line items)."""
    return any(context.lineitems_url for context in lti_links.contexts_of(session, topic.course_id))


def send_after_grading(session: Session, topic: Topic) -> None:
    """When the instructor chose so, send a topic's grades to its LMS line items after each grading."""
    if linked(session, topic) and automatic(session, topic):
        enqueue_after_commit(session, submit_grades(session, topic, None))


AFTER_GRADING.append(send_after_grading)


def submit_grades(session: Session, topic: Topic, user_id: int | None, *, force: bool = False) -> Job:
    """Record a job that sends a topic's grades to the LMS; commit, then `jobs.enqueue` it."""
    return jobs.submit(session, "lti_grades", params={"force": force}, course_id=topic.course_id, topic_id=topic.id,
                       user_id=user_id)  # fmt: skip


def submit_roster(session: Session, course_id: int, user_id: int | None) -> Job:
    """Record a job that fetches a course's roster from the LMS; commit, then `jobs.enqueue` it."""
    return jobs.submit(session, "lti_roster", course_id=course_id, user_id=user_id)
