"""Invoices, credit notes, their lines and VAT breakdown, number series, payments.

State changes go through ``invoicing.services`` only. The model layer refuses what the law
forbids whoever calls it (bokføringsforskriften § 5-1-3, design.md §4):

- an issued document's content (``Invoice.FROZEN_FIELDS``) never changes, and an issued
  document is never deleted: ``Invoice.save``/``delete`` and the queryset's ``update``/
  ``delete`` raise ``IssuedDocumentError``;
- lines and VAT breakdown rows of an issued document can't be added, changed or deleted;
- payments and client balance entries are append-only (a mistake is reversed by a new
  entry);
- on PostgreSQL, triggers (migration 0002) enforce the same in the database.

Only ``Invoice.MUTABLE_FIELDS`` (status, paid/credited amounts, sent time) change after
issue, and only through the services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from catalog.units import Unit
from core.identifiers import KID_MAX_LENGTH, KID_MIN_LENGTH, KidMethod
from core.models import (
    AppendOnlyError,
    AppendOnlyQuerySet,
    TenantModel,
    company_key_indexed_by_composite,
)
from core.money import MONEY, ZERO, DecimalFieldOptions

DEFAULT_MAX_DAYS_AHEAD = 30
MAX_DAYS_AHEAD_LIMIT = 365


class IssuedDocumentError(AppendOnlyError):
    """An attempt to change or delete the content of an issued invoice or credit note."""


# --- Settings and number series ------------------------------------------------------------


class InvoicingSettings(TenantModel):
    """A company's invoicing settings; one row per company, created on first use."""

    class CreditNoteNumbering(models.TextChoices):
        SAME_SERIES = "same", _("Samme nummerserie som fakturaer")
        SEPARATE_SERIES = "separate", _("Egen nummerserie for kreditnotaer")

    credit_note_numbering = models.CharField(
        _("nummerering av kreditnotaer"),
        max_length=10,
        choices=CreditNoteNumbering.choices,
        default=CreditNoteNumbering.SAME_SERIES,
    )
    kid_method = models.CharField(
        _("KID-metode"), max_length=5, choices=KidMethod.choices, default=KidMethod.NONE
    )
    kid_length = models.PositiveSmallIntegerField(
        _("KID-lengde (med kontrollsiffer)"),
        default=10,
        validators=[MinValueValidator(KID_MIN_LENGTH), MaxValueValidator(KID_MAX_LENGTH)],
    )
    default_payment_terms_days = models.PositiveSmallIntegerField(
        _("standard betalingsfrist (dager)"), default=14, validators=[MaxValueValidator(365)]
    )
    # How far ahead of today an invoice may be dated (a VAT invoice is not issued before
    # the delivery, merverdiavgiftsloven § 15-10; a date far ahead is almost always a typo).
    max_days_ahead = models.PositiveSmallIntegerField(
        _("fakturadato inntil så mange dager fram i tid"),
        default=DEFAULT_MAX_DAYS_AHEAD,
        validators=[MaxValueValidator(MAX_DAYS_AHEAD_LIMIT)],
    )
    # The last day of the last VAT term the company has reported (skattemelding for
    # merverdiavgift): no invoice or credit note may be dated on or before it.
    vat_reported_through = models.DateField(_("MVA rapportert til og med"), null=True, blank=True)
    # The note under the payment details of an invoice, per document language
    # (``invoicing.texts``); empty: the default text of that language.
    payment_note_nb = models.TextField(_("betalingsmerknad (norsk)"), max_length=600, blank=True)
    payment_note_en = models.TextField(_("betalingsmerknad (engelsk)"), max_length=600, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="invoicingsettings_one_per_company")
        ]
        verbose_name = _("fakturainnstillinger")
        verbose_name_plural = _("fakturainnstillinger")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.credit_note_numbering}, KID {self.kid_method}"


class NumberingError(AppendOnlyError):
    """An attempt to move a number series other than by taking its next number."""


class NumberSeriesQuerySet(models.QuerySet["NumberSeries"]):
    def update(self, **kwargs: Any) -> int:
        raise NumberingError("Number series change only through NumberSeries.save().")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NumberingError("Number series cannot be deleted.")


NumberSeriesManager = models.Manager.from_queryset(NumberSeriesQuerySet)


