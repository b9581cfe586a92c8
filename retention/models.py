"""The retention engine's own records: runs and a deletion log without personal data."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One run of every retention rule (real or dry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dry_run = models.BooleanField(default=False)
    day = models.DateField(_("kjøredato"))
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{'dry ' if self.dry_run else ''}run {self.day} ({self.pk})"


class DeletionLogEntry(models.Model):
    """What one rule did to one model in one run: counts only, never the rows' contents."""

    class Action(models.TextChoices):
        DELETE = "delete", _("Slettet")
        ANONYMISE = "anonymise", _("Anonymisert")

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="entries")
    rule = models.CharField(_("regel"), max_length=50)
    model = models.CharField(_("tabell"), max_length=100)
    action = models.CharField(max_length=10, choices=Action.choices)
    count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["rule", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.action} {self.model}: {self.count}"
