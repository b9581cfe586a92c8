"""Limits and helpers shared by the invoicing services (the one place for the amount limits)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import Company
from catalog.models import VatCode
from core.audit import Actor
from core.models import AuditEntry
from invoicing.calculation import Totals
from invoicing.models import Invoice, InvoicingSettings, NumberSeries

REVERSE_CHARGE = VatCode.Category.REVERSE_CHARGE
OPEN_STATUSES = Invoice.OPEN_STATUSES
MAX_QUANTITY = Decimal("9999999999")
# Every stored amount must come back from the database exactly. SQLite keeps decimals as
# 64-bit floats, which Django reads back with 15 significant digits; with 2 decimals that
# is 13 digits before the comma. Unit prices, line amounts, totals and the VAT in NOK are
# capped here (the one rule; forms and the API get it from the services).
MAX_AMOUNT = Decimal("9999999999999.99")
# Exchange rates have 6 decimals; 15 significant digits leave 9 before the comma.
MAX_EXCHANGE_RATE = Decimal("999999999.999999")


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == AuditEntry.ActorKind.USER else None


def _ensure_settings(company: Company) -> InvoicingSettings:
    settings_row, _created = InvoicingSettings.objects.get_or_create(company=company)
    return settings_row


def _series(company: Company, kind: str) -> NumberSeries:
    series, _created = NumberSeries.objects.get_or_create(company=company, kind=kind)
    return series


def _series_kind_for(settings_row: InvoicingSettings, document_kind: str) -> str:
    if (
        document_kind == Invoice.Kind.CREDIT_NOTE
        and settings_row.credit_note_numbering
        == InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
    ):
        return NumberSeries.Kind.CREDIT_NOTE
    return NumberSeries.Kind.INVOICE


def _same_company(obj: Any, company: Company, field: str) -> None:
    if obj is not None and obj.company_id != company.pk:
        raise ValidationError({field: _("Finnes ikke.")}, code="not_found")


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _amount_text(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=_decimal_places(value), force_grouping=True)


def _amount_limit_text(what: str) -> str:
    return _(
        "%(what)s kan ikke være større enn %(max)s (det største beløpet som lagres nøyaktig)"
    ) % {"what": what, "max": _amount_text(MAX_AMOUNT)}


def totals_limit_problem(totals: Totals) -> str | None:
    """The message when a document's figures could not all be stored exactly (any total,
    VAT group or VAT in NOK above ``MAX_AMOUNT``), else None. Issuing refuses such a
    document; the editor's live totals show the same message before that."""
    amounts = (
        totals.total_excl_vat,
        totals.total_vat,
        totals.total_incl_vat,
        totals.total_vat_nok,
        *(group.vat_nok for group in totals.vat_groups),
        *(group.basis for group in totals.vat_groups),
    )
    if any(abs(amount) > MAX_AMOUNT for amount in amounts):
        return _amount_limit_text(_("Fakturaens beløp")) + "."
    return None


def _require_draft(invoice: Invoice) -> None:
    if not invoice.is_draft:
        raise ValidationError(
            _("Fakturaen er utstedt og kan ikke endres eller slettes. Lag en kreditnota."),
            code="not_draft",
        )


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _format_money(amount: Decimal) -> str:
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
