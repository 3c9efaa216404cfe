"""Write the demo's sample exports, deterministically: one course per LMS, two topics each, in each LMS's own format.

    python forumgrader/samples/make_samples.py [FOLDER]     # rewrites forumgrader/samples/demo/, or writes FOLDER

Every work cited is a real record of the bundled Crossref snapshot (samples/crossref/), written in APA 7 from the
record, so every verdict the demo shows is real. The students make the mistakes real students make: a year that
differs between citation and reference list, a DOI that cannot be right, volume and issue swapped, text the LMS
left behind, no sources at all, a post a day late, a post too short; a few are on the roster and never post.
The same seed always writes the same files.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.records import plain_text, work_from_record
from forumgrader.crossref.snapshot import bundled_files, read_files
from forumgrader.discussions.moodle import COLUMNS

HERE = Path(__file__).resolve().parent
OUT = HERE / "demo"
SEED = 20240603


@dataclass(frozen=True)
class TopicSpec:
    """One discussion of a demo course: its prompt, its dates, what students cite, who stays away."""

    slug: str
    title: str
    prompt: str
    lms_id: int
    assignment_id: int
    first_post_id: int
    due_initial: datetime
    due_replies: datetime
    dois: tuple[str, ...]
    claims: tuple[str, ...]  # sentences students write between their citations
    subjects: tuple[str, ...]  # thread titles
    absent: frozenset[int]  # students (by index) who never post here
    replies_only: frozenset[int]  # students who only reply
    main_only: frozenset[int]  # students who write no reply
    shift: int  # moves the mistakes around from one week to the next


@dataclass(frozen=True)
class Course:
    """A demo course: its LMS, its students and their ids there, its topics."""

    name: str
    lms: str
    lms_course_id: int
    section: str
    instructor: str
    instructor_id: int
    roster_file: str
    students: tuple[str, ...]
    user_ids: tuple[int, ...]
    sis_ids: tuple[str, ...]
    logins: tuple[str, ...]
    emails: tuple[str, ...]
    topics: tuple[TopicSpec, ...]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def courses() -> list[Course]:
    """The demo courses, from demo/courses.json: names, ids, prompts and the works each topic's students cite."""
    found = []
    for spec in json.loads((OUT / "courses.json").read_text(encoding="utf-8")):
        topics = tuple(_topic(number, topic) for number, topic in enumerate(spec["topics"]))
        found.append(_course(spec, topics))
    return found


def _topic(number: int, topic: dict[str, Any]) -> TopicSpec:
    return TopicSpec(
        slug=topic["slug"], title=topic["title"], prompt=topic["prompt"], lms_id=topic["lms_id"],
        assignment_id=topic.get("assignment_id", 0), first_post_id=topic["first_post_id"],
        due_initial=_when(topic["due_initial"]), due_replies=_when(topic["due_replies"]),
        dois=tuple(topic["dois"]), claims=tuple(topic["claims"]), subjects=tuple(topic["subjects"]),
        absent=frozenset(topic["absent"]), replies_only=frozenset(topic["replies_only"]),
        main_only=frozenset(topic["main_only"]), shift=number * 5,
    )  # fmt: skip


def _course(spec: dict[str, Any], topics: tuple[TopicSpec, ...]) -> Course:
    students = tuple(spec["students"])
    first = spec["first_user_id"]
    slugs = [name.lower().replace(" ", ".").replace("'", "") for name in students]
    return Course(
        name=spec["name"], lms=spec["lms"], lms_course_id=spec["lms_course_id"], section=spec["section"],
        instructor=spec["instructor"], instructor_id=spec["instructor_id"], roster_file=spec["roster_file"],
        students=students, user_ids=tuple(first + 7 * i for i in range(len(students))),
        sis_ids=tuple(f"{spec['sis_prefix']}{4521 + 37 * i:05d}" for i in range(len(students))),
        logins=tuple(slug.split(".")[0][0] + slug.split(".")[-1] for slug in slugs),
        emails=tuple(f"{slug}@{spec['mail_domain']}" for slug in slugs), topics=topics,
    )  # fmt: skip


