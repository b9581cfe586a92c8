"""Staff: profiles with roles, four-eyes grant requests, elevated sessions, the access log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


class StaffRole(models.TextChoices):
    SUPPORT = "support", _("Kundestøtte")
    MARKETING = "marketing", _("Salg og markedsføring")
    FINANCE = "finance", _("Økonomi")
    PRIVACY_OFFICER = "privacy_officer", _("Personvernansvarlig")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Ekstern revisor")
    LAWYER = "lawyer", _("Ekstern advokat")
    IT_CONSULTANT = "it_consultant", _("Ekstern IT-konsulent")


ADVISER_ROLES = frozenset({StaffRole.AUDITOR, StaffRole.LAWYER, StaffRole.IT_CONSULTANT})


class StaffProfile(models.Model):
    """A staff member of the operator (``User.is_staff``) and what they may do.

    External advisers need ``valid_until`` and see only ``granted_categories``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    roles = models.JSONField(_("roller"), default=list)
    # Advisers only: the data categories granted (within their role's ceiling).
    granted_categories = models.JSONField(_("tildelte kategorier"), default=list, blank=True)
    valid_until = models.DateField(_("tilgang til og med"), null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ansatt")
        verbose_name_plural = _("ansatte")

    # The administrator's running elevated session, put on the profile by the back-office
    # gate for one request (``backoffice.permissions``); not a column.
    elevation: ElevatedSession | None = None

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_adviser(self) -> bool:
        return any(role in ADVISER_ROLES for role in self.roles)

    def is_expired(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.valid_until is not None and self.valid_until < today

    def role_labels(self) -> list[str]:
        return [str(StaffRole(r).label) for r in self.roles if r in StaffRole.values]


class StaffGrantRequest(models.Model):
    """A change of a staff member's access that opens personal data, waiting for a second
    administrator (four-eyes): neither the requester nor the person may approve it.

    ``before`` is the access when it was asked for; an approval applies ``roles``,
    ``granted_categories`` and ``valid_until`` only if the access is still ``before``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter på godkjenning")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="grant_requests"
    )
    roles = models.JSONField(_("roller"), default=list)
    granted_categories = models.JSONField(_("tildelte kategorier"), default=list, blank=True)
    valid_until = models.DateField(_("tilgang til og med"), null=True, blank=True)
    # The personal-data categories the change opens, and the access it replaces.
    opens = models.JSONField(default=list)
    before = models.JSONField(default=dict)
    reason = models.CharField(_("begrunnelse"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status="pending"),
                name="staffgrant_one_pending_per_profile",
            )
        ]
        verbose_name = _("tilgangsforespørsel")
        verbose_name_plural = _("tilgangsforespørsler")

    def __str__(self) -> str:
        return f"{self.profile}: {self.roles} ({self.status})"

    def role_labels(self) -> list[str]:
        return [str(StaffRole(r).label) for r in self.roles if r in StaffRole.values]


class ElevatedSession(models.Model):
    """An administrator's explicit, time-limited, reasoned access to personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("begrunnelse"), max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.ended_at is None and self.expires_at > moment


class AccessLogEntry(AppendOnlyModel):
    """One back-office view of a customer's personal data: who, whose, what, when, why."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=50)
    reason = models.CharField(max_length=500, blank=True)
    view = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    elevated_session = models.ForeignKey(
        ElevatedSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["staff", "-created_at"]),
        ]
        verbose_name = _("tilgangslogg")
        verbose_name_plural = _("tilgangslogg")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.staff_id} → {self.customer_id}"
