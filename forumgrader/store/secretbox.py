"""Secrets kept in the database (Canvas tokens, the tool's private keys), encrypted with Fernet.

The key comes from ENCRYPTION_KEYS: Fernet keys separated by commas, the first encrypting and every one decrypting
(so a key can be replaced without losing what the old one encrypted). Left empty, one key is derived from SECRET_KEY
with HKDF: changing SECRET_KEY then makes stored secrets unreadable (tokens must be entered again, keys rotated).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"forumgrader stored secrets v1"


class SecretUnreadable(ValueError):
    """A stored secret could not be decrypted: the encryption key changed since it was stored."""


def derived_key(secret_key: str) -> bytes:
    """Return the Fernet key HKDF derives from the app's SECRET_KEY."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def box(config: Mapping[str, Any]) -> MultiFernet:
    """Return the configured encrypter: ENCRYPTION_KEYS, or a key derived from SECRET_KEY."""
    configured = [key.strip() for key in str(config.get("ENCRYPTION_KEYS") or "").split(",") if key.strip()]
    try:
        keys = [Fernet(key) for key in configured] or [Fernet(derived_key(str(config["SECRET_KEY"])))]
    except ValueError as error:
        raise ValueError(
            "ENCRYPTION_KEYS holds a key that is not a Fernet key (make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
        ) from error
    return MultiFernet(keys)


def seal(config: Mapping[str, Any], secret: str) -> str:
    """Encrypt a secret for storage."""
    return box(config).encrypt(secret.encode()).decode()


def unseal(config: Mapping[str, Any], sealed: str) -> str:
    """Decrypt a stored secret, or raise SecretUnreadable saying why it cannot be."""
    try:
        return box(config).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted: ENCRYPTION_KEYS (or SECRET_KEY) changed since it was stored"
        ) from error
