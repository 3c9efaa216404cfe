"""A student's own work: the posts of theirs that were imported, each with its citation report, and their grades."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.store.reports import post_reports
from forumgrader.store.students import own_work
from forumgrader.web.access import signed_in_user
from forumgrader.web.student.present import present

blueprint = Blueprint("student", __name__)


@blueprint.get("/me/posts")
def posts() -> ResponseReturnValue:
    """Show your posts in the courses you take, topic by topic, with each post's report and your grade."""
    session = store.session()
    courses = own_work(session, signed_in_user())
    posts = [post for course in courses for topic in course.topics for post in topic.posts]
    reports = post_reports(session, posts)
    views = {post.id: present(reports[post.id], post.body_text) for post in posts}
    return render_template("student/posts.html", courses=courses, views=views)
