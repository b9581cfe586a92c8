"""Satisfaction surveys: send invitations, read a survey link, record the answer."""

from __future__ import annotations

import datetime
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import Membership, Role
from backoffice.models import SurveyInvitation
from backoffice.selectors import active_customers
from backoffice.services.common import _max_length
from core.audit import Actor, audit_log
from core.outbox import outbox_enqueue

SURVEY_SALT = "backoffice.survey"
SURVEY_DAYS = 30


def survey_period(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SURVEY_SALT)


def survey_send(*, on: datetime.date | None = None) -> list[SurveyInvitation]:
    """Invite the owners of every customer with an ACTIVE relationship (R8a gate) to this
    quarter's NPS survey, once per person and period; e-mails go after commit."""

    day = on or timezone.localdate()
    period = survey_period(day)
    created = []
    with scopes_disabled():
        for customer in active_customers(on=day):
            owners = Membership.objects.filter(
                company=customer, role=Role.OWNER, user__is_active=True
            ).select_related("user")
            for membership in owners:
                try:
                    with transaction.atomic():
                        invitation = SurveyInvitation.objects.create(
                            customer=customer,
                            person=membership.user,
                            period=period,
                            nonce=secrets.token_hex(16),
                            expires_at=timezone.now() + datetime.timedelta(days=SURVEY_DAYS),
                        )
                        audit_log(
                            action="backoffice.survey.sent",
                            actor=Actor.system("backoffice"),
                            company=customer,
                            target=invitation,
                            data={"period": period},
                        )
                        outbox_enqueue(
                            task="backoffice.tasks.survey_email_task", args=[invitation.pk]
                        )
                except IntegrityError:
                    continue  # already invited this period
                created.append(invitation)
    return created


class SurveyLinkError(Exception):
    """The answer link is forged, expired or already used; ``message`` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def survey_invitation_from_token(token: str) -> SurveyInvitation:
    try:
        payload = signing.loads(token, salt=SURVEY_SALT)
    except signing.BadSignature as exc:
        raise SurveyLinkError("invalid", _("Lenken er ugyldig.")) from exc
    if not isinstance(payload, dict):
        raise SurveyLinkError("invalid", _("Lenken er ugyldig."))
    invitation_id = payload.get("i")
    if not isinstance(invitation_id, int):
        raise SurveyLinkError("invalid", _("Lenken er ugyldig."))
    invitation = SurveyInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not secrets.compare_digest(
        invitation.nonce, str(payload.get("n", ""))
    ):
        raise SurveyLinkError("invalid", _("Lenken er ugyldig."))
    if invitation.answered_at is not None:
        raise SurveyLinkError("used", _("Du har allerede svart på denne undersøkelsen. Takk!"))
    if invitation.expires_at <= timezone.now():
        raise SurveyLinkError("expired", _("Undersøkelsen er avsluttet; lenken er utløpt."))
    return invitation


@transaction.atomic
def survey_answer(*, token: str, score: object, comment: str = "") -> SurveyInvitation:
    """Store the answer of a one-time link; raises SurveyLinkError or ValidationError."""
    invitation = survey_invitation_from_token(token)
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise SurveyLinkError("used", _("Du har allerede svart på denne undersøkelsen. Takk!"))
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValidationError({"score": _("Velg et tall fra 0 til 10.")})
    comment = (comment or "").strip()
    _max_length(comment, "comment", 2000)
    invitation.score = score
    invitation.comment = comment
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["score", "comment", "answered_at"])
    audit_log(
        action="backoffice.survey.answered",
        actor=Actor.system("survey-link"),
        company=invitation.customer,
        target=invitation,
    )
    return invitation
