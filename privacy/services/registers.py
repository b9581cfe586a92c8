"""The registers: sub-processors and risk assessments (R6, R10)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_log
from core.dates import add_months
from privacy import selectors

if TYPE_CHECKING:
    from accounts.models import User

SUBPROCESSOR_FIELDS = (
    "name",
    "service",
    "country",
    "transfer_basis",
    "agreement_date",
    "active",
    "service_en",
    "country_en",
    "transfer_basis_en",
)
RISK_FIELDS = (
    "title",
    "description",
    "likelihood",
    "consequence",
    "measures",
    "owner",
    "last_reviewed",
    "next_review",
)


def _save_register_row(row: Any, values: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    if row.pk is None:
        changed = [name for name in fields if name in values]
    else:
        changed = [name for name in fields if name in values and getattr(row, name) != values[name]]
    for name in fields:
        if name in values:
            setattr(row, name, values[name])
    row.full_clean()
    row.save()
    return changed


@transaction.atomic
def subprocessor_save(*, staff: User, values: dict[str, Any], subprocessor: Any = None) -> Any:
    from privacy.models import SubProcessor

    row = subprocessor or SubProcessor()
    created = row.pk is None
    changed = _save_register_row(row, values, SUBPROCESSOR_FIELDS)
    audit_log(
        action="privacy.subprocessor.created" if created else "privacy.subprocessor.changed",
        actor=Actor.user(staff),
        target=row,
        data={"name": row.name, "fields": changed},
    )
    return row


# The assessments the statement implies (clause 10: "jevnlige risikovurderinger"): data
# stored in the register in Norwegian, like the seeded sub-processors; each is reviewed
# within a year and then kept up to date by the privacy officer.
SEEDED_RISKS = (
    (
        "Tilgangsstyring: ansatte ser mer enn de trenger",
        "Ansatte og rådgivere kan se kundeopplysninger utover det arbeidsoppgavene krever "
        "(personvernerklæringen punkt 5).",
        2,
        4,
        "Rollematrise per datakategori, tidsbegrensede tilganger for rådgivere, utvidet "
        "tilgang med begrunnelse, tofaktorinnlogging for ansatte, tilgangslogg over alle "
        "oppslag i kundedata.",
    ),
    (
        "Underleverandører behandler opplysninger utenfor avtalen",
        "Lagrings- og kommunikasjonsleverandører får tilgang til personopplysninger "
        "(personvernerklæringen punkt 6).",
        2,
        4,
        "Databehandleravtale med hver underleverandør, bare leverandører innenfor EU/EØS, "
        "offentlig liste i personvernerklæringen, gjennomgang ved nye leverandører.",
    ),
    (
        "Lagring: opplysninger beholdes lenger enn formålet krever",
        "Personopplysninger blir liggende etter at formålet er oppfylt "
        "(personvernerklæringen punkt 7).",
        3,
        3,
        "Lagringsmotoren kjører hver natt med én regel per datakategori, juridisk "
        "tilbakehold stanser sletting, slettelogg uten personopplysninger, lagrings- og "
        "slettingsrutinene publiseres og kontrolleres mot regelverket av en test.",
    ),
)


@transaction.atomic
def risk_register_seed(*, owner: User, on: datetime.date | None = None) -> int:
    """Add the statement's risk assessments that are missing (by title); returns how many."""
    from privacy.models import RiskAssessment

    today = on or timezone.localdate()
    existing = set(RiskAssessment.objects.values_list("title", flat=True))
    added = 0
    for title, description, likelihood, consequence, measures in SEEDED_RISKS:
        if title in existing:
            continue
        risk_assessment_save(
            staff=owner,
            values={
                "title": title,
                "description": description,
                "likelihood": likelihood,
                "consequence": consequence,
                "measures": measures,
                "owner": owner,
                "last_reviewed": today,
                "next_review": add_months(today, 12),
            },
        )
        added += 1
    return added


@transaction.atomic
def risk_assessment_save(*, staff: User, values: dict[str, Any], risk: Any = None) -> Any:
    from privacy.models import RiskAssessment

    row = risk or RiskAssessment()
    last, following = values.get("last_reviewed"), values.get("next_review")
    if last and following and following <= last:
        raise ValidationError(
            {"next_review": _("Neste gjennomgang må være etter siste gjennomgang.")}
        )
    created = row.pk is None
    changed = _save_register_row(row, values, RISK_FIELDS)
    if "next_review" in changed:
        row.reminded_on = None
        row.save(update_fields=["reminded_on"])
    audit_log(
        action="privacy.risk.created" if created else "privacy.risk.changed",
        actor=Actor.user(staff),
        target=row,
        data={"title": row.title, "fields": changed},
    )
    return row


def risk_review_remind(*, on: datetime.date | None = None) -> int:
    """E-mail the privacy officers once about every review that is due (daily task)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from privacy.models import RiskAssessment

    day = on or timezone.localdate()
    due = list(selectors.risk_reviews_due(on=day).filter(reminded_on__isnull=True))
    recipients = selectors.privacy_officer_emails()
    if not due or not recipients:
        return 0
    context = {"risks": due, "url": settings.SITE_URL + reverse("retention_staff:risks")}
    send_mail(
        render_to_string("privacy/email/risk_reviews_due_subject.txt", context).strip(),
        render_to_string("privacy/email/risk_reviews_due.txt", context),
        None,
        recipients,
    )
    RiskAssessment.objects.filter(pk__in=[r.pk for r in due]).update(reminded_on=day)
    return len(due)
