"""Consents: the ledger, the archived texts, objection to direct marketing, the statement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import Actor, audit_log
from marketing.services import segments_leave
from privacy import selectors
from privacy.models import (
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentText,
    MarketingSuppression,
    StatementAcknowledgement,
)

if TYPE_CHECKING:
    from accounts.models import User

# Version of the consent texts shown on the consents page and in the cookie banner.
CONSENT_TEXT_VERSION = "2026-11-24"


def consent_texts_current() -> dict[str, Any]:
    """The texts the pages show today for each purpose (the consents form's labels and the
    cookie banner's category descriptions), as lazy strings."""
    from privacy.cookies import CATEGORY_DESCRIPTIONS, CookieCategory
    from privacy.forms import ConsentsForm

    fields = ConsentsForm.base_fields
    return {
        ConsentPurpose.MARKETING_EMAIL: fields["marketing_email"].label,
        ConsentPurpose.PRODUCT_ANALYTICS: fields["product_analytics"].label,
        ConsentPurpose.COOKIE_FUNCTIONAL: CATEGORY_DESCRIPTIONS[CookieCategory.FUNCTIONAL],
        ConsentPurpose.COOKIE_ANALYTICS: CATEGORY_DESCRIPTIONS[CookieCategory.ANALYTICS],
    }


def consent_text_archive(*, purpose: str, version: str) -> ConsentText | None:
    """Keep the exact text of ``version`` the first time it is used (never rewritten)."""
    text = consent_texts_current().get(purpose)
    if text is None:
        return None  # a purpose no page asks for any more (SMS): nothing is shown
    existing = ConsentText.objects.filter(purpose=purpose, version=version).first()
    if existing is not None:
        return existing
    with translation.override("nb"):
        text_nb = str(text)
    with translation.override("en"):
        text_en = str(text)
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                purpose=purpose, version=version, text_nb=text_nb, text_en=text_en
            )
    except IntegrityError:
        return ConsentText.objects.get(purpose=purpose, version=version)


def _consent_record(
    *,
    purpose: str,
    given: bool,
    channel: str,
    user: User | None,
    visitor_id: str,
    text_version: str,
) -> ConsentRecord:
    if purpose not in ConsentPurpose.values:
        raise ValidationError(_("Ukjent formål for samtykke."))
    if channel not in ConsentChannel.values:
        raise ValidationError(_("Ukjent kanal for samtykke."))
    if user is None and not visitor_id:
        raise ValidationError(_("Et samtykke må gjelde en bruker eller en besøkende."))
    consent_text_archive(purpose=purpose, version=text_version)
    record = ConsentRecord.objects.create(
        user=user,
        visitor_id=visitor_id,
        purpose=purpose,
        given=given,
        text_version=text_version,
        channel=channel,
    )
    if record.user is not None:
        # Anonymous visitors' cookie choices are documented by the ledger alone.
        audit_log(
            action="privacy.consent.given" if given else "privacy.consent.withdrawn",
            actor=Actor.user(record.user),
            target=record,
            data={"purpose": purpose, "channel": channel, "text_version": text_version},
        )
    return record


@transaction.atomic
def consent_give(
    *,
    purpose: str,
    channel: str,
    user: User | None = None,
    visitor_id: str = "",
    text_version: str = CONSENT_TEXT_VERSION,
) -> ConsentRecord:
    record = _consent_record(
        purpose=purpose,
        given=True,
        channel=channel,
        user=user,
        visitor_id=visitor_id,
        text_version=text_version,
    )
    if purpose in (ConsentPurpose.MARKETING_EMAIL, ConsentPurpose.MARKETING_SMS) and record.user:
        # A new, explicit consent lifts an earlier objection to direct marketing.
        MarketingSuppression.objects.filter(email__iexact=record.user.email).delete()
    return record


@transaction.atomic
def consent_withdraw(
    *,
    purpose: str,
    channel: str,
    user: User | None = None,
    visitor_id: str = "",
    text_version: str = CONSENT_TEXT_VERSION,
) -> ConsentRecord:
    """Withdraw at once: every reader asks the ledger, so the next check sees it. Withdrawing
    the marketing consent also takes the person out of every marketing segment now (the
    statement: profiling for marketing rests on that consent)."""
    record = _consent_record(
        purpose=purpose,
        given=False,
        channel=channel,
        user=user,
        visitor_id=visitor_id,
        text_version=text_version,
    )
    if purpose == ConsentPurpose.MARKETING_EMAIL and record.user_id:
        segments_leave(user_id=record.user_id)
    return record


@transaction.atomic
def consents_update(*, user: User, wanted: dict[str, bool], channel: str) -> list[ConsentRecord]:
    """Record the purposes whose state changes (the consents page)."""
    current = selectors.consent_state(user=user, purposes=tuple(wanted))
    changed = []
    for purpose, given in wanted.items():
        record = current.get(purpose)
        if record is not None and record.given == given:
            continue
        if record is None and not given:
            continue
        service = consent_give if given else consent_withdraw
        changed.append(service(purpose=purpose, channel=channel, user=user))
    return changed


# --- Direct marketing ------------------------------------------------------------------
@transaction.atomic
def marketing_object(*, user: User, channel: str) -> None:
    """Objection to direct marketing (GDPR art. 21(2)): withdrawn and suppressed at once."""
    for purpose in (ConsentPurpose.MARKETING_EMAIL, ConsentPurpose.MARKETING_SMS):
        _consent_record(
            purpose=purpose,
            given=False,
            channel=channel,
            user=user,
            visitor_id="",
            text_version=CONSENT_TEXT_VERSION,
        )
    MarketingSuppression.objects.get_or_create(email=user.email.lower())
    segments_leave(user_id=user.pk)
    audit_log(
        action="privacy.marketing.objected",
        actor=Actor.user(user),
        target=user,
        data={"channel": channel},
    )


# --- Statement ---------------------------------------------------------------------------
@transaction.atomic
def statement_acknowledge(*, user: User) -> StatementAcknowledgement:
    version = selectors.statement_version()
    ack = StatementAcknowledgement.objects.create(user=user, version=version)
    audit_log(
        action="privacy.statement.acknowledged",
        actor=Actor.user(user),
        target=ack,
        data={"version": version},
    )
    return ack
