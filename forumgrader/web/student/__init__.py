"""What students use: the self-check (anyone), their saved drafts, and their own posts and grades."""

from __future__ import annotations

from forumgrader.web.student import drafts, own, selfcheck

BLUEPRINTS = (selfcheck.blueprint, drafts.blueprint, own.blueprint)
