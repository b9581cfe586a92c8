"""``manage.py month_summary_check [--company ID ...] [--repair]``

Compares the dashboard's monthly summary (``MonthSummary``), the customer ledger's
monthly totals (``LedgerMonth``), the sales report's months per client and product
(``SalesMonth``) and the dashboard's open receivables by due date (``OpenReceivable``)
with a recount from the documents and payments (one set-based query each) and lists
every month or due date that differs; exits with status 1 if any does.
``--repair`` then recounts the companies that differ (``month_summary_rebuild``, which
makes other writers wait while it runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from invoicing import selectors, services


class Command(BaseCommand):
    help = (
        "Check the dashboard's monthly summary and open receivables, the ledger's monthly "
        "totals and the sales report's months against the documents and payments."
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
                f"company {diff.company_id} {diff.month:%Y-%m}: stored invoiced/paid/"
                f"invoiced excl. VAT {' / '.join(map(str, diff.stored))}, recounted "
                f"{' / '.join(map(str, diff.recounted))}"
            )
        ledger = selectors.ledger_month_differences(company_ids=options["company"])
        for month in ledger:
            self.stdout.write(
                f"company {month.company_id} client {month.client_id} {month.currency} "
                f"{month.month:%Y-%m}: stored ledger debits/credits (documents, payments) "
                f"{' / '.join(map(str, month.stored))}, recounted "
                f"{' / '.join(map(str, month.recounted))}"
            )
        sales = selectors.sales_month_differences(company_ids=options["company"])
        for item in sales:
            self.stdout.write(
                f"company {item.company_id} {item.dimension} {item.item} {item.month:%Y-%m}: "
                f"stored sales/documents {item.stored[0]} / {item.stored[1]}, recounted "
                f"{item.recounted[0]} / {item.recounted[1]}"
            )
        open_receivables = selectors.open_receivable_differences(company_ids=options["company"])
        for due in open_receivables:
            self.stdout.write(
                f"company {due.company_id} {due.currency} due {due.due_date}: stored open "
                f"invoices/balance {due.stored[0]} / {due.stored[1]}, recounted "
                f"{due.recounted[0]} / {due.recounted[1]}"
            )
        if not differences and not ledger and not sales and not open_receivables:
            self.stdout.write(
                "The monthly summary, the ledger's months, the sales months and the open "
                "receivables equal the documents and payments."
            )
            return
        if options["repair"]:
            companies = sorted(
                {diff.company_id for diff in differences}
                | {month.company_id for month in ledger}
                | {item.company_id for item in sales}
                | {due.company_id for due in open_receivables}
            )
            services.month_summary_rebuild(company_ids=companies)
            self.stdout.write(f"Recounted {len(companies)} companies.")
            return
        raise CommandError(
            f"{len(differences) + len(ledger) + len(sales)} months and "
            f"{len(open_receivables)} due dates "
            "differ (--repair recounts them)."
        )
