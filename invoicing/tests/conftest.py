from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.audit import Actor
from invoicing import services
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

D = datetime.date


@pytest.fixture
def buyer(company_scope):
    """A client of ``company`` (with an organisasjonsnummer)."""
    return ClientFactory(company=company_scope, number=42, name="Fjord Bygg AS")


@pytest.fixture
def actor(owner):
    return Actor.user(owner)


@pytest.fixture
def varied(company_scope, actor, other_company):
    """21 documents of ``company`` that the list's searches find in different ways (client
    names, references, order numbers, a number), with equal dates, drafts and payments."""
    company = company_scope
    clients = [
        ClientFactory(company=company, name="Nordlys Regnskap AS"),
        ClientFactory(company=company, name="Nordlysregnskap Vest"),
        ClientFactory(company=company, name="Fjord Bygg AS"),
        ClientFactory(company=company, name="Acme PO Trading"),
    ]
    references = [
        {"their_reference": "Nordlys avd. 4"},
        {"order_number": "PO-4242"},
        {"order_number": "PO-14242"},
        {"order_number": "XO-4242"},  # the longest word matches, the whole search does not
        {"our_reference": "Per Olsen", "buyer_reference": "Avd 4242"},
        {"buyer_reference": "nordlysregnskap"},
        {},
    ]
    invoices = []
    for n in range(21):
        fields = references[n % len(references)]
        invoice_date = D(2026, 9, 1) + datetime.timedelta(days=(n // 3) * 5)  # equal dates too
        make = draft_invoice if n % 9 == 4 else issued_invoice
        invoices.append(
            make(
                company=company,
                client=clients[n % len(clients)],
                invoice_date=invoice_date,
                lines=[line(unit_price=f"{100 + 37 * (n % 5)}.00")],
                **fields,
            )
        )
    services.payment_register(
        invoice=invoices[0], actor=actor, amount=invoices[0].total_incl_vat, date=D(2026, 11, 5)
    )
    services.payment_register(
        invoice=invoices[1], actor=actor, amount=Decimal("10.00"), date=D(2026, 11, 5)
    )
    # Another company's invoice matching every search stays out.
    issued_invoice(
        company=other_company,
        client=ClientFactory(company=other_company, name="Nordlys Regnskap AS"),
        order_number="PO-4242",
    )
    return invoices
