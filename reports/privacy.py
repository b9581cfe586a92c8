"""Privacy inventory for reports (autodiscovered by ``privacy``).

The reports app stores only the company's report settings; the reports and exports are
read from invoicing's tables and are not stored.
"""

from __future__ import annotations

from core.personal_data.inventory import register

register(
    "reports.ReportSettings",
    personal={},
    non_personal=["company", "vat_term", "updated_at"],
)
register(
    "reports.RevenueAccount",
    personal={},
    non_personal=["company", "vat_code", "revenue_account", "vat_account"],
)
