"""Reports at 100,000 invoices: VAT report, ageing, SAF-T export of a year.

Seeds one company with ``REPORT_INVOICES`` issued invoices dated through one year (two
lines and two VAT groups each, 2 % in EUR), 4 % credited by a credit note, 60 % paid
(bank payments, 1 % of them reversed), with ``bulk_create`` for speed. Then measures:

- ``vat_report`` for one bimonthly term and for the whole year;
- ``ageing`` as of the last day (today's stored balances) and as of a past date (the
  history summed per invoice);
- the SAF-T Financial file of the year, written to a temporary file: wall time, CPU of
  this process and of the PostgreSQL backend, file size and the process's peak resident
  memory during the export, at a tenth of the invoices and (``REPORT_SAFT_RUNS`` times)
  at all of them, to show whether memory stays flat; ``REPORT_TRACEMALLOC=1`` adds a run
  under ``tracemalloc`` (the peak of Python allocations; several times slower).

The machine is shared: wall-clock times include waiting for a core, so the CPU times of
the process and of the database backend are printed beside them.

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
from pathlib import Path

from bench.database import use_scratch_database
from bench.timing import WARMUP, database_cpu, median_ms

INVOICES = int(os.environ.get("REPORT_INVOICES", "100000"))
ROUNDS = 5
SAFT_RUNS = int(os.environ.get("REPORT_SAFT_RUNS", "2"))
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


def _peak_rss_reset() -> bool:
    """Reset this process's peak resident set (Linux: ``/proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _saft(company, *, traced: bool = False) -> dict[str, float]:
    """One SAF-T export of the year into a temporary file: wall, this process's CPU, the
    database backend's CPU, file size, peak resident memory of the process during the
    export (and, with ``traced``, the peak of Python allocations under ``tracemalloc``,
    which slows the export several times)."""
    from reports.saft import write_saft

    result: dict[str, float] = {}
    with tempfile.TemporaryFile() as handle:
        rss_before = _peak_rss_mb()
        reset = _peak_rss_reset()
        if traced:
            tracemalloc.start()
        database = database_cpu()
        cpu, start = time.process_time(), time.perf_counter()
        write_saft(
            company=company,
            date_from=datetime.date(YEAR, 1, 1),
            date_to=datetime.date(YEAR, 12, 31),
            target=handle,
        )
        result["wall"] = time.perf_counter() - start
        result["cpu"] = time.process_time() - cpu
        result["database_cpu"] = database_cpu() - database
        if traced:
            result["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
        result["rss_mb"] = _peak_rss_mb() if reset else float("nan")
        result["rss_before_mb"] = rss_before
        result["size_mb"] = handle.tell() / 1024 / 1024
    return result


def _saft_rows(label: str, figures: dict[str, float]) -> list[tuple[str, str, str]]:
    rows = [
        (f"{label}: wall", f"{figures['wall']:.1f}", "s"),
        (f"{label}: CPU (Python process)", f"{figures['cpu']:.1f}", "s"),
        (f"{label}: CPU (PostgreSQL backend)", f"{figures['database_cpu']:.1f}", "s"),
        (f"{label}: file size", f"{figures['size_mb']:.0f}", "MB"),
        (f"{label}: peak RSS of the process", f"{figures['rss_mb']:.0f}", "MB"),
    ]
    if "traced_mb" in figures:
        rows.append((f"{label}: peak Python allocations", f"{figures['traced_mb']:.1f}", "MB"))
    return rows


def _measure(company) -> list[tuple[str, str, str]]:
    """VAT, ageing (median wall and CPU) and SAF-T exports of the seeded year."""
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
        database = database_cpu()
        wall, cpu = median_ms(func, rounds=ROUNDS)
        database = (database_cpu() - database) / (ROUNDS + WARMUP) * 1000
        rows.append((f"{label}, median wall", f"{wall:.0f}", "ms"))
        rows.append((f"{label}, median CPU", f"{cpu:.0f}", "ms"))
        rows.append((f"{label}, mean database backend CPU", f"{database:.0f}", "ms"))
    for run in range(SAFT_RUNS):
        rows.extend(_saft_rows(f"SAF-T year, {INVOICES} invoices (run {run + 1})", _saft(company)))
    if os.environ.get("REPORT_TRACEMALLOC"):
        figures = _saft(company, traced=True)
        rows.extend(_saft_rows(f"SAF-T year, {INVOICES} invoices under tracemalloc", figures))
    return rows


def run() -> list[tuple[str, str, str]]:
    if os.environ.get("REPORT_REUSE") and os.environ.get("DATABASE_URL"):
        return _run_on_seeded()
    from django.core.management import call_command
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
        _vacuum()
        rows.extend(_saft_rows(f"SAF-T year, {tenth} invoices", _saft(company)))
        _seed(company, clients, codes, INVOICES - tenth, next_number)
        seed_s = time.perf_counter() - start
        _vacuum()
        documents = Invoice.objects.count()
        rows.append((f"reports seed {documents} documents (bulk)", f"{seed_s:.0f}", "s"))

        rows.extend(_measure(company))
    return rows


def _vacuum() -> None:
    """Statistics and (PostgreSQL) the visibility map, as autovacuum keeps them on a live
    database: index-only scans need the pages marked all-visible."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


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
