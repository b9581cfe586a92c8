from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from invoicing.tests.factories import issued_invoice
from reports.tests.saft_support import xsd_errors

pytestmark = pytest.mark.django_db


def test_saft_export_command_writes_a_valid_file(company_scope, tmp_path):
    issued_invoice(company=company_scope, invoice_date=datetime.date(2026, 5, 5))
    target = tmp_path / "saft.xml"
    call_command(
        "saft_export",
        "--company",
        company_scope.organization_number,
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--output",
        str(target),
    )
    assert xsd_errors(target.read_bytes()) == []
    assert b"<TransactionID>F" in target.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["--company", "000000000", "--from", "2026-01-01", "--to", "2026-12-31"],
        ["--from", "2026-13-01", "--to", "2026-12-31"],
        ["--from", "2026-12-31", "--to", "2026-01-01"],
    ],
)
def test_saft_export_command_refuses_bad_input(company, tmp_path, args):
    if "--company" not in args:
        args = ["--company", company.organization_number, *args]
    with pytest.raises(CommandError):
        call_command("saft_export", *args, "--output", str(tmp_path / "x.xml"))
    assert not (tmp_path / "x.xml").exists()
