"""forumgrader as pylti1p3 sees it: registrations and deployments from the database, and launch data (states,
nonces, launches) in the database too, so that every process of the site shares them and a nonce is used once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jwcrypto.jwk import JWK
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import delete
from sqlalchemy.orm import Session

from forumgrader.store import lti_platforms
from forumgrader.store.db import Database, utcnow
from forumgrader.store.models import LtiLaunchValue, LtiPlatform


class DatabaseCache:
    """The cache pylti1p3's launch data storage asks for (`get`, `set`), on the database, plus a one-time `consume`.

    Each call is its own short transaction, so a value is visible to every process at once and consuming a nonce is
    atomic: of two requests replaying one launch, one finds it and the other does not.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, key: str) -> Any:
        with self._database.session() as session:
            row = session.get(LtiLaunchValue, key)
            if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
                return None
            return json.loads(row.value)

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        now = utcnow()
        expires = now + timedelta(seconds=exp) if exp else None
        with self._database.session() as session:
            session.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at <= now))
            session.merge(LtiLaunchValue(key=key, value=json.dumps(value), expires_at=expires))

    def consume(self, key: str) -> bool:
        """Delete a live value and tell whether it was there (a nonce is good once)."""
        with self._database.session() as session:
            gone = session.execute(
                delete(LtiLaunchValue)
                .where(LtiLaunchValue.key == key)
                .where((LtiLaunchValue.expires_at.is_(None)) | (LtiLaunchValue.expires_at > utcnow()))
                .returning(LtiLaunchValue.key)
            )
            return gone.first() is not None


def registration(session: Session, config: Mapping[str, Any], platform: LtiPlatform) -> Registration:
    """Build pylti1p3's Registration for a platform, with the tool's current signing key."""
    key = lti_platforms.signing_key(session, config)
    public_pem = JWK(**key.public_jwk).export_to_pem().decode()
    found = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(lti_platforms.private_pem(config, key))
        .set_tool_public_key(public_pem)
    )
    if platform.auth_audience:
        found.set_auth_audience(platform.auth_audience)
    return found


class ToolConfig(ToolConfAbstract):  # type: ignore[misc]  # pylti1p3 has no type hints
    """Registrations and deployments as the admin registered them (`forumgrader lti register`, the admin page)."""

    def __init__(self, session: Session, config: Mapping[str, Any]) -> None:
        super().__init__()
        self._session = session
        self._config = config
        self.platform: LtiPlatform | None = None  # the platform the last lookup found

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False  # one issuer may have many client ids (cloud Canvas signs every school as one issuer)

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        self.platform = lti_platforms.find_platform(self._session, iss, client_id)
        return registration(self._session, self._config, self.platform) if self.platform is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = lti_platforms.find_platform(self._session, iss, client_id)
        if platform is None or lti_platforms.find_deployment(self._session, platform.id, deployment_id) is None:
            return None
        return Deployment().set_deployment_id(deployment_id)
