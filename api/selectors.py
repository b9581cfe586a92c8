from __future__ import annotations

from django.db.models import F, QuerySet

from accounts.models import Company
from api.models import ApiToken


def api_tokens_of(*, company: Company) -> QuerySet[ApiToken]:
    """The company's tokens, active first, newest first."""
    return (
        ApiToken.objects.filter(company=company)
        .select_related("created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")
    )
