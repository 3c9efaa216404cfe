"""A topic's dashboard (one row per student, plots), its grade files for the LMS, its rubric, and checking it again."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from forumgrader import jobs, store
from forumgrader.grading import EXPORTS, ExportError, MatchBy, Rubric, RubricError
from forumgrader.store import accounts
from forumgrader.store.dashboard import latest_job, topic_dashboard
from forumgrader.store.gradefiles import ABSENT_GRADES, LMS_NAMES, export_options, grade_file
from forumgrader.store.grades import topic_rubric
from forumgrader.store.models import Topic
from forumgrader.store.posts import student_posts
from forumgrader.store.student_rows import ONLY, SORTS, RowQuery, TablePage, table_page
from forumgrader.store.topics import regrade, rubric_choices, set_rubric, submit_check
from forumgrader.web import plots
from forumgrader.web.access import signed_in_user, topic_or_404
from forumgrader.web.api.resources import job_json

blueprint = Blueprint("topics", __name__)

COLUMNS = {
    "name": "Student",
    "score": "Score",
    "posts": "Posts",
    "replies": "Replies",
    "references": "References",
    "flags": "Flags",
    "late": "Late",
}
# The grade files' messages name the CLI's options; on this page they are fields.
WEB_WORDS = (
    ("--match-by idnumber", "“Match students by: ID number”"),
    ("--match-by email", "“Match students by: Email address”"),
    ("--match-by userid", "“Match students by: Moodle user id”"),
    ("pass --assignment-id with", "give as “Assignment id”"),
    ("(--item)", "(“Grade item”)"),
    ("(forumgrader roster import FILE --course NAME, or the course's roster page)", "on the course's roster page"),
)
MATCH_BY_NAMES = {MatchBy.EMAIL: "Email address", MatchBy.IDNUMBER: "ID number", MatchBy.USERID: "Moodle user id"}


def row_query(args: MultiDict[str, str]) -> RowQuery:
    """Read the table's sort, filters and page from the address: ?sort=score&order=desc&q=ada&only=flags&page=2."""
    sort = args.get("sort", "name") if args.get("sort") in SORTS else "name"
    page = args.get("page", "")
    return RowQuery(
        sort=sort,
        descending=args.get("order") == "desc",
        text=args.get("q", "").strip()[:100],
        only=frozenset(name for name in args.getlist("only") if name in ONLY),
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )


def _table_href(topic: Topic, query: RowQuery, **changes: Any) -> str:
    """The address of the table sorted, filtered and paged as the query, with some of it changed."""
    order = "desc" if query.descending else "asc"
    wanted: dict[str, Any] = {"sort": query.sort, "order": order, "q": query.text or None, "only": sorted(query.only)}
    return url_for("topics.topic", topic_id=topic.id, **(wanted | {"page": None} | changes)) + "#students"


def _sort_links(topic: Topic, query: RowQuery) -> dict[str, tuple[str, str | None]]:
    """Return each column's address (the next order when clicked, from the first page) and its aria-sort value."""
    links = {}
    for column in COLUMNS:
        current = query.sort == column
        descending = not query.descending if current else column != "name"
        href = _table_href(topic, query, sort=column, order="desc" if descending else "asc")
        links[column] = (href, ("descending" if query.descending else "ascending") if current else None)
    return links


def _pager(topic: Topic, query: RowQuery, table: TablePage) -> tuple[list[int | None], dict[int, str]]:
    """Return the pages the pager lists (the first, the last, two either side of this one; None for a gap) and the
    address of each page it links to (those, the previous and the next)."""
    near = sorted(page for page in {1, table.pages, *range(table.page - 2, table.page + 3)} if 1 <= page <= table.pages)
    numbers: list[int | None] = []
    for number in near:
        if numbers and number > (numbers[-1] or 0) + 1:
            numbers.append(None)
        numbers.append(number)
    linked = {*near, table.page - 1, table.page + 1} & set(range(1, table.pages + 1))
    return numbers, {number: _table_href(topic, query, page=number if number > 1 else None) for number in linked}


def count_sentence(table: TablePage, query: RowQuery) -> str:
    """Say which students the table shows: "Showing 1 of 4 students.", "Showing 101–200 of 3,000 students."."""
    if table.pages == 1:
        return f"Showing {table.matching:,} of {table.total:,} students."
    last = table.first + len(table.rows) - 1
    of = (
        f"{table.matching:,} matching students ({table.total:,} in all)"
        if query.filtered
        else f"{table.total:,} students"
    )
    return f"Showing {table.first:,}–{last:,} of {of}."


def _load_rubric(topic: Topic) -> Rubric | None:
    try:
        return topic_rubric(topic)
    except RubricError as error:
        flash(f"This topic's rubric cannot be read: {'; '.join(error.problems)}. Choose another rubric.", "error")
        return None


