"""The OIDC login and the launch, through pylti1p3's Flask support, with pylti1p3's errors turned into ours.

pylti1p3 checks the state, the id_token's signature against the platform's keys, the registration and the
deployment. It only checks that a nonce was issued; here a nonce is also used up by the launch that brings it (after
the signature and deployment checks), so a replayed launch is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskCookieService,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy.orm import Session

from forumgrader.lti.claims import Launch, read_launch
from forumgrader.lti.tool import DatabaseCache, ToolConfig
from forumgrader.store.db import Database
from forumgrader.store.models import LtiPlatform

AGAIN = "Open forumgrader again from your course in the LMS."
# pylti1p3's messages (the start of them), and what a person is told instead; the first that matches is used
REFUSALS: tuple[tuple[str, str], ...] = (
    ("Missing id_token", "The LMS sent no launch token. " + AGAIN),
    ("Missing state", "The launch came without its sign-in state. " + AGAIN),
    ("State not found", "This launch does not belong to this browser's sign-in (it expired, or the browser blocks "
                        "cookies in the LMS's frame: allow them, or open forumgrader in a new window). " + AGAIN),
    ("Missing %s cookie", "Your browser blocks forumgrader's cookies inside the LMS's frame: allow them, or open "
                          "forumgrader in a new window. " + AGAIN),
    ("Invalid Nonce", "This launch was used already, or forumgrader never started it: a launch works once. " + AGAIN),
    ('"nonce" is empty', "The launch token has no nonce, so it could be replayed: it is refused."),
    ("Can't decode id_token: Signature has expired", "This launch expired before it reached forumgrader. " + AGAIN),
    ("Can't decode id_token", "The launch token's signature does not match the LMS's keys: it was altered on the way, "
                              "or the LMS is not the one registered. It is refused."),
    ("Invalid id_token", "The launch token is not a signed JWT. It is refused."),
    ("Invalid JWT format", "The launch token cannot be read. It is refused."),
    ("JWT KID not found", "The launch token names no signing key. It is refused."),
    ("Unable to find public key", "The launch token was signed with a key the LMS does not publish: it is refused."),
    ("Unable to find deployment", "This deployment of the LMS is not registered with forumgrader: an administrator "
                                  "adds its deployment id (`forumgrader lti deployments add`)."),
    ("Registration not found", "This LMS is not registered with forumgrader: an administrator registers it first."),
    ("Could not find registration", "This LMS is not registered with forumgrader: an administrator registers it "
                                    "first (`forumgrader lti register`)."),
    ("Client id not registered", "This LMS's client id is not registered with forumgrader."),
    ("Could not find issuer", "The LMS did not say who it is (no `iss`): start from the LMS."),
    ("Could not find login hint", "The LMS did not say who is signing in (no `login_hint`): start from the LMS."),
)  # fmt: skip
GENERIC = "The launch is not a valid LTI 1.3 launch: "


class LaunchRefused(Exception):
    """A login or launch that is refused; str() is what the person is told."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail  # pylti1p3's own words, for the log


def refusal(error: Exception) -> LaunchRefused:
    """Say why pylti1p3 refused a login or launch, in words a teacher or student can act on."""
    said = str(error)
    for start, message in REFUSALS:
        if said.startswith(start):
            return LaunchRefused(message, said)
    return LaunchRefused(GENERIC + said.rstrip(".") + ".", said)


class _Cookies(FlaskCookieService):  # type: ignore[misc]
    """pylti1p3's state cookie, also Partitioned over HTTPS, so browsers that split third-party cookies keep it."""

    def update_response(self, response: Response) -> None:
        for key, cookie in self._cookie_data_to_set.items():
            secure = bool(self._request.is_secure())
            response.set_cookie(key, cookie["value"], max_age=cookie["exp"], secure=secure, path="/", httponly=True,
                                samesite="None" if secure else None, partitioned=secure)  # fmt: skip


class _Launch(FlaskMessageLaunch):  # type: ignore[misc]
    """pylti1p3's launch, with the nonce used up once the signature and deployment are known good."""

    cache: DatabaseCache

    def validate_nonce(self) -> _Launch:
        return self  # checked, and used up, after the signature: see validate_deployment

    def validate_deployment(self) -> _Launch:
        super().validate_deployment()
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiException('"nonce" is empty')
        storage = self._session_service.data_storage
        if not self.cache.consume(storage._prepare_key(f"lti1p3-nonce-{nonce}")):
            raise LtiException("Invalid Nonce")
        return self


@dataclass(frozen=True, slots=True)
class Launched:
    """A validated launch: its claims, the platform it came from, and its id (to find its data again)."""

    launch: Launch
    platform: LtiPlatform
    launch_id: str
    body: Mapping[str, Any]


def _storage(database: Database) -> tuple[FlaskCacheDataStorage, DatabaseCache]:
    cache = DatabaseCache(database)
    return FlaskCacheDataStorage(cache), cache


def login_redirect(session: Session, database: Database, config: Mapping[str, Any], launch_url: str) -> Response:
    """Answer a platform's third-party initiated login: on to its OIDC endpoint, with a fresh state and nonce.

    When the browser may refuse cookies in the LMS's frame, pylti1p3's cookie check page comes first.
    """
    tool = ToolConfig(session, config)
    storage, _cache = _storage(database)
    request = FlaskRequest()
    login = FlaskOIDCLogin(request, tool, cookie_service=_Cookies(request))
    login.set_launch_data_storage(storage)  # once: passed to the constructor, it would be set again, with a new id
    login.set_launch_data_lifetime(int(config["LTI_LAUNCH_DATA_HOURS"]) * 3600)
    if request.is_secure():
        login.enable_check_cookies()
    try:
        response: Response = login.redirect(launch_url)
    except (OIDCException, LtiException) as error:
        raise refusal(error) from error
    return response


def validate_launch(session: Session, database: Database, config: Mapping[str, Any]) -> Launched:
    """Validate the launch the platform posted (state, signature, registration, deployment, nonce, claims)."""
    tool = ToolConfig(session, config)
    storage, cache = _storage(database)
    request = FlaskRequest()
    try:
        launch = _Launch(request, tool, cookie_service=_Cookies(request), launch_data_storage=storage)
        launch.cache = cache
        launch.set_launch_data_lifetime(int(config["LTI_LAUNCH_DATA_HOURS"]) * 3600)
        launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
        body = launch.get_launch_data()
    except (LtiException, OIDCException) as error:
        raise refusal(error) from error
    assert tool.platform is not None  # the registration was found, or the launch was refused
    return Launched(read_launch(body), tool.platform, launch.get_launch_id(), body)


def reopen(session: Session, database: Database, config: Mapping[str, Any], launch_id: str) -> tuple[Any, Launched]:
    """Find a validated launch again by its id (the deep-linking page answers it a little later): pylti1p3's, ours."""
    tool = ToolConfig(session, config)
    storage, _cache = _storage(database)
    try:
        launch = _Launch.from_cache(launch_id, FlaskRequest(), tool, launch_data_storage=storage)
        body = launch.get_launch_data()
    except (LtiException, OIDCException) as error:
        raise LaunchRefused("That launch is over (it expired, or was never made here). " + AGAIN, str(error)) from error
    assert tool.platform is not None
    return launch, Launched(read_launch(body), tool.platform, launch_id, body)
