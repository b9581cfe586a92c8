"""Background work: exports, request e-mails, and the daily clean-up."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from privacy.models import PrivacyRequest


@db_task()
def export_build_task(export_id: str) -> None:
    from privacy.services.exports import export_build

    export_build(export_id=export_id)


@db_task()
def privacy_request_email_task(request_id: int, token: str) -> None:
    """Ask an unverified sender to confirm the address, or confirm a registered request."""
    request = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    language = request.user.language if request.user else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "request": request,
            "verify_url": (
                settings.SITE_URL + reverse("privacy:contact_verify", kwargs={"token": token})
                if token
                else ""
            ),
            "complaint_url": settings.SITE_URL + reverse("privacy_statement") + "#klage",
        }
        template = "privacy/email/request_verify" if token else "privacy/email/request_received"
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [request.email])


@db_periodic_task(crontab(hour="3", minute="20"))
def privacy_daily_cleanup() -> None:
    """Turn finished days of page views into anonymous day counts.

    Deleting exports, old requests and raw page views is the retention engine's work
    (``retention.tasks.retention_daily``), which respects legal holds."""
    from privacy.services.analytics import analytics_retention_run

    analytics_retention_run()


def _request_email(request_id: int, template: str, extra: dict) -> None:
    request = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    language = request.user.language if request.user else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "request": request,
            "complaint_url": settings.SITE_URL + reverse("privacy_statement") + "#klage",
            **extra,
        }
        subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"privacy/email/{template}.txt", context)
    send_mail(subject, body, None, [request.email])


@db_task()
def privacy_request_extended_email_task(request_id: int, reason: str) -> None:
    """Tell the person that the deadline is extended, why, and the new date (art. 12(3))."""
    _request_email(request_id, "request_extended", {"reason": reason})


@db_task()
def privacy_request_closed_email_task(request_id: int) -> None:
    _request_email(request_id, "request_closed", {})


@db_periodic_task(crontab(hour="7", minute="0"))
def risk_review_reminders() -> None:
    """E-mail the privacy officers the risk assessments whose review is due."""
    from privacy.services.registers import risk_review_remind

    risk_review_remind()
