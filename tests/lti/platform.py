"""A local LTI 1.3 platform on 127.0.0.1, as an LMS behaves towards a tool: it signs id_tokens with its own RSA key
and serves its JWKS, an OIDC authorization endpoint (answering with an auto-posted form), an OAuth2 token endpoint
(client_credentials with a JWT assertion signed by the tool's key, checked against the tool's JWKS), NRPS 2.0
memberships (paged with Link headers) and AGS 2.0 line items and scores (scores must carry increasing timestamps).
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = [ROLE + "Instructor", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"]
TA = ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant", ROLE + "Instructor"]
LEARNER = [ROLE + "Learner", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"]
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _key() -> tuple[str, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = JWK.from_pem(pem.encode()).export_public(as_dict=True) | {"alg": "RS256", "use": "sig"}
    return pem, public


@dataclass
class Person:
    """Someone in the platform's directory."""

    sub: str
    name: str
    email: str
    roles: list[str]
    given_name: str = ""
    family_name: str = ""
    sis_id: str = ""
    custom: dict[str, str] = field(default_factory=dict)


@dataclass
class LaunchSpec:
    """What a launch the platform starts will claim."""

    person: Person
    context_id: str = "course-1"
    context_title: str = "NURS 6501 Advanced Pathophysiology"
    message_type: str = "LtiResourceLinkRequest"
    custom: dict[str, str] = field(default_factory=dict)
    deployment_id: str | None = None  # None: the platform's own
    resource_link_id: str = "link-1"


