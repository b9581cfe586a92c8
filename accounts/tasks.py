"""E-mails leave through the task queue, after the transaction that caused them commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from huey.contrib.djhuey import db_task


@db_task()
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    """Send one already-rendered e-mail (plain text with an HTML alternative)."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


@db_task()
def password_reset_email(*, email: str) -> None:
    """Look the address up and send a reset link if it has an account (see the service)."""
    from django.db import transaction

    from accounts import services

    with transaction.atomic():
        services.user_send_password_reset(email=email)
