"""Reported VAT terms: no document may be dated in a term marked as reported; reopen a term."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, Role
from core.audit import Actor, audit_log
from core.models import AuditEntry
from invoicing.models import InvoicingSettings
from invoicing.services.common import _atomic_in_scope, _date_text, _ensure_settings


def _last_day_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def vat_term_mark_reported(
    *, company: Company, actor: Actor, through: datetime.date
) -> InvoicingSettings:
    """Record that VAT is reported up to and including ``through`` (a term's last day).

    From then on no invoice or credit note can be dated on or before ``through`` (their
    VAT would belong to a term already reported). The date only moves forward; marking
    the same date again changes nothing. A term closed by mistake is reopened by an owner
    with ``vat_term_reopen``.
    """
    with _atomic_in_scope(company):
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        current = settings_row.vat_reported_through
        if current is not None and through == current:
            return settings_row
        if current is not None and through < current:
            raise ValidationError(
                {
                    "through": ValidationError(
                        _(
                            "MVA er allerede rapportert til og med %(current)s. En rapportert "
                            "termin kan bare gjenåpnes av en eier, med en begrunnelse."
                        )
                        % {"current": _date_text(current)},
                        code="not_forward",
                    )
                }
            )
        if not _last_day_of_month(through):
            raise ValidationError(
                {
                    "through": ValidationError(
                        _("En MVA-termin slutter på den siste dagen i en måned."),
                        code="not_term_end",
                    )
                }
            )
        if through >= timezone.localdate():
            raise ValidationError(
                {
                    "through": ValidationError(
                        _("En termin kan bare markeres som rapportert etter at den er slutt."),
                        code="term_not_ended",
                    )
                }
            )
        settings_row.vat_reported_through = through
        settings_row.save(update_fields=["vat_reported_through", "updated_at"])
        audit_log(
            action="invoicing.vat_term.reported",
            actor=actor,
            company=company,
            target=settings_row,
            data={
                "through": through.isoformat(),
                "previous": current.isoformat() if current else None,
            },
        )
        return settings_row


def vat_term_reopen(
    *, company: Company, actor: Actor, through: datetime.date | None, reason: str
) -> InvoicingSettings:
    """Move the reported-through date back (``None``: no term reported), by an owner.

    For a term marked as reported by mistake. Only an owner of the company may do it,
    and must say why; the audit entry keeps the old and new dates and the reason. If the
    term really was reported, documents dated in it afterwards need a corrected VAT
    return (tilleggsmelding) — the reason should say how that is handled.
    """
    with _atomic_in_scope(company):
        is_owner = (
            actor.kind == AuditEntry.ActorKind.USER
            and actor.id is not None
            and Membership.objects.filter(
                company=company, user_id=actor.id, role=Role.OWNER
            ).exists()
        )
        if not is_owner:
            raise ValidationError(
                _("Bare en eier av firmaet kan gjenåpne en rapportert MVA-termin."),
                code="not_owner",
            )
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        current = settings_row.vat_reported_through
        errors: dict[str, str] = {}
        reason = reason.strip()
        if not reason:
            errors["reason"] = _("Skriv hvorfor terminen gjenåpnes.")
        elif len(reason) > 500:
            errors["reason"] = _("Begrunnelsen kan ha høyst 500 tegn.")
        if current is None:
            errors["through"] = _("Ingen MVA-termin er markert som rapportert.")
        elif through is not None and through >= current:
            errors["through"] = _(
                "Velg en dato før %(current)s; for å gå videre, marker terminen som rapportert."
            ) % {"current": _date_text(current)}
        elif through is not None and not _last_day_of_month(through):
            errors["through"] = _("En MVA-termin slutter på den siste dagen i en måned.")
        if errors:
            raise ValidationError(errors)
        assert current is not None
        settings_row.vat_reported_through = through
        settings_row.save(update_fields=["vat_reported_through", "updated_at"])
        audit_log(
            action="invoicing.vat_term.reopened",
            actor=actor,
            company=company,
            target=settings_row,
            data={
                "through": through.isoformat() if through else None,
                "previous": current.isoformat(),
                "reason": reason,
            },
        )
        return settings_row