class LocalPlatform:
    """The platform's state, and its endpoints as a WSGI app."""

    def __init__(self) -> None:
        self.url = ""
        self.private_pem, self.public_jwk = _key()
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every launch, member, line item, score and token (the address and key stay)."""
        self.client_id = "forumgrader-tool"
        self.deployment_id = "deployment-1"
        self.tool_jwks: dict[str, Any] | None = None  # given by the test, else fetched from tool_jwks_url
        self.tool_jwks_url = ""
        self.tool_login_url = ""
        self.launches: dict[str, LaunchSpec] = {}
        self.members: dict[str, list[Person]] = {}
        self.lineitems: dict[str, list[dict[str, Any]]] = {}
        self.scores: dict[str, dict[str, dict[str, Any]]] = {}  # line item id -> user id -> latest score
        self.score_posts = 0
        self.tokens: dict[str, list[str]] = {}
        self.page_size = 2
        self.deep_link_claims: dict[str, Any] = {}

    # --- what tests call ---

    def prepare(self, spec: LaunchSpec) -> str:
        """Record a launch to start; return its lti_message_hint."""
        hint = secrets.token_hex(8)
        self.launches[hint] = spec
        return hint

    def login_params(self, hint: str) -> dict[str, str]:
        """The third-party initiated login the platform sends the tool."""
        spec = self.launches[hint]
        return {
            "iss": self.url,
            "login_hint": spec.person.sub,
            "target_link_uri": self.tool_login_url.replace("/login", "/launch"),
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": spec.deployment_id or self.deployment_id,
        }

    def id_token(self, hint: str, nonce: str, *, key_pem: str | None = None, **changes: Any) -> str:
        """Sign the id_token of a prepared launch (changes: claims to add or replace)."""
        spec = self.launches[hint]
        person, now = spec.person, int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": person.sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": person.name,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": person.email,
            LTI + "message_type": spec.message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": spec.deployment_id or self.deployment_id,
            LTI + "target_link_uri": self.tool_login_url.replace("/login", "/launch"),
            LTI + "roles": person.roles,
            LTI + "context": {
                "id": spec.context_id,
                "title": spec.context_title,
                "label": "NURS 6501",
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI + "custom": person.custom | spec.custom,
            LTI + "lis": {"person_sourcedid": person.sis_id},
            LTI + "launch_presentation": {"return_url": f"{self.url}/courses/{spec.context_id}"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/nrps/{spec.context_id}",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES,
                "lineitems": f"{self.url}/ags/{spec.context_id}/lineitems",
            },
        }
        if spec.message_type == "LtiDeepLinkingRequest":
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        else:
            claims[LTI + "resource_link"] = {"id": spec.resource_link_id, "title": "forumgrader"}
        claims |= changes
        headers = {"kid": self.public_jwk["kid"]}
        return jwt.encode(claims, key_pem or self.private_pem, algorithm="RS256", headers=headers)

    # --- the endpoints ---

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        routes: dict[str, Callable[[Request, list[str]], Response]] = {
            "jwks": lambda r, p: self._json({"keys": [self.public_jwk]}),
            "auth": self.authorize,
            "token": self.token,
            "nrps": self.nrps,
            "ags": self.ags,
            "start": self.start,
            "course": self.course_page,
            "deep-link-return": self.deep_link_return,
        }
        handler = routes.get(parts[0])
        return handler(request, parts[1:]) if handler else Response("not found", status=404)

    @staticmethod
    def _json(body: Any, status: int = 200, content_type: str = "application/json", **headers: str) -> Response:
        return Response(json.dumps(body), status=status, content_type=content_type, headers=headers)

    @staticmethod
    def _autopost(action: str, fields: dict[str, str]) -> Response:
        inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in fields.items())  # fmt: skip
        form = f'<form id="f" method="post" action="{html.escape(action)}">{inputs}<button>go</button></form>'
        body = f"<!doctype html><title>platform</title>{form}<script>document.getElementById('f').submit()</script>"
        return Response(body, content_type="text/html")

    def authorize(self, request: Request, _parts: list[str]) -> Response:
        """OIDC authorization: check the request, then post the signed id_token back to the tool."""
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "id_token":
            return Response("bad client or response type", status=400)
        if args.get("scope") != "openid" or not args.get("nonce") or not args.get("state"):
            return Response("missing scope, nonce or state", status=400)
        hint = args.get("lti_message_hint", "")
        if hint not in self.launches or self.launches[hint].person.sub != args.get("login_hint"):
            return Response("unknown launch", status=400)
        token = self.id_token(hint, args["nonce"])
        return self._autopost(args["redirect_uri"], {"id_token": token, "state": args["state"]})

    def start(self, request: Request, _parts: list[str]) -> Response:
        """Start a prepared launch from the browser: post the third-party initiated login to the tool."""
        return self._autopost(self.tool_login_url, self.login_params(request.args["hint"]))

    def course_page(self, request: Request, _parts: list[str]) -> Response:
        """A course page that shows the tool in an iframe, as an LMS does."""
        src = html.escape(f"{self.url}/start?hint={request.args['hint']}")
        frame = f'<iframe name="tool" src="{src}" width="1200" height="800"></iframe>'
        body = f"<!doctype html><title>LMS course</title><h1>LMS course</h1>{frame}"
        return Response(body, content_type="text/html")

    def deep_link_return(self, request: Request, _parts: list[str]) -> Response:
        """Receive a Deep Linking response; keep its verified claims."""
        claims = jwt.decode(request.form["JWT"], self._tool_key(request.form["JWT"]), algorithms=["RS256"],
                            audience=self.url)  # fmt: skip
        self.deep_link_claims = claims
        return Response("<!doctype html><title>placed</title><p>Placed.</p>", content_type="text/html")

    def _tool_key(self, token: str) -> Any:
        keys = self.tool_jwks or requests.get(self.tool_jwks_url, timeout=10).json()
        kid = jwt.get_unverified_header(token).get("kid")
        found = next(key for key in keys["keys"] if key["kid"] == kid)
        return jwt.PyJWK(found).key

    def token(self, request: Request, _parts: list[str]) -> Response:
        """OAuth2 client_credentials with a JWT assertion signed by the tool."""
        form = request.form
        if form.get("grant_type") != "client_credentials" or not form.get("client_assertion"):
            return self._json({"error": "invalid_request"}, 400)
        try:
            claims = jwt.decode(form["client_assertion"], self._tool_key(form["client_assertion"]),
                                algorithms=["RS256"], audience=f"{self.url}/token")  # fmt: skip
        except (jwt.InvalidTokenError, StopIteration):
            return self._json({"error": "invalid_client"}, 401)
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return self._json({"error": "invalid_client"}, 401)
        access = secrets.token_hex(16)
        self.tokens[access] = form.get("scope", "").split()
        return self._json({"access_token": access, "token_type": "Bearer", "expires_in": 3600})

    def _authorized(self, request: Request, scope: str) -> bool:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return scope in self.tokens.get(given, [])

    def nrps(self, request: Request, parts: list[str]) -> Response:
        """NRPS 2.0: the context's members, a page at a time."""
        if not self._authorized(request, NRPS_SCOPE):
            return Response("unauthorized", status=401)
        context, page = parts[0], int(request.args.get("page", "1"))
        people = self.members.get(context, [])
        chunk = people[(page - 1) * self.page_size : page * self.page_size]
        members = [{"user_id": p.sub, "name": p.name, "given_name": p.given_name, "family_name": p.family_name,
                    "email": p.email, "lis_person_sourcedid": p.sis_id, "roles": p.roles, "status": "Active"}
                   for p in chunk]  # fmt: skip
        headers = {}
        if page * self.page_size < len(people):
            headers["Link"] = f'<{self.url}/nrps/{context}?page={page + 1}>; rel="next"'
        body = {"id": request.url, "context": {"id": context, "title": "NURS 6501"}, "members": members}
        return self._json(body, content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json", **headers)

    def ags(self, request: Request, parts: list[str]) -> Response:
        """AGS 2.0: line items of a context (list, filter by resource_id, create), and scores posted to one."""
        context = parts[0]
        items = self.lineitems.setdefault(context, [])
        base = f"{self.url}/ags/{context}/lineitems"
        if not self._authorized(request, AGS_SCOPES[0] if request.method == "POST" and len(parts) == 2 else
                                AGS_SCOPES[2] if len(parts) == 4 else AGS_SCOPES[0]):  # fmt: skip
            return Response("unauthorized", status=401)
        with self.lock:
            if len(parts) == 2 and request.method == "GET":
                wanted = request.args.get("resource_id")
                return self._json([i for i in items if wanted is None or i.get("resourceId") == wanted],
                                  content_type="application/vnd.ims.lis.v2.lineitemcontainer+json")  # fmt: skip
            if len(parts) == 2 and request.method == "POST":
                item = json.loads(request.get_data()) | {"id": f"{base}/{len(items) + 1}"}
                items.append(item)
                return self._json(item, 201, content_type="application/vnd.ims.lis.v2.lineitem+json")
            if len(parts) == 4 and parts[3] == "scores" and request.method == "POST":
                return self._score(f"{base}/{parts[2]}", json.loads(request.get_data()))
        return Response("not found", status=404)

    def _score(self, item_id: str, score: dict[str, Any]) -> Response:
        for key in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if key not in score:
                return Response(f"missing {key}", status=400)
        stamp = datetime.fromisoformat(score["timestamp"].replace("Z", "+00:00"))
        previous = self.scores.setdefault(item_id, {}).get(score["userId"])
        if previous and datetime.fromisoformat(previous["timestamp"].replace("Z", "+00:00")) >= stamp:
            return Response("a score must be later than the one before it", status=409)
        self.scores[item_id][score["userId"]] = score
        self.score_posts += 1
        return Response("", status=204)


@dataclass
class Served:
    platform: LocalPlatform
    stop: Callable[[], None]


def serve(platform: LocalPlatform | None = None) -> Served:
    """Serve a platform on a free 127.0.0.1 port, in a thread."""
    platform = platform or LocalPlatform()
    server = make_server("127.0.0.1", 0, platform, threaded=True)
    platform.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="lti-platform", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return Served(platform, stop)


def query_string(params: dict[str, str]) -> str:
    """Encode login parameters for a GET login."""
    return urlencode(params)
