"""One-time tokens: e-mail verification, invitation and unlock links."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing

if TYPE_CHECKING:
    from accounts.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password reset token, with its own salt.

    The hash covers the address and ``email_verified_at``: once the address is
    verified (or changed), every earlier link stops working.
    """

    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        verified = "" if user.email_verified_at is None else user.email_verified_at.isoformat()
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


UNLOCK_SALT = "accounts.tokens.unlock"


def make_unlock_token(user: User) -> str:
    """A signed, timestamped token for the self-service unlock link of a locked account.

    It names the user and their address; it expires after ``ACCOUNT_UNLOCK_MAX_AGE_SECONDS``
    and stops working when the address changes.
    """
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNLOCK_SALT, compress=True)


def user_from_unlock_token(token: str) -> User | None:
    """The active user an unexpired, untampered unlock token names, else None."""
    from accounts.models import User

    try:
        data = signing.loads(
            token, salt=UNLOCK_SALT, max_age=settings.ACCOUNT_UNLOCK_MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user_id, email = data.get("u"), data.get("e")
    if not isinstance(user_id, int) or not isinstance(email, str):
        return None
    return User.objects.filter(pk=user_id, email=email, is_active=True).first()
