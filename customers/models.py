from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.identifiers import validate_orgnr
from core.models import TenantModel


class Client(TenantModel):
    """One of a company's own customers: who its invoices are addressed to."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Bedrift")
        PERSON = "person", _("Privatperson")

    class Language(models.TextChoices):
        NB = "nb", _("Norsk bokmål")
        EN = "en", _("English")

    class DeliveryChannel(models.TextChoices):
        EHF = "ehf", _("EHF (Peppol)")
        EMAIL = "email", _("E-post")
        MANUAL = "manual", _("Manuelt (last ned / skriv ut)")

    class PriceDisplay(models.TextChoices):
        AUTO = "auto", _("Automatisk: inkl. mva for privatpersoner, ellers eks. mva")
        EXCLUDING_VAT = "excl", _("Eks. mva")
        INCLUDING_VAT = "incl", _("Inkl. mva")

    number = models.PositiveIntegerField(_("kundenummer"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("navn"), max_length=200)
    organization_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_orgnr]
    )
    # A foreign buyer's VAT number with its country prefix (SE556677889901), checked with
    # python-stdnum; Norwegian buyers are identified by the organisasjonsnummer.
    vat_number = models.CharField(_("utenlandsk MVA-nummer"), max_length=30, blank=True)
    address_line = models.CharField(_("adresse"), max_length=200, blank=True)
    address_line2 = models.CharField(_("adresselinje 2"), max_length=200, blank=True)
    postcode = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("poststed"), max_length=100, blank=True)
    country = models.CharField(_("land"), max_length=2, default="NO")
    # One or more addresses, comma-separated; invoices by e-mail go to all of them.
    invoice_emails = models.CharField(_("e-post for faktura"), max_length=500, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    contact_person = models.CharField(_("kontaktperson"), max_length=150, blank=True)
    their_reference = models.CharField(_("deres referanse"), max_length=100, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("betalingsfrist (dager)"), default=14, validators=[MaxValueValidator(365)]
    )
    language = models.CharField(
        _("språk på faktura"), max_length=2, choices=Language.choices, default=Language.NB
    )
    peppol_id = models.CharField(_("Peppol-ID"), max_length=64, blank=True)
    delivery_channel = models.CharField(
        _("utsendelse"),
        max_length=10,
        choices=DeliveryChannel.choices,
        default=DeliveryChannel.EMAIL,
    )
    price_display = models.CharField(
        _("priser på fakturaen"),
        max_length=4,
        choices=PriceDisplay.choices,
        default=PriceDisplay.AUTO,
    )
    notes = models.TextField(_("notater"), blank=True, max_length=5000)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="client_number_unique")
        ]
        indexes = [
            # The id too: the invoice list sorted by client walks the clients in
            # (name, id) order from a row value (``invoicing.pagination._walk_keys``).
            models.Index(fields=["company", "name", "id"], name="client_name_order"),
            models.Index(fields=["company", "organization_number"]),
        ]
        verbose_name = _("kunde")
        verbose_name_plural = _("kunder")

    @property
    def prices_include_vat(self) -> bool:
        """Whether its PDFs show line prices incl. VAT (consumers by default)."""
        if self.price_display == self.PriceDisplay.AUTO:
            return self.kind == self.Kind.PERSON
        return self.price_display == self.PriceDisplay.INCLUDING_VAT

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def invoice_email_list(self) -> list[str]:
        return [email.strip() for email in self.invoice_emails.split(",") if email.strip()]
