"""A local snapshot of Crossref records as a MetadataSource, for checking without network.

The records live in the database (forumgrader.store.snapshot); this module reads record files and answers the three
questions of a MetadataSource from whatever `SnapshotStore` it is given. A snapshot that is not declared complete
cannot prove that a record does not exist, so a miss there is a failed lookup (the reference stays `unchecked`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref.index import Statistics, rank, tokens
from forumgrader.crossref.model import LookupFailed, Work
from forumgrader.crossref.records import work_from_record

BUNDLED = Path(__file__).resolve().parents[1] / "samples" / "crossref"
CANDIDATES = 50  # records ranked in Python per search, after the database picked those sharing the rarest words


class SnapshotFormatError(ValueError):
    """A line of a snapshot file is not a Crossref record."""


def read_records(lines: Iterable[str | bytes]) -> Iterator[dict[str, Any]]:
    """Yield the records of JSON lines: bare records, API answers ({"message": ...}), or lists ({"items": [...]})."""
    for number, line in enumerate(lines, start=1):
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise SnapshotFormatError(f"line {number} is not JSON ({error.msg}, column {error.colno})") from error
        if isinstance(value, dict) and isinstance(value.get("message"), dict):
            value = value["message"]
        if isinstance(value, dict) and "DOI" in value:
            yield value
        elif isinstance(value, dict) and isinstance(value.get("items"), list):
            yield from (item for item in value["items"] if isinstance(item, dict))
        else:
            raise SnapshotFormatError(f"line {number} holds no Crossref record (no DOI, no message, no items)")


def bundled_files() -> list[Path]:
    """Return the Crossref record files shipped in forumgrader/samples/crossref."""
    return sorted(BUNDLED.glob("*.jsonl"))


def file_lines(path: Path) -> Iterator[bytes]:
    """Yield the lines of a record file, gunzipped when it is gzip-compressed."""
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if compressed else path.open("rb") as lines:
        yield from lines


def read_files(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Yield the records of several record files."""
    for path in paths:
        try:
            yield from read_records(file_lines(path))
        except SnapshotFormatError as error:
            raise SnapshotFormatError(f"{path.name}: {error}") from error


class SnapshotStore(Protocol):
    """Where snapshot records are kept (forumgrader.store.snapshot.DatabaseSnapshot)."""

    def record(self, doi: str) -> dict[str, Any] | None:
        """Return the record held for a normalised DOI, or None."""
        ...

    def candidates(self, words: Sequence[str], limit: int) -> tuple[list[Mapping[str, Any]], Statistics]:
        """Return up to `limit` records sharing the rarest of the words, and the collection's statistics."""
        ...

    def declared_complete(self) -> bool:
        """Tell whether the newest load declared the snapshot to hold every record."""
        ...


class SnapshotSource:
    """A MetadataSource over a snapshot; misses fail unless the snapshot is complete."""

    def __init__(self, store: SnapshotStore, complete: bool) -> None:
        self.store = store
        self.complete = complete

    @property
    def proves_absence(self) -> bool:
        """Tell whether "no record" here means the record does not exist."""
        return self.complete

    def _miss(self, doi: str) -> None:
        if not self.complete:
            raise LookupFailed(f"{doi} is not in the local snapshot, which does not hold every record")

    def work(self, doi: str) -> Work | None:
        """Return the record held for a DOI; a miss is None only in a complete snapshot."""
        key = normalise_doi(doi)
        record = self.store.record(key) if key else None
        if record is None:
            self._miss(key)
            return None
        return work_from_record(record)

    def agency(self, doi: str) -> str | None:
        """Return "crossref" for a DOI the snapshot holds; a miss is None only in a complete snapshot."""
        key = normalise_doi(doi)
        if key and self.store.record(key) is not None:
            return "crossref"
        self._miss(key)
        return None

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Return the records sharing the most rare words with the reference, best first."""
        words = tokens(reference)
        if not words:
            return ()
        records, statistics = self.store.candidates(words, max(CANDIDATES, rows))
        return tuple(work_from_record(record) for _score, record in rank(reference, records, statistics)[:rows])
