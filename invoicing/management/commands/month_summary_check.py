"""``manage.py month_summary_check [--company ID ...] [--repair]``

Compares the dashboard's monthly summary (``MonthSummary``) and the customer ledger's
monthly totals (``LedgerMonth``) with a recount from the documents and payments (one
set-based query each) and lists every month that differs; exits with status 1 if any
does. ``--repair`` then recounts the companies that differ (``month_summary_rebuild``,
which makes other writers wait while it runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from invoicing import selectors, services


class Command(BaseCommand):
    help = (
        "Check the dashboard's monthly summary and the ledger's monthly totals against the "
        "documents and payments."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--company", type=int, action="append", help="company id (repeat; default: all)"
        )
        parser.add_argument("--repair", action="store_true", help="recount what differs")

    def handle(self, *args: Any, **options: Any) -> None:
        differences = selectors.month_summary_differences(company_ids=options["company"])
        for diff in differences:
            self.stdout.write(
                f"company {diff.company_id} {diff.month:%Y-%m}: stored invoiced/paid "
                f"{diff.stored[0]} / {diff.stored[1]}, recounted "
                f"{diff.recounted[0]} / {diff.recounted[1]}"
            )
        ledger = selectors.ledger_month_differences(company_ids=options["company"])
        for month in ledger:
            self.stdout.write(
                f"company {month.company_id} client {month.client_id} {month.currency} "
                f"{month.month:%Y-%m}: stored ledger debits/credits (documents, payments) "
                f"{' / '.join(map(str, month.stored))}, recounted "
                f"{' / '.join(map(str, month.recounted))}"
            )
        if not differences and not ledger:
            self.stdout.write(
                "The monthly summary and the ledger's months equal the documents and payments."
            )
            return
        if options["repair"]:
            companies = sorted(
                {diff.company_id for diff in differences} | {month.company_id for month in ledger}
            )
            services.month_summary_rebuild(company_ids=companies)
            self.stdout.write(f"Recounted {len(companies)} companies.")
            return
        raise CommandError(
            f"{len(differences) + len(ledger)} months differ (--repair recounts them)."
        )
