"""/api/v1/quotes/ (+ convert) and /api/v1/invoices/{id}/duplicate/."""

from __future__ import annotations

import pytest
from django_scopes import scope

from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, issued_invoice
from quotes.models import Quote

pytestmark = pytest.mark.django_db
URL = "/api/v1/quotes/"


@pytest.fixture
def client_id(company):
    with scope(company=company):
        return ClientFactory(company=company).pk


def _body(client_id: int, **extra) -> dict:
    body = {
        "client": client_id,
        "quote_date": "2027-03-01",
        "lines": [
            {"description": "Maling", "quantity": "10", "unit_price": "450.00", "vat_code": "3"}
        ],
    }
    body.update(extra)
    return body


def test_create_list_read_and_convert(api_client, client_id, company):
    response = api_client.post(URL, _body(client_id), format="json", HTTP_IDEMPOTENCY_KEY="q1")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"] == 1 and data["valid_until"] == "2027-03-31"
    assert data["total_incl_vat"] == "5625.00" and data["lines"][0]["vat_rate"] == "25.00"
    again = api_client.post(URL, _body(client_id), format="json", HTTP_IDEMPOTENCY_KEY="q1")
    assert again.json()["id"] == data["id"]
    assert [q["number"] for q in api_client.get(URL).json()["results"]] == [1]
    assert api_client.get(URL, {"status": "sent"}).json()["results"] == []
    assert api_client.get(URL, {"status": "nope"}).status_code == 400
    converted = api_client.post(f"{URL}{data['id']}/convert/", HTTP_IDEMPOTENCY_KEY="c1")
    assert converted.status_code == 201
    invoice = converted.json()
    assert invoice["status"] == "draft" and invoice["lines"][0]["description"] == "Maling"
    assert api_client.post(f"{URL}{data['id']}/convert/").status_code == 409
    with scope(company=company):
        assert Invoice.objects.count() == 1
        assert Quote.objects.get().status == Quote.Status.INVOICED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"client": "x"}, "client"),
        ({"valid_until": "2027-01-01"}, "valid_until"),
        ({"lines": [{"description": "x", "quantity": "1"}]}, "lines"),
    ],
)
def test_bad_input_is_400(api_client, client_id, company, change, field):
    response = api_client.post(URL, _body(client_id, **change), format="json")
    errors = response.json()["errors"]  # nested input: dotted names (lines.0.quantity)
    assert response.status_code == 400
    assert any(key == field or key.startswith(f"{field}.") for key in errors), errors
    with scope(company=company):
        assert not Quote.objects.exists()


def test_member_reads_outsider_404(api_client, member_api_client, outsider_api_client, client_id):
    created = api_client.post(URL, _body(client_id), format="json").json()
    assert member_api_client.get(URL).status_code == 200
    assert member_api_client.post(URL, _body(client_id), format="json").status_code == 403
    assert member_api_client.post(f"{URL}{created['id']}/convert/").status_code == 403
    assert outsider_api_client.get(f"{URL}{created['id']}/").status_code == 404
    assert outsider_api_client.post(f"{URL}{created['id']}/convert/").status_code == 404


def test_duplicate_invoice_by_api(api_client, member_api_client, outsider_api_client, company):
    with scope(company=company):
        original = issued_invoice(company=company)
    url = f"/api/v1/invoices/{original.pk}/duplicate/"
    assert member_api_client.post(url).status_code == 403
    assert outsider_api_client.post(url).status_code == 404
    response = api_client.post(url, HTTP_IDEMPOTENCY_KEY="d1")
    assert response.status_code == 201
    copy = response.json()
    assert copy["status"] == "draft" and copy["id"] != original.pk and copy["number"] is None
    assert api_client.post(url, HTTP_IDEMPOTENCY_KEY="d1").json()["id"] == copy["id"]
    with scope(company=company):
        assert Invoice.objects.filter(status="draft").count() == 1


def test_a_quote_in_euro_is_offered_and_invoiced_in_euro(api_client, client_id, company):
    import io

    from pypdf import PdfReader

    from quotes.documents import quote_pdf

    response = api_client.post(URL, _body(client_id, currency="eur"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["currency"] == "EUR" and data["total_incl_vat"] == "5625.00"
    with scope(company=company):
        text = PdfReader(io.BytesIO(quote_pdf(Quote.objects.get()))).pages[0].extract_text()
    assert "EUR 5 625,00" in text.replace("\xa0", " ") and "NOK" not in text
    # The invoice in EUR needs the rate to NOK (its VAT in NOK); the quote has none.
    refused = api_client.post(f"{URL}{data['id']}/convert/")
    assert refused.status_code == 400 and "exchange_rate" in refused.json()["errors"]
    converted = api_client.post(
        f"{URL}{data['id']}/convert/", {"exchange_rate": "11.5"}, format="json"
    )
    assert converted.status_code == 201, converted.json()
    invoice = converted.json()
    assert (invoice["currency"], invoice["exchange_rate"]) == ("EUR", "11.500000")
    with scope(company=company):
        assert Quote.objects.get().status == Quote.Status.INVOICED


@pytest.mark.parametrize("currency", ["XAU", "EURO", "kr", "123"])
def test_a_quote_in_no_currency_is_refused(api_client, client_id, company, currency):
    response = api_client.post(URL, _body(client_id, currency=currency), format="json")
    assert response.status_code == 400 and "currency" in response.json()["errors"]
    with scope(company=company):
        assert not Quote.objects.exists()
