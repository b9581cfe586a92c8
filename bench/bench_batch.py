"""A batch of issued invoices: issue, archive the PDF and the EHF, as the worker does.

``BENCH_BATCH`` invoices (default 10,000) are created as drafts (3 lines at 25/15/12 %),
then timed in two phases on one process: issuing them (``invoice_issue``: locked number
series, snapshots, totals, KID) and what the after-issue task does for each
(``delivery.files.store_issued_documents``: the PDF rendered once and archived, the EHF
built with the PDF embedded and archived, each with its SHA-256). Target (design.md §7):
10,000 in under 2 minutes on 2 cores. Database as in ``bench.database``.
"""

from __future__ import annotations

import os
import tempfile
import time
from decimal import Decimal

from bench.database import use_scratch_database

BATCH = int(os.environ.get("BENCH_BATCH", "10000"))


def run() -> list[tuple[str, str, str]]:
    from django.conf import settings
    from django.core.management import call_command

    database = use_scratch_database("bench_batch")
    settings.STORAGES["default"]["OPTIONS"]["location"] = tempfile.mkdtemp(
        prefix="fakturanett-bench-media-"
    )
    call_command("migrate", verbosity=0)

    from django_scopes import scope

    from accounts.tests.factories import CompanyFactory
    from catalog.models import VatCode
    from core.audit import Actor
    from delivery.files import store_issued_documents
    from invoicing import hooks, services
    from invoicing.models import Invoice
    from invoicing.tests.factories import ClientFactory

    actor = Actor.system("bench")
    company = CompanyFactory(name="Batch Regnskap AS")
    # The worker's task is timed on its own below, not from the on-commit hook.
    receivers = list(hooks._receivers)
    hooks._receivers.clear()
    try:
        with scope(company=company):
            codes = {code: VatCode.objects.get(code=code) for code in ("3", "31", "33")}
            clients = [
                ClientFactory(company=company, number=100 + n, peppol_id="0192:988077917")
                for n in range(50)
            ]
            lines = [
                services.LineData(
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    vat_code=codes[code],
                    description=text,
                )
                for quantity, price, code, text in (
                    ("7.5", "1250.00", "3", "Rådgivning"),
                    ("12", "89.50", "31", "Lunsj"),
                    ("2", "1195.00", "33", "Hotell"),
                )
            ]
            drafts = [
                services.invoice_create_draft(
                    company=company,
                    actor=actor,
                    header=services.InvoiceHeader(client=clients[n % len(clients)]),
                    lines=lines,
                )
                for n in range(BATCH)
            ]
            start = time.perf_counter()
            for draft in drafts:
                services.invoice_issue(invoice=draft, actor=actor)
            issue_s = time.perf_counter() - start
            start = time.perf_counter()
            for invoice_id in Invoice.objects.filter(company=company).values_list("pk", flat=True):
                store_issued_documents(invoice_id)
            documents_s = time.perf_counter() - start
    finally:
        hooks._receivers[:] = receivers
    total = issue_s + documents_s
    return [
        (f"batch of {BATCH}: database", database, ""),
        (f"batch of {BATCH}: issue", f"{issue_s:.1f}", "s"),
        (f"batch of {BATCH}: PDF + EHF archived", f"{documents_s:.1f}", "s"),
        (f"batch of {BATCH}: total", f"{total:.1f}", "s"),
        (f"batch of {BATCH}: per invoice", f"{total / BATCH * 1000:.1f}", "ms"),
    ]
