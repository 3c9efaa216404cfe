"""LTI 1.3 platforms an admin registered, their deployments, and the tool's own keys (generated, rotated, retired)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.db import utcnow
from forumgrader.store.models import LtiDeployment, LtiKey, LtiPlatform
from forumgrader.store.secretbox import seal, unseal

KEY_BITS = 2048
LMS_KINDS = ("canvas", "moodle", "other")


class PlatformError(ValueError):
    """A registration that cannot be made as asked; the message says what to give instead."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a platform's OIDC login, OAuth2 token endpoint and public keys are, and the issuer it signs as."""

    issuer: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


def _canvas(site: str) -> Endpoints:
    # Instructure's cloud Canvas signs every school's launches as one issuer; its beta and test copies have their own
    issuer = {"beta": "https://canvas.beta.instructure.com", "test": "https://canvas.test.instructure.com"}.get(
        site, "https://canvas.instructure.com"
    )
    sso = {"beta": "https://sso.beta.canvaslms.com", "test": "https://sso.test.canvaslms.com"}.get(
        site, "https://sso.canvaslms.com"
    )
    return Endpoints(
        issuer, f"{sso}/api/lti/authorize_redirect", f"{sso}/login/oauth2/token", f"{sso}/api/lti/security/jwks"
    )


def _moodle(site: str) -> Endpoints:
    site = site.rstrip("/")
    if not site.startswith(("https://", "http://")):
        raise PlatformError("give the Moodle site's address, such as https://moodle.school.edu")
    return Endpoints(site, f"{site}/mod/lti/auth.php", f"{site}/mod/lti/token.php", f"{site}/mod/lti/certs.php")


# Each LMS's endpoints from one word: Canvas (cloud: "", "beta" or "test") or a Moodle site's address.
PRESETS: dict[str, Callable[[str], Endpoints]] = {"canvas": _canvas, "moodle": _moodle}


def _check_url(name: str, url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    loopback = parts.hostname in {"localhost"} or _is_loopback(parts.hostname or "")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise PlatformError(f"{name} must be an https:// address (http:// only on this machine), not {url!r}")
    if not parts.hostname:
        raise PlatformError(f"{name} has no host: {url!r}")
    return url


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register_platform(
    session: Session,
    *,
    name: str,
    lms: str,
    client_id: str,
    endpoints: Endpoints,
    deployment_ids: Iterable[str] = (),
    auth_audience: str = "",
) -> LtiPlatform:
    """Register a platform (flush only); launches from it are accepted for the deployments listed."""
    if lms not in LMS_KINDS:
        raise PlatformError(f"the LMS is one of {', '.join(LMS_KINDS)}, not {lms!r}")
    if not client_id.strip() or not endpoints.issuer.strip():
        raise PlatformError("a platform needs its issuer and the client id it gave forumgrader")
    issuer, client_id = endpoints.issuer.strip(), client_id.strip()
    known = session.scalar(select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id))
    if known is not None:
        raise PlatformError(f"{issuer} with client id {client_id} is registered already (platform {known.id})")
    platform = LtiPlatform(
        name=name.strip() or issuer,
        lms=lms,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=_check_url("the OIDC login (authorization) URL", endpoints.auth_login_url),
        auth_token_url=_check_url("the access token URL", endpoints.auth_token_url),
        key_set_url=_check_url("the public keyset (JWKS) URL", endpoints.key_set_url),
        auth_audience=auth_audience.strip(),
    )
    session.add(platform)
    session.flush()
    for deployment_id in deployment_ids:
        add_deployment(session, platform, deployment_id)
    return platform


def add_deployment(session: Session, platform: LtiPlatform, deployment_id: str) -> LtiDeployment:
    """Accept launches from one more deployment of a platform (flush only); adding a known one changes nothing."""
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise PlatformError("a deployment id cannot be empty")
    found = find_deployment(session, platform.id, deployment_id)
    if found is None:
        found = LtiDeployment(platform_id=platform.id, deployment_id=deployment_id)
        session.add(found)
        session.flush()
    return found


def remove_deployment(session: Session, platform: LtiPlatform, deployment_id: str) -> bool:
    """Stop accepting launches from a deployment (flush only); tell whether it was there."""
    found = find_deployment(session, platform.id, deployment_id.strip())
    if found is not None:
        session.delete(found)
        session.flush()
    return found is not None


def find_deployment(session: Session, platform_id: int, deployment_id: str) -> LtiDeployment | None:
    """Return a platform's deployment by its id, if registered."""
    wanted = (LtiDeployment.platform_id == platform_id, LtiDeployment.deployment_id == deployment_id)
    return session.scalar(select(LtiDeployment).where(*wanted))


def deployments(session: Session, platform: LtiPlatform) -> list[str]:
    """Return the deployment ids a platform may launch with."""
    rows = select(LtiDeployment.deployment_id).where(LtiDeployment.platform_id == platform.id)
    return list(session.scalars(rows.order_by(LtiDeployment.id)))


def platforms(session: Session) -> list[LtiPlatform]:
    """Return every registered platform, oldest first."""
    return list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def find_platform(session: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """Find the platform a login or launch comes from: by issuer and client id, or the issuer's only registration."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return session.scalar(query.where(LtiPlatform.client_id == client_id))
    found = list(session.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def delete_platform(session: Session, platform: LtiPlatform) -> None:
    """Forget a platform, its deployments and its links (flush only); its courses and grades stay."""
    session.delete(platform)
    session.flush()


# --- the tool's keys ---


def _new_key(config: Mapping[str, Any]) -> LtiKey:
    from cryptography.hazmat.primitives import serialization  # here: the CLI starts without loading cryptography
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwcrypto.jwk import JWK

    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = JWK.from_pem(pem.encode()).export_public(as_dict=True)
    public |= {"alg": "RS256", "use": "sig"}
    return LtiKey(kid=public["kid"], private_key=seal(config, pem), public_jwk=public)


def live_keys(session: Session) -> list[LtiKey]:
    """Return the keys not retired, newest first: the first signs, all are published."""
    return list(session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc())))


def signing_key(session: Session, config: Mapping[str, Any]) -> LtiKey:
    """Return the key the tool signs with, generating the first one if there is none (flush only)."""
    keys = live_keys(session)
    return keys[0] if keys else rotate_key(session, config)


def rotate_key(session: Session, config: Mapping[str, Any]) -> LtiKey:
    """Generate a new key that signs from now on; older keys stay published until retired (flush only)."""
    key = _new_key(config)
    session.add(key)
    session.flush()
    return key


def retire_key(session: Session, kid: str) -> LtiKey:
    """Take a key out of the JWKS (flush only); the signing key is kept until a newer one signs."""
    keys = live_keys(session)
    found = next((key for key in keys if key.kid == kid), None)
    if found is None:
        raise PlatformError(f"no live key has the id {kid!r} (`forumgrader lti keys` lists them)")
    if found is keys[0]:
        raise PlatformError("this key signs the tool's messages: rotate first (`forumgrader lti rotate-key`)")
    found.retired_at = utcnow()
    session.flush()
    return found


def jwks(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Return the tool's public keys as a JSON Web Key Set."""
    return {"keys": [dict(key.public_jwk) for key in live_keys(session)]}


def private_pem(config: Mapping[str, Any], key: LtiKey) -> str:
    """Return a key's private half as PEM."""
    return unseal(config, key.private_key)