class NumberSeries(TenantModel):
    """A continuous, gapless number series: the issuing transaction locks this row.

    ``next_number`` is taken and incremented inside the transaction that issues the
    document, so a rolled-back issue consumes no number (unlike a database sequence).

    Two changes are possible, guarded here and by a PostgreSQL trigger: choosing the first
    number while the series is unused (first = next), and taking numbers: next + 1, or
    next + N once documents with all N numbers are in the series (the set-based issue
    writes them first). Nobody can skip, reuse or renumber.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Fakturaer")
        CREDIT_NOTE = "credit_note", _("Kreditnotaer")

    kind = models.CharField(_("serie"), max_length=12, choices=Kind.choices)
    first_number = models.PositiveBigIntegerField(
        _("første nummer"), default=1, validators=[MinValueValidator(1)]
    )
    next_number = models.PositiveBigIntegerField(_("neste nummer"), default=1)

    # The Django plugin cannot follow the class django_scopes builds inside ScopedManager and
    # types TenantModel's as UnknownManager; declared by the class it subclasses, the
    # queryset's own methods keep their types.
    objects: ClassVar[NumberSeriesManager[NumberSeries]] = ScopedManager(  # type: ignore[assignment]
        company="company", _manager_class=NumberSeriesManager
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "kind"], name="numberseries_unique_kind"),
            models.CheckConstraint(
                condition=Q(next_number__gte=models.F("first_number")),
                name="numberseries_next_not_below_first",
            ),
        ]
        verbose_name = _("nummerserie")
        verbose_name_plural = _("nummerserier")

    def __str__(self) -> str:
        return f"{self.kind}: next {self.next_number}"

    @property
    def is_used(self) -> bool:
        """True once a number has been taken: the first number is then fixed for good."""
        return self.next_number > self.first_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            stored = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values("company_id", "kind", "first_number", "next_number")
                .first()
            )
            if stored is not None:
                same_series = (self.company_id, self.kind) == (
                    stored["company_id"],
                    stored["kind"],
                )
                choosing_first = (
                    stored["next_number"] == stored["first_number"]
                    and self.next_number == self.first_number
                )
                taking_next = (
                    self.first_number == stored["first_number"]
                    and self.next_number == stored["next_number"] + 1
                )
                unchanged = (self.first_number, self.next_number) == (
                    stored["first_number"],
                    stored["next_number"],
                )
                if (
                    same_series
                    and not (choosing_first or taking_next or unchanged)
                    and self.first_number == stored["first_number"]
                    and self.next_number > stored["next_number"]
                ):
                    taking_next = self._numbers_taken(stored["next_number"], self.next_number)
                if not same_series or not (choosing_first or taking_next or unchanged):
                    raise NumberingError(
                        f"Number series {self.kind} can only take its next number "
                        f"({stored['next_number']})."
                    )
        super().save(*args, **kwargs)

    def _numbers_taken(self, first: int, stop: int) -> bool:
        """Whether every number from ``first`` up to ``stop`` is on a document of this
        series already: a set-based issue writes its documents, then advances by their
        count. Numbers are unique per series, so the count proves there is no gap."""
        taken = Invoice._base_manager.filter(
            company_id=self.company_id, series_id=self.pk, number__gte=first, number__lt=stop
        ).count()
        return taken == stop - first

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NumberingError("Number series cannot be deleted.")


# --- Invoices and credit notes -------------------------------------------------------------


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def invoices(self) -> InvoiceQuerySet:
        return self.filter(kind=Invoice.Kind.INVOICE)

    def credit_notes(self) -> InvoiceQuerySet:
        return self.filter(kind=Invoice.Kind.CREDIT_NOTE)

    def issued(self) -> InvoiceQuerySet:
        return self.exclude(status=Invoice.Status.DRAFT)

    def update(self, **kwargs: Any) -> int:
        frozen = set(kwargs) - Invoice.MUTABLE_FIELDS
        if frozen and self.issued().exists():
            raise IssuedDocumentError(
                f"Issued invoices cannot be changed ({', '.join(sorted(frozen))})."
            )
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.issued().exists():
            raise IssuedDocumentError("Issued invoices cannot be deleted.")
        return super().delete()


InvoiceManager = models.Manager.from_queryset(InvoiceQuerySet)


# An invoice's references, which the lists' text search reads as one text
# (``Invoice.references_text``).
REFERENCE_FIELDS = ("our_reference", "their_reference", "buyer_reference", "order_number")
# What separates the references in that text: no search holds it (``selectors``), so a
# search matches within one reference, never across two.
REFERENCE_SEPARATOR = "\x1f"  # the ASCII unit separator


class References(models.Func):
    """An invoice's ``REFERENCE_FIELDS`` in one text, ``REFERENCE_SEPARATOR`` between them."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = models.TextField()

    def __init__(self) -> None:
        pieces: list[Any] = []
        for field in REFERENCE_FIELDS:
            pieces += [models.F(field), models.Value(REFERENCE_SEPARATOR)]
        super().__init__(*pieces[:-1])