@blueprint.get("/topics/<int:topic_id>")
def topic(topic_id: int) -> ResponseReturnValue:
    """Show staff the topic's students, scores and plots; show a student their own posts."""
    found = topic_or_404(topic_id)
    session = store.session()
    user = signed_in_user()
    role = accounts.course_role(session, user, found.course_id)
    if role == accounts.CourseRole.STUDENT:
        membership = accounts.membership_of(session, user, found.course_id)
        posts = student_posts(session, found.id, membership.person_id if membership else None)
        return render_template("topics/student.html", topic=found, posts=posts)
    rubric = _load_rubric(found)
    job = latest_job(session, found.id)
    board = topic_dashboard(session, found, rubric) if rubric is not None else None
    files = grade_file(session, found, rubric.name) if rubric is not None else None
    query = row_query(request.args)
    table = table_page(board.students if board is not None else [], query)
    page_numbers, page_links = _pager(found, query, table)
    figures = []
    if board is not None:
        ungraded = sum(1 for row in board.students if row.total is None)
        figures = [
            plots.score_distribution(board.percents, ungraded),
            plots.sources_per_post(board.sources_per_post),
            plots.verdicts_per_topic(board.verdicts, found.id),
        ]
    return render_template(
        "topics/dashboard.html",
        topic=found,
        board=board,
        rubric=rubric,
        table=table,
        counted=count_sentence(table, query),
        query=query,
        columns=COLUMNS,
        sort_links=_sort_links(found, query),
        page_numbers=page_numbers,
        page_links=page_links,
        figures=figures,
        job=job,
        job_status=job_json(job) if job is not None else None,
        can_grade=accounts.can_grade_course(session, user, found.course_id),
        rubrics=rubric_choices(),
        files=files,
        ready=files.readiness() if files is not None else {},
        lms_names=LMS_NAMES,
        match_by_names=MATCH_BY_NAMES,
        absent_grades=ABSENT_GRADES,
        post_prefix=url_for("posts.post", post_id=0).removesuffix("0"),  # one address built, not one per student
    )


def in_page_words(message: str) -> str:
    """Say a grade file's problem with the names this page gives the options."""
    for cli, page in WEB_WORDS:
        message = message.replace(cli, page)
    return message


def _file_name(topic: Topic, lms: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (topic.title or f"topic {topic.id}").lower()).strip("-")[:60] or "topic"
    return f"{slug}-{lms}-grades.csv"


@blueprint.get("/topics/<int:topic_id>/export")
def export(topic_id: int) -> ResponseReturnValue:
    """Download the topic's grades as the LMS's grade import file (?lms=canvas|moodle|d2l), or show the choices."""
    found = topic_or_404(topic_id)
    rubric = _load_rubric(found)
    lms = request.args.get("lms")
    problem = None
    files = grade_file(store.session(), found, rubric.name) if rubric is not None else None
    ready = files.readiness() if files is not None else {}
    if rubric is not None and files is not None and lms is not None:
        match_by = request.args.get("match_by", "")
        if lms not in EXPORTS:
            problem = f"There is no grade file for “{lms}”: choose Canvas, Moodle or D2L."
        elif not files.rows:
            problem = "Nobody has a grade in this topic yet: wait for the check to finish, or check the topic again."
        elif not ready[lms].ready:
            problem = f"{ready[lms].why} Upload the course's {LMS_NAMES[lms]} roster on its roster page."
        elif match_by and match_by not in {m.value for m in ready[lms].match_by}:
            problem = "Match students by an id every student has: " + ", ".join(
                MATCH_BY_NAMES[m] for m in ready[lms].match_by) + "."  # fmt: skip
        else:
            chosen = MatchBy(match_by) if match_by else (ready[lms].match_by or (MatchBy.EMAIL,))[0]
            options = export_options(
                found, rubric.possible, item=request.args.get("item"), assignment_id=request.args.get("assignment_id"),
                match_by=chosen,
            )  # fmt: skip
            try:
                text = EXPORTS[lms](files.rows, options)
            except ExportError as error:
                problem = in_page_words(f"{error}.")
            else:
                disposition = f'attachment; filename="{_file_name(found, lms)}"'
                return Response(text, mimetype="text/csv", headers={"Content-Disposition": disposition})
    status = 400 if problem else 200
    page = render_template(
        "topics/export.html",
        topic=found,
        rubric=rubric,
        problem=problem,
        lms=lms,
        lms_names=LMS_NAMES,
        match_by_names=MATCH_BY_NAMES,
        absent_grades=ABSENT_GRADES,
        values=request.args,
        files=files,
        ready=ready,
    )
    return page, status


def _back(topic: Topic) -> ResponseReturnValue:
    return redirect(url_for("topics.topic", topic_id=topic.id))


@blueprint.post("/topics/<int:topic_id>/rubric")
def change_rubric(topic_id: int) -> ResponseReturnValue:
    """Grade the topic with another rubric, at once (overrides under the old rubric stay with it)."""
    found = topic_or_404(topic_id)
    session = store.session()
    try:
        rubric = set_rubric(session, found, request.form.get("rubric", ""), signed_in_user())
        graded = regrade(session, found)
    except RubricError as error:
        session.rollback()
        flash(f"{'; '.join(error.problems)}.", "error")
        return _back(found)
    session.commit()
    flash(f"Graded {len(graded)} students with {rubric.title} ({rubric.name}).", "success")
    return _back(found)


@blueprint.post("/topics/<int:topic_id>/recheck")
def recheck(topic_id: int) -> ResponseReturnValue:
    """Check the topic's citations again and regrade it (answers already cached cost nothing)."""
    found = topic_or_404(topic_id)
    session = store.session()
    job = submit_check(session, found, signed_in_user())
    session.commit()
    jobs.enqueue(job)
    return redirect(url_for("instructor.progress", course_id=found.course_id, job=job.id))
