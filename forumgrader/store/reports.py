"""Imported posts' citation reports with the verdicts stored for them, in the shape of `forumgrader check --json`.

Reading a report writes nothing and asks no one: the analysis is the stored one while the post's text is unchanged
(else the post is analysed again, in memory), and each reference carries the verdict stored under its key, or
`unchecked` while it has none.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import reference_key
from forumgrader.crossref.model import Check, Notice, Verdict, Work
from forumgrader.crossref.report import VERDICT_KEYS, check_findings, check_json
from forumgrader.store.checks import reference_from_json, text_hash
from forumgrader.store.models import Post, PostAnalysis, ReferenceCheck

NOT_CHECKED_MESSAGE = "This reference has not been checked against Crossref yet."


def post_report(session: Session, post: Post) -> dict[str, Any]:
    """Return a post's citation report with the verdicts stored for its references."""
    return post_reports(session, [post])[post.id]


def post_reports(session: Session, posts: Sequence[Post]) -> dict[int, dict[str, Any]]:
    """Return the citation reports of several posts, by post id, in three queries whatever their number."""
    ids = [post.id for post in posts]
    analyses = {a.post_id: a for a in session.scalars(select(PostAnalysis).where(PostAnalysis.post_id.in_(ids)))}
    verdicts: dict[int, dict[str, ReferenceCheck]] = {post_id: {} for post_id in ids}
    rows = session.scalars(
        select(ReferenceCheck).where(ReferenceCheck.post_id.in_(ids)).order_by(ReferenceCheck.position)
    )
    for row in rows:
        verdicts[row.post_id].setdefault(row.key, row)
    return {post.id: _with_verdicts(current_analysis(post, analyses.get(post.id)), verdicts[post.id]) for post in posts}


def current_analysis(post: Post, stored: PostAnalysis | None) -> dict[str, Any]:
    """Return the analysis of the post's text as it is now: the stored one, or a fresh one (in memory) after an edit."""
    if stored is not None and stored.text_hash == text_hash(post.body_text):
        return copy.deepcopy(stored.report)
    return report_to_json(analyse(post.body_text))


def _with_verdicts(data: dict[str, Any], rows: dict[str, ReferenceCheck]) -> dict[str, Any]:
    for entry in data["references"]:
        reference = reference_from_json(entry)
        row = rows.get(reference_key(reference))
        if row is None or row.verdict is None:
            entry.update(_unchecked(entry))
            continue
        entry.update(verdict_json(row))
        data["findings"].extend(check_findings(reference, _evidence(row)))
    data["findings"].sort(key=lambda f: (f["start"], f["end"], f["code"]))
    return data


def verdict_json(row: ReferenceCheck) -> dict[str, Any]:
    """Return a stored verdict with the keys `check --json` gives each reference."""
    data = {key: copy.copy(getattr(row, key)) for key in VERDICT_KEYS}
    data["verdict"] = row.verdict or Verdict.UNCHECKED.value
    data["message"] = row.message or NOT_CHECKED_MESSAGE
    return data


def _unchecked(entry: dict[str, Any]) -> dict[str, Any]:
    never = Check(Verdict.UNCHECKED, doi=entry["fields"].get("doi", ""), message=NOT_CHECKED_MESSAGE)
    return {**check_json(never), "match_confidence": None}  # never checked: no match to be sure of


def _evidence(row: ReferenceCheck) -> Check:
    """Rebuild what a stored verdict's findings depend on: the verdict, the matched DOI, whether it was retracted."""
    retraction = (Notice(type="retraction", label="Retraction", doi=""),) if row.retracted else ()
    record = Work(doi=row.matched_doi or row.doi, notices=retraction) if row.record is not None else None
    return Check(Verdict(row.verdict or Verdict.UNCHECKED), doi=row.doi, matched_doi=row.matched_doi, record=record)


def findings_of(
    reports: dict[int, dict[str, Any]], *, codes: Iterable[str] = (), severities: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Return the findings of several reports, each with its post id, kept to the codes and severities asked for."""
    wanted_codes, wanted_severities = set(codes), set(severities)
    found = []
    for post_id, report in reports.items():
        for finding in report["findings"]:
            if wanted_codes and finding["code"] not in wanted_codes:
                continue
            if wanted_severities and finding["severity"] not in wanted_severities:
                continue
            found.append({"post_id": post_id, **finding})
    return found


def reference_key_at(session: Session, post_id: int, index: int) -> str | None:
    """Return the key of a post's reference at a position of its list (from 0), or None."""
    return session.scalar(
        select(ReferenceCheck.key).where(ReferenceCheck.post_id == post_id, ReferenceCheck.position == index)
    )
