"""Relationship records: interactions, complaints, legal holds, credit checks, financing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backoffice.models.common import Source


class Interaction(models.Model):
    """A call, meeting or e-mail between staff and a customer."""

    class Kind(models.TextChoices):
        CALL = "call", _("Telefonsamtale")
        MEETING = "meeting", _("Møte")
        EMAIL = "email", _("E-post")

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="interactions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("dato"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("sammendrag"), max_length=4000)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class Complaint(models.Model):
    """A complaint (reklamasjon) or a dispute (tvist). An open dispute holds data."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Reklamasjon")
        DISPUTE = "dispute", _("Tvist")

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        RESOLVED = "resolved", _("Løst")
        REJECTED = "rejected", _("Avvist")

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    subject = models.CharField(pgettext_lazy("complaint", "gjelder"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("utfall"), blank=True, max_length=4000)
    opened_on = models.DateField(_("mottatt"))
    closed_on = models.DateField(_("avsluttet"), null=True, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("reklamasjon eller tvist")
        verbose_name_plural = _("reklamasjoner og tvister")

    def __str__(self) -> str:
        return self.subject


class LegalHold(models.Model):
    """Data that must be kept for a legal claim (GDPR art. 17(3)(e)).

    Placed when a dispute opens, released when it closes. While active, the retention
    engine and erasure must keep the customer's (and the person's) data.
    """

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="legal_holds"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    reason = models.CharField(max_length=300)
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(released_at__isnull=True),
                name="legalhold_one_open_per_complaint",
            )
        ]

    def __str__(self) -> str:
        return self.reason


class CreditCheck(models.Model):
    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="credit_checks"
    )
    provider = models.CharField(_("leverandør"), max_length=100)
    checked_on = models.DateField(_("dato"))
    result = models.CharField(_("resultat"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    reference = models.CharField(_("referanse"), max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("kredittsjekk")
        verbose_name_plural = _("kredittsjekker")

    def __str__(self) -> str:
        return f"{self.provider} {self.checked_on}: {self.result}"


class FinancingUse(models.Model):
    """A customer's use of a financing partner (e.g. invoice purchase, leasing)."""

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="financing_uses"
    )
    partner = models.CharField(_("finansieringspartner"), max_length=150)
    arrangement = models.CharField(_("ordning"), max_length=200)
    started_on = models.DateField(_("fra"))
    ended_on = models.DateField(_("til"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("bruk av finansieringspartner")
        verbose_name_plural = _("bruk av finansieringspartnere")

    def __str__(self) -> str:
        return f"{self.partner}: {self.arrangement}"
