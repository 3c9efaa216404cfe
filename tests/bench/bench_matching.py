"""Benchmark reference matching: labelled references against the local Crossref-compatible server.

Run: python tests/bench/bench_matching.py [--per-class N] [--seed S] [--show-errors]

Every case is a shipped Crossref record rendered by citeproc-py (APA 7, and other styles for style independence),
changed in one labelled way, parsed by the citation analysis and verified through the real habanero client against the
local server, which serves the shipped records plus near-duplicates synthesised here (preprints, correction and
retraction notices, books beside their chapters). Prints accuracy per class, the share of correct references flagged,
the share of fabricated references flagged, matched-DOI accuracy and requests per reference.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_cases import FLAGS, Case, Collection, build_collection, cases, style_cases, with_duplicates
from matching_slips import slip_cases

from forumgrader.citations import analyse
from forumgrader.citations.model import Reference
from forumgrader.crossref.localserver import serve_in_thread
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource
from forumgrader.crossref.sources import source_from_config

OTHER_STYLES = [
    "harvard-cite-them-right",
    "chicago-author-date",
    "modern-language-association",
    "american-medical-association",
]


def parse(text: str) -> Reference | None:
    """Parse one reference the way a post's reference list is parsed."""
    report = analyse(f"References\n\n{text}\n")
    return report.references[0] if report.references else None


def passed(case: Case, check: Check) -> bool:
    """Tell whether the verdict is what the case expects, with the right record and the right difference."""
    if check.verdict.value not in case.expected:
        return False
    if case.doi and check.matched_doi not in {case.doi, *case.also}:
        return False
    if case.field and case.field not in {d.field for d in check.differences}:
        return False
    return not (case.retracted and not check.retracted)


def run(all_cases: list[Case], sources: Callable[[], MetadataSource], requests: Callable[[], int]) -> list[Result]:
    """Verify every case with a fresh source (no answer remembered from another case), counting its requests."""
    results = []
    for case in all_cases:
        reference = parse(case.text)
        if reference is None:
            print(f"  (not parsed) {case.label}: {case.text[:100]}")
            continue
        before = requests()
        check = verify(reference, sources())
        results.append(Result(case, check, requests() - before))
    return results


@dataclass(frozen=True)
class Result:
    """One case, its verdict and the requests it took."""

    case: Case
    check: Check
    requests: int

    @property
    def passed(self) -> bool:
        """Tell whether the verdict is the expected one."""
        return passed(self.case, self.check)

    @property
    def flagged(self) -> bool:
        """Tell whether a reader would see the reference as wrong (a flag a TA follows up)."""
        return self.check.verdict.value in FLAGS


def percent(part: int, whole: int) -> str:
    """Return a share as a percentage with one decimal."""
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def report(results: list[Result], seconds: float, *, show_errors: bool) -> None:
    """Print the table and the headline figures."""
    by_class: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_class[result.case.label].append(result)
    print(f"\n| {'class':36} | {'n':>4} | {'accuracy':>8} | {'req/ref':>7} | verdicts")
    print(f"|{'-' * 38}|{'-' * 6}|{'-' * 10}|{'-' * 9}|{'-' * 40}")
    for label, group in by_class.items():
        spread = ", ".join(f"{v} {n}" for v, n in Counter(r.check.verdict.value for r in group).most_common())
        accuracy = percent(sum(r.passed for r in group), len(group))
        cost = sum(r.requests for r in group) / len(group)
        print(f"| {label:36} | {len(group):>4} | {accuracy:>8} | {cost:>7.2f} | {spread}")
    slips = [r for r in results if r.case.slip]
    results = [r for r in results if not r.case.slip]  # the headline figures, comparable with earlier runs
    correct = [r for r in results if r.case.correct]
    fabricated = [r for r in results if r.case.fabricated]
    targeted = [r for r in results if r.case.doi]
    untargeted = [r for r in results if not r.case.doi and not r.case.look_alike]
    flagged = sum(r.flagged for r in correct)
    caught = sum(r.flagged for r in fabricated)
    right = sum(r.check.matched_doi in {r.case.doi, *r.case.also} for r in targeted)
    spurious = sum(bool(r.check.matched_doi) for r in untargeted)
    print()
    print(f"references: {len(results)}; expected verdict: {percent(sum(r.passed for r in results), len(results))}")
    print(f"correct references flagged: {flagged}/{len(correct)} = {percent(flagged, len(correct))} (target <= 1%)")
    print(f"fabricated references flagged: {caught}/{len(fabricated)} = {percent(caught, len(fabricated))} (>= 97%)")
    print(f"matched DOI accuracy (work in the index): {right}/{len(targeted)} = {percent(right, len(targeted))}")
    print(f"a DOI matched when the index holds no such work: {spurious}/{len(untargeted)}")
    total_requests = sum(r.requests for r in results)
    print(f"requests per reference: {total_requests / len(results):.2f}; {seconds:.1f} s in all")
    print(f"classes that used to slip: {percent(sum(r.passed for r in slips), len(slips))} of {len(slips)} as expected")
    results = results + slips
    if show_errors:
        print("\nfailures:")
        for result in results:
            if not result.passed:
                case, check = result.case, result.check
                found = [(d.field, d.cited, d.record) for d in check.differences]
                print(f"- [{case.label}] expected {sorted(case.expected)} {case.doi}")
                print(f"  got {check.verdict.value} {check.matched_doi}: {found}\n  {case.text}")


@contextmanager
def serve(collection: Collection) -> Iterator[tuple[Callable[[], MetadataSource], Callable[[], int]]]:
    """Serve the collection from the local Crossref; yield a maker of configured sources (habanero) and a counter."""
    with serve_in_thread(collection.records, agencies=collection.agencies) as server:
        config = {
            "METADATA_SOURCE": "crossref",
            "CROSSREF_URL": server.url,
            "CROSSREF_MAILTO": "bench@example.org",
            "CROSSREF_LOOKUPS_PER_SECOND": 0,  # unpaced: the benchmark measures matching, not Crossref's limits
            "CROSSREF_SEARCHES_PER_SECOND": 0,
            "CROSSREF_CONCURRENCY": 8,
        }
        yield lambda: source_from_config(config, cache=None), lambda: int(server.stats()["total"])


def main() -> None:
    """Build the cases, serve the records, run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    collection = build_collection(rng)
    all_cases = cases(collection, rng, args.per_class) + style_cases(collection, rng, OTHER_STYLES, args.per_class)
    all_cases = with_duplicates(collection, all_cases)
    slipped = build_collection(random.Random(args.seed))  # served apart: its records are changed for its cases
    slips = slip_cases(slipped, random.Random(args.seed + 1), args.per_class)
    started = time.perf_counter()
    with serve(collection) as (sources, requests):
        results = run(all_cases, sources, requests)
    with serve(slipped) as (sources, requests):
        results += run(slips, sources, requests)
    report(results, time.perf_counter() - started, show_errors=args.show_errors)


if __name__ == "__main__":
    main()
