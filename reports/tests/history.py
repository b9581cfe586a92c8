"""A generated company history for the report tests, made through the invoicing services.

Every output VAT code, several lines per invoice, EUR invoices at their own rates, partial
and full credit notes, partial payments, overpayments, payments from the credit balance
and reversals, spread over a year; and on some unpaid invoices (NOK and EUR) reminder
fees, § 3a compensation and interest, partly paid or waived. Deterministic for a seed.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from accounts.models import Company
from invoicing import services
from invoicing.models import Invoice, Payment
from invoicing.tests.factories import SYSTEM, ClientFactory, ProductFactory, line

CODES = ["3", "31", "32", "33", "5", "51", "52", "6", "7"]
START = datetime.date(2026, 1, 2)


def build_history(*, company: Company, invoices: int = 40, seed: int = 7) -> list[Invoice]:
    """Issue ``invoices`` invoices with payments, credit notes and reversals; return them."""
    rng = random.Random(seed)
    clients = [ClientFactory(company=company) for _ in range(5)]
    products = [ProductFactory(company=company) for _ in range(3)]
    # First draw every invoice and what happens to it; then run it all in date order, as
    # a real company would (a number series' numbers follow its dates).
    events: list[tuple[datetime.date, int, int, str]] = []  # (date, order, spec, action)
    specs = []
    for index in range(invoices):
        day = START + datetime.timedelta(days=rng.randrange(0, 330))
        codes = rng.sample(CODES, k=rng.randint(1, 3))
        if index < len(CODES):
            codes = [CODES[index]]  # every code at least once on its own
        if "7" in codes and len(codes) > 1:
            codes.remove("7")  # code 7 stands alone on a document (EN 16931 BR-O-11)
        lines = [
            line(
                quantity=str(rng.choice(["1", "2", "3.5", "0.75", "12"])),
                unit_price=f"{rng.randint(1, 250000) / 100:.2f}",
                code=code,
                discount=rng.choice(["0", "0", "10", "12.5"]),
                product=rng.choice([None, *products]),
            )
            for code in codes
        ]
        foreign = index % 5 == 4
        header = (  # currency, exchange rate
            "EUR" if foreign else "NOK",
            Decimal(f"11.{rng.randint(1000, 9999)}") if foreign else None,
        )
        client = rng.choice(clients)
        later = day + datetime.timedelta(days=rng.randint(0, 60))
        fate = rng.random() if index >= len(CODES) else 0.1  # every code stays in
        reverse = rng.random() < 0.5
        specs.append((day, lines, header, client, later, fate, reverse))
        events.append((day, 0, index, "issue"))
        if fate < 0.3:
            events.append((later, 1, index, "pay_all"))
        elif fate < 0.45:
            events.append((later, 1, index, "pay_part"))
        elif fate < 0.55:
            events.append((later, 1, index, "overpay"))
        elif fate < 0.65:
            events.append((later, 2, index, "credit_all"))
        elif fate < 0.75:
            events.append((later, 2, index, "credit_half"))
        elif fate < 0.8:
            events.append((later, 1, index, "pay_all"))
            events.append((later + datetime.timedelta(days=5), 2, index, "credit_all"))
    by_spec: dict[int, Invoice] = {}
    for date, _order, index, action in sorted(events):
        day, lines, (currency, exchange_rate), client, later, fate, reverse = specs[index]
        if action == "issue":
            draft = services.invoice_create_draft(
                company=company,
                actor=SYSTEM,
                header=services.InvoiceHeader(
                    client=client,
                    invoice_date=day,
                    currency=currency,
                    exchange_rate=exchange_rate,
                ),
                lines=lines,
            )
            by_spec[index] = services.invoice_issue(invoice=draft, actor=SYSTEM)
            continue
        invoice = by_spec[index]
        invoice.refresh_from_db()
        if action == "pay_all":
            services.payment_register(
                invoice=invoice, actor=SYSTEM, amount=invoice.total_incl_vat, date=date
            )
        elif action == "pay_part":
            part = (invoice.total_incl_vat / 3).quantize(Decimal("0.01"))
            if part > 0:
                payment = services.payment_register(
                    invoice=invoice, actor=SYSTEM, amount=part, date=date
                )
                if reverse:
                    services.payment_reverse(
                        payment=payment, actor=SYSTEM, date=date + datetime.timedelta(days=3)
                    )
        elif action == "overpay":
            services.payment_register(
                invoice=invoice,
                actor=SYSTEM,
                amount=invoice.total_incl_vat + Decimal("100.00"),
                date=date,
                confirm_overpayment=True,
            )
        elif action == "credit_all":
            services.invoice_credit(invoice=invoice, actor=SYSTEM, credit_date=date)
        elif action == "credit_half":
            first = invoice.lines.order_by("position").first()
            assert first is not None
            services.invoice_credit(
                invoice=invoice,
                actor=SYSTEM,
                lines=[services.CreditLine(first, quantity=first.quantity / 2)],
                credit_date=date,
            )
    issued = [by_spec[index] for index in range(invoices)]
    _add_receivable_items(company=company, invoices=issued)
    # Spend some credit balance (method "credit") where a client has one.
    from invoicing.selectors import client_credit_balance

    for invoice in issued:
        invoice.refresh_from_db()
        available = client_credit_balance(client=invoice.client, currency=invoice.currency)
        if invoice.open_balance > 0 and available > 0:
            services.payment_register(
                invoice=invoice,
                actor=SYSTEM,
                amount=min(available, invoice.open_balance),
                date=invoice.invoice_date + datetime.timedelta(days=70),
                method=Payment.Method.CREDIT_BALANCE,
            )
            break
    return issued


def _add_receivable_items(*, company: Company, invoices: list[Invoice]) -> None:
    """Fees, compensation and interest on the first unpaid invoices, as the reminder run
    leaves them (rows of the receivables app): one of each kind partly paid, one waived.

    Written as rows, not through the reminder run: the run decides *whether* to claim
    (its own tests), here only the amounts and dates matter to the reports.
    """
    from django.utils import timezone

    from receivables.models import ItemAllocation, ReceivableItem

    for invoice in invoices:
        invoice.refresh_from_db()
    unpaid = [invoice for invoice in invoices if invoice.open_balance > 0]
    eur = [invoice for invoice in unpaid if invoice.currency != "NOK"][:1]
    chosen = [invoice for invoice in unpaid if invoice.currency == "NOK"][:4] + eur
    for index, invoice in enumerate(chosen):
        claimed = invoice.due_date + datetime.timedelta(days=20)
        for kind, amount in (("reminder_fee", "35.00"), ("interest", f"{12 + index}.37")):
            item = ReceivableItem.objects.create(
                company=company,
                invoice=invoice,
                client=invoice.client,
                kind=kind,
                date=claimed,
                amount=Decimal(amount),
                currency=invoice.currency,
            )
            if index == 1 and kind == "reminder_fee":
                paid = Decimal("20.00")
                ItemAllocation.objects.create(
                    company=company,
                    item=item,
                    date=claimed + datetime.timedelta(days=9),
                    amount=paid,
                )
                item.paid_amount = paid
                item.save(update_fields=["paid_amount"])
            if index == 2 and kind == "interest":
                item.waived_at = timezone.make_aware(
                    datetime.datetime.combine(
                        claimed + datetime.timedelta(days=30), datetime.time(12)
                    )
                )
                item.save(update_fields=["waived_at"])
        if index == 3:
            ReceivableItem.objects.create(
                company=company,
                invoice=invoice,
                client=invoice.client,
                kind="compensation",
                date=claimed,
                amount=Decimal("70.00"),
                currency=invoice.currency,
            )
