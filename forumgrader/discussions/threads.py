"""Threads from flat posts: who hangs under whom, with parents before their replies."""

from __future__ import annotations

from collections.abc import Iterable

from forumgrader.discussions.model import ExportError, PostRecord


def group_threads(posts: Iterable[PostRecord]) -> dict[str, tuple[PostRecord, ...]]:
    """Group posts by thread, each thread in reading order: a post, then its replies, depth first."""
    by_thread: dict[str, list[PostRecord]] = {}
    for post in posts:
        by_thread.setdefault(post.lms_thread_id, []).append(post)
    return {thread: _in_reading_order(members) for thread, members in by_thread.items()}


def _in_reading_order(members: list[PostRecord]) -> tuple[PostRecord, ...]:
    ids = {post.lms_post_id for post in members}
    replies: dict[str | None, list[PostRecord]] = {}
    for post in members:
        parent = post.lms_parent_id if post.lms_parent_id in ids else None
        replies.setdefault(parent, []).append(post)
    ordered: list[PostRecord] = []
    stack = list(reversed(replies.get(None, [])))
    while stack:
        post = stack.pop()
        ordered.append(post)
        stack.extend(reversed(replies.get(post.lms_post_id, [])))
    if len(ordered) != len(members):
        looped = sorted(ids - {post.lms_post_id for post in ordered})
        raise ExportError("these posts are each other's parents", entry=looped[0], field="parent")
    return tuple(ordered)


def thread_roots(parents: dict[str, str | None]) -> dict[str, str]:
    """Map each post id to its thread: the top post above it, or the missing post it replies to."""
    roots: dict[str, str] = {}
    for start in parents:
        path, current = [], start
        while current in parents and current not in roots:
            if current in path:
                raise ExportError("these posts are each other's parents", entry=current, field="parent")
            path.append(current)
            parent = parents[current]
            if parent is None:
                break
            current = parent
        root = roots.get(current, current)
        for post_id in path:
            roots[post_id] = root
    return roots
