"""Reports at 100,000 invoices: VAT report, ageing, SAF-T export of a year.

Seeds one company with ``REPORT_INVOICES`` issued invoices dated through one year (two
lines and two VAT groups each, 2 % in EUR), 4 % credited by a credit note, 60 % paid
(bank payments, 1 % of them reversed), with ``bulk_create`` for speed. Then measures:

- ``vat_report`` for one bimonthly term and for the whole year;
- ``ageing`` as of the last day (today's stored balances) and as of a past date (the
  history summed per invoice);
- the SAF-T Financial file of the year, written to a temporary file: wall time, file
  size, and the peak of Python allocations during the export (``tracemalloc``), at a
  tenth of the invoices and at all of them, to show whether memory stays flat.

The database: ``DATABASE_URL`` when set (use a scratch database), else a fresh SQLite
file under ``var/bench/``.
"""

from __future__ import annotations

import datetime
import os
import random
import tempfile
import time
import tracemalloc
from decimal import Decimal

from bench.database import use_scratch_database
from bench.timing import median_ms

INVOICES = int(os.environ.get("REPORT_INVOICES", "100000"))
CLIENTS = 1000
BATCH = 5000
YEAR = 2026


def _seed(company, clients, codes, count: int, first_number: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, NumberSeries, Payment
    from invoicing.services import buyer_snapshot, seller_snapshot

    rng = random.Random(first_number)
    series, _ = NumberSeries.objects.get_or_create(
        company=company, kind=NumberSeries.Kind.INVOICE, defaults={"first_number": 1}
    )
    seller = seller_snapshot(company)
    buyers = {client.pk: buyer_snapshot(client, reverse_charge=False) for client in clients}
    now = timezone.now()
    standard, food = codes
    start = datetime.date(YEAR, 1, 1)
    number = first_number
    for batch_start in range(0, count, BATCH):
        size = min(BATCH, count - batch_start)
        documents, plan = [], []
        for index in range(size):
            client = clients[rng.randrange(len(clients))]
            day = start + datetime.timedelta(days=(batch_start + index) * 364 // count)
            net_25 = Decimal(rng.randrange(1, 40)) * Decimal(rng.randrange(500, 1500))
            net_15 = Decimal(rng.randrange(0, 200_00)) / 100
            vat_25 = (net_25 * Decimal("0.25")).quantize(Decimal("0.01"))
            vat_15 = (net_15 * Decimal("0.15")).quantize(Decimal("0.01"))
            total = net_25 + net_15 + vat_25 + vat_15
            eur = rng.random() < 0.02
            rate = Decimal("11.512300") if eur else Decimal(1)
            roll = rng.random()
            fate = "paid" if roll < 0.6 else ("credited" if roll < 0.64 else "open")
            documents.append(
                Invoice(
                    company=company,
                    kind=Invoice.Kind.INVOICE,
                    status=Invoice.Status.DRAFT,
                    series=series,
                    number=number,
                    client=client,
                    invoice_date=day,
                    delivery_date=day,
                    due_date=day + datetime.timedelta(days=14),
                    currency="EUR" if eur else "NOK",
                    exchange_rate=rate,
                    seller_snapshot=seller,
                    buyer_snapshot=buyers[client.pk],
                    total_excl_vat=net_25 + net_15,
                    total_vat=vat_25 + vat_15,
                    total_incl_vat=total,
                    total_vat_nok=(vat_25 * rate).quantize(Decimal("0.01"))
                    + (vat_15 * rate).quantize(Decimal("0.01")),
                    kid=f"{client.number:04d}{number:07d}",
                    issued_at=now,
                    paid_amount=total if fate == "paid" else Decimal(0),
                    credited_amount=total if fate == "credited" else Decimal(0),
                )
            )
            plan.append((fate, net_25, net_15, vat_25, vat_15, rate))
            number += 1
        credit_notes = []
        for document, (fate, *_rest) in zip(documents, plan, strict=True):
            if fate == "credited":
                credit_notes.append(
                    Invoice(
                        company=company,
                        kind=Invoice.Kind.CREDIT_NOTE,
                        status=Invoice.Status.DRAFT,
                        series=series,
                        number=number,
                        client=document.client,
                        invoice_date=min(
                            document.invoice_date + datetime.timedelta(days=5),
                            datetime.date(YEAR, 12, 31),
                        ),
                        delivery_date=document.delivery_date,
                        due_date=min(
                            document.invoice_date + datetime.timedelta(days=5),
                            datetime.date(YEAR, 12, 31),
                        ),
                        currency=document.currency,
                        exchange_rate=document.exchange_rate,
                        seller_snapshot=seller,
                        buyer_snapshot=document.buyer_snapshot,
                        total_excl_vat=document.total_excl_vat,
                        total_vat=document.total_vat,
                        total_incl_vat=document.total_incl_vat,
                        total_vat_nok=document.total_vat_nok,
                        issued_at=now,
                    )
                )
                number += 1
        with transaction.atomic():
            Invoice.objects.bulk_create(documents, batch_size=1000)
            credited = [
                (document, row)
                for document, row in zip(documents, plan, strict=True)
                if row[0] == "credited"
            ]
            for note, (original, _row) in zip(credit_notes, credited, strict=True):
                note.credited_invoice = original
            Invoice.objects.bulk_create(credit_notes, batch_size=1000)
            lines, vat_lines, payments = [], [], []
            pairs = list(zip(documents, plan, strict=True)) + [
                (note, row) for note, (_original, row) in zip(credit_notes, credited, strict=True)
            ]
            for document, (_fate, net_25, net_15, vat_25, vat_15, rate) in pairs:
                common = {"company": company, "invoice": document, "vat_category": "S"}
                for position, (code, net, vat_rate, vat) in enumerate(
                    [(standard, net_25, "25.00", vat_25), (food, net_15, "15.00", vat_15)], start=1
                ):
                    lines.append(
                        InvoiceLine(
                            **common,
                            position=position,
                            description="Konsulentbistand" if position == 1 else "Servering",
                            quantity=Decimal(1),
                            unit="EA",
                            unit_price=net,
                            vat_code=code,
                            vat_rate=Decimal(vat_rate),
                            net_amount=net,
                        )
                    )
                    vat_lines.append(
                        InvoiceVatLine(
                            **common,
                            vat_rate=Decimal(vat_rate),
                            basis=net,
                            vat=vat,
                            vat_nok=(vat * rate).quantize(Decimal("0.01")),
                            vat_codes=[code.code],
                        )
                    )
            for document, (fate, *_rest) in zip(documents, plan, strict=True):
                if fate == "paid":
                    payments.append(
                        Payment(
                            company=company,
                            invoice=document,
                            date=min(document.due_date, datetime.date(YEAR, 12, 31)),
                            amount=document.total_incl_vat,
                            applied_amount=document.total_incl_vat,
                            to_credit_amount=Decimal(0),
                            method=Payment.Method.KID,
                        )
                    )
            InvoiceLine.objects.bulk_create(lines, batch_size=2000)
            InvoiceVatLine.objects.bulk_create(vat_lines, batch_size=2000)
            Payment.objects.bulk_create(payments, batch_size=2000)
            reversals = [
                Payment(
                    company=company,
                    invoice=payment.invoice,
                    date=payment.date,
                    amount=-payment.amount,
                    applied_amount=-payment.amount,
                    to_credit_amount=Decimal(0),
                    method=payment.method,
                    reverses=payment,
                )
                for payment in payments[::100]
            ]
            Payment.objects.bulk_create(reversals, batch_size=2000)
            reversed_ids = [r.invoice.pk for r in reversals]
            Invoice.objects.filter(pk__in=reversed_ids).update(paid_amount=Decimal(0))
            for fate, status in (("paid", "paid"), ("credited", "credited"), ("open", "sent")):
                ids = [d.pk for d, p in zip(documents, plan, strict=True) if p[0] == fate]
                Invoice.objects.filter(pk__in=ids).update(status=status)
            Invoice.objects.filter(pk__in=reversed_ids).update(status="sent")
            Invoice.objects.filter(pk__in=[n.pk for n in credit_notes]).update(status="issued")
    return number  # the next free number (the bench writes numbers directly)


def _saft(company) -> tuple[float, int, float]:
    from reports.saft import write_saft

    with tempfile.TemporaryFile() as handle:
        tracemalloc.start()
        start = time.perf_counter()
        write_saft(
            company=company,
            date_from=datetime.date(YEAR, 1, 1),
            date_to=datetime.date(YEAR, 12, 31),
            target=handle,
        )
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = handle.tell()
    return seconds, size, peak / 1024 / 1024


def _saft_untraced(company) -> float:
    from reports.saft import write_saft

    with tempfile.TemporaryFile() as handle:
        start = time.perf_counter()
        write_saft(
            company=company,
            date_from=datetime.date(YEAR, 1, 1),
            date_to=datetime.date(YEAR, 12, 31),
            target=handle,
        )
        return time.perf_counter() - start


def _measure(company) -> list[tuple[str, str, str]]:
    """VAT, ageing (median wall and CPU) and one SAF-T export of the seeded year."""
    from reports import selectors

    rows: list[tuple[str, str, str]] = []
    term = selectors.vat_terms(year=YEAR, yearly=False)[2]
    cases = [
        (
            "VAT report, one term",
            lambda: selectors.vat_report(company=company, date_from=term.start, date_to=term.end),
        ),
        (
            "VAT report, whole year",
            lambda: selectors.vat_report(
                company=company,
                date_from=datetime.date(YEAR, 1, 1),
                date_to=datetime.date(YEAR, 12, 31),
            ),
        ),
        (
            "ageing as of year end",
            lambda: selectors.ageing(company=company, as_of=datetime.date(YEAR + 1, 1, 31)),
        ),
        (
            "ageing as of 30 June (later rows corrected)",
            lambda: selectors.ageing(company=company, as_of=datetime.date(YEAR, 6, 30)),
        ),
    ]
    for label, func in cases:
        wall, cpu = median_ms(func, rounds=5)
        rows.append((f"{label}, median wall", f"{wall:.0f}", "ms"))
        rows.append((f"{label}, median CPU", f"{cpu:.0f}", "ms"))
    cpu = time.process_time()
    seconds = _saft_untraced(company)
    rows.append((f"SAF-T year, {INVOICES} invoices: wall", f"{seconds:.1f}", "s"))
    rows.append(
        (
            f"SAF-T year, {INVOICES} invoices: CPU (this process)",
            f"{time.process_time() - cpu:.1f}",
            "s",
        )
    )
    return rows


def run() -> list[tuple[str, str, str]]:
    if os.environ.get("REPORT_REUSE") and os.environ.get("DATABASE_URL"):
        return _run_on_seeded()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scope

    database = use_scratch_database("bench_reports")
    call_command("migrate", verbosity=0)

    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory
    from catalog.models import VatCode
    from customers.models import Client
    from invoicing.models import Invoice

    membership = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier")
    company = membership.company
    rows: list[tuple[str, str, str]] = [("reports database", database, "")]
    with scope(company=company):
        clients = Client.objects.bulk_create(
            [
                Client(
                    company=company,
                    number=1000 + n,
                    name=f"Kunde {n} AS",
                    organization_number="988077917",
                    address_line=f"Gate {n}",
                    postcode="5003",
                    city="Bergen",
                )
                for n in range(CLIENTS)
            ]
        )
        codes = (VatCode.objects.get(code="3"), VatCode.objects.get(code="31"))
        tenth = INVOICES // 10
        start = time.perf_counter()
        next_number = _seed(company, clients, codes, tenth, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds, size, peak = _saft(company)
        rows.append((f"SAF-T year, {tenth} invoices: time", f"{seconds:.1f}", "s"))
        rows.append((f"SAF-T year, {tenth} invoices: peak Python memory", f"{peak:.1f}", "MB"))
        _seed(company, clients, codes, INVOICES - tenth, next_number)
        seed_s = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        documents = Invoice.objects.count()
        rows.append((f"reports seed {documents} documents (bulk)", f"{seed_s:.0f}", "s"))

        rows.extend(_measure(company))
        seconds, size, peak = _saft(company)
        rows.append(
            (f"SAF-T year, {INVOICES} invoices: time under tracemalloc", f"{seconds:.1f}", "s")
        )
        rows.append(
            (f"SAF-T year, {INVOICES} invoices: file size", f"{size / 1024 / 1024:.0f}", "MB")
        )
        rows.append((f"SAF-T year, {INVOICES} invoices: peak Python memory", f"{peak:.1f}", "MB"))
    return rows


def _run_on_seeded() -> list[tuple[str, str, str]]:
    """Measure again on a database an earlier run seeded (``REPORT_REUSE=1``)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django_scopes import scope, scopes_disabled

    from accounts.models import Company

    with scopes_disabled():
        company = Company.objects.order_by("-id").first()
    with scope(company=company):
        return [("reports database", "seeded by an earlier run", ""), *_measure(company)]