class Invoice(TenantModel):
    """An invoice or a credit note (``kind``). A draft has no number.

    Amounts are in ``currency``; the VAT is also kept in NOK (``total_vat_nok``).
    Open balance = ``total_incl_vat − paid_amount − credited_amount`` (never below 0: an
    overpayment goes to the client's credit balance, see ``ClientBalanceEntry``).
    Overdue is derived (due date passed and a balance open), never stored.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Faktura")
        CREDIT_NOTE = "credit_note", _("Kreditnota")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        ISSUED = "issued", _("Utstedt")
        SENT = "sent", _("Sendt")
        PARTIALLY_PAID = "partially_paid", _("Delvis betalt")
        PAID = "paid", _("Betalt")
        CREDITED = "credited", _("Kreditert")

    # Issued and not settled: what the ledger, payments, reminders and KID uniqueness treat as open.
    OPEN_STATUSES = (Status.ISSUED, Status.SENT, Status.PARTIALLY_PAID)

    # Every index below starts with company (no index of its own, see the helper).
    company = company_key_indexed_by_composite()

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    # No index of its own: every query by series also names the company, and the unique
    # constraint's index (company, series, number) answers it.
    series = models.ForeignKey(
        NumberSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    number = models.PositiveBigIntegerField(_("nummer"), null=True, blank=True)
    client = models.ForeignKey(
        "customers.Client",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("kunde"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("kreditert faktura"),
        db_index=False,  # invoice_credited_invoice: credit notes only
    )
    invoice_date = models.DateField(_("fakturadato"))
    delivery_date = models.DateField(_("leveringsdato"), null=True, blank=True)
    delivery_period_start = models.DateField(_("leveringsperiode fra"), null=True, blank=True)
    delivery_period_end = models.DateField(_("leveringsperiode til"), null=True, blank=True)
    # Place of delivery when it is not the buyer's address (bokføringsforskriften § 5-1-1
    # nr. 4): blank = the buyer's address. Frozen with the rest at issue.
    delivery_address = models.CharField(_("leveringsadresse"), max_length=200, blank=True)
    delivery_postcode = models.CharField(_("leveringssted postnummer"), max_length=10, blank=True)
    delivery_city = models.CharField(_("leveringssted poststed"), max_length=100, blank=True)
    delivery_country = models.CharField(_("leveringssted land"), max_length=2, blank=True)
    due_date = models.DateField(_("forfallsdato"))
    our_reference = models.CharField(_("vår referanse"), max_length=100, blank=True)
    their_reference = models.CharField(_("deres referanse"), max_length=100, blank=True)
    buyer_reference = models.CharField(_("kjøpers referanse"), max_length=100, blank=True)
    order_number = models.CharField(_("ordrenummer"), max_length=100, blank=True)
    # The references in one text, in upper case, written by the database with every row
    # (a stored generated column; migration 0038): what a text search of the lists checks.
    # The list indexes carry it (``INCLUDE``), so a search whose words most invoices hold
    # is checked index-only, each entry as it is stored: joining and upper-casing the four
    # references for every entry walked took half of "avd 1" sorted by client (26,000
    # entries, 45 → 22 ms at 4.5 M invoices; issue 15).
    references_text = models.GeneratedField(
        expression=Upper(References()), output_field=models.TextField(), db_persist=True
    )
    currency = models.CharField(_("valuta"), max_length=3, default="NOK")
    exchange_rate = models.DecimalField(
        _("valutakurs (NOK per enhet)"),
        max_digits=18,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    free_text = models.TextField(_("fritekst"), blank=True, max_length=2000)
    # A prepayment invoice (forskuddsfaktura) is issued before the delivery: its delivery
    # date or period may lie after the invoice date. EHF type code 386.
    is_prepayment = models.BooleanField(_("forskuddsfaktura"), default=False)

    # Snapshots taken at issue: what the document says, whatever changes later.
    seller_snapshot = models.JSONField(default=dict, blank=True)
    buyer_snapshot = models.JSONField(default=dict, blank=True)
    total_excl_vat = models.DecimalField(_("sum eks. MVA"), default=ZERO, **MONEY)
    total_vat = models.DecimalField(_("MVA"), default=ZERO, **MONEY)
    total_incl_vat = models.DecimalField(_("sum inkl. MVA"), default=ZERO, **MONEY)
    total_vat_nok = models.DecimalField(_("MVA i NOK"), default=ZERO, **MONEY)
    kid = models.CharField(_("KID"), max_length=KID_MAX_LENGTH, blank=True)
    issued_at = models.DateTimeField(_("utstedt"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # invoice_issued_by: set ones only
    )

    # Changed by the services after issue.
    paid_amount = models.DecimalField(_("innbetalt"), default=ZERO, **MONEY)
    credited_amount = models.DecimalField(_("kreditert"), default=ZERO, **MONEY)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Declared by its manager class (see NumberSeries.objects).
    objects: ClassVar[InvoiceManager[Invoice]] = ScopedManager(  # type: ignore[assignment]
        company="company", _manager_class=InvoiceManager
    )

    # May change after issue (through the services only).
    MUTABLE_FIELDS = frozenset(
        {"status", "paid_amount", "credited_amount", "sent_at", "updated_at"}
    )
    # Everything else is the document's content. (``seller_snapshot`` etc. included.)

    class Meta:
        ordering = ["-invoice_date", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "series", "number"],
                condition=Q(number__isnull=False),
                name="invoice_number_unique_in_series",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("invoice_date")),
                name="invoice_due_not_before_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="credit_note") | Q(credited_invoice__isnull=True),
                name="invoice_only_credit_notes_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "status", "-invoice_date"]),
            # The list's default order (-invoice_date, -number, -id) walked from the index
            # to the last key: no sort of the company's rows for a page (issue 15). With
            # the status and the references in it (PostgreSQL; SQLite has no INCLUDE), a
            # text search or status filter that most rows pass is walked index-only.
            models.Index(
                fields=["company", "kind", "-invoice_date", "-number", "-id"],
                include=["status", "references_text"],
                name="invoice_list",
            ),
            # The list sorted by number or due date, with what a text search or a status
            # filter checks (as ``invoice_list``): a search whose words most invoices hold
            # walks these index-only ("avd 1" sorted by number: 0.9 s → ~20 ms at 1 M
            # invoices, where the trigram index answered ~1 M candidates; issue 15).
            models.Index(
                fields=["company", "kind", "-number"],
                include=["id", "status", "references_text"],
                name="invoice_number_list",
            ),
            models.Index(
                fields=["company", "kind", "due_date"],
                include=["number", "id", "status", "references_text"],
                name="invoice_due_list",
            ),
            # The open invoices of one status in number order: issued ones are the newest,
            # so sorted by number from the first, ``invoice_number_list`` held a page of
            # them only at its end (0.4-0.6 s at 1 M invoices; issue 15). Must match
            # OPEN_STATUSES.
            models.Index(
                fields=["company", "kind", "status", "-number"],
                include=["id", "references_text"],
                condition=Q(status__in=["issued", "sent", "partially_paid"]),
                name="invoice_open_number",
            ),
            # A client's invoices in the list's order (client filter, the invoices of the
            # clients a text search matched, the list sorted by client name): read
            # index-only in order, a status filter checked in the index (issue 15;
            # migration 0024). With the due date and amount, the matching clients'
            # invoices sorted by either are read index-only too and sorted per client
            # ("nordlys" by due date, 200 clients: 380 → 35 ms at 1 M invoices).
            models.Index(
                fields=[
                    *("company", "client", "kind", "-invoice_date", "-number", "-id"),
                    "status",
                ],
                include=["due_date", "total_incl_vat", "references_text"],
                name="invoice_client_list",
            ),
            # The same of the open invoices only, with the due date: the open or overdue
            # list sorted by client reads a client's ~37 open invoices, not its ~500
            # (migration 0024). Must match OPEN_STATUSES.
            models.Index(
                fields=[
                    *("company", "client", "kind", "-invoice_date", "-number", "-id"),
                    *("due_date", "status"),
                ],
                include=["total_incl_vat", "references_text"],
                condition=Q(status__in=["issued", "sent", "partially_paid"]),
                name="invoice_client_open",
            ),
            models.Index(fields=["company", "kid"]),
            # Partial indexes leave out the rows that have no value: a lookup by a value
            # never needs them, and a row written without one (a credit note's own
            # credited invoice aside, most invoices; every invoice the retention run has
            # anonymised) adds no entry.
            models.Index(
                fields=["company", "order_number"],
                condition=~Q(order_number=""),
                name="invoice_order_number",
            ),
            models.Index(
                fields=["credited_invoice"],
                condition=Q(credited_invoice__isnull=False),
                name="invoice_credited_invoice",
            ),
            models.Index(
                fields=["issued_by"],
                condition=Q(issued_by__isnull=False),
                name="invoice_issued_by",
            ),
            # The currencies of the issued documents (every report page's currency
            # choice), one probe per currency (reports.ledger.ledger_currencies;
            # migration 0025).
            models.Index(
                fields=["company", "currency"],
                condition=~Q(status="draft"),
                name="invoice_issued_currency",
            ),
            # The send batch form's issued documents never sent, by number
            # (``delivery.selectors.unsent_issued_invoices``): a few entries per company.
            models.Index(
                fields=["company", "number", "id"],
                condition=Q(sent_at__isnull=True) & ~Q(status="draft"),
                name="invoice_unsent",
            ),
            # The list sorted by amount (web UI, API ordering): an index walk, not a sort.
            models.Index(
                fields=["company", "kind", "-total_incl_vat", "-number"],
                include=["id", "status", "references_text"],
                name="invoice_amount_list",
            ),
            # The reports (VAT, ageing, sales, dashboard) sum these columns over many
            # invoices: with all of them in the index, PostgreSQL (index-only scan) and
            # SQLite (covering index) never read the wide rows (the buyer and seller
            # snapshots make a row ~2 kB). Plain key columns, not INCLUDE: SQLite has none.
            models.Index(
                fields=[
                    "company",
                    "invoice_date",
                    "kind",
                    "status",
                    "currency",
                    "client",
                    "due_date",
                    "total_incl_vat",
                    "paid_amount",
                    "credited_amount",
                    "exchange_rate",
                    "total_excl_vat",
                    "credited_invoice",
                    "id",  # the joins from VAT rows and payments
                ],
                name="invoice_report_cover",
            ),
            # The dashboards' open and overdue figures (invoicing.selectors
            # .receivables_summary, reports.selectors.dashboard_figures) and the ageing as
            # of today (per client, invoices dated up to the day) read only the open
            # invoices' entries of this partial index, with every summed column in it:
            # index-only on PostgreSQL, covering on SQLite, however many paid invoices a
            # company has (issue 15). Must match OPEN_STATUSES.
            models.Index(
                fields=[
                    "company",
                    "kind",
                    "status",
                    "currency",
                    "due_date",
                    "total_incl_vat",
                    "paid_amount",
                    "credited_amount",
                    "exchange_rate",
                    "client",
                    "invoice_date",
                ],
                condition=Q(status__in=["issued", "sent", "partially_paid"]),
                name="invoice_open_cover",
            ),
            # The list of open or overdue invoices in its order: the open ones' entries
            # only, walked from the newest, due date checked in the index (the list index
            # read every newer paid invoice's row first: 200 ms at 1 M invoices; issue 15).
            # Must match OPEN_STATUSES.
            models.Index(
                fields=["company", "kind", "-invoice_date", "-number", "-id", "due_date"],
                # The amount too: a search among the open invoices sorted by amount sorts
                # their matches found index-only (233 → 37 ms for "avd 1" at 1 M invoices).
                include=["status", "total_incl_vat", "references_text"],
                condition=Q(status__in=["issued", "sent", "partially_paid"]),
                name="invoice_open_list",
            ),
            # The overdue invoices counted (the list's "Forfalte" filter counts up to its
            # cap): a range of this narrow index, where the list's index above reads every
            # open invoice's wide entry and checks its due date (3.1 → 1.7 ms for the
            # overdue first page at 1 M invoices; issue 15). Must match OPEN_STATUSES.
            models.Index(
                fields=["company", "kind", "due_date"],
                condition=Q(status__in=["issued", "sent", "partially_paid"]),
                name="invoice_open_due",
            ),
        ]
        verbose_name = _("faktura")
        verbose_name_plural = _("fakturaer")

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.number}" if self.number else f"{label} ({_('utkast')})"

    # --- derived ------------------------------------------------------------------------

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def open_balance(self) -> Decimal:
        """What the client still owes on this invoice (0 for drafts and credit notes)."""
        return open_balance_of(self)

    def is_overdue(self, *, today: Any) -> bool:
        return is_overdue_of(self, today=today)

    # --- guards -------------------------------------------------------------------------

    def _frozen_field_names(self) -> list[str]:
        return [
            field.attname
            for field in self._meta.concrete_fields
            if field.attname not in self.MUTABLE_FIELDS
            and field.attname != "issued_by_id"
            and not field.primary_key
            and not field.generated  # the database's, from the fields compared here
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS:
                self._refuse_change_if_issued()
        super().save(*args, **kwargs)

    def _refuse_change_if_issued(self) -> None:
        names = self._frozen_field_names()
        stored = (
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values("status", "issued_by_id", *names)
            .first()
        )
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        if self.status == self.Status.DRAFT:
            raise IssuedDocumentError("An issued invoice cannot become a draft again.")
        changed = [name for name in names if getattr(self, name) != stored[name]]
        if self.issued_by_id not in (None, stored["issued_by_id"]):
            # Only the deletion of the user may clear it (on_delete=SET_NULL).
            changed.append("issued_by_id")
        if changed:
            raise IssuedDocumentError(
                f"Issued invoice {self.number} cannot be changed ({', '.join(changed)})."
            )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        stored_status = (
            type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()
        )
        if stored_status not in (None, self.Status.DRAFT):
            raise IssuedDocumentError("Issued invoices cannot be deleted.")
        return super().delete(*args, **kwargs)


class InvoiceAmounts(Protocol):
    """What the open balance is computed from: an ``Invoice``, or a list row with the same
    names (``values_list(..., named=True)``)."""

    kind: str
    status: str
    total_incl_vat: Decimal
    paid_amount: Decimal
    credited_amount: Decimal


def open_balance_of(invoice: InvoiceAmounts) -> Decimal:
    """What the client still owes on ``invoice`` (``Invoice.open_balance``; 0 for drafts
    and credit notes). It takes a row as well as a model so that a list reading only the
    columns it shows applies the same rule; ``selectors._open_balance_expression`` is its
    SQL for sums and sorting."""
    if invoice.status == Invoice.Status.DRAFT or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return ZERO
    return invoice.total_incl_vat - invoice.paid_amount - invoice.credited_amount


class InvoiceDue(InvoiceAmounts, Protocol):
    """``InvoiceAmounts`` and the due date: what "overdue" is decided from."""

    due_date: datetime.date


def is_overdue_of(invoice: InvoiceDue, *, today: datetime.date) -> bool:
    """The due date has passed with a balance open (``Invoice.is_overdue``), for a model
    or a list's named row alike."""
    return open_balance_of(invoice) > 0 and invoice.due_date < today