@dataclass(frozen=True)
class Source:
    """A cited work: how a student writes it in the text and in the reference list."""

    doi: str
    families: tuple[str, ...]
    year: int
    reference: str  # APA 7 from the record
    title: str
    volume: str
    issue: str

    def narrative(self, year: int | None = None, ampersand: bool = False) -> str:
        names = self.families
        joined = names[0] if len(names) == 1 else f"{names[0]} {'&' if ampersand else 'and'} {names[1]}"
        return f"{names[0] if len(names) > 2 else joined}{' et al.' if len(names) > 2 else ''} ({year or self.year})"

    def parenthetical(self, year: int | None = None) -> str:
        names = self.families
        who = names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        return f"({who}, {year or self.year})"


def sources() -> dict[str, Source]:
    """Every bundled record, as a student would cite it."""
    found = {}
    for record in read_files(bundled_files()):
        work = work_from_record(record)
        if not work.authors or not work.year or not work.title:
            continue
        found[work.doi.lower()] = Source(
            doi=work.doi,
            families=tuple(author.family for author in work.authors if author.family),
            year=work.year,
            reference=apa_reference(work),
            title=plain_text(work.title).rstrip("."),
            volume=str(record.get("volume") or ""),
            issue=str(record.get("issue") or ""),
        )
    return found


# --- the mistakes students make, one kind a student --------------------------------------------------------------


def _lms_residue(lms: str) -> str:
    return {"canvas": " Links to an external site.", "d2l": " (Links to an external site.)"}.get(lms, "")


def reference_text(source: Source, mistake: str, lms: str, other: Source | None = None) -> str:
    """The reference as this student writes it."""
    text = source.reference
    if mistake == "broken-doi":  # a slash doubled in copying: no DOI is written so
        text = text.replace(source.doi, source.doi.replace("/", "//", 1))
    elif mistake == "wrong-doi" and other is not None:  # the DOI of the work cited next to it
        text = text.replace(source.doi, other.doi)
    elif mistake == "swapped" and source.volume and source.issue:
        text = text.replace(f"{source.volume}({source.issue})", f"{source.issue}({source.volume})")
    elif mistake == "list-year":
        text = text.replace(f"({source.year})", f"({source.year - 1})", 1)
    elif mistake == "doi-prefix":
        text = text.replace(f"https://doi.org/{source.doi}", f"doi:{source.doi}")
    if mistake == "residue":
        text += _lms_residue(lms)
    return text


