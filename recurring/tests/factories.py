"""Factories for recurring-invoice tests (through the services). Use inside a scope."""

from __future__ import annotations

import datetime

from accounts.models import Company
from customers.models import Client
from invoicing.tests.factories import SYSTEM, ClientFactory, line
from recurring import services
from recurring.models import RecurringInvoice


def template(
    *,
    company: Company,
    client: Client | None = None,
    start_date: datetime.date = datetime.date(2027, 1, 1),
    lines=None,
    **fields,
) -> RecurringInvoice:
    data = services.TemplateData(
        name=fields.pop("name", "Månedlig support"),
        client=client or ClientFactory(company=company),
        start_date=start_date,
        **fields,
    )
    return services.recurring_create(
        company=company,
        actor=SYSTEM,
        data=data,
        lines=lines or [line(unit_price="1000.00", description="Support")],
    )