_M = TypeVar("_M", bound=models.Model)


class _DraftChildQuerySet(models.QuerySet[_M]):
    """Rows that belong to an invoice and may change only while it is a draft."""

    def _touches_issued(self) -> bool:
        return self.exclude(invoice__status=Invoice.Status.DRAFT).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_issued():
            raise IssuedDocumentError(f"{self.model.__name__} of an issued invoice is frozen.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_issued():
            raise IssuedDocumentError(f"{self.model.__name__} of an issued invoice is frozen.")
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        invoice_ids = {obj.invoice_id for obj in objs}
        if (
            Invoice._base_manager.filter(pk__in=invoice_ids)
            .exclude(status=Invoice.Status.DRAFT)
            .exists()
        ):
            raise IssuedDocumentError(f"{self.model.__name__} of an issued invoice is frozen.")
        return super().bulk_create(objs, *args, **kwargs)


class _DraftChildModel(TenantModel):
    class Meta:
        abstract = True

    def _refuse_if_invoice_issued(self) -> None:
        status = (
            Invoice._base_manager.filter(pk=self.invoice_id)  # type: ignore[attr-defined]
            .values_list("status", flat=True)
            .first()
        )
        if status not in (None, Invoice.Status.DRAFT):
            raise IssuedDocumentError(f"{type(self).__name__} of an issued invoice is frozen.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_invoice_issued()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_invoice_issued()
        return super().delete(*args, **kwargs)


_DraftChildManager = _DraftChildQuerySet.as_manager().__class__


class InvoiceLine(_DraftChildModel):
    """One line. ``vat_rate``/``vat_category``/``net_amount`` are fixed at issue.

    Quantity: up to 4 decimals, never 0. On an invoice it may be negative for a deduction
    line (returned goods, an agreed deduction: GBS 1 allows corrections as negative lines
    on a later invoice), but the invoice total must not be negative. On a credit note it
    has the sign of the credited line (amounts on a credit note are stated positively).
    """

    company = company_key_indexed_by_composite()  # invoiceline_unique_position starts with it
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
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
    # The product's number, copied at issue (EHF: the seller's item identifier).
    item_number = models.CharField(_("varenummer"), max_length=30, blank=True)
    quantity = models.DecimalField(_("antall"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("enhet"), max_length=3, choices=Unit.choices, default=Unit.PIECE)
    unit_price = models.DecimalField(
        _("enhetspris eks. MVA"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    discount_percent = models.DecimalField(
        _("rabatt %"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    vat_code = models.ForeignKey(
        "catalog.VatCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("MVA-kode")
    )
    period_start = models.DateField(_("periode fra"), null=True, blank=True)
    period_end = models.DateField(_("periode til"), null=True, blank=True)
    # The line of the original invoice that a credit-note line credits.
    credited_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_lines"
    )
    # A credit-note line that credits an amount of its line (quantity ±1 "rs" × the amount,
    # a price reduction) rather than a quantity at the invoiced price.
    credited_by_amount = models.BooleanField(_("kreditert som beløp"), default=False)
    # Computed (drafts: on every save by the services; fixed at issue).
    net_amount = models.DecimalField(_("beløp eks. MVA"), default=ZERO, **MONEY)
    vat_category = models.CharField(max_length=2, blank=True)
    vat_rate = models.DecimalField(
        _("MVA-sats"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    # The Django plugin cannot follow django_scopes' class built inside ScopedManager and types
    # every scoped manager as TenantModel's; this shared manager class has no per-model name.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_DraftChildManager,  # type: ignore[arg-type]
    )

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoice", "position"], name="invoiceline_unique_position"
            )
        ]
        verbose_name = _("fakturalinje")
        verbose_name_plural = _("fakturalinjer")

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"


class InvoiceVatLine(_DraftChildModel):
    """The VAT breakdown (EN 16931 BG-23) per (category, rate), fixed at issue."""

    company = company_key_indexed_by_composite()  # invoicevatline_unique_group starts with it
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="vat_lines")
    vat_category = models.CharField(max_length=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    basis = models.DecimalField(_("grunnlag"), **MONEY)
    vat = models.DecimalField(_("MVA"), **MONEY)
    vat_nok = models.DecimalField(_("MVA i NOK"), **MONEY)
    # SAF-T codes of the lines in the group, and the texts the law requires on the invoice.
    vat_codes = models.JSONField(default=list)
    exemption_reason_code = models.CharField(max_length=30, blank=True)
    exemption_reason = models.CharField(max_length=200, blank=True)
    invoice_text = models.CharField(max_length=200, blank=True)

    # The Django plugin cannot follow django_scopes' class built inside ScopedManager and types
    # every scoped manager as TenantModel's; this shared manager class has no per-model name.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_DraftChildManager,  # type: ignore[arg-type]
    )

    class Meta:
        ordering = ["invoice", "vat_category", "-vat_rate"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoice", "vat_category", "vat_rate"],
                name="invoicevatline_unique_group",
            )
        ]
        verbose_name = _("MVA-spesifikasjon")
        verbose_name_plural = _("MVA-spesifikasjoner")

    def __str__(self) -> str:
        return f"{self.vat_category} {self.vat_rate} %: {self.vat}"


# --- Payments and the client's credit balance ------------------------------------------------


_AppendOnlyManager = AppendOnlyQuerySet.as_manager().__class__


class _AppendOnlyTenantModel(TenantModel):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted.")


class Payment(_AppendOnlyTenantModel):
    """A payment received for an invoice, or the reversal of one (never deleted).

    ``amount`` is what was received (negative on a reversal). Of it, ``applied_amount``
    reduced the invoice's balance and ``to_credit_amount`` went to the client's credit
    balance (an overpayment); the two always add up to ``amount``.
    """

    class Method(models.TextChoices):
        BANK = "bank", _("Bankoverføring")
        KID = "kid", _("OCR/KID")
        CARD = "card", _("Kort")
        VIPPS = "vipps", _("Vipps")
        CASH = "cash", _("Kontant")
        CREDIT_BALANCE = "credit", _("Kundens tilgodehavende")
        OTHER = "other", _("Annet")

    company = company_key_indexed_by_composite()  # the (company, date) index starts with it
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("betalingsdato"))
    amount = models.DecimalField(_("beløp"), **MONEY)
    applied_amount = models.DecimalField(_("ført mot fakturaen"), **MONEY)
    to_credit_amount = models.DecimalField(_("til kundens tilgodehavende"), **MONEY)
    method = models.CharField(
        _("betalingsmåte"), max_length=10, choices=Method.choices, default=Method.BANK
    )
    reference = models.CharField(_("referanse"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    note = models.CharField(_("merknad"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,  # payment_created_by: set ones only (see Invoice.issued_by)
    )

    # The Django plugin cannot follow django_scopes' class built inside ScopedManager and types
    # every scoped manager as TenantModel's; this shared manager class has no per-model name.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_AppendOnlyManager,  # type: ignore[arg-type]
    )

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["company", "date"]),
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="payment_created_by",
            ),
        ]
        verbose_name = _("innbetaling")
        verbose_name_plural = _("innbetalinger")

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Checked here, not by a CHECK constraint: SQLite would compare floats.
        if self._state.adding and self.amount != self.applied_amount + self.to_credit_amount:
            raise ValueError("applied_amount + to_credit_amount must equal amount")
        super().save(*args, **kwargs)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def is_ledger_entry(self) -> bool:
        """Money received, or its reversal; a use of the client's credit balance moves
        money received before and is no entry of its own (``reports.ledger``, the
        dashboard's ``MonthSummary``)."""
        return self.method not in NOT_LEDGER_METHODS


#: Payment methods that are no ledger entry (``Payment.is_ledger_entry``).
NOT_LEDGER_METHODS = (Payment.Method.CREDIT_BALANCE,)


class ClientBalanceEntry(_AppendOnlyTenantModel):
    """The client's credit balance ledger (tilgodehavende): money we owe the client.

    Positive: credit in the client's favour (an overpayment, a credit note exceeding what
    was open). Negative: credit used to pay an invoice, or taken back by the reversal of a
    payment. Balance = Σ amount, per currency.
    """

    class Kind(models.TextChoices):
        OVERPAYMENT = "overpayment", _("Overbetaling")
        CREDIT_NOTE = "credit_note", _("Kreditnota utover åpen saldo")
        REVERSAL = "reversal", _("Tilbakeført innbetaling")
        APPLIED = "applied", _("Brukt som betaling av en faktura")

    company = company_key_indexed_by_composite()  # the (company, client, currency) index
    client = models.ForeignKey(
        "customers.Client", on_delete=models.PROTECT, related_name="balance_entries"
    )
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="NOK")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    credit_note = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The Django plugin cannot follow django_scopes' class built inside ScopedManager and types
    # every scoped manager as TenantModel's; this shared manager class has no per-model name.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_AppendOnlyManager,  # type: ignore[arg-type]
    )

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["company", "client", "currency"])]
        verbose_name = _("tilgodehavende")
        verbose_name_plural = _("tilgodehavender")

    def __str__(self) -> str:
        return f"{self.client_id} {self.date} {self.amount}"


