"""Changes to the report settings: the VAT term and the revenue-account mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from accounts.models import Company
from catalog.models import VatCode
from core.audit import Actor, audit_log
from reports.accounts_data import REVENUE_ACCOUNTS, VAT_ACCOUNTS
from reports.models import ReportSettings, RevenueAccount

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def report_settings_update(*, company: Company, actor: Actor, vat_term: str) -> ReportSettings:
    """Set whether the company reports VAT bimonthly or yearly."""
    if vat_term not in ReportSettings.VatTerm.values:
        raise ValidationError({"vat_term": _("Ukjent MVA-termin.")}, code="invalid")
    with transaction.atomic(), scope(company=company):
        row, _created = ReportSettings.objects.select_for_update().get_or_create(company=company)
        previous = row.vat_term
        row.vat_term = vat_term
        row.save()
        audit_log(
            action="reports.settings.updated",
            actor=actor,
            company=company,
            target=row,
            data={"vat_term": vat_term, "previous": previous},
        )
        return row


def revenue_accounts_set(
    *, company: Company, actor: Actor, accounts: dict[str, tuple[str, str]]
) -> None:
    """Map VAT codes to (revenue account, output-VAT account); codes not given stay."""
    errors: dict[str, StrOrPromise] = {}
    codes = {code.code: code for code in VatCode.objects.filter(code__in=list(accounts))}
    for code, (revenue, vat) in accounts.items():
        if code not in codes:
            errors[f"revenue_{code}"] = _("Ukjent MVA-kode %(code)s.") % {"code": code}
        elif revenue not in REVENUE_ACCOUNTS:
            errors[f"revenue_{code}"] = _("Velg en inntektskonto fra listen.")
        elif vat and vat not in VAT_ACCOUNTS:
            errors[f"vat_{code}"] = _("Velg en MVA-konto fra listen.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), scope(company=company):
        for code, (revenue, vat) in accounts.items():
            RevenueAccount.objects.update_or_create(
                company=company,
                vat_code=codes[code],
                defaults={"revenue_account": revenue, "vat_account": vat},
            )
        audit_log(
            action="reports.accounts.updated",
            actor=actor,
            company=company,
            target=None,
            data={code: list(pair) for code, pair in sorted(accounts.items())},
        )
