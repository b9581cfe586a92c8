"""The company's invoicing settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.services import payment_details_notify
from core.audit import Actor, audit_log
from core.identifiers import KID_MAX_LENGTH, KID_MIN_LENGTH, KidMethod
from invoicing.models import MAX_DAYS_AHEAD_LIMIT, Invoice, InvoicingSettings, NumberSeries
from invoicing.services.common import _atomic_in_scope, _ensure_settings, _series
from invoicing.texts import DEFAULT_PAYMENT_NOTES, PAYMENT_NOTE_MAX_LENGTH


def invoicing_settings_update(
    *,
    company: Company,
    actor: Actor,
    first_invoice_number: int | None = None,
    credit_note_numbering: str | None = None,
    first_credit_note_number: int | None = None,
    kid_method: str | None = None,
    kid_length: int | None = None,
    default_payment_terms_days: int | None = None,
    max_days_ahead: int | None = None,
) -> InvoicingSettings:
    """Change the settings given (``None``: unchanged).

    The first number of a series can be chosen only until the series' first document is
    issued; after that no one can change numbering. The credit-note numbering can change
    only until the first credit note is issued.
    """
    with _atomic_in_scope(company):
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        kid_before = {"kid_method": settings_row.kid_method, "kid_length": settings_row.kid_length}
        errors: dict[str, str] = {}
        changes: dict[str, Any] = {}

        def set_first_number(series_kind: str, value: int, field: str) -> None:
            if value < 1 or value > 10**15:
                errors[field] = _("Første nummer må være et positivt heltall.")
                return
            series = NumberSeries.objects.select_for_update().get(
                pk=_series(company, series_kind).pk
            )
            if series.first_number == value:
                return
            if series.is_used:
                errors[field] = _(
                    "Nummerserien er tatt i bruk; første nummer kan ikke endres lenger."
                )
                return
            series.first_number = value
            series.next_number = value
            series.save(update_fields=["first_number", "next_number"])
            changes[field] = value

        if first_invoice_number is not None:
            set_first_number(
                NumberSeries.Kind.INVOICE, first_invoice_number, "first_invoice_number"
            )

        if (
            credit_note_numbering is not None
            and credit_note_numbering != settings_row.credit_note_numbering
        ):
            if credit_note_numbering not in InvoicingSettings.CreditNoteNumbering.values:
                errors["credit_note_numbering"] = _("Ugyldig valg.")
            elif Invoice.objects.credit_notes().issued().exists():
                errors["credit_note_numbering"] = _(
                    "Det er utstedt kreditnotaer; nummereringen av kreditnotaer kan ikke "
                    "endres lenger."
                )
            else:
                settings_row.credit_note_numbering = credit_note_numbering
                changes["credit_note_numbering"] = credit_note_numbering

        if first_credit_note_number is not None:
            if (
                settings_row.credit_note_numbering
                != InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
            ):
                errors["first_credit_note_number"] = _(
                    "Kreditnotaer nummereres i fakturaserien; velg egen serie først."
                )
            else:
                set_first_number(
                    NumberSeries.Kind.CREDIT_NOTE,
                    first_credit_note_number,
                    "first_credit_note_number",
                )

        if kid_method is not None and kid_method != settings_row.kid_method:
            if kid_method not in KidMethod.values:
                errors["kid_method"] = _("Ugyldig valg.")
            else:
                settings_row.kid_method = kid_method
                changes["kid_method"] = kid_method
        if kid_length is not None and kid_length != settings_row.kid_length:
            if not KID_MIN_LENGTH <= kid_length <= KID_MAX_LENGTH:
                errors["kid_length"] = _("KID-lengden må være mellom %(min)s og %(max)s.") % {
                    "min": KID_MIN_LENGTH,
                    "max": KID_MAX_LENGTH,
                }
            else:
                settings_row.kid_length = kid_length
                changes["kid_length"] = kid_length
        if (
            default_payment_terms_days is not None
            and default_payment_terms_days != settings_row.default_payment_terms_days
        ):
            if not 0 <= default_payment_terms_days <= 365:
                errors["default_payment_terms_days"] = _(
                    "Betalingsfristen må være mellom 0 og 365 dager."
                )
            else:
                settings_row.default_payment_terms_days = default_payment_terms_days
                changes["default_payment_terms_days"] = default_payment_terms_days
        if max_days_ahead is not None and max_days_ahead != settings_row.max_days_ahead:
            if not 0 <= max_days_ahead <= MAX_DAYS_AHEAD_LIMIT:
                errors["max_days_ahead"] = _(
                    "Antall dager fram i tid må være mellom 0 og %(max)s."
                ) % {"max": MAX_DAYS_AHEAD_LIMIT}
            else:
                settings_row.max_days_ahead = max_days_ahead
                changes["max_days_ahead"] = max_days_ahead

        if errors:
            raise ValidationError(errors)
        settings_row.save()
        kid_changes = {f: (kid_before[f], changes[f]) for f in kid_before if f in changes}
        if kid_changes:
            # KID settings decide how payments are matched: every owner is told.
            changes["payment_details"] = payment_details_notify(
                company=company, actor=actor, changes=kid_changes
            )
        if changes:
            audit_log(
                action="invoicing.settings.updated",
                actor=actor,
                company=company,
                target=settings_row,
                data=changes,
            )
        return settings_row


def invoice_texts_update(
    *, company: Company, actor: Actor, payment_note_nb: str, payment_note_en: str
) -> InvoicingSettings:
    """Save the note printed under an invoice's payment details, per document language
    (``invoicing.texts``). A text equal to the default, or empty, follows the default.
    Issued invoices keep the note they were issued with."""
    given = {"payment_note_nb": payment_note_nb, "payment_note_en": payment_note_en}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, text in given.items():
        text = (text or "").strip()
        if text == DEFAULT_PAYMENT_NOTES[name.rpartition("_")[2]]:
            text = ""
        if len(text) > PAYMENT_NOTE_MAX_LENGTH:
            errors[name] = _("Høyst %(limit)s tegn.") % {"limit": PAYMENT_NOTE_MAX_LENGTH}
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    with _atomic_in_scope(company):
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        changed = [name for name, text in cleaned.items() if getattr(settings_row, name) != text]
        for name, text in cleaned.items():
            setattr(settings_row, name, text)
        settings_row.save(update_fields=[*cleaned, "updated_at"])
        if changed:
            audit_log(
                action="invoicing.texts.updated",
                actor=actor,
                company=company,
                target=settings_row,
                data={"fields": changed},
            )
        return settings_row
