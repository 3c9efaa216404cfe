"""Find records for a free-text reference: words folded to plain ASCII, ranked BM25-style over a record's key fields.

Shared by the local Crossref-compatible server and the snapshot source, so both rank "like Crossref" (title, authors,
journal and year words, rare words counting most) without pretending to reproduce Crossref's own scores.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forumgrader.crossref.normal import without_marks
from forumgrader.crossref.records import plain_text, record_years

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = (
    "a an and are as at be by de der die das des du en et al for from in into is it its la le les of on or the their "
    "to und von vs with"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
MAX_TOKEN = 64
K1 = 1.2
B = 0.75


def fold(text: str) -> str:
    """Return text in lower case with diacritics removed ("Müller" -> "muller", "Sørensen" -> "sorensen")."""
    return without_marks(text).casefold()


def tokens(text: str) -> list[str]:
    """Split text into folded words, dropping stop words and single letters (initials)."""
    return [
        word[:MAX_TOKEN]
        for word in _WORD.findall(fold(text))
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]


def record_text(record: Mapping[str, Any]) -> str:
    """Return the words of a record that a reference repeats: title, subtitle, authors, journal, year."""
    parts: list[str] = []
    for name in ("title", "subtitle", "container-title", "short-container-title"):
        parts.extend(plain_text(str(value)) for value in record.get(name) or ())
    for person in list(record.get("author") or ()) + list(record.get("editor") or ()):
        parts.append(str(person.get("family") or person.get("name") or ""))
    year, _years = record_years(record)
    if year:
        parts.append(str(year))
    return " ".join(parts)


def record_tokens(record: Mapping[str, Any]) -> list[str]:
    """Return a record's words, repeated as often as they occur."""
    return tokens(record_text(record))


@dataclass(frozen=True, slots=True)
class Statistics:
    """What BM25 needs to know about the whole collection: its size and how many records hold each word."""

    documents: int
    frequency: Mapping[str, int] = field(default_factory=dict)
    average_length: float = 0.0  # 0: take the average over the records being ranked

    def weight(self, word: str) -> float:
        """Return the inverse document frequency of a word: rare words weigh most."""
        held = self.frequency.get(word, 0)
        return math.log(1.0 + (self.documents - held + 0.5) / (held + 0.5))


def bm25(query: Iterable[str], document: Sequence[str], statistics: Statistics) -> float:
    """Score a record's words against a query's words (Okapi BM25)."""
    counts = Counter(document)
    norm = K1 * (1.0 - B + B * len(document) / max(statistics.average_length, 1.0))
    score = 0.0
    for word in set(query):
        seen = counts.get(word, 0)
        if seen:
            score += statistics.weight(word) * seen * (K1 + 1.0) / (seen + norm)
    return score


def rank(query: str, records: Iterable[Mapping[str, Any]], statistics: Statistics) -> list[tuple[float, Any]]:
    """Return (score, record) for records sharing a word with the query, best first."""
    words = tokens(query)
    documents = [(record_tokens(record), record) for record in records]
    if statistics.average_length <= 0 and documents:
        average = sum(len(document) for document, _record in documents) / len(documents)
        statistics = Statistics(statistics.documents, statistics.frequency, average)
    scored = [(bm25(words, document, statistics), record) for document, record in documents]
    return sorted((pair for pair in scored if pair[0] > 0), key=lambda pair: (-pair[0], str(pair[1].get("DOI", ""))))


class Index:
    """An in-memory index over records (for the local server): words to records, with collection statistics."""

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.records = list(records)
        self._words = [record_tokens(record) for record in self.records]
        self._postings: dict[str, set[int]] = {}
        for position, words in enumerate(self._words):
            for word in set(words):
                self._postings.setdefault(word, set()).add(position)
        lengths = [len(words) for words in self._words] or [0]
        self.statistics = Statistics(
            documents=len(self.records),
            frequency={word: len(held) for word, held in self._postings.items()},
            average_length=sum(lengths) / len(lengths),
        )

    def search(self, query: str) -> list[tuple[float, Mapping[str, Any]]]:
        """Return (score, record) for every record sharing a word with the query, best first."""
        words = set(tokens(query))
        candidates = set().union(*(self._postings.get(word, set()) for word in words)) if words else set()
        scored = [
            (bm25(words, self._words[position], self.statistics), self.records[position]) for position in candidates
        ]
        return sorted(scored, key=lambda pair: (-pair[0], str(pair[1].get("DOI", ""))))
