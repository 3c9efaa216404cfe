"""Verify a class's references: each unique reference once, in worker threads, in the input order.

A lookup that fails leaves its reference `unchecked`; Crossref refusing us (403) stops the batch, and every reference
not yet checked stays `unchecked` too. Both are tried again by a later run. With a deadline (the self-check's time
budget), the batch answers by then: the references still being looked up are `unchecked`, their lookups finish in the
background and land in the source's cache for the next try, and no lookup starts after it.

`workers` is how many references are verified at once, not how many requests run at once: the source's limiter caps
that at CROSSREF_CONCURRENCY whatever the number of threads. A thread waiting for its turn at the slow search class
holds no connection, so twice the concurrency keeps searches and lookups both busy; with exactly the concurrency,
threads pile up behind the search pace while the lookup pace goes unused (tests/bench/bench_throughput.py: 1.12x to
1.28x the time the limits allow with 3 workers, depending on the machine's load; 1.00x to 1.02x with 6).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait

from forumgrader.citations.model import Reference
from forumgrader.crossref.cache import query_key
from forumgrader.crossref.model import Check, LookupBlocked, LookupFailed, MetadataSource, Verdict

log = logging.getLogger(__name__)
Verify = Callable[[Reference, MetadataSource], Check]
# Verdicts that rest on Crossref having no record: a source that cannot prove absence (an incomplete snapshot) turns
# them into `unchecked`, because its miss says nothing about Crossref.
ABSENCE_VERDICTS = frozenset({Verdict.NOT_FOUND, Verdict.NOT_INDEXED})
UNCHECKED_MESSAGE = "We could not check this reference against Crossref this time."  # no promise: drafts are not kept
LATE_MESSAGE = "We could not check this one right now: Crossref is answering slowly. Try again in a minute."
_late: set[Future[Check]] = set()  # lookups still running after their batch answered at its deadline
_late_lock = threading.Lock()


def reference_key(reference: Reference) -> str:
    """Return the reference's key: sha256 hex of its text, normalised (NFKC, lower case, spaces, end punctuation)."""
    return query_key(reference.text)


def unchecked(reference: Reference, why: str = "") -> Check:
    """Return the `unchecked` verdict for a reference whose lookup failed."""
    return Check(Verdict.UNCHECKED, doi=reference.fields.doi, message=UNCHECKED_MESSAGE + (f" ({why})" if why else ""))


def late(reference: Reference) -> Check:
    """Return the `unchecked` verdict for a reference not looked up by its batch's deadline."""
    return Check(Verdict.UNCHECKED, doi=reference.fields.doi, message=LATE_MESSAGE)


def _absence_unproven(check: Check, reference: Reference, source: MetadataSource) -> Check:
    if check.verdict in ABSENCE_VERDICTS and not getattr(source, "proves_absence", True):
        return unchecked(reference, "the local snapshot does not hold every record")
    return check


def verify_references(
    references: Sequence[Reference],
    source: MetadataSource,
    *,
    verify: Verify,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
    deadline: float | None = None,
    executor: Executor | None = None,
) -> list[Check]:
    """Check every reference, each unique one once, `workers` at a time; results in the input order.

    `deadline` (a time.monotonic() value): answer by then; what is not checked by then is `unchecked` (see above).
    `executor`: run the lookups on these threads, shared with other batches (the self-checks), instead of `workers`
    threads of the batch's own. Lookups run in the caller's context (forumgrader.crossref.deadline's deadlines).
    """
    groups: dict[str, list[int]] = {}
    for position, reference in enumerate(references):
        groups.setdefault(reference_key(reference), []).append(position)
    results: list[Check | None] = [None] * len(references)
    blocked = threading.Event()

    def check(reference: Reference) -> Check:
        if blocked.is_set():
            return unchecked(reference, "Crossref refused our requests")
        if deadline is not None and time.monotonic() > deadline:
            return late(reference)
        try:
            return _absence_unproven(verify(reference, source), reference, source)
        except LookupBlocked as error:
            blocked.set()
            return unchecked(reference, str(error))
        except LookupFailed as error:
            return unchecked(reference, str(error))

    done = 0
    pool = executor or ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="crossref")
    context = contextvars.copy_context()
    pending: dict[Future[Check], list[int]] = {
        pool.submit(context.copy().run, check, references[positions[0]]): positions for positions in groups.values()
    }
    try:
        while pending:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            finished, _running = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not finished:
                break  # the deadline passed
            for future in finished:
                positions = pending.pop(future)
                verdict = future.result()
                for position in positions:
                    results[position] = verdict
                done += len(positions)
                if progress is not None:
                    progress(done, len(references))
    finally:
        for future in pending:
            if not future.cancel():
                _finish_late(future)
        if executor is None:
            pool.shutdown(wait=deadline is None)
    return [result if result is not None else late(references[index]) for index, result in enumerate(results)]


def _finish_late(future: Future[Check]) -> None:
    with _late_lock:
        _late.add(future)
    future.add_done_callback(_forget_late)


def _forget_late(future: Future[Check]) -> None:
    with _late_lock:
        _late.discard(future)
    if not future.cancelled() and future.exception() is not None:
        # the batch has its answer already; a failure here only loses cache entries
        log.error("a lookup that outlived its batch failed", exc_info=future.exception())


def finish_background_lookups(timeout: float = 30.0) -> bool:
    """Wait for the lookups that outlived their batch's deadline (tests, shutdown); tell whether they all finished."""
    with _late_lock:
        running = list(_late)
    _done, not_done = wait(running, timeout=timeout)
    return not not_done
