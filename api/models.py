"""API tokens and the idempotency store of the REST API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel


class ApiToken(TenantModel):
    """A company's key for the REST API. Only the SHA-256 of the key is stored.

    The plain key is shown once, when the token is created; ``key_prefix`` (the first
    characters of the key) lets people tell their tokens apart afterwards.
    """

    label = models.CharField(_("navn"), max_length=100)
    key_prefix = models.CharField(_("nøkkelprefiks"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")

    def __str__(self) -> str:
        return f"{self.label} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(TenantModel):
    """The stored outcome of a POST sent with an ``Idempotency-Key`` header.

    A retry with the same key and the same request gets the stored response back and
    the work is not done again. ``caller`` is ``token:<id>`` or ``user:<id>``: keys of
    different callers never collide. The row is written in the transaction of the work
    it records, and gets its response before that commits (``api.idempotency``).
    """

    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "caller", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key} {self.method} {self.path}"
