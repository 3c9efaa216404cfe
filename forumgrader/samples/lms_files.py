"""Each LMS's own files for a week of the demo: Canvas full view and topic JSON, Moodle's forum export rows, D2L's
posts and topic JSON, and each LMS's roster (Canvas gradebook export, Moodle participants, D2L grades export)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from forumgrader.samples.demo_model import MISTAKES, Course, Post, TopicSpec


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- each LMS's own files ----------------------------------------------------------------------------------------


def canvas_files(course: Course, topic: TopicSpec, posts: list[Post]) -> dict[str, Any]:
    """The topic's full view (GET .../view?include_new_entries=1) and the topic object beside it."""
    entries: dict[int, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    for post in sorted(posts, key=lambda p: p.created):
        entry = {"id": post.post_id, "user_id": course.user_ids[post.author], "parent_id": post.parent_id,
         "created_at": _iso(post.created), "updated_at": _iso(post.created), "rating_count": None,
         "rating_sum": None, "message": post.written.html()}  # fmt: skip
        entries[post.post_id] = entry
        if post.parent_id is None:
            top.append(entry)
        else:
            entries[post.parent_id].setdefault("replies", []).append(entry)
    authors = sorted({post.author for post in posts})
    participants = [{"id": course.user_ids[i], "display_name": course.students[i], "avatar_image_url":
             "https://canvas.example.edu/images/messages/avatar-50.png", "html_url":
             f"https://canvas.example.edu/courses/{course.lms_course_id}/users/{course.user_ids[i]}",
             "pronouns": None} for i in authors]  # fmt: skip
    view = {"unread_entries": [], "forced_entries": [], "entry_ratings": {}, "participants": participants,
            "view": top, "new_entries": []}  # fmt: skip
    checkpoints = [
        {"name": topic.title, "tag": "reply_to_topic", "points_possible": 70.0, "due_at": _iso(topic.due_initial)},
        {"name": topic.title, "tag": "reply_to_entry", "points_possible": 30.0, "due_at": _iso(topic.due_replies)},
    ]
    topic_json = {
        "id": topic.lms_id, "title": topic.title, "message": f"<p>{topic.prompt}</p>",
        "html_url": f"https://canvas.example.edu/courses/{course.lms_course_id}/discussion_topics/{topic.lms_id}",
        "discussion_type": "threaded", "assignment_id": topic.assignment_id, "require_initial_post": True,
        "reply_to_entry_required_count": 2, "user_name": course.instructor,
        "author": {"id": course.instructor_id, "display_name": course.instructor},
        "assignment": {"id": topic.assignment_id, "name": topic.title, "points_possible": 100.0, "due_at": None,
               "checkpoints": checkpoints},
    }  # fmt: skip
    return {f"{topic.slug}.view.json": view, f"{topic.slug}.topic.json": topic_json}


def moodle_rows(course: Course, topic: TopicSpec, posts: list[Post]) -> list[dict[str, Any]]:
    """A forum export's rows (Moodle 3.8+, all columns, epoch dates)."""
    rows = []
    for post in sorted(posts, key=lambda p: p.post_id):
        html = post.written.html()
        if MISTAKES[(post.author + topic.shift) % len(MISTAKES)] == "residue" and post.parent_id is None:
            html += '<p><img src="@@PLUGINFILE@@/school-of-fish.png" alt="A school of fish"></p>\n'
        epoch = int(post.created.timestamp())
        rows.append({
            "id": post.post_id, "discussion": post.thread_id, "parent": post.parent_id or 0,
            "userid": course.user_ids[post.author], "userfullname": course.students[post.author], "created": epoch,
            "modified": epoch, "mailed": 1, "subject": post.subject, "message": html, "messageformat": 1,
            "messagetrust": 0, "attachment": "", "totalscore": 0, "mailnow": 0, "deleted": 0, "privatereplyto": 0,
            "privatereplytofullname": "", "wordcount": post.written.words(), "charcount": len(html),
        })  # fmt: skip
    return rows


def d2l_files(course: Course, topic: TopicSpec, posts: list[Post]) -> dict[str, Any]:
    """The topic's posts as the Valence API lists them, and the topic object beside them."""
    replies: dict[int, list[int]] = {}
    for post in posts:
        if post.parent_id is not None:
            replies.setdefault(post.parent_id, []).append(post.post_id)
    listed = [
        {"ForumId": 31, "TopicId": topic.lms_id, "PostId": post.post_id, "ThreadId": post.thread_id,
         "ParentPostId": post.parent_id, "PostingUserId": course.user_ids[post.author],
         "PostingUserDisplayName": course.students[post.author], "Subject": post.subject,
         "Message": {"Text": "", "Html": post.written.html()}, "DatePosted": _iso(post.created),
         "LastEditedDate": None, "IsAnonymous": False, "RequiresApproval": False, "IsDeleted": False,
         "WordCount": post.written.words(), "AttachmentCount": 0, "ReplyPostIds": replies.get(post.post_id, []),
         "ThreadIsPinned": False}
        for post in sorted(posts, key=lambda p: p.created)
    ]  # fmt: skip
    topic_json = {"ForumId": 31, "TopicId": topic.lms_id, "Name": topic.title,
          "Description": {"Text": topic.prompt, "Html": f"<p>{topic.prompt}</p>"},
          "StartDate": None, "EndDate": None, "DueDate": _iso(topic.due_replies), "IsHidden": False,
          "IsLocked": False, "ScoreOutOf": 60}  # fmt: skip
    return {f"{topic.slug}.posts.json": listed, f"{topic.slug}.topic.json": topic_json}


def roster(course: Course) -> str:
    """The course's own class list: Canvas's gradebook export, Moodle's participants, D2L's grades export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    people = sorted(range(len(course.students)), key=lambda i: course.students[i].split()[-1])
    if course.lms == "canvas":
        columns = [f"{topic.title} ({topic.assignment_id})" for topic in course.topics]
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns, "Quiz 1 (48220)",
                 "Current Points", "Final Points"])  # fmt: skip
        writer.writerow(["    Points Possible", "", "", "", "", *["100.00"] * len(columns), "10.00", "(read only)",
                 "(read only)"])  # fmt: skip
        for i in people:
            given, family = course.students[i].rsplit(" ", 1)
            writer.writerow([f"{family}, {given}", course.user_ids[i], course.sis_ids[i], course.logins[i],
                     course.section, *[""] * len(columns), "8.00", "8.00", "8.00"])  # fmt: skip
        writer.writerow(["Student, Test", "99999", "", "", course.section, *[""] * len(columns), "", "0.00", "0.00"])
    elif course.lms == "moodle":
        writer.writerow(["First name", "Last name", "ID number", "Email address"])
        for i in people:
            given, family = course.students[i].rsplit(" ", 1)
            writer.writerow([given, family, course.sis_ids[i], course.emails[i]])
    else:
        items = [f"{topic.title} Points Grade <Numeric MaxPoints:60 Category:Discussions>" for topic in course.topics]
        writer.writerow(["OrgDefinedId", "Username", "Last Name", "First Name", "Email", *items,
                 "End-of-Line Indicator"])  # fmt: skip
        for i in people:
            given, family = course.students[i].rsplit(" ", 1)
            writer.writerow([f"#{course.sis_ids[i]}", f"#{course.logins[i]}", family, given, course.emails[i],
                     *[""] * len(items), "#"])  # fmt: skip
    return out.getvalue()
