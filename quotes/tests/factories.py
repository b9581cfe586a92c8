"""Factories for quote tests (through the services). Use inside a scope."""

from __future__ import annotations

import datetime

from accounts.models import Company
from customers.models import Client
from invoicing.tests.factories import SYSTEM, ClientFactory, line
from quotes import services
from quotes.models import Quote


def quote(
    *,
    company: Company,
    client: Client | None = None,
    lines=None,
    quote_date: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    **fields,
) -> Quote:
    return services.quote_create(
        company=company,
        actor=SYSTEM,
        data=services.QuoteData(
            client=client or ClientFactory(company=company),
            quote_date=quote_date,
            valid_until=valid_until,
            **fields,
        ),
        lines=lines or [line(unit_price="1000.00", quantity="2", description="Montering")],
    )
