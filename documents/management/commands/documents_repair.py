"""`manage.py documents_repair [--check]`: find, and where exactly possible restore, lost files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from documents.integrity import archive_check, archive_repair


class Command(BaseCommand):
    help = (
        "Check every archived PDF/EHF against its SHA-256; re-create a lost one only when the "
        "new rendering is byte-identical, otherwise report it as missing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            result = archive_check()
            for line in result.lines:
                self.stdout.write(line)
            if not result.ok:
                raise CommandError("Archived documents are missing or changed.")
            return
        repair = archive_repair()
        for problem in repair.repaired:
            self.stdout.write(f"Re-created (identical bytes): {problem}")
        for problem in repair.still_missing:
            self.stdout.write(f"MISSING (cannot be re-created identically): {problem}")
        self.stdout.write(
            f"Repaired {len(repair.repaired)}, still missing {len(repair.still_missing)}."
        )
        if repair.still_missing:
            raise CommandError("Some archived documents are still missing.")