# --- The dashboard's monthly summary ----------------------------------------------------------


#: The summary's amounts: a document's or payment's amount (2 decimals) times its exchange
#: rate (6 decimals), summed unrounded, so that a month's figure rounds exactly as a sum
#: over the documents would (``reports.selectors.dashboard_figures_recomputed``).
SUMMARY_AMOUNT: DecimalFieldOptions = {"max_digits": 30, "decimal_places": 8}
_SUMMARY_STEP = Decimal(1).scaleb(-SUMMARY_AMOUNT["decimal_places"])


def summary_exact(value: object) -> Decimal:
    """An unrounded sum of amounts times exchange rates as the exact amount it is, at
    ``SUMMARY_AMOUNT``'s 8 decimals, however the database returned it (SQLite sums in
    floating point; no row: None, 0)."""
    return Decimal(str(value or 0)).quantize(_SUMMARY_STEP)


class MonthSummary(TenantModel):
    """Per company and calendar month, in NOK: what was invoiced and what was paid.

    ``invoiced``: every issued document dated in the month (``invoice_date``), total incl.
    VAT times its exchange rate; credit notes subtract. ``invoiced_excl_vat``: the same of
    the totals excl. VAT (the sales report's months). ``paid``: every ledger payment
    dated in the month (``Payment.is_ledger_entry``: money received or its reversal, not
    a use of the client's credit balance) times its invoice's exchange rate. Unrounded
    (``SUMMARY_AMOUNT``); the dashboard rounds the month's sum.

    Written only by ``invoicing.services.summary.month_summary_add`` in the transaction
    that issues the document or registers the payment (an upsert that adds), never by
    ``save()`` or a signal; ``month_summary_rebuild`` recomputes it from the documents
    and payments (the migration's backfill, the scale seed, the check command).
    Aggregates per company and month: no personal data, never changed by retention
    (which anonymises people on invoices and payments but keeps every amount and date).
    """

    month = models.DateField(_("måned"))  # the first day of the month
    invoiced = models.DecimalField(_("fakturert (NOK)"), default=ZERO, **SUMMARY_AMOUNT)
    paid = models.DecimalField(_("innbetalt (NOK)"), default=ZERO, **SUMMARY_AMOUNT)
    invoiced_excl_vat = models.DecimalField(
        _("fakturert eks. mva. (NOK)"), default=ZERO, **SUMMARY_AMOUNT
    )

    class Meta:
        constraints = [
            # The upsert's conflict target, and the dashboard's 12-row index read.
            models.UniqueConstraint(fields=["company", "month"], name="monthsummary_one_per_month")
        ]
        verbose_name = _("månedsoppsummering")
        verbose_name_plural = _("månedsoppsummeringer")

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m}"


