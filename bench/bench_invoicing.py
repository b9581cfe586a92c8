"""The invoice list at 100,000 issued invoices, and issue throughput.

Seeds one company with ``INVOICES`` issued invoices (numbers, KIDs, seller and buyer
snapshots, two lines and two VAT lines each, mixed statuses and payment states), with
``bulk_create`` for speed, then measures the list page through Django's test client
(logged in, the whole middleware stack and template) and ``invoice_issue`` on fresh drafts.

The database: ``DATABASE_URL`` when it is set (PostgreSQL: use a scratch database, the
bench writes to it); otherwise a fresh SQLite file under ``var/bench/``, never the
developer's ``var/fakturanett.sqlite3``.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from bench.database import plain_static_files, use_scratch_database

INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
CLIENTS = 500
ISSUE_COUNT = 300
ROUNDS = 30
BATCH = 5000


def _percentiles(func: Callable[[], object], rounds: int = ROUNDS) -> tuple[float, float]:
    for _ in range(3):
        func()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95


def _seed(company, clients, codes) -> None:
    from django.db import transaction
    from django.utils import timezone

    from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, NumberSeries
    from invoicing.services import buyer_snapshot, seller_snapshot

    rng = random.Random(42)
    series = NumberSeries.objects.create(
        company=company, kind=NumberSeries.Kind.INVOICE, first_number=1, next_number=INVOICES + 1
    )
    seller = seller_snapshot(company)
    buyers = {client.pk: buyer_snapshot(client, reverse_charge=False) for client in clients}
    start = datetime.date(2024, 11, 1)
    now = timezone.now()
    standard, food = codes
    for batch_start in range(0, INVOICES, BATCH):
        numbers = range(batch_start + 1, min(batch_start + BATCH, INVOICES) + 1)
        invoices, plan = [], []
        for number in numbers:
            client = clients[rng.randrange(len(clients))]
            invoice_date = start + datetime.timedelta(days=number * 730 // INVOICES)
            hours = Decimal(rng.randrange(1, 40))
            price = Decimal(rng.randrange(500, 1500))
            food_net = Decimal(rng.randrange(0, 200_00)) / 100
            net_25 = hours * price
            vat_25 = (net_25 * Decimal("0.25")).quantize(Decimal("0.01"))
            vat_15 = (food_net * Decimal("0.15")).quantize(Decimal("0.01"))
            total = net_25 + food_net + vat_25 + vat_15
            roll = rng.random()
            if roll < 0.6:
                status, paid = Invoice.Status.PAID, total
            elif roll < 0.7:
                status, paid = Invoice.Status.PARTIALLY_PAID, (total / 2).quantize(Decimal("0.01"))
            elif roll < 0.85:
                status, paid = Invoice.Status.SENT, Decimal(0)
            else:
                status, paid = Invoice.Status.ISSUED, Decimal(0)
            invoices.append(
                Invoice(
                    company=company,
                    kind=Invoice.Kind.INVOICE,
                    status=Invoice.Status.DRAFT,  # lines are added to drafts; issued below
                    series=series,
                    number=number,
                    client=client,
                    invoice_date=invoice_date,
                    delivery_date=invoice_date,
                    due_date=invoice_date + datetime.timedelta(days=client.payment_terms_days),
                    our_reference="Olga Eier",
                    their_reference=client.their_reference,
                    order_number=f"PO-{number * 7 % 99991}",
                    seller_snapshot=seller,
                    buyer_snapshot=buyers[client.pk],
                    total_excl_vat=net_25 + food_net,
                    total_vat=vat_25 + vat_15,
                    total_incl_vat=total,
                    total_vat_nok=vat_25 + vat_15,
                    kid=f"{client.number:04d}{number:07d}",
                    issued_at=now,
                    paid_amount=paid,
                    sent_at=now if status != Invoice.Status.ISSUED else None,
                )
            )
            plan.append((status, hours, price, food_net, vat_25, vat_15))
        with transaction.atomic():
            Invoice.objects.bulk_create(invoices, batch_size=1000)
            lines, vat_lines = [], []
            for invoice, (_status, hours, price, food_net, vat_25, vat_15) in zip(
                invoices, plan, strict=True
            ):
                common = {"company": company, "invoice": invoice, "vat_category": "S"}
                lines.append(
                    InvoiceLine(
                        **common,
                        position=1,
                        description="Konsulentbistand",
                        quantity=hours,
                        unit="HUR",
                        unit_price=price,
                        vat_code=standard,
                        vat_rate=Decimal("25.00"),
                        net_amount=hours * price,
                    )
                )
                lines.append(
                    InvoiceLine(
                        **common,
                        position=2,
                        description="Servering",
                        quantity=Decimal(1),
                        unit="EA",
                        unit_price=food_net,
                        vat_code=food,
                        vat_rate=Decimal("15.00"),
                        net_amount=food_net,
                    )
                )
                vat_lines.append(
                    InvoiceVatLine(
                        **common,
                        vat_rate=Decimal("25.00"),
                        basis=hours * price,
                        vat=vat_25,
                        vat_nok=vat_25,
                        vat_codes=["3"],
                    )
                )
                vat_lines.append(
                    InvoiceVatLine(
                        **common,
                        vat_rate=Decimal("15.00"),
                        basis=food_net,
                        vat=vat_15,
                        vat_nok=vat_15,
                        vat_codes=["31"],
                    )
                )
            InvoiceLine.objects.bulk_create(lines, batch_size=2000)
            InvoiceVatLine.objects.bulk_create(vat_lines, batch_size=2000)
            # Issue them: only the status changes (a field that may change after issue).
            for status in {row[0] for row in plan}:
                ids = [inv.pk for inv, row in zip(invoices, plan, strict=True) if row[0] == status]
                Invoice.objects.filter(pk__in=ids).update(status=status)


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as TestClient
    from django.urls import reverse
    from django_scopes import scope

    database = use_scratch_database("bench_invoicing")
    plain_static_files()
    call_command("migrate", verbosity=0)

    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory
    from catalog.models import VatCode
    from core.audit import Actor
    from customers.models import Client
    from invoicing import services
    from invoicing.models import Invoice

    membership = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier")
    company, user = membership.company, membership.user
    rows: list[tuple[str, str, str]] = []
    with scope(company=company):
        clients = Client.objects.bulk_create(
            [
                Client(
                    company=company,
                    number=1000 + n,
                    name=f"Kunde {n} {'AS' if n % 3 else 'ANS'}",
                    organization_number="988077917",
                    address_line=f"Gate {n}",
                    postcode="5003",
                    city="Bergen",
                    their_reference=f"Ref {n}",
                    payment_terms_days=14 if n % 2 else 30,
                )
                for n in range(CLIENTS)
            ]
        )
        codes = (VatCode.objects.get(code="3"), VatCode.objects.get(code="31"))
        start = time.perf_counter()
        _seed(company, clients, codes)
        seed_s = time.perf_counter() - start
        count = Invoice.objects.filter(company=company).count()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    rows.append((f"invoicing seed {count} issued invoices (bulk)", f"{seed_s:.1f}", "s"))

    browser = TestClient(HTTP_HOST="localhost")
    browser.force_login(user)
    url = reverse("invoicing:list")
    target = clients[7]

    def page(params: dict[str, str]) -> Callable[[], object]:
        def get() -> None:
            response = browser.get(url, params)
            assert response.status_code == 200, response.status_code

        return get

    cases = [
        ("first page", {}),
        ("status + client filter", {"status": "paid", "client": str(target.pk)}),
        ("search (client name)", {"q": "Kunde 123 "}),
        ("search (number)", {"q": "45678"}),
        ("overdue filter", {"status": "overdue"}),
        ("sort by amount", {"sort": "-amount"}),
        ("page 500", {"page": "500"}),
    ]
    for label, params in cases:
        p50, p95 = _percentiles(page(params))
        rows.append((f"invoice list {label}, p50", f"{p50:.1f}", "ms"))
        rows.append((f"invoice list {label}, p95", f"{p95:.1f}", "ms"))

    actor = Actor.user(user)
    with scope(company=company):
        drafts = [
            services.invoice_create_draft(
                company=company,
                actor=actor,
                header=services.InvoiceHeader(client=clients[n % CLIENTS]),
                lines=[
                    services.LineData(
                        quantity=Decimal(2),
                        description="Konsulentbistand",
                        unit_price=Decimal("1100.00"),
                        vat_code=codes[0],
                    ),
                    services.LineData(
                        quantity=Decimal(1),
                        description="Lunsj",
                        unit_price=Decimal("189.50"),
                        vat_code=codes[1],
                    ),
                ],
            )
            for n in range(ISSUE_COUNT)
        ]
    # Only the issuing transaction is measured: the after-commit receivers (PDF/EHF tasks)
    # are detached so nothing is queued in the developer's task queue.
    from invoicing import hooks

    # Half are issued with the issue validators (documents: the EHF rule set), half
    # without, to show what the at-issue EHF check costs.
    receivers = list(hooks._receivers)
    validators = list(hooks._validators)
    hooks._receivers.clear()
    half = ISSUE_COUNT // 2
    try:
        start = time.perf_counter()
        for draft in drafts[:half]:
            services.invoice_issue(invoice=draft, actor=actor)
        with_check = time.perf_counter() - start
        hooks._validators.clear()
        start = time.perf_counter()
        for draft in drafts[half:]:
            services.invoice_issue(invoice=draft, actor=actor)
        without_check = time.perf_counter() - start
    finally:
        hooks._receivers.extend(receivers)
        hooks._validators[:] = validators
    rows.append((f"invoice_issue throughput ({half} invoices)", f"{half / with_check:.0f}", "/s"))
    rows.append(
        (
            "invoice_issue without the EHF check (issue validators off)",
            f"{(ISSUE_COUNT - half) / without_check:.0f}",
            "/s",
        )
    )
    rows.append(
        (
            "EHF rule set at issue, cost per invoice",
            f"{(with_check / half - without_check / (ISSUE_COUNT - half)) * 1000:.1f}",
            "ms",
        )
    )
    rows.append((f"invoicing bench database: {database}", "", ""))
    return rows
