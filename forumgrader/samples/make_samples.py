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
from datetime import timedelta
from pathlib import Path
from typing import Any

from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.records import plain_text, work_from_record
from forumgrader.crossref.snapshot import bundled_files, read_files
from forumgrader.discussions.moodle import COLUMNS
from forumgrader.samples.demo_model import MISTAKES, OUT, Course, Post, TopicSpec, Written, courses
from forumgrader.samples.lms_files import canvas_files, d2l_files, moodle_rows, roster

SEED = 20240603


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
