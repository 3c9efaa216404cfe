"""Build the metadata source the configuration names: Crossref (cached), the local snapshot, or none (offline).

The one place the CLI, the jobs and the web build a source (they call forumgrader.store.crossref_cache.metadata_source,
which hands the database's cache and snapshot to `source_from_config`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from forumgrader.crossref.cache import AnswerCache, CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.inflight import shared_inflight
from forumgrader.crossref.limits import budget_from_config, limits_from_config, shared_limiter
from forumgrader.crossref.model import LookupFailed, MetadataSource, Work
from forumgrader.crossref.snapshot import SnapshotSource, SnapshotStore


class OfflineSource:
    """A MetadataSource that never answers: every reference stays `unchecked`."""

    proves_absence = False

    def work(self, doi: str) -> Work | None:
        """Fail: there is no source to ask."""
        raise LookupFailed("offline: no metadata source is configured (METADATA_SOURCE=offline)")

    def agency(self, doi: str) -> str | None:
        """Fail: there is no source to ask."""
        raise LookupFailed("offline: no metadata source is configured (METADATA_SOURCE=offline)")

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Fail: there is no source to ask."""
        raise LookupFailed("offline: no metadata source is configured (METADATA_SOURCE=offline)")


def _crossref(config: Mapping[str, Any], cache: AnswerCache | None, _snapshot: SnapshotStore | None) -> MetadataSource:
    url = str(config.get("CROSSREF_URL") or "https://api.crossref.org")
    timeout = float(config.get("CROSSREF_TIMEOUT", 10.0))
    budget = budget_from_config(config)
    # a connection taken from a Redis budget outlives any request; it frees itself if its process dies holding it
    limiter = shared_limiter(url, limits_from_config(config), budget, lease_seconds=max(60.0, 4 * timeout))
    client = CrossrefSource(
        base_url=url,
        mailto=str(config.get("CROSSREF_MAILTO") or ""),
        timeout=timeout,
        limiter=limiter,
        retries=int(config.get("CROSSREF_RETRIES", 4)),
    )
    # Even without a cache, the per-batch memo makes sure each DOI and query is asked once.
    ttl_days = int(config.get("CROSSREF_CACHE_DAYS", 30))
    return CachedSource(client, cache, ttl_days=ttl_days, inflight=shared_inflight(url, budget))


def _snapshot(config: Mapping[str, Any], _cache: AnswerCache | None, snapshot: SnapshotStore | None) -> MetadataSource:
    if snapshot is None:
        raise ValueError("METADATA_SOURCE=snapshot needs the snapshot tables: pass snapshot_database=")
    return SnapshotSource(snapshot, complete=bool(config.get("SNAPSHOT_COMPLETE")) or snapshot.declared_complete())


def _offline(_config: Mapping[str, Any], _cache: AnswerCache | None, _snapshot: SnapshotStore | None) -> MetadataSource:
    return OfflineSource()


SOURCES: dict[str, Callable[[Mapping[str, Any], AnswerCache | None, SnapshotStore | None], MetadataSource]] = {
    "crossref": _crossref,
    "snapshot": _snapshot,
    "offline": _offline,
}


def source_from_config(
    config: Mapping[str, Any], *, cache: AnswerCache | None, snapshot_database: SnapshotStore | None = None
) -> MetadataSource:
    """Return the MetadataSource that METADATA_SOURCE names (crossref | snapshot | offline); one per batch."""
    name = str(config.get("METADATA_SOURCE") or "crossref")
    if name not in SOURCES:
        raise ValueError(f"METADATA_SOURCE={name!r}: use one of {', '.join(SOURCES)}")
    return SOURCES[name](config, cache, snapshot_database)
