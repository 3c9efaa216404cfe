"""Parse accuracy on the hand-labelled sets in data/ (print with `pytest -s` or `python tests/citations/labelled.py`)."""

from __future__ import annotations

from .labelled import load, score_citations, score_references, table

# Floors set a little under what the parser reaches, so that a regression fails while small tuning does not.
FLOORS = {"authors": 0.95, "year": 0.98, "title": 0.93, "container": 0.93, "volume": 0.97, "issue": 0.97,
          "pages": 0.97, "doi": 0.98, "type": 0.9}


def test_the_sets_are_large_enough():
    assert len(load("labelled_references.jsonl")) >= 150
    assert sum(len(r["expect"]) for r in load("labelled_citations.jsonl")) >= 150
    assert sum(1 for r in load("labelled_citations.jsonl") if not r["expect"]) >= 15  # lookalikes, not citations


def test_reference_fields_are_parsed_accurately():
    print("\n" + table())
    fields, misses = score_references()
    low = {name: right / total for name, (right, total) in fields.items() if right / total < FLOORS.get(name, 0.9)}
    assert not low, (low, misses[:20])


def test_in_text_citations_are_found_accurately():
    scores, misses = score_citations()
    assert scores["precision"] >= 0.97, misses
    assert scores["recall"] >= 0.95, misses
