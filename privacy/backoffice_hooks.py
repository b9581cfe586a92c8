"""What privacy adds to the back office (``backoffice.hooks``; registered in ``apps.py``):
the open requests and the page-view chart on the staff dashboard, the risk register's
first assessments in ``backoffice_setup``, and the consent check of the usage statistics.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import User
from backoffice import charts
from backoffice.hooks import (
    DashboardPanel,
    register_dashboard_panel,
    register_setup_step,
    register_usage_consent,
)
from backoffice.permissions import OperatorCategory


def _request_panel() -> dict[str, Any]:
    from privacy.selectors import privacy_request_queue

    queue = privacy_request_queue(status="open")
    return {
        "privacy_request_count": queue.count(),
        "privacy_requests": queue[:20],
        "today": timezone.localdate(),
    }


def _page_view_panel() -> dict[str, Any]:
    from privacy.selectors import daily_page_stats

    since = timezone.localdate() - datetime.timedelta(days=29)
    return {"chart": charts.page_view_chart(daily_page_stats(since=since), since=since, days=30)}


def _risk_register_seed(admin: User) -> str:
    """The risk register starts with the assessments the statement implies, owned by the
    first administrator until the privacy officer takes them over."""
    from privacy.services.registers import risk_register_seed

    added = risk_register_seed(owner=admin)
    return f"Risk register: {added} assessments added." if added else ""


def _product_analytics_consenting(user_ids: set[int]) -> set[int]:
    """Of ``user_ids``, those whose latest product-analytics record gives the consent."""
    from privacy.models import ConsentPurpose
    from privacy.selectors import users_with_consent

    return users_with_consent(purpose=ConsentPurpose.PRODUCT_ANALYTICS, user_ids=list(user_ids))


def register() -> None:
    register_dashboard_panel(DashboardPanel(OperatorCategory.PRIVACY_REQUESTS, _request_panel))
    register_dashboard_panel(DashboardPanel(OperatorCategory.STATISTICS, _page_view_panel))
    register_setup_step(_risk_register_seed)
    register_usage_consent(_product_analytics_consenting)