# --- The customer ledger's monthly totals -----------------------------------------------------


#: A ledger month's sums: amounts of 2 decimals, summed exactly (a client's month of a big
#: company can hold thousands of documents).
LEDGER_AMOUNT: DecimalFieldOptions = {"max_digits": 24, "decimal_places": 2}


class LedgerMonth(TenantModel):
    """Per company, client, currency and calendar month: the customer ledger's debits and
    credits of the issued documents and of the ledger payments (``reports.ledger``'s two
    invoicing sources), each as ``signed_totals`` splits them: an entry of amount ≥ 0 is a
    debit, one below 0 a credit (stored negative).

    - documents (by ``invoice_date``): an invoice's total incl. VAT is a debit, a credit
      note's a credit;
    - payments (by payment date, ``Payment.is_ledger_entry`` only): money received is a
      credit of its amount, a reversal (negative amount) a debit.

    The ledger sums whole months from here and reads the documents and payments of the
    months its period starts and ends in (``reports.ledger``): summing every document and
    payment of a big company took 1.3 s at 1 M invoices (issue 15).

    Written only by ``invoicing.services.summary.month_summary_add`` in the transaction
    that issues the document or registers the payment, beside ``MonthSummary``;
    ``month_summary_rebuild`` recomputes both (the migration's backfill, the scale seed,
    the check command). Issued documents and payments never change or go (retention
    anonymises people but keeps every amount, date and client), so nothing else writes it.
    """

    company = company_key_indexed_by_composite()  # ledgermonth_one_per_client_month
    client = models.ForeignKey("customers.Client", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("valuta"), max_length=3)
    month = models.DateField(_("måned"))  # the first day of the month
    documents_debit = models.DecimalField(default=ZERO, **LEDGER_AMOUNT)
    documents_credit = models.DecimalField(default=ZERO, **LEDGER_AMOUNT)
    payments_debit = models.DecimalField(default=ZERO, **LEDGER_AMOUNT)
    payments_credit = models.DecimalField(default=ZERO, **LEDGER_AMOUNT)

    class Meta:
        constraints = [
            # The upsert's conflict target, and the ledger's read of a currency's months:
            # on PostgreSQL its index holds the four sums too (migration 0031), so that
            # read is index-only (a company's rows lie on as many pages as there are rows).
            models.UniqueConstraint(
                fields=["company", "currency", "month", "client"],
                name="ledgermonth_one_per_client_month",
            )
        ]
        verbose_name = _("reskontromåned")
        verbose_name_plural = _("reskontromåneder")

    def __str__(self) -> str:
        return f"{self.company_id} {self.client_id} {self.currency} {self.month:%Y-%m}"


