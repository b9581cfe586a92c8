"""Golden file: the SAF-T export of a small company, byte for byte.

Regenerate after a deliberate change with ``UPDATE_GOLDEN=1`` and read the diff.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django_scopes import scope
from lxml import etree

from accounts.tests.factories import CompanyFactory, MembershipFactory
from invoicing import services
from invoicing.tests.factories import SYSTEM, ClientFactory, line
from reports.saft import write_saft
from reports.tests.saft_support import xsd_errors

GOLDEN = Path(__file__).parent / "golden" / "saft_small_company.xml"


def _payment_ids_numbered_in_order(xml: str) -> str:
    """Payment transactions are named B<payment id>; database ids differ between runs
    (PostgreSQL does not reset sequences between tests), so number them as they appear."""
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        numbers.setdefault(match.group(2), str(len(numbers) + 1))
        return f"{match.group(1)}B{numbers[match.group(2)]}<"

    return re.sub(r"(<(?:TransactionID|CrossReference)>)B(\d+)<", renumber, xml)


@pytest.mark.django_db
def test_saft_of_a_small_company_matches_the_golden_file():
    company = CompanyFactory(
        name="Fjellbekk Design AS",
        organization_number="923609016",
        email="post@fjellbekk.no",
        address_line="Bryggen 3",
        postcode="5003",
        city="Bergen",
    )
    MembershipFactory(
        company=company, user__full_name="Kari Nordmann", user__email="kari@fjellbekk.no"
    )
    with (
        scope(company=company),
        time_machine.travel(datetime.datetime(2026, 3, 20, 10, 0), tick=False),
    ):
        services.invoicing_settings_update(
            company=company, actor=SYSTEM, kid_method="mod10", kid_length=8
        )
        hotel = ClientFactory(
            company=company, number=1001, name="Fjordhotellet AS", organization_number="988077917"
        )
        export = ClientFactory(
            company=company,
            number=1002,
            name="Nordic Imports GmbH",
            organization_number="",
            country="DE",
            address_line="Hafenstraße 5",
            postcode="20457",
            city="Hamburg",
        )

        def issue(client, day, lines, **header):
            draft = services.invoice_create_draft(
                company=company,
                actor=SYSTEM,
                header=services.InvoiceHeader(client=client, invoice_date=day, **header),
                lines=lines,
            )
            return services.invoice_issue(invoice=draft, actor=SYSTEM)

        first = issue(
            hotel,
            datetime.date(2026, 1, 10),
            [
                line(quantity="10", unit_price="950.00", code="3", description="Designarbeid"),
                line(quantity="2", unit_price="120.50", code="31", description="Lunsj"),
            ],
        )
        second = issue(
            hotel,
            datetime.date(2026, 2, 3),
            [
                line(quantity="1", unit_price="4000.00", code="33", description="Overnatting"),
            ],
        )
        issue(
            export,
            datetime.date(2026, 2, 14),
            [
                line(
                    quantity="3", unit_price="410.00", code="52", description="Plakater, utførsel"
                ),
            ],
            currency="EUR",
            exchange_rate=Decimal("11.7125"),
        )
        services.invoice_credit(
            invoice=first,
            actor=SYSTEM,
            lines=[services.CreditLine(first.lines.get(position=2))],
            credit_date=datetime.date(2026, 2, 20),
        )
        payment = services.payment_register(
            invoice=second,
            actor=SYSTEM,
            amount=Decimal("4480.00"),
            date=datetime.date(2026, 2, 25),
            reference="Nettbank",
        )
        services.payment_reverse(payment=payment, actor=SYSTEM, date=datetime.date(2026, 2, 26))
        services.payment_register(
            invoice=first, actor=SYSTEM, amount=Decimal("5000.00"), date=datetime.date(2026, 2, 27)
        )
        buffer = io.BytesIO()
        write_saft(
            company=company,
            date_from=datetime.date(2026, 1, 1),
            date_to=datetime.date(2026, 2, 28),
            target=buffer,
            created=datetime.date(2026, 3, 20),
        )
    xml = buffer.getvalue()
    assert xsd_errors(xml) == []
    parser = etree.XMLParser(remove_blank_text=True)
    pretty = etree.tostring(etree.fromstring(xml, parser), pretty_print=True, encoding="unicode")
    pretty = _payment_ids_numbered_in_order(pretty)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(pretty)
    assert pretty == GOLDEN.read_text()
