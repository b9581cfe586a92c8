"""``manage.py payments_import --company <orgnr> FILE``: import a bank file (OCR giro,
camt.054, camt.053). The last line gives the counts: ``matched=N unmatched=M
already_imported=K``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from accounts.models import Company
from core.audit import Actor
from core.identifiers import clean_orgnr
from receivables.services import bank_file_import


class Command(BaseCommand):
    help = "Import a bank file with incoming payments and match them by KID."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--company", required=True, help="The company's organisasjonsnummer.")
        parser.add_argument("file", help="OCR giro, camt.054 or camt.053 file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgnr = clean_orgnr(options["company"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with scopes_disabled():
            companies = list(Company.objects.filter(organization_number=orgnr))
        if len(companies) != 1:
            raise CommandError(f"No single company with organisasjonsnummer {options['company']}.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            result = bank_file_import(
                company=companies[0],
                actor=Actor.system("payments_import"),
                file_name=path.name,
                data=data,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{result.file_name} ({result.format}): {result.transaction_count} transactions"
        )
        self.stdout.write(
            f"matched={result.matched_count} unmatched={result.unmatched_count} "
            f"already_imported={result.duplicate_count}"
        )
