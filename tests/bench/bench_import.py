"""Benchmark: import a generated Moodle forum export (300 students, about 1,200 posts) into a fresh SQLite database.

Run: python tests/bench/bench_import.py [--students 300] [--replies 3] [--chain 3000] [--keep FILE.csv]
Reports wall time of reading, storing (through the real import service, one commit) and re-importing, and peak
memory (tracemalloc's peak of Python allocations, and the process's maximum resident set size); then the time to
import one long back-and-forth: a chain of replies, each to the one before.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from forumgrader.discussions.formats import read_export
from forumgrader.discussions.moodle import COLUMNS
from forumgrader.store import schema
from forumgrader.store.db import Database
from forumgrader.store.imports import ImportSummary, import_export
from forumgrader.store.models import Post


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "psychotherapy clients clinicians therapy evidence brain neural plasticity treatment anxiety depression culture "
    "religion socioeconomic confidentiality consent family group adolescents stress cortisol immune outcomes research "
    "study suggests findings practice assessment approach biological psychological social factors model holistic "
    "support access barriers telehealth ethical legal guardianship disclosure trust alliance session recovery trauma"
)
GLUE = _words("the a of and to in that with for as on is can may be are this their which how")
SURNAMES = _words("Marwood Leppänen Jokinen Smid Avasthi Malhotra Sunderani Engel Gatchel Cohen Ader Moreira")
JOURNALS = ("Journal of Individual Psychology", "BMC Health Services Research", "Indian Journal of Psychiatry",
            "Neuroscience and Biobehavioral Reviews", "Psychiatric Services", "Psychological Bulletin")  # fmt: skip
START = 1716933420  # Tuesday 28 May 2024


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if index % 2 else GLUE) for index in range(rng.randint(12, 22))]
    return " ".join(words).capitalize() + f" ({rng.choice(SURNAMES)} et al., {rng.randint(2015, 2024)})."


def reference(rng: random.Random) -> str:
    author = f"{rng.choice(SURNAMES)}, {chr(rng.randint(65, 90))}. {chr(rng.randint(65, 90))}."
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()
    volume, issue, page = rng.randint(10, 99), rng.randint(1, 12), rng.randint(1, 900)
    return (f"{author}, &amp; {rng.choice(SURNAMES)}, J. ({rng.randint(2015, 2024)}). {title}. "
            f"<em>{rng.choice(JOURNALS)}, {volume}</em>({issue}), {page}–{page + 14}. "
            f"https://doi.org/10.{rng.randint(1000, 9999)}/{rng.randint(10000, 99999)}")  # fmt: skip


def body(rng: random.Random, words: int) -> str:
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        count += len(paragraph.split())
        paragraphs.append(f"<p>{paragraph}</p>")
    references = [f"<p>{reference(rng)}</p>" for _ in range(rng.randint(2, 4))]
    return "\n".join([*paragraphs, "<p><strong>References</strong></p>", *references])


def moodle_export(students: int, replies: int, seed: int = 7) -> bytes:
    """Write a Moodle 3.8+ forum CSV: one thread per student, each student replying to `replies` classmates."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    post_id = 1000
    starters: list[tuple[int, int, str]] = []
    for student in range(students):
        post_id += 1
        created = START + rng.randint(0, 3 * 86400)
        starters.append((post_id, student, f"Week 3: initial post by student {student}"))
        writer.writerow(_row(post_id, post_id, 0, student, created, starters[-1][2], body(rng, rng.randint(250, 350))))
    for student in range(students):
        for parent, _author, subject in rng.sample([s for s in starters if s[1] != student], replies):
            post_id += 1
            created = START + 3 * 86400 + rng.randint(0, 4 * 86400)
            writer.writerow(_row(post_id, parent, parent, student, created, f"Re: {subject}", body(rng, 250)))
    return out.getvalue().encode()


