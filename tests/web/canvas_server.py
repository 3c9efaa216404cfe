"""A local Canvas API server on 127.0.0.1 answering with Canvas's documented shapes: the current user, a course's
discussion topics (paged with Link headers), a topic, its full view (503 while "building", then the materialized
view with new_entries), and submission updates (posted_grade, text_comment) kept per student."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

TOKEN = "canvas-test-token"


@dataclass
class LocalCanvas:
    """The server's state: one course, its topics and views, and the grades and comments posted."""

    url: str = ""
    course_id: str = "501"
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    building: dict[str, int] = field(default_factory=dict)  # topic id -> 503 answers left before the view
    grades: dict[tuple[str, str], str] = field(default_factory=dict)  # (assignment, user) -> posted grade
    comments: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.path}")
        return self.dispatch(request)(environ, start_response)

    @staticmethod
    def _json(body: Any, status: int = 200, **headers: str) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json", headers=headers)

    def dispatch(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._json({"errors": [{"message": "Invalid access token."}]}, 401,
                              **{"WWW-Authenticate": 'Bearer realm="canvas-lms"'})  # fmt: skip
        parts = request.path.removeprefix("/api/v1/").strip("/").split("/")
        if parts == ["users", "self"]:
            return self._json({"id": 1, "name": "Grace Hopper", "short_name": "Grace"})
        if parts[:2] != ["courses", self.course_id]:
            return self._json({"errors": [{"message": "The specified resource does not exist."}]}, 404)
        rest = parts[2:]
        if rest == ["discussion_topics"]:
            return self._topics(request)
        if len(rest) == 2 and rest[0] == "discussion_topics" and rest[1] in self.topics:
            return self._json(self.topics[rest[1]])
        if len(rest) == 3 and rest[0] == "discussion_topics" and rest[2] == "view" and rest[1] in self.views:
            return self._view(request, rest[1])
        if len(rest) == 4 and rest[0] == "assignments" and rest[2] == "submissions" and request.method == "PUT":
            return self._grade(request, rest[1], rest[3])
        return self._json({"errors": [{"message": "The specified resource does not exist."}]}, 404)

    def _topics(self, request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        listed = list(self.topics.values())[page - 1 : page]  # one per page: the client must follow Link headers
        headers = {}
        if page < len(self.topics):
            base = f"{self.url}/api/v1/courses/{self.course_id}/discussion_topics"
            headers["Link"] = f'<{base}?page={page + 1}&per_page=1>; rel="next"'
        return self._json(listed, **headers)

    def _view(self, request: Request, topic_id: str) -> Response:
        if self.building.get(topic_id, 0) > 0:
            self.building[topic_id] -= 1
            return Response("", status=503)
        view = dict(self.views[topic_id])
        if request.args.get("include_new_entries") != "1":
            view["new_entries"] = []
        return self._json(view)

    def _grade(self, request: Request, assignment_id: str, user_id: str) -> Response:
        grade = request.form.get("submission[posted_grade]")
        comment = request.form.get("comment[text_comment]")
        if grade is not None:
            self.grades[(assignment_id, user_id)] = grade
        if comment:
            self.comments.setdefault((assignment_id, user_id), []).append(comment)
        submission = {"id": 9000 + int(user_id), "assignment_id": int(assignment_id), "user_id": int(user_id)}
        return self._json(submission | {"score": float(grade) if grade else None, "grade": grade,
                                        "workflow_state": "graded"})  # fmt: skip


@dataclass
class ServedCanvas:
    canvas: LocalCanvas
    stop: Callable[[], None]


def serve(canvas: LocalCanvas) -> ServedCanvas:
    """Serve a LocalCanvas on a free 127.0.0.1 port, in a thread."""
    server = make_server("127.0.0.1", 0, canvas, threaded=True)
    canvas.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="local-canvas", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return ServedCanvas(canvas, stop)
