"""Segments, their members and rules, e-mail campaigns and their recipients (R1c).

A segment member carries the reason the person is shown on the profiling page
(``privacy.selectors.segments_of``). A recipient row records the lawful basis it was sent on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A marketing segment (profiling, R1c); created by the back office."""

    name = models.CharField(_("navn"), max_length=100)
    description = models.TextField(_("hva segmentet brukes til"))
    criteria = models.TextField(_("kriterier"))

    class Meta:
        # The table it had in ``privacy`` (moved by state only, marketing/0003).
        db_table = "privacy_segment"

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    """A person in a segment, with the reason shown on the person's profiling page
    (``privacy.selectors.segments_of``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    added_at = models.DateTimeField(auto_now_add=True)
    # Why this person is in the segment, in words the person is shown (profiling page).
    reason = models.TextField(_("hvorfor du er med"), blank=True)

    class Meta:
        db_table = "privacy_segmentmembership"
        constraints = [
            models.UniqueConstraint(fields=["user", "segment"], name="segment_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.segment_id}"


class SegmentRule(models.Model):
    """How one ``Segment`` is computed from purchase patterns and preferences."""

    class Kind(models.TextChoices):
        PLAN_ACTIVITY = (
            "plan_activity",
            _("Kunder på et abonnement som har utstedt mange fakturaer"),
        )
        LAPSED = "lapsed", _("Kunder der siste bestilling er eldre enn et antall måneder")
        LANGUAGE = "language", _("Personer som har valgt et språk")

    segment = models.OneToOneField(Segment, on_delete=models.CASCADE, related_name="rule")
    kind = models.CharField(_("regel"), max_length=20, choices=Kind.choices)
    plan = models.ForeignKey(
        "backoffice.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("abonnement"),
    )
    min_invoices = models.PositiveIntegerField(
        _("minst antall fakturaer forrige kvartal"), null=True, blank=True
    )
    months = models.PositiveSmallIntegerField(
        _("måneder siden siste bestilling"), null=True, blank=True
    )
    language = models.CharField(_("språk"), max_length=5, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.segment} ({self.kind})"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")

    name = models.CharField(_("navn"), max_length=150)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="+", verbose_name=_("segment")
    )
    subject = models.CharField(_("emne"), max_length=150)
    body = models.TextField(_("tekst"), max_length=20000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kampanje")
        verbose_name_plural = _("kampanjer")

    def __str__(self) -> str:
        return self.name


class CampaignRecipient(models.Model):
    """One person a campaign goes to, with the lawful basis; sent at most once."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Samtykke")
        # Not given any more (marketing is consent-only); kept for recipients of older
        # campaigns, whose recorded basis must stay readable.
        EXISTING_CUSTOMER = (
            "existing_customer",
            _("Eksisterende kundeforhold (markedsføringsloven § 15 tredje ledd)"),
        )

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        SKIPPED = "skipped", _("Ikke sendt (grunnlaget falt bort)")
        FAILED = "failed", _("Feilet")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaign_recipient_once")
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.user_id} ({self.status})"
