"""Quotes (tilbud): numbered offers to a client, accepted or declined, then invoiced.

Receivables layer: may use invoicing, documents and delivery; nothing lower imports it.

A quote is numbered when it is created, from its own gapless series per company
(``QuoteNumberSeries``, locked with ``select_for_update`` like invoicing's ``NumberSeries``)
and is never deleted, so the series has no gaps (a quote that is not wanted is declined).
It can be edited until it is sent. Its figures follow the invoice rules
(``invoicing.calculation``, the VAT rate in force on the quote date) and are stored on save.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from catalog.units import Unit
from core.models import AppendOnlyError, TenantModel
from core.money import MONEY, ZERO


class QuoteNumberingError(AppendOnlyError):
    """An attempt to move the quote series other than by taking its next number."""


class _SeriesQuerySet(models.QuerySet["QuoteNumberSeries"]):
    def update(self, **kwargs: Any) -> int:
        raise QuoteNumberingError("The quote series changes only through save().")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise QuoteNumberingError("The quote series cannot be deleted.")


class QuoteNumberSeries(TenantModel):
    """The company's quote numbers: the creating transaction locks this row."""

    next_number = models.PositiveBigIntegerField(_("neste nummer"), default=1)

    # The Django plugin cannot name django_scopes' manager classes (built in a function) and
    # types every scoped manager as TenantModel's; a second one looks like a conflict to it.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_SeriesQuerySet.as_manager().__class__,  # type: ignore[arg-type]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="quoteseries_one_per_company")
        ]
        verbose_name = _("nummerserie for tilbud")
        verbose_name_plural = _("nummerserier for tilbud")

    def __str__(self) -> str:
        return f"quotes: next {self.next_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            stored = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values_list("next_number", flat=True)
                .first()
            )
            if stored is not None and self.next_number not in (stored, stored + 1):
                raise QuoteNumberingError("The quote series can only take its next number.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise QuoteNumberingError("The quote series cannot be deleted.")


class Quote(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Ikke sendt")
        SENT = "sent", _("Sendt")
        ACCEPTED = "accepted", _("Akseptert")
        DECLINED = "declined", _("Avslått")
        INVOICED = "invoiced", _("Fakturert")

    class DecidedBy(models.TextChoices):
        USER = "user", _("Registrert av bruker")
        CLIENT_LINK = "link", _("Kunden via lenke")

    class EmailStatus(models.TextChoices):
        NONE = "", _("Ikke sendt på e-post")
        QUEUED = "queued", _("I kø")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    number = models.PositiveBigIntegerField(_("tilbudsnummer"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    client = models.ForeignKey(
        "customers.Client", on_delete=models.PROTECT, related_name="quotes", verbose_name=_("kunde")
    )
    quote_date = models.DateField(_("tilbudsdato"))
    valid_until = models.DateField(_("gyldig til"))
    our_reference = models.CharField(_("vår referanse"), max_length=100, blank=True)
    their_reference = models.CharField(_("deres referanse"), max_length=100, blank=True)
    free_text = models.TextField(_("fritekst"), blank=True, max_length=2000)
    currency = models.CharField(_("valuta"), max_length=3, default="NOK")
    total_excl_vat = models.DecimalField(_("sum eks. MVA"), default=ZERO, **MONEY)
    total_vat = models.DecimalField(_("MVA"), default=ZERO, **MONEY)
    total_incl_vat = models.DecimalField(_("sum inkl. MVA"), default=ZERO, **MONEY)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    email_status = models.CharField(
        _("e-post"), max_length=10, choices=EmailStatus.choices, blank=True, default=""
    )
    email_recipients = models.CharField(_("sendt til"), max_length=500, blank=True)
    email_error = models.TextField(_("feil ved e-post"), blank=True)
    decided_at = models.DateTimeField(_("besluttet"), null=True, blank=True)
    decided_by = models.CharField(
        _("besluttet av"), max_length=5, choices=DecidedBy.choices, blank=True
    )
    decision_note = models.CharField(_("kommentar"), max_length=500, blank=True)
    # What the client was sent: seller and buyer as they were when the quote was first
    # sent (e-mail or "mark as sent"); the PDF of a sent quote is rendered from these, so
    # a later change of the client's address or the company's name does not rewrite it.
    seller_snapshot = models.JSONField(null=True, blank=True, editable=False)
    buyer_snapshot = models.JSONField(null=True, blank=True, editable=False)
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faktura"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    OPEN_STATUSES = (Status.DRAFT, Status.SENT)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="quote_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("quote_date")),
                name="quote_valid_not_before_date",
            ),
        ]
        indexes = [models.Index(fields=["company", "status", "-number"])]
        verbose_name = _("tilbud")
        verbose_name_plural = _("tilbud")

    def __str__(self) -> str:
        return f"{_('Tilbud')} {self.number}"

    def is_expired(self, *, today: Any) -> bool:
        """Open (not accepted, declined or invoiced) and past its valid-until date."""
        return self.status in self.OPEN_STATUSES and self.valid_until < today


class QuoteLine(TenantModel):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("linje"))
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("produkt"),
    )
    description = models.CharField(_("beskrivelse"), max_length=500, blank=True)
    quantity = models.DecimalField(_("antall"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("enhet"), max_length=3, choices=Unit.choices, default=Unit.PIECE)
    unit_price = models.DecimalField(
        _("enhetspris eks. MVA"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    discount_percent = models.DecimalField(
        _("rabatt %"), max_digits=5, decimal_places=2, default=ZERO
    )
    vat_code = models.ForeignKey(
        "catalog.VatCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("MVA-kode")
    )
    vat_rate = models.DecimalField(_("MVA-sats"), max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(_("beløp eks. MVA"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "quote", "position"], name="quoteline_unique_position"
            )
        ]
        verbose_name = _("tilbudslinje")
        verbose_name_plural = _("tilbudslinjer")

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"
