"""The demo company's data: what a newcomer sees when they log in to the demo.

Everything is made through the services, as a user would make it, with dates relative to
today so that there is always something overdue, something paid and something in draft.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from accounts.models import Company
from catalog.models import Product, VatCode
from catalog.services import ProductData, product_create
from core.audit import Actor
from customers.models import Client
from customers.services import ClientData, client_create
from invoicing import services as invoicing
from invoicing.models import Invoice
from receivables.rules import FigureMissing
from receivables.services import letter_send

ACTOR = Actor.system("demo_setup")

CLIENTS = [
    ClientData(
        name="Fjellbekk Kafé AS",
        organization_number="988077917",
        address_line="Strandgaten 12",
        postcode="5013",
        city="Bergen",
        invoice_emails="faktura@fjellbekk.example",
        contact_person="Ingrid Fjellbekk",
        payment_terms_days=14,
    ),
    ClientData(
        name="Havbris Eiendom AS",
        organization_number="974760673",
        address_line="Dronningens gate 8",
        postcode="7011",
        city="Trondheim",
        invoice_emails="regnskap@havbris.example",
        payment_terms_days=30,
    ),
    ClientData(
        name="Nordvik Bygg og Anlegg AS",
        organization_number="981544315",
        address_line="Industriveien 44",
        postcode="9008",
        city="Tromsø",
        invoice_emails="post@nordvikbygg.example",
        payment_terms_days=14,
    ),
    ClientData(
        name="Lise Haugen",
        kind=Client.Kind.PERSON,
        address_line="Bjørkeveien 3",
        postcode="1470",
        city="Lørenskog",
        invoice_emails="lise.haugen@example.com",
        payment_terms_days=14,
    ),
]

PRODUCTS = [
    ("100", "Regnskapsføring, time", "HUR", "950.00", "3"),
    ("110", "Årsoppgjør og skattemelding", "EA", "8500.00", "3"),
    ("120", "Lønnskjøring per ansatt", "EA", "175.00", "3"),
    ("200", "Kurs: fakturering for nybegynnere", "EA", "1490.00", "3"),
    ("300", "Kaffe og lunsj, møte", "EA", "189.00", "31"),
]


def _line(product: Product, quantity: str) -> invoicing.LineData:
    return invoicing.LineData(quantity=Decimal(quantity), product=product, description=product.name)


def _draft(
    company: Company, client: Client, lines: list[invoicing.LineData], invoice_date: datetime.date
) -> Invoice:
    return invoicing.invoice_create_draft(
        company=company,
        actor=ACTOR,
        header=invoicing.InvoiceHeader(
            client=client, invoice_date=invoice_date, our_reference="Demo Eier"
        ),
        lines=lines,
    )


def _issue(company: Company, client, lines, invoice_date: datetime.date) -> Invoice:
    return invoicing.invoice_issue(
        invoice=_draft(company, client, lines, invoice_date), actor=ACTOR
    )


def demo_data_create(*, company: Company, today: datetime.date | None = None) -> None:
    """Clients, products and invoices in every state, a payment, a credit note and a
    reminder. Only for a company without clients (the demo is created once)."""
    today = today or timezone.localdate()
    with scope(company=company):
        if Client.objects.exists():
            return
        invoicing.invoicing_settings_update(
            company=company, actor=ACTOR, kid_method="mod10", kid_length=10
        )
        clients = [client_create(company=company, actor=ACTOR, data=data) for data in CLIENTS]
        products = {
            number: product_create(
                company=company,
                actor=ACTOR,
                data=ProductData(
                    number=number,
                    name=name,
                    unit=unit,
                    unit_price=Decimal(price),
                    vat_code=VatCode.objects.get(code=code),
                ),
            )
            for number, name, unit, price, code in PRODUCTS
        }
        cafe, havbris, nordvik, lise = clients
        days = datetime.timedelta

        # Issued in date order: the numbers follow the dates.
        # Paid in full.
        paid = _issue(company, havbris, [_line(products["110"], "1")], today - days(days=50))
        invoicing.payment_register(
            invoice=paid, actor=ACTOR, amount=paid.total_incl_vat, date=today - days(days=30)
        )
        # Overdue, with a reminder.
        overdue = _issue(
            company,
            cafe,
            [_line(products["100"], "6"), _line(products["300"], "4")],
            today - days(days=45),
        )
        invoicing.invoice_mark_sent(invoice=overdue, actor=ACTOR)
        _reminder(overdue, today)
        # Credited: the course was cancelled.
        credited = _issue(company, lise, [_line(products["200"], "1")], today - days(days=20))
        invoicing.invoice_credit(
            invoice=credited,
            actor=ACTOR,
            credit_date=today - days(days=18),
            free_text="Kurset ble avlyst.",
        )
        # Partly paid, still open.
        partly = _issue(
            company,
            nordvik,
            [_line(products["100"], "12.5"), _line(products["120"], "8")],
            today - days(days=10),
        )
        invoicing.payment_register(
            invoice=partly, actor=ACTOR, amount=Decimal("5000.00"), date=today - days(days=3)
        )
        # Issued and sent, not yet due.
        sent = _issue(company, havbris, [_line(products["100"], "3")], today - days(days=2))
        invoicing.invoice_mark_sent(invoice=sent, actor=ACTOR)
        # Issued today, not sent yet.
        _issue(company, cafe, [_line(products["120"], "5")], today)
        # A draft to work on.
        _draft(company, nordvik, [_line(products["100"], "4")], today)


def _reminder(invoice: Invoice, today: datetime.date) -> None:
    """A reminder when the statutory figures for the date are there (the back office
    keeps them); the demo is still useful without it."""
    with contextlib.suppress(ValidationError, FigureMissing):
        letter_send(invoice=invoice, actor=ACTOR, send_on=today)