def reply_chain(length: int, seed: int = 7) -> bytes:
    """Write a Moodle forum CSV of one thread where each post replies to the one before it."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for post_id in range(1, length + 1):
        parent = post_id - 1
        subject = "Week 3: a long conversation" if not parent else "Re: Week 3: a long conversation"
        writer.writerow(_row(post_id, 1, parent, post_id % 2, START + post_id * 60, subject, body(rng, 60)))
    return out.getvalue().encode()


def _row(post_id: int, discussion: int, parent: int, student: int, created: int, subject: str, html: str) -> list:
    return [post_id, discussion, parent, 5000 + student, f"Student {student:03d}", created, created, 1, subject, html,
            1, 0, "", "", 0, 0, 0, "", len(html.split()), len(html)]  # fmt: skip


def as_workbook(data: bytes) -> bytes:
    """Return the CSV export saved as an Excel workbook, numbers as numbers (Moodle's "Microsoft Excel" download)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("discussion")
    for cells in csv.reader(io.StringIO(data.decode())):
        sheet.append([int(cell) if cell.isdigit() else cell for cell in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_into_fresh_database(data: bytes, folder: Path, name: str) -> tuple[ImportSummary, float, float, Database]:
    """Read and store one file the way `forumgrader import` does; return the summary and both timings."""
    database = Database(f"sqlite:///{folder / name}")
    schema.upgrade(database.engine)
    started = time.perf_counter()
    export = read_export(data, filename="discussion.csv")
    read_at = time.perf_counter()
    with database.session() as session:
        summary = import_export(session, export, file_name="discussion.csv", sha256=hashlib.sha256(data).hexdigest())
    return summary, read_at - started, time.perf_counter() - read_at, database


def main() -> None:
    """Generate the export, import it, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--replies", type=int, default=3, help="replies each student writes")
    parser.add_argument("--chain", type=int, default=3000, help="posts in the chain of replies to replies")
    parser.add_argument("--keep", type=Path, help="also write the generated CSV here")
    arguments = parser.parse_args()
    data = moodle_export(arguments.students, arguments.replies)
    if arguments.keep:
        arguments.keep.write_bytes(data)
    with tempfile.TemporaryDirectory() as folder:
        summary, reading, storing, database = import_into_fresh_database(data, Path(folder), "timed.sqlite")
        with database.session() as session:
            export = read_export(data, filename="discussion.csv")
            started = time.perf_counter()
            again = import_export(session, export, file_name="discussion.csv", sha256=hashlib.sha256(data).hexdigest())
            reimport = time.perf_counter() - started
            stored = session.scalar(select(func.count(Post.id)))
        database.dispose()
        tracemalloc.start()
        _summary, _reading, _storing, traced = import_into_fresh_database(data, Path(folder), "traced.sqlite")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        traced.dispose()
        chain = reply_chain(arguments.chain)
        _chained, chain_reading, chain_storing, chained = import_into_fresh_database(
            chain, Path(folder), "chain.sqlite"
        )
        chained.dispose()
    workbook = as_workbook(data)
    started = time.perf_counter()
    from_sheet = read_export(workbook, filename="discussion.xlsx")
    sheet_reading = time.perf_counter() - started
    same = [p.lms_post_id for p in from_sheet.topics[0].posts()] == [p.lms_post_id for p in export.topics[0].posts()]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"export: {arguments.students} students, {summary.posts} posts ({summary.replies} replies) "
          f"in {summary.threads} threads, {len(data) / 1_048_576:.1f} MB; {stored} rows stored")  # fmt: skip
    print(f"read (parse + clean HTML): {reading:.2f} s")
    print(f"store (service + commit):  {storing:.2f} s")
    per_post = (reading + storing) / summary.posts * 1000
    print(f"total first import:        {reading + storing:.2f} s ({per_post:.1f} ms/post)")
    unchanged = again.already_imported_at is not None
    print(f"identical re-import:       {reimport:.3f} s after reading (nothing changed: {unchanged})")
    print(f"peak traced Python memory: {peak / 1_048_576:.1f} MB (tracemalloc, first import)")
    print(f"max resident set size:     {rss:.0f} MB (whole process)")
    print(f"chain of {arguments.chain} replies to replies: read {chain_reading:.2f} s, store {chain_storing:.2f} s")
    size = len(workbook) / 1_048_576
    print(f"the same export as .xlsx ({size:.1f} MB): read {sheet_reading:.2f} s (same posts: {same})")


if __name__ == "__main__":
    sys.exit(main())
