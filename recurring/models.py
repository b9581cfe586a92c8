"""Recurring invoice templates and their runs (receivables layer).

A ``RecurringInvoice`` is a template: a client, lines and an interval of N months from a
start date. Period k runs from ``start + k·N months`` to the day before
``start + (k+1)·N months``, always counted from the start date (``dateutil.relativedelta``),
so 31 January gives 28/29 February, then 31 March: the day never drifts.

Each generated period is one ``RecurringRun`` row, unique per template and period start:
the same period can never produce two invoices, whoever runs the job and how often. A run
that failed (a VAT rate missing on the date, a rule that refuses the issue) keeps its row
with the error, is shown to the user and retried.

Invoices are never written here: ``recurring.services`` calls ``invoicing.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.units import Unit
from core.models import TenantModel
from core.money import MONEY, ZERO

MAX_INTERVAL_MONTHS = 60


class RecurringInvoice(TenantModel):
    """A template that makes one invoice per period."""

    class Mode(models.TextChoices):
        ISSUE = "issue", _("Utsted automatisk")
        DRAFT = "draft", _("Lag bare utkast")

    name = models.CharField(_("navn"), max_length=200)
    client = models.ForeignKey(
        "customers.Client",
        on_delete=models.PROTECT,
        related_name="recurring_invoices",
        verbose_name=_("kunde"),
    )
    interval_months = models.PositiveSmallIntegerField(
        _("intervall (måneder)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INTERVAL_MONTHS)],
    )
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("sluttdato"), null=True, blank=True)
    max_count = models.PositiveIntegerField(_("antall fakturaer"), null=True, blank=True)
    mode = models.CharField(
        _("ved hver periode"), max_length=10, choices=Mode.choices, default=Mode.ISSUE
    )
    send_automatically = models.BooleanField(_("send automatisk"), default=False)
    our_reference = models.CharField(_("vår referanse"), max_length=100, blank=True)
    free_text = models.TextField(_("fritekst"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # The next period to generate (0-based) and its first day; None when finished.
    next_sequence = models.PositiveIntegerField(default=0)
    next_period_start = models.DateField(_("neste periode"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="recurring_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(interval_months__gte=1) & Q(interval_months__lte=MAX_INTERVAL_MONTHS),
                name="recurring_interval_range",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "next_period_start"])]
        verbose_name = _("repeterende faktura")
        verbose_name_plural = _("repeterende fakturaer")

    def __str__(self) -> str:
        return self.name


class RecurringInvoiceLine(TenantModel):
    """One line of the template, copied into every generated invoice."""

    template = models.ForeignKey(RecurringInvoice, on_delete=models.CASCADE, related_name="lines")
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

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "template", "position"], name="recurringline_unique_position"
            )
        ]
        verbose_name = _("linje i repeterende faktura")
        verbose_name_plural = _("linjer i repeterende fakturaer")

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"


class RecurringRun(TenantModel):
    """One period of one template: the invoice it made, or why it failed."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Utstedt")
        DRAFT = "draft", _("Utkast laget")
        FAILED = "failed", _("Feilet")

    template = models.ForeignKey(RecurringInvoice, on_delete=models.CASCADE, related_name="runs")
    sequence = models.PositiveIntegerField(_("periode nr."))
    period_start = models.DateField(_("periode fra"))
    period_end = models.DateField(_("periode til"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faktura"),
    )
    error = models.TextField(_("feil"), blank=True)
    send_error = models.TextField(_("feil ved utsendelse"), blank=True)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("count", "forsøk"), default=0)
    last_attempt_at = models.DateTimeField(_("siste forsøk"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-period_start"]
        constraints = [
            # The same period never generates twice (the daily job, a retry, two workers).
            models.UniqueConstraint(
                fields=["company", "template", "period_start"], name="recurringrun_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["company", "template", "sequence"], name="recurringrun_one_per_sequence"
            ),
        ]
        indexes = [models.Index(fields=["company", "status"])]
        verbose_name = _("kjøring av repeterende faktura")
        verbose_name_plural = _("kjøringer av repeterende fakturaer")

    def __str__(self) -> str:
        return f"{self.template_id} {self.period_start}–{self.period_end}: {self.status}"
