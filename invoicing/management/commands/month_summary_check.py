"""``manage.py month_summary_check [--company ID ...] [--repair]``

Compares the dashboard's monthly summary (``MonthSummary``) with a recount from the
documents and payments (one set-based query) and lists every month that differs; exits
with status 1 if any does. ``--repair`` then recounts the companies that differ
(``month_summary_rebuild``, which makes other writers wait while it runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from invoicing import selectors, services


class Command(BaseCommand):
    help = "Check the dashboard's monthly summary against the documents and payments."

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
        if not differences:
            self.stdout.write("The monthly summary equals the documents and payments.")
            return
        if options["repair"]:
            companies = sorted({diff.company_id for diff in differences})
            services.month_summary_rebuild(company_ids=companies)
            self.stdout.write(f"Recounted {len(companies)} companies.")
            return
        raise CommandError(f"{len(differences)} months differ (--repair recounts them).")
