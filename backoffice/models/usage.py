"""Product usage, aggregated per feature and day (R1b)."""

from __future__ import annotations

from django.db import models


class UsageStat(models.Model):
    """Product usage, aggregated per feature and day. No user or company ids (R1b)."""

    day = models.DateField()
    feature = models.CharField(max_length=50)
    count = models.PositiveIntegerField(default=0)
    # How many distinct companies used the feature that day (a number, not who).
    companies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["day", "feature"], name="usagestat_unique_day_feature")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.feature}: {self.count}"