# --- The open receivables by due date --------------------------------------------------------


class OpenReceivable(TenantModel):
    """Per company, currency and due date: how many invoices are open (``OPEN_STATUSES``)
    and their open balance (total incl. VAT less paid and credited), in the document
    currency. The dashboard's open and overdue figures sum these rows (``selectors.
    receivables_summary``; overdue: the due dates before today) instead of every open
    invoice: 74,522 of a big company took ~30 ms to sum from their index (issue 15).

    Written only by ``invoicing.services.summary.month_summary_add`` in the transaction
    that issues an invoice or changes its balance (a payment, its reversal, a credit
    note), from the invoice's part before and after (``summary.open_part``), never by
    ``save()`` or a signal; ``month_summary_rebuild`` recomputes it (the migration's
    backfill, the scale seed, the check command). An invoice's currency and due date never
    change once issued, and retention keeps every amount, so nothing else writes it.
    """

    company = company_key_indexed_by_composite()  # openreceivable_one_per_due_date
    currency = models.CharField(_("valuta"), max_length=3)
    due_date = models.DateField(_("forfallsdato"))
    count = models.IntegerField(_("antall åpne"), default=0)
    amount = models.DecimalField(_("åpent beløp"), default=ZERO, **LEDGER_AMOUNT)

    class Meta:
        constraints = [
            # The upsert's conflict target, and the dashboard's read of a currency's rows.
            models.UniqueConstraint(
                fields=["company", "currency", "due_date"], name="openreceivable_one_per_due_date"
            )
        ]
        verbose_name = _("åpne fordringer per forfallsdato")
        verbose_name_plural = _("åpne fordringer per forfallsdato")

    def __str__(self) -> str:
        return f"{self.company_id} {self.currency} {self.due_date}"


