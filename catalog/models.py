from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.units import Unit
from core.languages import is_english
from core.models import TenantModel


class VatCode(models.Model):
    """An output VAT code: the SAF-T standard tax code, mapped to its UBL category.

    The rate is not stored here: rates change over time, see ``VatRate``.
    """

    class Category(models.TextChoices):
        STANDARD = "S", _("Standard sats")
        ZERO = "Z", _("Nullsats (fritatt)")
        EXEMPT = "E", _("Unntatt")
        REVERSE_CHARGE = "AE", _("Omvendt avgiftsplikt")
        EXPORT = "G", _("Utførsel")
        OUTSIDE_SCOPE = "O", _("Utenfor merverdiavgiftsloven")

    code = models.CharField(_("kode"), max_length=4, unique=True)
    name_nb = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    ubl_category = models.CharField(max_length=2, choices=Category.choices)
    # EN 16931 BT-121/BT-120: required for E, AE, G and O categories.
    exemption_reason_code = models.CharField(max_length=30, blank=True)
    exemption_reason = models.CharField(max_length=200, blank=True)
    # Text the law requires on the invoice (reverse charge).
    invoice_text = models.CharField(max_length=200, blank=True)
    # Usable by a seller that is not in Merverdiavgiftsregisteret.
    allowed_without_vat_registration = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("MVA-kode")
        verbose_name_plural = _("MVA-koder")

    def __str__(self) -> str:
        return f"{self.code} {self.name_in()}"

    def name_in(self, language: str | None = None) -> str:
        """The code's name in ``language`` (default: the active one): the Tax
        Administration's English name for English, else its bokmål name."""
        return self.name_en if is_english(language) else self.name_nb


class VatRate(models.Model):
    """The rate of a VAT code from a date on; the rate in force on the delivery date applies."""

    vat_code = models.ForeignKey(VatCode, on_delete=models.PROTECT, related_name="rates")
    valid_from = models.DateField()
    rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["vat_code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["vat_code", "valid_from"], name="vatrate_unique_from")
        ]

    def __str__(self) -> str:
        return f"{self.vat_code.code}: {self.rate} % from {self.valid_from}"


class Product(TenantModel):
    number = models.CharField(_("varenummer"), max_length=30)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=2000)
    unit = models.CharField(_("enhet"), max_length=3, choices=Unit.choices, default=Unit.PIECE)
    unit_price = models.DecimalField(
        _("enhetspris eks. MVA"),
        max_digits=18,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    vat_code = models.ForeignKey(
        VatCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("MVA-kode")
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="product_number_unique")
        ]
        verbose_name = _("produkt")
        verbose_name_plural = _("produkter")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
