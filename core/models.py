from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class TenantModel(models.Model):
    """A row that belongs to one company (the tenant).

    Its default manager is scoped: a query outside ``django_scopes.scope(company=...)``
    raises ``ScopeError`` instead of silently returning every tenant's rows.
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(company="company")

    class Meta:
        abstract = True


def company_key_indexed_by_composite() -> models.ForeignKey[Any, Any]:
    """``TenantModel.company`` without its own single-column index.

    For a tenant model whose indexes or unique constraints (at least one) start with
    ``company``: that index serves every ``company_id = …`` look-up, including the
    foreign-key check when a company row is deleted, so Django's automatic index on
    ``company_id`` alone is only written, never needed. Each index on a table costs every
    insert and every non-HOT update (the retention run's anonymising updates, issue 15).
    """
    return models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="+", db_index=False
    )


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only row."""


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be deleted.")

    def _redact(self, **kwargs: Any) -> int:
        """The one sanctioned change: erasure replaces personal data in the row."""
        return super().update(**kwargs)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted.")


class AuditEntry(AppendOnlyModel):
    class ActorKind(models.TextChoices):
        USER = "user", _("Bruker")
        API_TOKEN = "api_token", _("API-nøkkel")
        SYSTEM = "system", _("System")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        db_index=False,  # the (company, -created_at) index starts with it
    )
    # Looked up by whole value only (``auditentry_action``): no second, pattern-ops index.
    action = models.CharField(max_length=100)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    # Plain ids, not foreign keys: a deleted user or token must not rewrite history.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["action"], name="auditentry_action"),
        ]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktivitetslogg")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class OutboxMessage(models.Model):
    """A task to run after the transaction that wrote this row commits (a durable outbox).

    ``core.outbox.outbox_enqueue`` writes the row in the caller's transaction and pushes
    it to the task queue on commit. If the queue is down the row stays: the periodic
    sweep, the worker's start-up and ``manage.py outbox_drain`` run it later. A claim
    (``claim_token``) makes one runner the owner of a message, so it runs once while
    its runner lives. Arguments hold ids where the task can load the rest; they are
    cleared when the message is done.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    # Dotted path of a Huey task function, e.g. "delivery.tasks.send_delivery".
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # Not before this time.
    eta = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Set when the task kept failing (OUTBOX_MAX_ATTEMPTS): kept for inspection, not run.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["eta", "id"]
        indexes = [
            # The sweep's question: what is pending and due?
            models.Index(
                fields=["eta"],
                name="outbox_pending_eta",
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(fields=["done_at"], name="outbox_done_at"),
        ]
        verbose_name = _("utgående oppgave")
        verbose_name_plural = _("utgående oppgaver")

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
