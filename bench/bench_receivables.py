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

The seeded invoices are committed; what the timed runs write is rolled back at the end
(they run inside one outer transaction, their own transactions becoming savepoints, with
the deferred foreign-key checks made immediate so that they are still done and timed), so
``BENCH_REUSE=1`` (with ``DATABASE_URL``) measures again on the invoices an earlier run
seeded instead of seeding 200,000 again (minutes). ``BENCH_PROFILE=<dir>`` writes a
cProfile of each timed run to ``<dir>/receivables-<n>.prof`` (profiling inflates the times printed).
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from bench.database import use_scratch_database
from bench.timing import ProgressRows, Row, median_ms, timed

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


def _timed(rows: list[Row], label: str, func: Callable[[], T]) -> T:
    profile_dir = os.environ.get("BENCH_PROFILE")
    path = None
    if profile_dir:
        path = Path(profile_dir) / f"receivables-{sum(1 for r in rows if 'wall' in r[0]) + 1}.prof"
    return timed(rows, label, func, profile_path=path)


def _seeded(orgnr: str):
    """The company an earlier run seeded (``BENCH_REUSE``), or None."""
    from django_scopes import scopes_disabled

    from accounts.models import Company

    with scopes_disabled():
        return Company.objects.filter(organization_number=orgnr).first()


def _kids(company) -> list[tuple[str, Decimal]]:
    from invoicing.models import Invoice

    return list(
        Invoice.objects.filter(company=company)
        .order_by("number")
        .values_list("kid", "total_incl_vat")
    )


def _analyze() -> None:
    """Fresh planner statistics (and, on PostgreSQL, no dead rows of an earlier run's
    rolled-back writes): the same starting point for every run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class _Rollback(Exception):
    pass


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_scopes import scope

    reuse = bool(os.environ.get("BENCH_REUSE") and os.environ.get("DATABASE_URL"))
    database = use_scratch_database("bench_receivables")
    call_command("migrate", verbosity=0)
    rows = ProgressRows([("receivables database", database, "")])
    today = datetime.date(2026, 5, 4)
    due = today - datetime.timedelta(days=20)

    reminders = _seeded("988077917") if reuse else None
    bank = _seeded("995525828") if reuse else None
    if reminders is None:
        reminders, clients = _company("Purring AS", "988077917")
        with scope(company=reminders):
            start = time.perf_counter()
            _seed(reminders, clients, due)
            rows.append(
                (f"seed {INVOICES} overdue invoices", f"{time.perf_counter() - start:.1f}", "s")
            )
    if bank is None:
        bank, clients = _company("Bank AS", "995525828")
        with scope(company=bank):
            _seed(bank, clients, today + datetime.timedelta(days=10))
    _analyze()
    if reuse:
        rows.append(("  invoices", "seeded by an earlier run (BENCH_REUSE)", ""))
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Foreign keys are checked at commit (deferred); a savepoint never commits,
                # so have them checked as each statement ends: the same work, still timed.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _measure(rows, reminders, bank, today)
            raise _Rollback  # what the runs wrote goes; the seeded invoices stay
    except _Rollback:
        pass
    return rows


def _measure(rows: list[tuple[str, str, str]], company, bank, today: datetime.date) -> None:
    from django_scopes import scope

    from core.audit import Actor
    from receivables import selectors, services
    from receivables.models import Letter, ReceivableItem
    from receivables.pdf import render_letter_pdf
    from receivables.tests.factories import BankLine, camt_file

    actor = Actor.system("bench")

    # --- the daily reminder run -----------------------------------------------------
    with scope(company=company):
        services.reminder_settings_update(
            company=company, actor=actor, enabled=True, claim_compensation=True
        )
        services._schedule_delivery = lambda *_args: None  # delivery is a task; timed below
        letters = _timed(
            rows,
            f"reminder run: {INVOICES} invoices (target ≤ 60 s)",
            lambda: services.reminders_run(company=company, actor=actor, today=today),
        )
        rows.append(("  letters written", str(len(letters)), "rows"))
        rows.append(
            ("  items written", str(ReceivableItem.objects.filter(company=company).count()), "rows")
        )
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
    company = bank
    with scope(company=company):
        kids = _kids(company)
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
