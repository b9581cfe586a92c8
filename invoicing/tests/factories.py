"""Factories for invoicing tests.

Drafts are built through the services (so they are valid the way users make them);
``issued_invoice`` issues one. Use inside ``django_scopes.scope(company=...)``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from accounts.models import Company
from catalog.models import Product, VatCode
from core.audit import Actor
from customers.models import Client
from invoicing import services
from invoicing.models import Invoice

SYSTEM = Actor.system("tests")


def vat_code(code: str) -> VatCode:
    return VatCode.objects.get(code=code)


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    number = factory.Sequence(lambda n: 10000 + n)
    name = factory.Sequence(lambda n: f"Kunde {n} AS")
    organization_number = "988077917"
    address_line = "Kundeveien 2"
    postcode = "5003"
    city = "Bergen"
    invoice_emails = "post@kunde.example"
    payment_terms_days = 14


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    number = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Konsulenttime {n}")
    unit = "HUR"
    unit_price = Decimal("1000.00")
    vat_code = factory.LazyFunction(lambda: vat_code("3"))


def line(
    *,
    quantity: str | Decimal = "1",
    unit_price: str | Decimal = "100.00",
    code: str = "3",
    discount: str | Decimal = "0",
    description: str = "Tjeneste",
    **extra,
) -> services.LineData:
    return services.LineData(
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        discount_percent=Decimal(discount),
        vat_code=vat_code(code),
        description=description,
        **extra,
    )


def draft_invoice(
    *,
    company: Company,
    client: Client | None = None,
    lines: list[services.LineData] | None = None,
    invoice_date: datetime.date | None = datetime.date(2026, 11, 2),
    **header,
) -> Invoice:
    client = client or ClientFactory(company=company)
    return services.invoice_create_draft(
        company=company,
        actor=SYSTEM,
        header=services.InvoiceHeader(client=client, invoice_date=invoice_date, **header),
        lines=lines if lines is not None else [line()],
    )


def issued_invoice(*, company: Company, **kwargs) -> Invoice:
    return services.invoice_issue(invoice=draft_invoice(company=company, **kwargs), actor=SYSTEM)