@dataclass(frozen=True)
class Written:
    """A post's text: paragraphs of prose, and its reference list."""

    paragraphs: tuple[str, ...]
    references: tuple[str, ...]

    def html(self) -> str:
        body = "".join(f"<p>{paragraph}</p>\n" for paragraph in self.paragraphs)
        if self.references:
            body += "<p><strong>References</strong></p>\n" + "".join(f"<p>{ref}</p>\n" for ref in self.references)
        return body

    def words(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


def _cite_sentence(rng: random.Random, source: Source, mistake: str, first: bool) -> str:
    year = source.year + 1 if mistake == "text-year" and first else None
    narrative = source.narrative(year, mistake == "ampersand")
    templates = (
        f"{narrative} examined this in “{source.title},” and the findings bear directly on this week's question.",
        f"The same point is made with data in “{source.title}” {source.parenthetical(year)}.",
        f"As {narrative} showed in “{source.title},” the method matters as much as the headline result.",
    )
    return rng.choice(templates)


def write_post(rng: random.Random, topic: TopicSpec, cited: list[Source], words: int, mistake: str, lms: str,
               opening: str = "") -> Written:  # fmt: skip
    """A post of about `words` words citing `cited`, with this student's mistake in it."""
    claims = list(topic.claims)
    rng.shuffle(claims)
    sentences = [opening] if opening else []
    for number, source in enumerate(cited):
        sentences.append(_cite_sentence(rng, source, mistake, number == 0))
        sentences.append(claims[number % len(claims)])
    extra = len(cited)
    while sum(len(sentence.split()) for sentence in sentences) < words:
        sentences.append(claims[extra % len(claims)])
        extra += 1
    paragraphs = [" ".join(sentences[start : start + 4]) for start in range(0, len(sentences), 4)]
    listed = sorted(reference_text(source, mistake if number == 0 else "", lms, cited[-1]) for number, source in
            enumerate(cited))  # fmt: skip
    return Written(tuple(paragraphs), tuple(listed))


# --- one week of a class: who posts what, when -------------------------------------------------------------------

MISTAKES = ("", "text-year", "broken-doi", "swapped", "residue", "no-sources", "late", "doi-prefix", "short",
            "ampersand", "list-year", "wrong-doi", "")  # fmt: skip


@dataclass(frozen=True)
class Post:
    post_id: int
    thread_id: int
    parent_id: int | None
    author: int  # index into the course's students
    subject: str
    written: Written
    created: datetime


def week(rng: random.Random, course: Course, topic: TopicSpec, works: dict[str, Source], first_id: int) -> list[Post]:
    """Every post of one topic: main posts by Day 3 (some late, some missing), then replies by Day 7."""
    pool = [works[doi.lower()] for doi in topic.dois]
    posters = [index for index in range(len(course.students)) if index not in topic.absent]
    posts: list[Post] = []
    ids = iter(range(first_id, first_id + 10_000))
    mains: dict[int, Post] = {}
    for order, student in enumerate(posters):
        mistake = MISTAKES[(student + topic.shift) % len(MISTAKES)]
        if student in topic.replies_only:
            continue
        count = 0 if mistake == "no-sources" else 1 if mistake == "short" else rng.choice((2, 3, 3))
        cited = rng.sample(pool, count)
        words = 70 if mistake == "short" else rng.randint(230, 420)
        written = write_post(rng, topic, cited, words, mistake, course.lms)
        hours = rng.randint(-60, -2) if mistake != "late" else rng.randint(6, 30)
        created = topic.due_initial + timedelta(hours=hours, minutes=rng.randint(0, 59))
        post_id = next(ids)
        subject = topic.subjects[order % len(topic.subjects)]
        mains[student] = Post(post_id, post_id, None, student, subject, written, created)
    posts.extend(sorted(mains.values(), key=lambda post: post.created))
    for student in posters:
        wanted = 0 if student in topic.main_only else rng.choice((1, 1, 2, 2))
        others = [post for author, post in mains.items() if author != student]
        for number, parent in enumerate(rng.sample(others, min(wanted, len(others)))):
            cited = rng.sample(pool, rng.choice((0, 1, 1)))
            name = course.students[parent.author].split()[0]
            written = write_post(rng, topic, cited, rng.randint(90, 190), "", course.lms,
                         opening=f"Thank you, {name}, for this post.")  # fmt: skip
            late = MISTAKES[(student + topic.shift) % len(MISTAKES)] == "late" and number == 1
            hours = rng.randint(6, 20) if late else rng.randint(-90, -3)
            created = max(parent.created + timedelta(hours=2), topic.due_replies + timedelta(hours=hours))
            posts.append(Post(next(ids), parent.thread_id, parent.post_id, student, f"Re: {parent.subject}", written,
                      created))  # fmt: skip
    return posts


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


def write_course(course: Course, works: dict[str, Source], rng: random.Random, out: Path) -> list[str]:
    folder = out / course.lms
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, topic in enumerate(course.topics):
        posts = week(rng, course, topic, works, first_id=topic.first_post_id)
        files: dict[str, Any]
        if course.lms == "canvas":
            files = canvas_files(course, topic, posts)
        elif course.lms == "d2l":
            files = d2l_files(course, topic, posts)
        elif number == 0:  # Moodle: one forum as CSV, the other as JSON (an array of sheets)
            files = {f"{topic.slug}.csv": moodle_rows(course, topic, posts)}
        else:
            files = {f"{topic.slug}.json": [moodle_rows(course, topic, posts)]}
        for name, content in files.items():
            path = folder / name
            if name.endswith(".csv"):
                table = io.StringIO()
                writer = csv.DictWriter(table, fieldnames=list(COLUMNS), lineterminator="\n")
                writer.writeheader()
                writer.writerows(content)
                path.write_text(table.getvalue(), encoding="utf-8")
            else:
                path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(f"{course.lms}/{name}")
    (folder / course.roster_file).write_text(roster(course), encoding="utf-8")
    return [*written, f"{course.lms}/{course.roster_file}"]


def main(out: Path = OUT) -> int:
    """Write every demo file into `out` (samples/demo/ unless a folder is given); print what was written."""
    works = sources()
    for course in courses():
        for topic in course.topics:
            missing = [doi for doi in topic.dois if doi.lower() not in works]
            if missing:
                print(f"not in the bundled records: {missing}", file=sys.stderr)
                return 1
        for name in write_course(course, works, random.Random(f"{SEED}-{course.lms}"), out):
            print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
