"""`manage.py backup --output DIR`: database, archived documents and key, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database, the archived documents and the signing key into a new folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="A new (or empty) folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(output=Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(1 for _ in manifest.files)
        self.stdout.write(
            f"Backup of {manifest.vendor} written to {options['output']}: "
            f"{size} files, manifest.json with their SHA-256."
        )
