"""Receivables at scale: the daily reminder run over 100,000 overdue invoices, and a
camt.054 file with 10,000 transactions matched against 100,000 open invoices.

Seeds two companies with ``INVOICES`` issued, unpaid invoices each (numbers, KIDs,
snapshots; no lines: neither run reads them) with ``bulk_create``. Then it times
``services.reminders_run`` (letters, fee and interest items; the e-mail delivery of the
letters, a Huey task per run, is not part of the figure: one letter's PDF is timed
separately) and ``services.bank_file_import`` of a camt.054 file (90 % exact payments of
distinct invoices, 5 % partial, 5 % unknown KIDs), then the same file again (nothing new).

``BENCH_INVOICES`` / ``BENCH_TRANSACTIONS`` change the sizes. The database: ``DATABASE_URL``
when set (a scratch database: the bench writes to it); otherwise a fresh SQLite file under
``var/bench/``.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from bench.database import use_scratch_database
from bench.timing import Statements, database_cpu, median_ms

INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
TRANSACTIONS = int(os.environ.get("BENCH_TRANSACTIONS", "10000"))
CLIENTS = 500
BATCH = 5000
T = TypeVar("T")


def _seed(company, clients, due: datetime.date) -> list[tuple[str, Decimal]]:
    from django.db import transaction
    from django.utils import timezone

    from invoicing.models import Invoice, InvoicingSettings, NumberSeries
    from invoicing.services import buyer_snapshot, seller_snapshot

    InvoicingSettings.objects.create(company=company, kid_method="mod10", kid_length=12)
    series = NumberSeries.objects.create(
        company=company, kind=NumberSeries.Kind.INVOICE, first_number=1, next_number=INVOICES + 1
    )
    seller = seller_snapshot(company)
    buyers = {client.pk: buyer_snapshot(client, reverse_charge=False) for client in clients}
    now = timezone.now()
    kids: list[tuple[str, Decimal]] = []
    for start in range(0, INVOICES, BATCH):
        invoices = []
        for number in range(start + 1, min(start + BATCH, INVOICES) + 1):
            client = clients[number % len(clients)]
            total = Decimal(1000 + number % 9000) + Decimal(number % 100) / 100
            kid = f"{number:011d}0"
            kids.append((kid, total))
            invoices.append(
                Invoice(
                    company=company,
                    kind=Invoice.Kind.INVOICE,
                    status=Invoice.Status.SENT,
                    series=series,
                    number=number,
                    client=client,
                    invoice_date=due - datetime.timedelta(days=14),
                    delivery_date=due - datetime.timedelta(days=14),
                    due_date=due,
                    seller_snapshot=seller,
                    buyer_snapshot=buyers[client.pk],
                    total_excl_vat=total,
                    total_incl_vat=total,
                    kid=kid,
                    issued_at=now,
                    sent_at=now,
                )
            )
        with transaction.atomic():
            Invoice.objects.bulk_create(invoices, batch_size=1000)
    return kids


def _company(name: str, orgnr: str):
    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory
    from customers.models import Client

    membership = MembershipFactory(
        role=Role.OWNER, company__name=name, company__organization_number=orgnr
    )
    company = membership.company
    clients = Client.objects.bulk_create(
        [
            Client(
                company=company,
                number=1000 + n,
                kind=Client.Kind.COMPANY if n % 2 else Client.Kind.PERSON,
                name=f"Kunde {n}",
                organization_number="988077917" if n % 2 else "",
                address_line=f"Gate {n}",
                postcode="5003",
                city="Bergen",
                invoice_emails=f"kunde{n}@example.invalid",
            )
            for n in range(CLIENTS)
        ]
    )
    return company, clients


def _timed(rows: list[tuple[str, str, str]], label: str, func: Callable[[], T]) -> T:
    """Run ``func`` once and add its wall time, this process's CPU, the PostgreSQL
    backend's CPU, the SQL statements sent (COPY excluded) and the load average: on a
    shared machine the wall clock also measures the neighbours."""
    statements = Statements()
    database = database_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    with statements.counting():
        result = func()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    database = database_cpu() - database
    rows.append(
        (
            f"{label}, wall / CPU / database CPU",
            f"{elapsed:.1f} / {cpu:.1f} / {database:.1f}",
            "s",
        )
    )
    load = os.getloadavg()[0]
    rows.append(
        (
            "  SQL statements (COPY not counted); load average after",
            f"{statements.count}; {load:.1f}",
            "",
        )
    )
    return result


class _Rows(list):
    """The result rows, also printed to stderr as they come (a long run shows progress)."""

    def append(self, row: tuple[str, str, str]) -> None:
        import sys

        print(f"  {row[0]}: {row[1]} {row[2]}", file=sys.stderr, flush=True)
        super().append(row)


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scope

    from core.audit import Actor
    from receivables import selectors, services
    from receivables.models import Letter, ReceivableItem
    from receivables.pdf import render_letter_pdf
    from receivables.tests.factories import BankLine, camt_file

    database = use_scratch_database("bench_receivables")
    call_command("migrate", verbosity=0)
    rows = _Rows([("receivables database", database, "")])
    today = datetime.date(2026, 5, 4)
    due = today - datetime.timedelta(days=20)
    actor = Actor.system("bench")

    # --- the daily reminder run -----------------------------------------------------
    company, clients = _company("Purring AS", "988077917")
    with scope(company=company):
        start = time.perf_counter()
        _seed(company, clients, due)
        rows.append(
            (f"seed {INVOICES} overdue invoices", f"{time.perf_counter() - start:.1f}", "s")
        )
        services.reminder_settings_update(
            company=company, actor=actor, enabled=True, claim_compensation=True
        )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        services._schedule_delivery = lambda *_args: None  # delivery is a task; timed below
        letters = _timed(
            rows,
            f"reminder run: {INVOICES} invoices (target ≤ 60 s)",
            lambda: services.reminders_run(company=company, actor=actor, today=today),
        )
        rows.append(("  letters written", str(len(letters)), "rows"))
        rows.append(("  items written", str(ReceivableItem.objects.count()), "rows"))
        start = time.perf_counter()
        again = services.reminders_run(company=company, actor=actor, today=today)
        rows.append(
            (
                f"reminder run again same day: {len(again)} letters",
                f"{time.perf_counter() - start:.1f}",
                "s",
            )
        )
        letter = Letter.objects.select_related("invoice").first()
        content = selectors.letter_document(content=letter.content, invoice=letter.invoice)
        wall, cpu = median_ms(lambda: render_letter_pdf(content), rounds=20)
        rows.append(("one reminder PDF (median wall / CPU)", f"{wall:.1f} / {cpu:.1f}", "ms"))

    # --- camt.054 against open invoices ------------------------------------------------
    company, clients = _company("Bank AS", "995525828")
    with scope(company=company):
        kids = _seed(company, clients, today + datetime.timedelta(days=10))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        lines = []
        for n in range(TRANSACTIONS):
            kid, total = kids[(n * 7919) % len(kids)]
            if n % 20 == 0:
                lines.append(BankLine(f"{9_000_000 + n:011d}7", total, f"U{n:08d}", date=today))
            elif n % 20 == 1:
                lines.append(BankLine(kid, total / 2, f"P{n:08d}", date=today))
            else:
                lines.append(BankLine(kid, total, f"M{n:08d}", date=today))
        data = camt_file(lines)
        result = _timed(
            rows,
            f"camt.054 {TRANSACTIONS} tx vs {INVOICES} open (target ≤ 10 s)",
            lambda: services.bank_file_import(
                company=company, actor=actor, file_name="bench.xml", data=data
            ),
        )
        rows.append(
            ("  matched / unmatched", f"{result.matched_count} / {result.unmatched_count}", "")
        )
        start = time.perf_counter()
        again = services.bank_file_import(
            company=company, actor=actor, file_name="bench.xml", data=data
        )
        rows.append(
            (
                f"same camt.054 again: {again.duplicate_count} already imported",
                f"{time.perf_counter() - start:.1f}",
                "s",
            )
        )
    return rows
