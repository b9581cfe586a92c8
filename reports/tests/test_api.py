"""The reports' API: JSON with decimal strings, the SAF-T file, rights and bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoicing import services
from invoicing.tests.factories import SYSTEM, ClientFactory, issued_invoice, line
from reports.tests.saft_support import xsd_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(company_scope):
    client = ClientFactory(company=company_scope, name="Havbris AS", number=501)
    first = issued_invoice(
        company=company_scope,
        client=client,
        invoice_date=datetime.date(2026, 3, 2),
        due_date=datetime.date(2026, 3, 16),
        lines=[line(quantity="2", unit_price="1000.00", code="3")],
    )
    services.payment_register(
        invoice=first, actor=SYSTEM, amount=Decimal("500.00"), date=datetime.date(2026, 3, 10)
    )
    return client, first


def test_ledger_per_client_with_entries(api_client, documents):
    client, _first = documents
    response = api_client.get(
        "/api/v1/reports/ledger/", {"client": client.pk, "from": "2026-01-01", "to": "2026-12-31"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["closing"] == "2000.00" and data["opening"] == "0.00"
    assert [e["kind"] for e in data["entries"]] == ["invoice", "payment"]
    assert [e["balance"] for e in data["entries"]] == ["2500.00", "2000.00"]
    assert data["clients"][0]["client_name"] == "Havbris AS"


def test_ageing_and_vat(api_client, documents):
    ageing = api_client.get("/api/v1/reports/ageing/", {"date": "2026-05-01"}).json()
    assert ageing["totals"]["d31_60"] == "2000.00" and ageing["totals"]["total"] == "2000.00"
    vat = api_client.get("/api/v1/reports/vat/", {"from": "2026-03-01", "to": "2026-04-30"}).json()
    code3 = next(row for row in vat["codes"] if row["code"] == "3")
    assert code3["base"] == "2000.00" and code3["vat"] == "500.00" and vat["total_vat"] == "500.00"


def test_saft_via_api(api_client, documents):
    response = api_client.get("/api/v1/exports/saft/", {"from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert xsd_errors(b"".join(response.streaming_content)) == []


def test_member_reads_reports_but_gets_no_saft(member_api_client, owner_api_client, documents):
    assert member_api_client.get("/api/v1/reports/vat/").status_code == 200
    assert member_api_client.get("/api/v1/exports/saft/").status_code == 403
    assert owner_api_client.get("/api/v1/exports/saft/").status_code == 200


def test_outsider_sees_nothing_of_the_company(outsider_api_client, documents):
    client, _first = documents
    response = outsider_api_client.get("/api/v1/reports/ledger/", {"client": client.pk})
    assert response.status_code == 404 and "Havbris" not in response.content.decode()
    assert (
        outsider_api_client.get(
            "/api/v1/reports/vat/", {"from": "2026-01-01", "to": "2026-12-31"}
        ).json()["total_vat"]
        == "0.00"
    )


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/reports/ledger/", {"from": "2026-13-01"}),
        ("/api/v1/reports/ledger/", {"from": "2026-05-01", "to": "2026-01-01"}),
        ("/api/v1/reports/ledger/", {"client": "abc"}),
        ("/api/v1/reports/ledger/", {"currency": "N0K"}),
        ("/api/v1/reports/ageing/", {"date": "yesterday"}),
        ("/api/v1/reports/vat/", {"from": "1200-01-01"}),
        ("/api/v1/exports/saft/", {"to": "x"}),
    ],
)
def test_bad_parameters_are_400_json(api_client, url, params):
    response = api_client.get(url, params)
    assert response.status_code == 400 and "detail" in response.json()


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/reports/vat/").status_code in (401, 403)
    assert client.get("/api/v1/exports/saft/").status_code in (401, 403)
