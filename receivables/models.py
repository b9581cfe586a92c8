"""Receivables: statutory figures, reminder settings, disputes, letters, fee/interest
claims, collection and bank payment imports.

State changes go through ``receivables.services`` only; the rules are in
``receivables.rules`` (pure functions, no database). See ``docs/receivables.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.models import AppendOnlyError, AppendOnlyQuerySet, TenantModel
from core.money import MONEY, ZERO

# --- Statutory figures (global, dated) -------------------------------------------------------


class StatutoryFigure(models.Model):
    """One dated statutory figure, set by regulation and edited by operator staff.

    - ``inkassosats`` (NOK): the fees are derived from it (purregebyr and the creditor's
      inkassovarsel fee 1/20, betalingsoppfordring 3/20, rounded to whole kroner);
    - ``late_interest`` (% p.a.): forsinkelsesrente, set per half-year;
    - ``compensation`` (NOK): forsinkelsesrenteloven § 3a standardkompensasjon, per half-year.

    A figure applies from ``valid_from`` to ``valid_to`` (inclusive; empty: until a newer
    figure). A date no row covers is an error (``rules.FigureMissing``), never a guess.
    """

    class Kind(models.TextChoices):
        INKASSOSATS = "inkassosats", _("Inkassosats")
        LATE_INTEREST = "late_interest", _("Forsinkelsesrente (% p.a.)")
        COMPENSATION = "compensation", _("Standardkompensasjon (§ 3a)")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("gjelder fra"))
    valid_to = models.DateField(_("gjelder til"), null=True, blank=True)
    value = models.DecimalField(
        _("verdi"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="figure_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="figure_period_ordered",
            ),
        ]
        verbose_name = _("lovfastsatt sats")
        verbose_name_plural = _("lovfastsatte satser")

    def __str__(self) -> str:
        return f"{self.kind} {self.valid_from}: {self.value}"


# --- Per-company settings --------------------------------------------------------------------


class ReminderSettings(TenantModel):
    """A company's reminder (purring) settings; one row per company, made on first use."""

    enabled = models.BooleanField(_("send purringer automatisk"), default=False)
    reminder1_days = models.PositiveSmallIntegerField(
        _("purring 1: dager etter forfall"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    reminder2_days = models.PositiveSmallIntegerField(
        _("purring 2: dager etter forfall"),
        default=35,
        validators=[MinValueValidator(2), MaxValueValidator(365)],
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("ny betalingsfrist (dager)"),
        default=14,
        validators=[MinValueValidator(14), MaxValueValidator(60)],
    )
    charge_fee = models.BooleanField(_("ta purregebyr"), default=True)
    add_interest = models.BooleanField(_("beregn forsinkelsesrente"), default=True)
    claim_compensation = models.BooleanField(
        _("kreve standardkompensasjon av bedriftskunder"), default=False
    )
    email_text_nb = models.TextField(_("e-posttekst (bokmål)"), blank=True, max_length=2000)
    email_text_en = models.TextField(_("e-posttekst (engelsk)"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="remindersettings_one_per_company")
        ]
        verbose_name = _("purreinnstillinger")
        verbose_name_plural = _("purreinnstillinger")

    def __str__(self) -> str:
        return f"{self.company_id}: {'on' if self.enabled else 'off'}"


# --- Disputes --------------------------------------------------------------------------------


class Dispute(TenantModel):
    """The client objects to the claim: while open, all collection of the invoice stops
    (inkassoloven § 17: no collection costs against a reasonable objection)."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="disputes"
    )
    reason = models.CharField(_("begrunnelse"), max_length=1000)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(_("avklaring"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoice"],
                condition=Q(resolved_at__isnull=True),
                name="dispute_one_open_per_invoice",
            )
        ]
        verbose_name = _("innsigelse")
        verbose_name_plural = _("innsigelser")

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.reason[:40]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# --- Letters (reminders, inkassovarsel) -----------------------------------------------------


class Letter(TenantModel):
    """A reminder or inkassovarsel sent for an invoice. Its content is frozen at sending
    (``content``): the PDF is rendered from it, whatever changes later, with the seller and
    buyer of its invoice's snapshots (``selectors.letter_document``)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Purring")
        COLLECTION_NOTICE = "inkassovarsel", _("Inkassovarsel")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Venter")
        SENT = "sent", _("Sendt på e-post")
        MANUAL = "manual", _("Skrives ut / sendes manuelt")
        FAILED = "failed", _("Feilet")

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    sent_on = models.DateField(_("sendt"))
    deadline = models.DateField(_("ny frist"))
    fee_bearing = models.BooleanField(_("med gebyr"), default=False)
    content = models.JSONField(default=dict)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    delivery_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["invoice", "sent_on", "id"]
        indexes = [models.Index(fields=["company", "invoice", "sent_on"])]
        verbose_name = _("purrebrev")
        verbose_name_plural = _("purrebrev")

    def __str__(self) -> str:
        return f"{self.kind} {self.invoice_id} {self.sent_on}"


# --- Claims outside the VAT base ------------------------------------------------------------


class ReceivableItem(TenantModel):
    """A claim on top of an invoice's principal, outside the VAT base
    (merverdiavgiftsloven § 4-1): a reminder fee, an inkassovarsel fee, the § 3a
    compensation, or late interest up to ``interest_to``.

    ``paid_amount`` grows through ``ItemAllocation`` rows (a payment's part that covered
    this item); a waived item is no longer owed (``waived_at``). Open amount = amount −
    paid − (all of it if waived).
    """

    class Kind(models.TextChoices):
        REMINDER_FEE = "reminder_fee", _("Purregebyr")
        NOTICE_FEE = "notice_fee", _("Gebyr for inkassovarsel")
        COMPENSATION = "compensation", _("Standardkompensasjon")
        INTEREST = "interest", _("Forsinkelsesrente")

    FEE_KINDS = frozenset({"reminder_fee", "notice_fee"})

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="receivable_items"
    )
    client = models.ForeignKey(
        "customers.Client", on_delete=models.PROTECT, related_name="receivable_items"
    )
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    date = models.DateField(_("dato"))
    amount = models.DecimalField(_("beløp"), validators=[MinValueValidator(ZERO)], **MONEY)
    currency = models.CharField(max_length=3, default="NOK")
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    # Late interest: the period and the parts at each rate ([{from,to,days,rate,amount}]).
    interest_from = models.DateField(null=True, blank=True)
    interest_to = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    paid_amount = models.DecimalField(_("betalt"), default=ZERO, **MONEY)
    waived_at = models.DateTimeField(_("frafalt"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    waive_reason = models.CharField(_("begrunnelse for frafall"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "date", "id"]
        indexes = [
            models.Index(fields=["company", "invoice"]),
            models.Index(fields=["company", "client", "date"]),
        ]
        verbose_name = _("tilleggskrav")
        verbose_name_plural = _("tilleggskrav")

    def __str__(self) -> str:
        return f"{self.kind} {self.invoice_id} {self.amount}"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def open_amount(self) -> Decimal:
        if self.is_waived:
            return ZERO
        return max(self.amount - self.paid_amount, ZERO)

    @property
    def is_paid(self) -> bool:
        return not self.is_waived and self.amount > 0 and self.paid_amount >= self.amount


class ItemAllocation(TenantModel):
    """The part of a received payment that covered a receivable item (append-only)."""

    item = models.ForeignKey(ReceivableItem, on_delete=models.PROTECT, related_name="allocations")
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    bank_transaction = models.ForeignKey(
        "receivables.BankTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The Django plugin cannot name django_scopes' manager classes (built in a function) and
    # types every scoped manager as TenantModel's; a second one looks like a conflict to it.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=AppendOnlyQuerySet.as_manager().__class__,  # type: ignore[arg-type]
    )

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("innbetaling av tilleggskrav")
        verbose_name_plural = _("innbetalinger av tilleggskrav")

    def __str__(self) -> str:
        return f"{self.item_id} {self.date} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("ItemAllocation rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ItemAllocation rows cannot be deleted.")


# --- Collection -----------------------------------------------------------------------------


class CollectionCase(TenantModel):
    """The invoice was handed to a collection agency (after an inkassovarsel)."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="collection_cases"
    )
    agency_name = models.CharField(_("inkassobyrå"), max_length=200)
    sent_on = models.DateField(_("oversendt"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "invoice"], name="collection_once")
        ]
        verbose_name = _("inkassosak")
        verbose_name_plural = _("inkassosaker")

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.agency_name}"


# --- Bank payment imports -------------------------------------------------------------------


class BankImport(TenantModel):
    """One uploaded bank file (Nets OCR giro, camt.054 or camt.053)."""

    class Format(models.TextChoices):
        OCR = "ocr", _("Nets OCR giro")
        CAMT054 = "camt054", _("ISO 20022 camt.054")
        CAMT053 = "camt053", _("ISO 20022 camt.053")

    file_name = models.CharField(_("filnavn"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    sha256 = models.CharField(max_length=64)
    transaction_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bankfil")
        verbose_name_plural = _("bankfiler")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.format})"


class BankTransaction(TenantModel):
    """One incoming payment line of a bank file, kept with its outcome.

    ``archive_reference`` is the bank's unique reference for the transaction (OCR:
    arkivreferanse; camt: AcctSvcrRef). It is unique per company: importing the same
    transaction again (the same file twice, or two imports at once) adds nothing.
    """

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Betalt (KID)")
        PARTIAL = "partial", _("Beløpet er mindre enn kravet")
        OVERPAID = "overpaid", _("Beløpet er større enn kravet")
        UNKNOWN_KID = "unknown_kid", _("Ukjent KID")
        NO_KID = "no_kid", _("Uten KID")
        NOT_OPEN = "not_open", _("Fakturaen er ikke åpen")
        OTHER_CURRENCY = "other_currency", _("Annen valuta enn fakturaen")

    class Status(models.TextChoices):
        MATCHED = "matched", _("Registrert automatisk")
        UNMATCHED = "unmatched", _("Ikke avstemt")
        ASSIGNED = "assigned", _("Ført mot faktura")
        SET_ASIDE = "set_aside", _("Holdt utenfor")
        # Rows of earlier versions only: the amount was booked as an overpayment of the
        # client's latest paid invoice. Unmatched money now waits here until assigned.
        CREDITED = "credited", _("Ført som kundens tilgodehavende")

    class SetAsideReason(models.TextChoices):
        RETURNED = "returned", _("Betalt tilbake til betaleren")
        NOT_CUSTOMER = "not_customer", _("Ikke en kundebetaling")

    bank_import = models.ForeignKey(
        BankImport, on_delete=models.PROTECT, related_name="transactions"
    )
    archive_reference = models.CharField(_("arkivreferanse"), max_length=100)
    kid = models.CharField(_("KID"), max_length=30, blank=True)
    amount = models.DecimalField(_("beløp"), **MONEY)
    currency = models.CharField(max_length=3, default="NOK")
    booking_date = models.DateField(_("bokført"))
    payer_name = models.CharField(_("betaler"), max_length=200, blank=True)
    payer_account = models.CharField(_("fra konto"), max_length=40, blank=True)
    message = models.CharField(_("melding"), max_length=500, blank=True)
    outcome = models.CharField(_("resultat"), max_length=15, choices=Outcome.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_transactions",
    )
    payment = models.ForeignKey(
        "invoicing.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client = models.ForeignKey(
        "customers.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_aside_reason = models.CharField(
        _("årsak"), max_length=15, choices=SetAsideReason.choices, blank=True
    )
    note = models.CharField(_("merknad"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-booking_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "archive_reference"], name="banktransaction_unique_archive"
            )
        ]
        indexes = [models.Index(fields=["company", "status", "-booking_date"])]
        verbose_name = _("banktransaksjon")
        verbose_name_plural = _("banktransaksjoner")

    def __str__(self) -> str:
        return f"{self.archive_reference} {self.amount}"
