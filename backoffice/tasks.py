"""Background work of the back office: NPS surveys and product-usage statistics."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from backoffice.models import SurveyInvitation


@db_task()
def survey_email_task(invitation_id: int) -> None:
    """E-mail one survey invitation (sent once: only while unanswered and unexpired)."""
    from backoffice.services import survey_token

    invitation = (
        SurveyInvitation.objects.select_related("person", "customer")
        .filter(pk=invitation_id, answered_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        return
    with translation.override(invitation.person.language or settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "answer_url": settings.SITE_URL
            + reverse("survey_answer", kwargs={"token": survey_token(invitation)}),
            "privacy_url": settings.SITE_URL + reverse("privacy_statement"),
        }
        subject = render_to_string("backoffice/email/survey_subject.txt", context).strip()
        body = render_to_string("backoffice/email/survey.txt", context)
    send_mail(subject, body, None, [invitation.person.email])


@db_periodic_task(crontab(day="1", month="1,4,7,10", hour="9", minute="0"))
def survey_quarterly() -> None:
    """Each quarter, invite the owners of customers with an active relationship."""
    from backoffice.services import survey_send

    survey_send()


@db_periodic_task(crontab(hour="2", minute="40"))
def usage_daily() -> None:
    """Aggregate yesterday's product usage (counts per feature, no ids)."""
    from backoffice.services import usage_aggregate

    usage_aggregate(day=timezone.localdate() - datetime.timedelta(days=1))