# --- Net sales per client and per product, by month ------------------------------------------


class SalesMonth(TenantModel):
    """Per company, calendar month and client or product: net sales excl. VAT in NOK of the
    issued documents dated in the month (``invoice_date``), credit notes subtracted,
    unrounded (``SUMMARY_AMOUNT``), as the sales report groups them.

    - ``dimension`` "client", ``item`` the client's id: each document's total excl. VAT
      times its exchange rate; ``documents`` counts the documents;
    - ``dimension`` "product", ``item`` the product's id (0: lines without a product):
      each line's net amount times its document's exchange rate; ``documents`` is 0.

    The sales report sums whole months from here and reads the documents of the months
    its period starts and ends inside (``reports.selectors.sales_by_client`` /
    ``sales_by_product``): summing a year of a big company's documents took ~0.8 s per
    client and ~2 s per product at 1 M invoices (issue 15).

    Written only by ``invoicing.services.summary.month_summary_add`` in the transaction
    that issues the document, with one statement over the documents and their lines
    (``summary_sql.sales_recount`` restricted to them), never by ``save()`` or a signal;
    ``month_summary_rebuild`` recomputes it. Issued documents and their lines never change
    or go, so nothing else writes it.
    """

    class Dimension(models.TextChoices):
        CLIENT = "client", _("kunde")
        PRODUCT = "product", _("produkt")

    company = company_key_indexed_by_composite()  # salesmonth_one_per_item
    dimension = models.CharField(_("gruppering"), max_length=7, choices=Dimension.choices)
    month = models.DateField(_("måned"))  # the first day of the month
    item = models.BigIntegerField(_("kunde eller produkt"))  # an id; 0: no product
    amount = models.DecimalField(_("netto salg (NOK)"), default=ZERO, **SUMMARY_AMOUNT)
    documents = models.IntegerField(_("dokumenter"), default=0)

    class Meta:
        constraints = [
            # The upsert's conflict target, and the report's read of a dimension's months:
            # on PostgreSQL its index holds the two sums too (migration 0034), so that read
            # is index-only.
            models.UniqueConstraint(
                fields=["company", "dimension", "month", "item"], name="salesmonth_one_per_item"
            )
        ]
        verbose_name = _("salg per måned")
        verbose_name_plural = _("salg per måned")

    def __str__(self) -> str:
        return f"{self.company_id} {self.dimension} {self.item} {self.month:%Y-%m}"
