"""The company's report settings: its VAT term and its revenue-account mapping.

Everything else the reports show is read from invoicing's tables (``selectors.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel
from reports.accounts_data import REVENUE_ACCOUNTS, VAT_ACCOUNTS, account_choices


class ReportSettings(TenantModel):
    """One row per company, created on first use."""

    class VatTerm(models.TextChoices):
        BIMONTHLY = "bimonthly", _("Tomånedlig (seks terminer i året)")
        YEARLY = "yearly", _("Årlig (én termin)")

    vat_term = models.CharField(
        _("MVA-termin"), max_length=10, choices=VatTerm.choices, default=VatTerm.BIMONTHLY
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="reportsettings_one_per_company")
        ]
        verbose_name = _("rapportinnstillinger")
        verbose_name_plural = _("rapportinnstillinger")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.vat_term}"


# Validation and the admin, in bokmål as the SAF-T file names the accounts; the settings
# form labels them in the page's language.
REVENUE_ACCOUNT_CHOICES = account_choices(REVENUE_ACCOUNTS, "nb")
VAT_ACCOUNT_CHOICES = [("", "—"), *account_choices(VAT_ACCOUNTS, "nb")]


class RevenueAccount(TenantModel):
    """Where the revenue (and output VAT) of a VAT code is booked; defaults in ``accounts_data``."""

    vat_code = models.ForeignKey(
        "catalog.VatCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("MVA-kode")
    )
    revenue_account = models.CharField(
        _("inntektskonto"), max_length=4, choices=REVENUE_ACCOUNT_CHOICES
    )
    vat_account = models.CharField(
        _("konto for utgående MVA"), max_length=4, blank=True, choices=VAT_ACCOUNT_CHOICES
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "vat_code"], name="revenueaccount_unique_code"
            )
        ]
        verbose_name = _("inntektskonto")
        verbose_name_plural = _("inntektskontoer")

    def __str__(self) -> str:
        return f"{self.vat_code_id}: {self.revenue_account}/{self.vat_account}"
