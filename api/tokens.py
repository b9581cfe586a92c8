"""API keys: how they look, and how they are hashed for storage and lookup."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "fn_"
# Characters of the key kept in clear for display ("fn_" + 8 random characters).
DISPLAY_PREFIX_LENGTH = 11


def new_api_key() -> str:
    """A fresh key: ``fn_`` and 43 URL-safe characters (256 bits of randomness)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """SHA-256 of the key. The key is random and long, so no salt or slow hash is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]
