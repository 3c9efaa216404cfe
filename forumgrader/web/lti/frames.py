"""Pages inside the LMS's frame: after a launch, this browser's pages may be framed by that LMS, and no other site.

The site's own headers (web/security.py) forbid every frame. This hook runs before them (after_request handlers run
last-registered first) and sets a Content-Security-Policy whose frame-ancestors names the launching LMS; browsers
then ignore X-Frame-Options, as the CSP specification requires.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, session

from forumgrader.lti.claims import origin
from forumgrader.web.security import CONTENT_SECURITY_POLICY

FRAMES = "lti_frames"  # the session key: the origins of the LMS this browser launched from


def csp_for(frame_origins: Sequence[str], *, form_to: str = "") -> str:
    """Return the site's Content-Security-Policy, framable by these origins, and posting forms to `form_to` too."""
    ancestors = " ".join(frame_origins) or "'none'"
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    target = origin(form_to)
    return policy.replace("form-action 'self'", f"form-action 'self' {target}") if target else policy


def any_frame_csp(*, nonce: str = "") -> str:
    """Return the policy of the pages a launch shows before it knows the LMS (its refusals, pylti1p3's cookie check):
    framable anywhere, as they hold nothing private and offer nothing to click into; `nonce` admits inline code."""
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
    if nonce:
        policy = policy.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'")
        policy = policy.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    return policy


def with_nonce(page: str, nonce: str) -> str:
    """Give a page's inline scripts and styles the nonce its policy admits (pylti1p3's cookie check page)."""
    page = page.replace('<script type="text/javascript">', f'<script nonce="{nonce}">')
    return page.replace('<style type="text/css">', f'<style nonce="{nonce}">')


def init_app(app: Flask) -> None:
    """Let the launching LMS frame the pages of a browser that came in through a launch."""

    @app.after_request
    def framed_by_the_lms(response: Response) -> Response:
        frame_origins = session.get(FRAMES) if session else None
        if frame_origins:
            response.headers.setdefault("Content-Security-Policy", csp_for(frame_origins))
        return response
