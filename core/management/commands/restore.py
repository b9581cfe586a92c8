"""`manage.py restore DIR`: verify a backup, restore it, then check and replay.

Stop the web server and the task worker first: the database is replaced underneath them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore, describe


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (verifies every checksum first)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="The backup folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(source=Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in describe(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("Restored, with problems: see above.")
