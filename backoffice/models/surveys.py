"""Satisfaction surveys (NPS): one invitation per person and period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SurveyInvitation(models.Model):
    """One NPS survey sent to one person of a customer; answered at most once."""

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)  # e.g. "2026-Q4"
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "person", "period"], name="survey_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="survey_score_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.person_id}"
