"""Render account e-mails in the recipient's language and queue them after commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import email_verification_token, make_unlock_token
from core.outbox import outbox_enqueue

if TYPE_CHECKING:
    from accounts.models import Invitation, User


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def queue_email(
    *,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    folder: str = "accounts/email",
) -> None:
    """Render ``<folder>/<template>_{subject,body}.{txt,html}`` now, send after commit."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{folder}/{template}_subject.txt", context).split())
        text = render_to_string(f"{folder}/{template}_body.txt", context)
        html = render_to_string(f"{folder}/{template}_body.html", context)
    # The rendered message waits in the outbox (cleared once sent): a token in a link is
    # made now, and the e-mail still leaves when the queue was down at commit.
    outbox_enqueue(
        task="accounts.tasks.send_email",
        kwargs={"to": to, "subject": subject, "text": text, "html": html},
    )


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def queue_verification_email(*, user: User) -> None:
    path = reverse(
        "accounts:verify_email",
        kwargs={"uidb64": _uid(user), "token": email_verification_token.make_token(user)},
    )
    queue_email(
        to=user.email,
        template="verify_email",
        language=user.language,
        context={"user": user, "url": absolute_url(path)},
    )


def password_set_url(*, user: User) -> str:
    """The link that lets ``user`` choose a password. It works once: the token covers the
    password hash, so setting a password (or any change to it) voids the link."""
    from django.contrib.auth.tokens import default_token_generator

    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": _uid(user), "token": default_token_generator.make_token(user)},
    )
    return absolute_url(path)


def queue_password_reset_email(*, user: User) -> None:
    queue_email(
        to=user.email,
        template="password_reset",
        language=user.language,
        context={"user": user, "url": password_set_url(user=user)},
    )


def queue_invitation_email(*, invitation: Invitation, token: str, language: str) -> None:
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    queue_email(
        to=invitation.email,
        template="invitation",
        language=language,
        context={"invitation": invitation, "url": absolute_url(path)},
    )


def queue_lockout_email(*, user: User) -> None:
    path = reverse("accounts:unlock", kwargs={"token": make_unlock_token(user)})
    queue_email(
        to=user.email,
        template="locked_out",
        language=user.language,
        context={
            "user": user,
            "url": absolute_url(path),
            "minutes": settings.ACCOUNT_UNLOCK_MAX_AGE_SECONDS // 60,
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )
