"""Parse accuracy on the hand-labelled sets in data/ (print with `pytest -s` or `python tests/citations/labelled.py`).

labelled_*.jsonl were written first and the parser was tuned on them; holdout_*.jsonl were written afterwards
and scored once before any change (first-pass figures are in the commit that added them).
"""

from __future__ import annotations

import pytest

from .labelled import load, score_citations, score_references, table

# Floors set a little under what the parser reaches, so that a regression fails while small tuning does not.
FLOORS = {
    "authors": 0.95,
    "year": 0.98,
    "title": 0.9,
    "container": 0.9,
    "volume": 0.95,
    "issue": 0.95,
    "pages": 0.95,
    "doi": 0.98,
    "type": 0.9,
}


def test_the_sets_are_large_enough():
    assert len(load("labelled_references.jsonl")) >= 150
    assert sum(len(r["expect"]) for r in load("labelled_citations.jsonl")) >= 150
    assert sum(1 for r in load("labelled_citations.jsonl") if not r["expect"]) >= 15  # lookalikes, not citations


@pytest.mark.parametrize("file", ["labelled_references.jsonl", "holdout_references.jsonl"])
def test_reference_fields_are_parsed_accurately(file):
    print("\n" + file + "\n" + table(file))
    fields, misses = score_references(file)
    low = {name: right / total for name, (right, total) in fields.items() if right / total < FLOORS.get(name, 0.9)}
    assert not low, (low, misses[:20])


@pytest.mark.parametrize("file", ["labelled_citations.jsonl", "holdout_citations.jsonl"])
def test_in_text_citations_are_found_accurately(file):
    scores, misses = score_citations(file)
    assert scores["precision"] >= 0.95, misses
    assert scores["recall"] >= 0.95, misses
