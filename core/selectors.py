from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Company
from core.models import AuditEntry


def audit_entries_for_company(*, company: Company) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(company=company).order_by("-created_at", "-id")
