"""Score the parser against the hand-labelled sets in data/ (run as a script to print the tables)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from forumgrader.citations.entries import parse_entry
from forumgrader.citations.intext import find_citations
from forumgrader.citations.text import fold, normalise

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict]:
    """Read one labelled JSONL file."""
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _value(fields, kind: str, name: str):  # type: ignore[no-untyped-def]
    if name == "authors":
        return [fold(a.family) for a in fields.authors]
    if name == "type":
        return kind
    value = getattr(fields, name)
    if isinstance(value, str) and name in ("title", "container", "publisher", "edition"):
        return fold(value)
    if isinstance(value, str):
        return normalise(value).replace(" ", "").rstrip(".")
    return value


def _expected(name: str, value):  # type: ignore[no-untyped-def]
    if name == "authors":
        return [fold(a) for a in value]
    if isinstance(value, str) and name in ("title", "container", "publisher", "edition"):
        return fold(value)
    if isinstance(value, str):
        return (
            normalise(value).replace(" ", "").rstrip(".").lower()
            if name == "doi"
            else normalise(value).replace(" ", "").rstrip(".")
        )
    return value


def score_references(file: str = "labelled_references.jsonl") -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Return per-field (right, total) over a labelled reference file, and the misses."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for record in load(file):
        parsed = parse_entry(normalise(record["text"]))
        for name, expected in record["expect"].items():
            got = _value(parsed.fields, parsed.type.value, name)
            total[name] += 1
            if got == _expected(name, expected):
                right[name] += 1
            else:
                misses.append(f"{name}: got {got!r}, expected {expected!r} in {record['text'][:70]!r}")
    return {name: (right[name], total[name]) for name in total}, misses


def _key(authors: list[str], et_al: bool, year: str, narrative: bool) -> tuple:
    return (tuple(fold(a) for a in authors), et_al, year, narrative)


def score_citations(name: str = "labelled_citations.jsonl") -> tuple[dict[str, float], list[str]]:
    """Return precision and recall of found citations (authors, et al., year and suffix, narrative)."""
    found_total = expected_total = hits = 0
    misses = []
    for record in load(name):
        expected = Counter(_key(c["authors"], c["et_al"], c["year"], c["narrative"]) for c in record["expect"])
        got = Counter(
            _key(list(c.authors), c.et_al, f"{c.year or c.year_note}{c.year_suffix}", c.narrative)
            for c in find_citations(normalise(record["text"]))
        )
        common = sum((expected & got).values())
        hits += common
        found_total += sum(got.values())
        expected_total += sum(expected.values())
        if common != sum(expected.values()) or common != sum(got.values()):
            misses.append(f"{record['text'][:90]!r}: missing {list(expected - got)}, extra {list(got - expected)}")
    return {
        "precision": hits / found_total if found_total else 1.0,
        "recall": hits / expected_total if expected_total else 1.0,
        "expected": expected_total,
        "found": found_total,
    }, misses


def table(file: str = "labelled_references.jsonl") -> str:
    """Return the per-field accuracy table and the citation scores as text."""
    fields, _ = score_references(file)
    lines = [f"{'field':16s} {'right':>6s} {'total':>6s} {'accuracy':>9s}"]
    for name, (right, total) in sorted(fields.items(), key=lambda item: -item[1][1]):
        lines.append(f"{name:16s} {right:6d} {total:6d} {right / total:9.1%}")
    citations, _ = score_citations(file.replace("references", "citations"))
    lines.append(
        f"in-text citations: {citations['expected']} labelled, {citations['found']} found, "
        f"precision {citations['precision']:.1%}, recall {citations['recall']:.1%}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    file = sys.argv[1] if len(sys.argv) > 1 else "labelled_references.jsonl"
    print(table(file))
    for miss in score_references(file)[1] + score_citations(file.replace("references", "citations"))[1]:
        print(" ", miss)
