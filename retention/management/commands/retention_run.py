"""`manage.py retention_run [--dry-run] [--date YYYY-MM-DD]`: apply the retention rules."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retention.services import retention_run


class Command(BaseCommand):
    help = "Delete or anonymise what has passed its retention period (--dry-run only counts)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would happen; change nothing."
        )
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        report = retention_run(dry_run=options["dry_run"], today=today)
        verb = {"delete": "would delete", "anonymise": "would anonymise"}
        if not report.dry_run:
            verb = {"delete": "deleted", "anonymise": "anonymised"}
        mode = "DRY RUN" if report.dry_run else "run"
        self.stdout.write(f"Retention {mode} {report.run_id} for {report.day.isoformat()}")
        width = max((len(r.rule) for r in report.results), default=4)
        for result in report.results:
            self.stdout.write(
                f"  {result.rule:<{width}}  {verb[result.action]:<16} "
                f"{result.count:>9}  {result.model}"
            )
        self.stdout.write(f"Total: {report.total} rows")
