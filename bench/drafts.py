"""Drafts for the issue benchmarks (``bench_batch``, ``bench_issue_selected``): one shape,
so their figures compare."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Company
    from core.audit import Actor
    from invoicing.models import Invoice

# 3 lines at 25/15/12 % (quantity, unit price, VAT code, text)
LINES = (
    ("7.5", "1250.00", "3", "Rådgivning"),
    ("12", "89.50", "31", "Lunsj"),
    ("2", "1195.00", "33", "Hotell"),
)
CLIENTS = 50


def drafts_create(
    *, company: Company, actor: Actor, count: int, peppol_id: str = ""
) -> list[Invoice]:
    """``count`` drafts of ``company`` with ``LINES``, over ``CLIENTS`` new clients in turn
    (numbered from 100; ``peppol_id`` to give them one). Call inside the company's scope."""
    from decimal import Decimal

    from catalog.models import VatCode
    from invoicing import services
    from invoicing.tests.factories import ClientFactory

    codes = {code: VatCode.objects.get(code=code) for _, _, code, _ in LINES}
    extra = {"peppol_id": peppol_id} if peppol_id else {}
    clients = [ClientFactory(company=company, number=100 + n, **extra) for n in range(CLIENTS)]
    lines = [
        services.LineData(
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_code=codes[code],
            description=text,
        )
        for quantity, price, code, text in LINES
    ]
    return [
        services.invoice_create_draft(
            company=company,
            actor=actor,
            header=services.InvoiceHeader(client=clients[n % len(clients)]),
            lines=lines,
        )
        for n in range(count)
    ]
