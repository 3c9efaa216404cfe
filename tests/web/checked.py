"""Course A's topic with real citations, checked against the local Crossref and graded, for the API tests.

`student` (Ada) wrote the main post: the blog seed, whose five references Crossref finds as not_found, verified,
verified, mismatch and verified. `other_student` (Ben) replied to it, citing one verified work.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.store.checks import analyse_topic, verify_topic
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.db import utcnow
from forumgrader.store.grades import grade_topic
from forumgrader.store.models import Post, Topic
from forumgrader.store.topics import topic_rubric

from .conftest import World

BLOG = "seeds/001_e57b5723c3460151.txt"
REPLY = (
    "Ada, the biopsychosocial model goes back to Engel (1977), who argued that illness has social causes too.\n\n"
    "References\n\n"
    "Engel, G. L. (1977). The need for a new medical model: A challenge for biomedicine. Science, 196(4286), "
    "129–136. https://doi.org/10.1126/science.847460"
)
BLOG_VERDICTS = ["not_found", "verified", "verified", "mismatch", "verified"]


def check_topic_a(app: Flask, session: Session, world: World, samples: Path) -> None:
    """Give course A's two posts real citations, then analyse, verify and grade the topic as the check job does."""
    main = session.get_one(Post, world.post_a)
    main.body_text = (samples / BLOG).read_text(encoding="utf-8")
    main.body_html = "".join(f"<p>{part}</p>" for part in main.body_text.split("\n\n"))
    reply = session.get_one(Post, world.other_post_a)
    reply.body_text, reply.body_html, reply.parent_id = REPLY, f"<p>{REPLY}</p>", main.id
    session.commit()
    with app.app_context():
        analyse_topic(session, world.topic_a)
        session.commit()
        source = metadata_source(app.config, store.database())
        verify_topic(session, world.topic_a, source, workers=2, checkpoint=session.commit)
        grade_topic(session, world.topic_a, topic_rubric(session.get_one(Topic, world.topic_a)), now=utcnow())
        session.commit()
