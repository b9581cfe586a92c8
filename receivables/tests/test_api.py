"""API: the invoice shows reminders/fees/interest/disputed; dispute; bank file import."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from invoicing.models import Invoice
from receivables import services
from receivables.models import BankTransaction, Dispute
from receivables.tests.factories import BankLine, camt_file, ocr_file, overdue_invoice, use_kid

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
TODAY = datetime.date.today()
DUE = TODAY - datetime.timedelta(days=20)


@pytest.fixture
def invoice(company):
    with scope(company=company):
        use_kid(company)
        invoice = overdue_invoice(company=company, due_date=DUE, amount="500.00")
        services.letter_send(invoice=invoice, actor=SYSTEM)
        return invoice


def test_invoice_detail_shows_collection_data(api_client, invoice):
    body = api_client.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert body["disputed"] is False
    assert [r["kind"] for r in body["reminders"]] == ["reminder"]
    assert body["reminders"][0]["fee_bearing"] is True
    assert [f["kind"] for f in body["fees"]] == ["reminder_fee"]
    assert body["fees"][0]["amount"] == "38.00"
    assert body["interest"][0]["kind"] == "interest"


def test_dispute_via_api(api_client, member_api_client, outsider_api_client, invoice):
    url = f"/api/v1/invoices/{invoice.pk}/dispute/"
    assert outsider_api_client.post(url, {"reason": "x"}, format="json").status_code == 404
    assert member_api_client.post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_client.post(url, {}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "Feil pris"}, format="json")
    assert response.status_code == 201
    assert api_client.get(f"/api/v1/invoices/{invoice.pk}/").json()["disputed"] is True
    assert api_client.post(url, {"reason": "igjen"}, format="json").status_code == 409
    assert (
        api_client.post(
            "/api/v1/invoices/999999/dispute/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    with scopes_disabled():
        assert Dispute.objects.count() == 1


def test_payments_import_via_api(api_client, member_api_client, invoice):
    data = ocr_file([BankLine(invoice.kid, "538.00", "800000001", date=TODAY)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/api/v1/payments/import/"
    assert (
        member_api_client.post(
            url, {"file": SimpleUploadedFile("o.txt", data)}, format="multipart"
        ).status_code
        == 403
    )
    assert api_client.post(url, {}, format="multipart").status_code == 400
    bad = api_client.post(url, {"file": SimpleUploadedFile("o.txt", b"junk")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    response = api_client.post(url, {"file": SimpleUploadedFile("o.txt", data)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["matched_count"] == 1
    again = api_client.post(url, {"file": SimpleUploadedFile("o.txt", data)}, format="multipart")
    assert again.json()["duplicate_count"] == 1 and again.json()["matched_count"] == 0
    body = api_client.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert body["status"] == "paid"
    assert body["fees"][0]["paid_amount"] == "38.00"


def test_command_prints_counts(company, invoice, tmp_path, capsys):
    path = tmp_path / "camt.xml"
    path.write_bytes(
        camt_file(
            [
                BankLine(invoice.kid, "500.00", "800000002", date=TODAY),
                BankLine(None, "1.00", "800000003", date=TODAY),
            ]
        )
    )
    call_command("payments_import", "--company", company.organization_number, str(path))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "matched=1 unmatched=1 already_imported=0"
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).paid_amount == 500
        assert BankTransaction.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("payments_import", "--company", "123", str(path))
    with pytest.raises(CommandError):
        call_command(
            "payments_import", "--company", company.organization_number, str(tmp_path / "none")
        )
