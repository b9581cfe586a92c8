"""Deliveries of issued invoices and credit notes: one row per attempt, and batches.

A *delivery request* (``request_id``) is one decision by a user (or a batch) to send one
document through one channel. Each try to carry it out is a ``Delivery`` row (attempt
1, 2, ...). At most one attempt of a request is queued, sending or sent at any time
(a partial unique constraint), so a request is never sent twice by the retries; a
re-send is a new request. See ``delivery.services`` for the life cycle.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class Channel(models.TextChoices):
    EHF = "ehf", _("EHF (Peppol)")
    EMAIL = "email", _("E-post")
    MANUAL = "manual", _("Manuelt (last ned / skriv ut)")


class Status(models.TextChoices):
    QUEUED = "queued", _("I kø")
    SENDING = "sending", _("Sendes")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")


ACTIVE_STATUSES = (Status.QUEUED, Status.SENDING)


class Batch(TenantModel):
    """Many issued invoices sent in one go; each invoice is a ``BatchItem``."""

    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attach_ehf = models.BooleanField(_("legg ved EHF-fil i e-posten"), default=False)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("samlesending")
        verbose_name_plural = _("samlesendinger")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class BatchItem(TenantModel):
    """One invoice of a batch; its state follows its delivery request to the end."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="+", verbose_name=_("faktura")
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("feil"), blank=True)
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "batch", "invoice"], name="batchitem_invoice_once"
            )
        ]
        verbose_name = _("faktura i samlesending")
        verbose_name_plural = _("fakturaer i samlesending")

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.invoice_id}: {self.status}"


class Delivery(TenantModel):
    """One attempt to deliver an issued document through one channel (the send log)."""

    invoice = models.ForeignKey(
        "invoicing.Invoice",
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("faktura"),
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    request_id = models.UUIDField(default=uuid.uuid4, editable=False)
    attempt = models.PositiveSmallIntegerField(_("forsøk"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    # Not before this time (a retry waits for its back-off delay).
    due_at = models.DateTimeField(_("tidligst"), db_index=True)
    # When a task for this attempt was last put on the queue (the sweep re-enqueues).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    error = models.TextField(_("feil"), blank=True)
    # A permanent failure is not retried (rejected by the receiver, rule violations).
    permanent = models.BooleanField(default=False)
    # E-mail: our Message-ID; EHF: the access point's message id.
    message_id = models.CharField(_("meldings-ID"), max_length=255, blank=True)
    recipients = models.CharField(_("mottaker"), max_length=1000, blank=True)
    attach_ehf = models.BooleanField(_("EHF-fil vedlagt"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batch_item = models.ForeignKey(
        BatchItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "request_id", "attempt"], name="delivery_attempt_unique"
            ),
            # One request is queued, in flight or sent at most once: never twice.
            models.UniqueConstraint(
                fields=["company", "invoice", "channel", "request_id"],
                condition=Q(status__in=["queued", "sending", "sent"]),
                name="delivery_one_live_attempt_per_request",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["ehf", "email", "manual"]), name="delivery_channel_known"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "invoice", "-created_at"]),
            models.Index(fields=["company", "status", "-created_at"]),
        ]
        verbose_name = _("utsendelse")
        verbose_name_plural = _("utsendelser")

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.channel} #{self.attempt}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EmailTexts(TenantModel):
    """The company's own subject and body of the e-mail that carries a document of one kind
    (invoice, credit note, reminder, ...: ``delivery.texts.KINDS``), per language. Empty:
    the default text of that language."""

    # A key of delivery.texts.KINDS (kinds register from several apps, so no choices here).
    kind = models.CharField(_("type e-post"), max_length=30, default="invoice")
    subject_nb = models.CharField(_("emne (norsk)"), max_length=200, blank=True)
    body_nb = models.TextField(_("tekst (norsk)"), max_length=5000, blank=True)
    subject_en = models.CharField(_("emne (engelsk)"), max_length=200, blank=True)
    body_en = models.TextField(_("tekst (engelsk)"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind"], name="email_texts_one_per_company_and_kind"
            )
        ]
        verbose_name = _("e-posttekster")
        verbose_name_plural = _("e-posttekster")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
