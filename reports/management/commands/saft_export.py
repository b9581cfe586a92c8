"""``manage.py saft_export --company <orgnr> --from 2026-01-01 --to 2026-12-31 --output FILE``

Writes the company's SAF-T Financial 1.30 file (streamed: memory stays flat).
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from accounts.models import Company
from core.audit import Actor, audit_log
from reports.saft import write_saft


def _date(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--{name}: not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Export a company's SAF-T Financial 1.30 file for a period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--company", required=True, help="organisasjonsnummer (9 digits)")
        parser.add_argument(
            "--from", dest="date_from", required=True, help="first date, YYYY-MM-DD"
        )
        parser.add_argument("--to", dest="date_to", required=True, help="last date, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="file to write (- for stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        orgnr = options["company"].replace(" ", "")
        company = Company.objects.filter(organization_number=orgnr).first()
        if company is None:
            raise CommandError(f"No company with organisasjonsnummer {orgnr}.")
        date_from = _date(options["date_from"], "from")
        date_to = _date(options["date_to"], "to")
        if date_from > date_to:
            raise CommandError("--from must be on or before --to.")
        output = options["output"]
        with scope(company=company):
            if output == "-":
                summary = write_saft(
                    company=company,
                    date_from=date_from,
                    date_to=date_to,
                    # The stubs type OutputWrapper's attributes as methods (__getattr__).
                    target=self.stdout._out.buffer,  # type: ignore[attr-defined]
                )
            else:
                partial = f"{output}.partial"
                try:
                    with open(partial, "wb") as handle:
                        summary = write_saft(
                            company=company, date_from=date_from, date_to=date_to, target=handle
                        )
                    os.replace(partial, output)
                except OSError as exc:
                    raise CommandError(f"Cannot write {output}: {exc}") from exc
                finally:
                    if os.path.exists(partial):
                        os.remove(partial)
            audit_log(
                action="reports.export.downloaded",
                actor=Actor.system("saft_export"),
                company=company,
                data={
                    "kind": "saft",
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "via": "command",
                },
            )
        if output != "-":
            self.stderr.write(
                f"{summary.entries} transactions, debit {summary.debit:.2f} = "
                f"credit {summary.credit:.2f}, {len(summary.customers)} customers → {output}"
            )
