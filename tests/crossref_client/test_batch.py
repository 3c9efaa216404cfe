"""A class's references are checked once each, in order, and a failed or refused lookup never becomes a verdict."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from forumgrader.citations.model import Reference
from forumgrader.crossref.batch import LATE_MESSAGE, finish_background_lookups, reference_key, verify_references
from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.model import Check, LookupFailed, MetadataSource, Verdict

from .conftest import HAMLIN, HAMLIN_TEXT, LookupVerify, asked, reference

Make = Callable[..., CrossrefSource]


def test_reference_key_ignores_case_spacing_and_end_punctuation() -> None:
    one = reference("Hamlin, A. (2011).  Sleep apnea.\n")
    assert reference_key(one) == reference_key(reference("hamlin, a. (2011). sleep apnea"))
    assert reference_key(one) != reference_key(reference("Hamlin, A. (2012). Sleep apnea."))
    assert len(reference_key(one)) == 64


def test_each_unique_reference_once_and_results_in_order(make_source: Make, crossref: LocalCrossref) -> None:
    texts = [HAMLIN_TEXT, "Nobody (2020). https://doi.org/10.9999/none", HAMLIN_TEXT.upper(), HAMLIN_TEXT + "  "]
    references = [
        reference(text, "10.9999/none" if "10.9999" in text else "", index) for index, text in enumerate(texts)
    ]
    references.append(reference("Nobody (2020). https://doi.org/10.9999/none", "10.9999/none", 4))
    verify = LookupVerify()
    progress: list[tuple[int, int]] = []
    checks = verify_references(
        references, make_source(), verify=verify, workers=3, progress=lambda *p: progress.append(p)
    )
    assert [check.verdict for check in checks] == [
        Verdict.VERIFIED, Verdict.BROKEN_DOI, Verdict.VERIFIED, Verdict.VERIFIED, Verdict.BROKEN_DOI,
    ]  # fmt: skip
    assert checks[0].matched_doi == HAMLIN
    assert verify.calls == 2
    assert len(asked(crossref)) == 2
    assert progress[-1] == (5, 5) and [done for done, _total in progress] == sorted(done for done, _ in progress)


def test_a_failed_lookup_leaves_only_that_reference_unchecked(make_source: Make) -> None:
    def verify(cited: Reference, source: MetadataSource) -> Check:
        if "fails" in cited.text:
            raise LookupFailed("Crossref did not answer in time")
        return Check(Verdict.VERIFIED)

    checks = verify_references(
        [reference("a works"), reference("b fails"), reference("c works")], make_source(), verify=verify, workers=2
    )
    assert [check.verdict for check in checks] == [Verdict.VERIFIED, Verdict.UNCHECKED, Verdict.VERIFIED]
    assert "did not answer in time" in checks[1].message


def test_a_refusal_stops_the_batch(make_source: Make, crossref: LocalCrossref) -> None:
    crossref.configure(fail=403)
    references = [reference(f"Reference number {number} about sleep", index=number) for number in range(30)]
    checks = verify_references(references, make_source(), verify=LookupVerify(), workers=3)
    assert [check.verdict for check in checks] == [Verdict.UNCHECKED] * 30
    assert crossref.stats()["total"] <= 3  # the threads already running when the first 403 came back


def test_503_everywhere_leaves_every_reference_unchecked(make_source: Make, crossref: LocalCrossref) -> None:
    crossref.configure(fail=503)
    references = [reference(HAMLIN_TEXT), reference("Ref https://doi.org/10.1002/ajmg.b.31237", HAMLIN)]
    source = CachedSource(make_source(retries=2), None, ttl_days=30)
    checks = verify_references(references, source, verify=LookupVerify(), workers=3)
    assert [check.verdict for check in checks] == [Verdict.UNCHECKED, Verdict.UNCHECKED]
    assert all(check.message.startswith("We could not check this reference") for check in checks)
    assert crossref.stats()["statuses"] == {"503": 6}  # three tries each, then given up


def test_a_deadline_answers_in_time_and_lets_running_lookups_finish(make_source: Make) -> None:
    release, finished = threading.Event(), []

    def verify(cited: Reference, source: MetadataSource) -> Check:
        if "slow" in cited.text:
            release.wait(5)
            finished.append(cited.text)
        return Check(Verdict.VERIFIED)

    started = time.monotonic()
    references = [reference("a quick"), reference("b slow"), reference("c quick")]
    checks = verify_references(references, make_source(), verify=verify, workers=3, deadline=started + 0.3)
    assert time.monotonic() - started < 1.0
    assert [check.verdict for check in checks] == [Verdict.VERIFIED, Verdict.UNCHECKED, Verdict.VERIFIED]
    assert checks[1].message == LATE_MESSAGE
    release.set()
    assert finish_background_lookups(timeout=5)
    assert finished == ["b slow"]  # it went on after the answer, for the cache


def test_no_lookup_starts_after_the_deadline(make_source: Make) -> None:
    verified: list[str] = []

    def verify(cited: Reference, source: MetadataSource) -> Check:
        verified.append(cited.text)
        time.sleep(0.3)
        return Check(Verdict.VERIFIED)

    references = [reference(f"reference {number}") for number in range(4)]
    checks = verify_references(references, make_source(), verify=verify, workers=1, deadline=time.monotonic() + 0.1)
    assert finish_background_lookups(timeout=5)
    assert [check.verdict for check in checks] == [Verdict.UNCHECKED] * 4
    assert verified == ["reference 0"]
