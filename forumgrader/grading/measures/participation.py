"""Measures of a student's whole participation: posts and replies written, replies received, reply lengths."""

from __future__ import annotations

from forumgrader.grading.facts import Participation, PostFacts
from forumgrader.grading.measures.registry import Context, Measured, Param, Scope, measure, plural

_MIN_WORDS = {"min_words": Param("integer", 0, "count only posts of at least this many words")}


def _counted(posts: tuple[PostFacts, ...] | list[PostFacts], min_words: int, noun: str, plural_noun: str) -> Measured:
    counted = [post for post in posts if post.words >= min_words]
    short = len(posts) - len(counted)
    evidence = plural(len(counted), noun, plural_noun)
    if min_words:
        evidence += f" of at least {min_words} words" + (f" ({short} shorter)" if short else "")
    return Measured(len(counted), evidence, events=tuple(post.created_at for post in counted))


@measure(
    "replies_written",
    Scope.PARTICIPATION,
    "Replies to other people's posts (private replies and deleted posts never count).",
    params=_MIN_WORDS,
    counts=True,
)
def replies_written(participation: Participation, context: Context, min_words: int) -> Measured:
    return _counted(participation.replies, min_words, "reply", "replies")


@measure(
    "posts_written",
    Scope.PARTICIPATION,
    "The student's own posts: the main post and any other top-level post.",
    params=_MIN_WORDS,
    counts=True,
)
def posts_written(participation: Participation, context: Context, min_words: int) -> Measured:
    main = participation.main_post
    posts = [post for post in participation.all_posts if post is main or post.parent_id is None]
    return _counted(posts, min_words, "post", "posts")


@measure(
    "replies_received",
    Scope.PARTICIPATION,
    "Other people's replies to the student's posts.",
    params=_MIN_WORDS,
    counts=True,
)
def replies_received(participation: Participation, context: Context, min_words: int) -> Measured:
    return _counted(participation.replies_received, min_words, "reply received", "replies received")


@measure(
    "reply_words",
    Scope.PARTICIPATION,
    "Words in the shortest of the student's `replies` longest replies.",
    params={"replies": Param("integer", 1, "how many replies must reach the length")},
)
def reply_words(participation: Participation, context: Context, replies: int) -> Measured:
    lengths = sorted((reply.words for reply in participation.replies), reverse=True)
    if len(lengths) < replies:
        return Measured(None, f"only {plural(len(lengths), 'reply', 'replies')}, {replies} needed")
    kept = lengths[:replies]
    listed = " and ".join(", ".join(str(n) for n in kept).rsplit(", ", 1))
    what = "longest reply" if replies == 1 else f"{replies} longest replies"
    return Measured(kept[-1], f"{what}: {listed} words")
