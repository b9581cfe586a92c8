"""/api/v1/invoices/ and /api/v1/credit-notes/: drafts, issue, credit notes, payments.

Every write goes through ``invoicing.services``; bad input is a 4xx with a message (never
a 500) and saves nothing; another company's ids are 404 in the path and 400 in the body.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope

from core.models import AuditEntry
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from invoicing.tests.factories import ClientFactory, ProductFactory

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"
CREDIT_NOTES = "/api/v1/credit-notes/"
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def client_id(company):
    with scope(company=company):
        return ClientFactory(company=company, number=42, name="Fjord Bygg AS").pk


@pytest.fixture
def foreign_client_id(other_company):
    with scope(company=other_company):
        return ClientFactory(company=other_company, name="Fremmed Kunde AS").pk


def _line(**fields):
    return {
        "description": "Konsulenttime",
        "quantity": "2",
        "unit_price": "1000.00",
        "vat_code": "3",
        **fields,
    }


def _body(client_id, **fields):
    return {"client": client_id, "invoice_date": TODAY.isoformat(), "lines": [_line()], **fields}


def _create(api_client, client_id, **fields):
    response = api_client.post(INVOICES, _body(client_id, **fields), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _issue(api_client, pk, **headers):
    response = api_client.post(f"{INVOICES}{pk}/issue/", format="json", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def _issued(api_client, client_id, **fields):
    return _issue(api_client, _create(api_client, client_id, **fields)["id"])


def _invoices(company):
    with scope(company=company):
        return list(Invoice.objects.order_by("pk"))


def _stored(company, pk):
    with scope(company=company):
        return Invoice.objects.get(pk=pk)


def _line_count(company, pk):
    with scope(company=company):
        return Invoice.objects.get(pk=pk).lines.count()


# --- drafts -----------------------------------------------------------------------------------


def test_create_draft_returns_the_contract_fields(api_client, company, client_id):
    body = _create(
        api_client,
        client_id,
        lines=[
            _line(),
            _line(description="Bok", quantity="1", unit_price="200.00", vat_code="33"),
            _line(description="Rabattert", quantity="1.5", unit_price="100", discount_percent="10"),
        ],
        our_reference="Olga",
        buyer_reference="PO-7",
        order_number="4711",
        free_text="Takk for handelen",
    )
    assert body["id"] and body["status"] == "draft" and body["number"] is None
    assert body["kind"] == "invoice" and body["client"] == client_id
    assert body["client_name"] == "Fjord Bygg AS" and body["client_number"] == 42
    # 2000 + 135 at 25 %, 200 at 12 %: VAT 533.75 + 24.00
    assert body["total_excl_vat"] == "2335.00"
    assert body["total_vat"] == "557.75"
    assert body["total_incl_vat"] == "2892.75"
    assert body["invoice_date"] == "2026-11-02" and body["due_date"] == "2026-11-16"
    assert body["delivery_date"] == "2026-11-02" and body["currency"] == "NOK"
    assert [line["net_amount"] for line in body["lines"]] == ["2000.00", "200.00", "135.00"]
    assert [line["position"] for line in body["lines"]] == [1, 2, 3]
    assert body["lines"][0]["quantity"] == "2.0000" and body["lines"][0]["vat_code"] == "3"
    breakdown = [
        (row["vat_category"], row["vat_rate"], row["basis"], row["vat"])
        for row in body["vat_breakdown"]
    ]
    assert breakdown == [("S", "25.00", "2135.00", "533.75"), ("S", "12.00", "200.00", "24.00")]
    assert body["vat_breakdown"][0]["vat_codes"] == ["3"]
    assert body["open_balance"] == "0.00" and body["kid"] == ""
    stored = _stored(company, body["id"])
    assert stored.our_reference == "Olga" and _line_count(company, body["id"]) == 3
    entry = AuditEntry.objects.get(action="invoicing.invoice.draft_created")
    assert entry.actor_kind == AuditEntry.ActorKind.API_TOKEN


def test_line_from_a_product_takes_its_price_code_and_unit(api_client, company, client_id):
    with scope(company=company):
        product = ProductFactory(company=company, unit_price=Decimal("1250.00"), unit="HUR")
    body = _create(api_client, client_id, lines=[{"product": product.pk, "quantity": "3"}])
    line = body["lines"][0]
    assert line["product"] == product.pk and line["unit_price"] == "1250.00"
    assert line["unit"] == "HUR" and line["vat_code"] == "3"
    assert body["total_incl_vat"] == "4687.50"


def test_foreign_currency_needs_an_exchange_rate(api_client, client_id):
    response = api_client.post(INVOICES, _body(client_id, currency="EUR"), format="json")
    assert response.status_code == 400 and "exchange_rate" in response.json()["errors"]
    body = _create(api_client, client_id, currency="EUR", exchange_rate="11.5")
    assert body["currency"] == "EUR" and body["total_vat"] == "500.00"
    assert body["total_vat_nok"] == "5750.00"


def _names(errors, field):
    """The 400 names ``field`` (or, for nested input, ``field.<index>.<name>``)."""
    return [key for key in errors if key == field or key.startswith(f"{field}.")]


def _line_errors(response):
    """The service's ``lines`` messages, or the serializer's ``lines.<i>.<field>`` keys as
    {index: {field: messages}} (errors are flat, as the schema documents)."""
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all(isinstance(messages, list) for messages in errors.values()), errors
    if "lines" in errors:
        return errors["lines"]
    nested: dict[str, dict[str, list[str]]] = {}
    for key, messages in errors.items():
        if key.startswith("lines."):
            _lines, index, field = key.split(".", 2)
            nested.setdefault(index, {})[field] = messages
    return nested


@pytest.mark.parametrize(
    ("line_fields", "field"),
    [
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1.00001"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "1e30"}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": [1]}, "quantity"),
        ({"unit_price": "-1.00"}, "unit_price"),
        ({"unit_price": "1.005"}, "unit_price"),
        ({"unit_price": "gratis"}, "unit_price"),
        ({"unit_price": None}, "unit_price"),
        ({"vat_code": "99"}, "vat_code"),
        ({"vat_code": None}, "vat_code"),
        ({"vat_code": {"code": "3"}}, "vat_code"),
        ({"vat_code": ["3"]}, "vat_code"),
        ({"discount_percent": "101"}, "discount_percent"),
        ({"discount_percent": "-5"}, "discount_percent"),
        ({"unit": "LY"}, "unit"),
        ({"description": "x" * 501}, "description"),
        ({"description": ["Konsulenttime"]}, "description"),
        ({"product": "abc"}, "product"),
        ({"product": True}, "product"),
        ({"product": 10**30}, "product"),
        ({"product": "²"}, "product"),
        ({"product": "9" * 5000}, "product"),
        ({"product": 1.5}, "product"),
        ({"product": 999999}, "product"),
        ({"period_start": "2026-13-01"}, "period_start"),
    ],
)
def test_bad_line_is_400_on_that_lines_field_and_saves_nothing(
    api_client, company, client_id, line_fields, field
):
    body = _body(client_id, lines=[_line(), _line(**line_fields)])
    errors = _line_errors(api_client.post(INVOICES, body, format="json"))
    assert set(errors) == {"1"} and field in errors["1"], errors  # the second line
    assert all(isinstance(message, str) for message in errors["1"][field])
    assert _invoices(company) == []


def test_line_without_product_needs_price_and_vat_code(api_client, client_id):
    body = _body(client_id, lines=[{"description": "Noe", "quantity": "1"}])
    errors = _line_errors(api_client.post(INVOICES, body, format="json"))
    assert set(errors["0"]) == {"unit_price", "vat_code"}


@pytest.mark.parametrize(
    "line_fields",
    [
        {"quantity": "0"},
        {"description": "", "quantity": "1"},
        {"period_start": "2026-11-10"},  # a period needs both ends
    ],
)
def test_line_rules_of_the_service_are_400_on_lines(api_client, company, client_id, line_fields):
    body = _body(client_id, lines=[_line(**line_fields)])
    errors = _line_errors(api_client.post(INVOICES, body, format="json"))
    assert isinstance(errors[0], str) and errors[0].startswith("Linje 1")
    assert _invoices(company) == []


def test_negative_quantity_is_a_deduction_line(api_client, client_id):
    body = _create(
        api_client, client_id, lines=[_line(), _line(description="Retur", quantity="-1")]
    )
    assert body["total_excl_vat"] == "1000.00"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"client": None}, "client"),
        ({"client": "abc"}, "client"),
        ({"client": [1]}, "client"),
        ({"client": {"id": 1}}, "client"),
        ({"client": 999999}, "client"),
        ({"lines": []}, "lines"),
        ({"lines": None}, "lines"),
        ({"lines": {"description": "x"}}, "lines"),
        ({"lines": ["x"]}, "lines"),
        ({"lines": "Konsulenttime"}, "lines"),
        ({"invoice_date": "2. november"}, "invoice_date"),
        ({"invoice_date": 20261102}, "invoice_date"),
        ({"due_date": "2026-11-01"}, "due_date"),
        ({"currency": "NOKK"}, "currency"),
        ({"currency": "XYZ", "exchange_rate": "2"}, "currency"),
        ({"currency": "XAU", "exchange_rate": "2"}, "currency"),
        ({"currency": 123}, "currency"),
        ({"currency": "EUR", "exchange_rate": "-1"}, "exchange_rate"),
        ({"exchange_rate": "abc"}, "exchange_rate"),
        ({"exchange_rate": "2"}, "exchange_rate"),
        ({"our_reference": "x" * 101}, "our_reference"),
        ({"our_reference": {"name": "Olga"}}, "our_reference"),
        ({"free_text": ["tekst"]}, "free_text"),
        ({"invoice_date": "9999-12-31"}, "invoice_date"),
        ({"invoice_date": "0001-01-01"}, "invoice_date"),
        ({"due_date": "9999-12-31"}, "due_date"),
        ({"delivery_period_start": "1999-12-31", "delivery_period_end": "2026-11-01"}, None),
        ({"lines": [_line(period_start="0001-01-01", period_end="2026-11-01")]}, "lines"),
        ({"lines": [_line()] * 1001}, "lines"),
        ({"lines": [_line(quantity="9999999999", unit_price="9999999999999999.99")]}, "lines"),
        ({"lines": [_line(unit_price="9" * 16)] * 2}, "lines"),
        ({"lines": [_line(quantity="1", unit_price="9" * 13)] * 20}, "lines"),  # the sum
        (
            {
                "currency": "EUR",
                "exchange_rate": "999999999999.5",
                "lines": [_line(quantity="100")],
            },
            "lines",  # its VAT in NOK would not fit
        ),
        ({"exchange_rate": "1.0000001"}, "exchange_rate"),
        ({"delivery_date": "2026-11-01", "delivery_period_start": "2026-10-01"}, None),
    ],
)
def test_bad_header_is_400_with_the_fields_message(api_client, company, client_id, fields, field):
    body = _body(client_id)
    body.update(fields)
    if "lines" in fields and fields["lines"] is None:
        del body["lines"]
    response = api_client.post(INVOICES, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    if field is not None:
        assert _names(errors, field), errors
    assert _invoices(company) == []


def test_draft_without_a_vat_rate_on_its_date_has_no_totals_and_cannot_be_issued(
    api_client, company, client_id
):
    # Code 33 (12 %) has a rate only from 2021-10-01 on.
    body = _create(api_client, client_id, invoice_date="2020-06-01", lines=[_line(vat_code="33")])
    assert body["total_incl_vat"] is None and body["vat_breakdown"] == []
    assert api_client.get(INVOICES).json()["results"][0]["total_incl_vat"] is None
    refused = api_client.post(f"{INVOICES}{body['id']}/issue/", format="json")
    assert refused.status_code == 400
    assert "2020-06-01" in str(refused.json()["errors"])
    assert _stored(company, body["id"]).number is None


def test_too_large_line_is_named(api_client, company, client_id):
    body = _body(client_id, lines=[_line(), _line(quantity="10", unit_price="1" + "0" * 12)])
    errors = _line_errors(api_client.post(INVOICES, body, format="json"))
    assert errors == ["Linje 2: beløpet på linjen er for stort."]
    assert _invoices(company) == []


def test_missing_everything_reports_client_and_lines(api_client):
    response = api_client.post(INVOICES, {}, format="json")
    assert response.status_code == 400
    assert {"client", "lines"} <= set(response.json()["errors"])


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "null"])
def test_malformed_or_wrong_json_is_400(api_client, company, body):
    response = api_client.post(INVOICES, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert _invoices(company) == []


def test_another_companys_client_or_product_is_a_400_field_error(
    api_client, company, other_company, client_id, foreign_client_id
):
    response = api_client.post(INVOICES, _body(foreign_client_id), format="json")
    assert response.status_code == 400 and "client" in response.json()["errors"]
    with scope(company=other_company):
        foreign_product = ProductFactory(company=other_company)
    body = _body(client_id, lines=[{"product": foreign_product.pk, "quantity": "1"}])
    errors = _line_errors(api_client.post(INVOICES, body, format="json"))
    assert "product" in errors["0"]
    assert _invoices(company) == []


def test_read_only_fields_cannot_be_set(api_client, client_id):
    body = _create(
        api_client,
        client_id,
        status="paid",
        number=77,
        kid="123",
        total_incl_vat="1.00",
        paid_amount="9999",
        kind="credit_note",
    )
    assert body["status"] == "draft" and body["number"] is None and body["kid"] == ""
    assert body["kind"] == "invoice" and body["paid_amount"] == "0.00"
    assert body["total_incl_vat"] == "2500.00"


# --- read, list -------------------------------------------------------------------------------


def test_retrieve_and_list(api_client, client_id):
    draft = _create(api_client, client_id)
    issued = _issued(api_client, client_id, due_date="2099-12-31")
    detail = api_client.get(f"{INVOICES}{issued['id']}/").json()
    assert detail["status"] == "issued" and detail["number"] == issued["number"]
    assert detail["open_balance"] == "2500.00" and detail["lines"][0]["vat_rate"] == "25.00"
    assert detail["overdue"] is False and detail["client"] == client_id
    listed = api_client.get(INVOICES).json()
    assert listed["count"] == 2
    rows = {row["id"]: row for row in listed["results"]}
    assert rows[draft["id"]]["total_incl_vat"] == "2500.00"  # a draft's figures, computed
    assert rows[draft["id"]]["number"] is None
    assert rows[issued["id"]]["open_balance"] == "2500.00"


def test_list_filters(api_client, company, client_id):
    with scope(company=company):
        other_client = ClientFactory(company=company, name="Annen Kunde AS").pk
    draft = _create(api_client, client_id, invoice_date="2026-10-01", due_date="2026-10-15")
    old = _issued(api_client, client_id, invoice_date="2026-09-01", due_date="2026-09-15")
    new = _issued(
        api_client,
        other_client,
        invoice_date="2026-11-20",
        due_date="2099-12-31",
        order_number="ORD-99",
    )

    def ids(**params):
        response = api_client.get(INVOICES, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="draft") == {draft["id"]}
    assert ids(status="issued") == {old["id"], new["id"]}
    assert ids(client=other_client) == {new["id"]}
    assert ids(date_from="2026-10-01") == {draft["id"], new["id"]}
    assert ids(date_to="2026-10-01") == {draft["id"], old["id"]}
    assert ids(overdue="true") == {old["id"]}  # due 2026-09-15, still open
    assert ids(overdue="false") == {draft["id"], new["id"]}
    assert ids(search="ORD-99") == {new["id"]}
    assert ids(search=str(old["number"])) == {old["id"]}
    assert ids(search="annen kunde") == {new["id"]}
    ordered = api_client.get(INVOICES, {"ordering": "invoice_date"}).json()["results"]
    assert [row["id"] for row in ordered] == [old["id"], draft["id"], new["id"]]


def test_list_is_paginated(api_client, client_id):
    for _ in range(3):
        _create(api_client, client_id)
    page = api_client.get(INVOICES, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"overdue": "maybe"},
        {"client": "abc"},
        {"client": "999999"},
        {"client": "²"},
        {"client": "9" * 5000},
        {"search": "x" * 201},
        {"date_from": "2026-02-30"},
        {"date_to": "yesterday"},
        {"ordering": "price"},
    ],
)
def test_bad_list_filter_is_400(api_client, params):
    response = api_client.get(INVOICES, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json()["errors"])


def test_list_filter_by_another_companys_client_is_400(api_client, foreign_client_id):
    response = api_client.get(INVOICES, {"client": foreign_client_id})
    assert response.status_code == 400 and "client" in response.json()["errors"]


# --- edit and delete drafts -------------------------------------------------------------------


def test_patch_changes_the_given_fields_and_keeps_the_lines(api_client, company, client_id):
    draft = _create(api_client, client_id, our_reference="Olga")
    url = f"{INVOICES}{draft['id']}/"
    response = api_client.patch(url, {"free_text": "Ny tekst"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["free_text"] == "Ny tekst" and body["our_reference"] == "Olga"
    assert len(body["lines"]) == 1 and body["total_incl_vat"] == "2500.00"
    patched = api_client.patch(url, {"lines": [_line(quantity="4")]}, format="json").json()
    assert patched["total_excl_vat"] == "4000.00" and patched["our_reference"] == "Olga"
    assert AuditEntry.objects.filter(action="invoicing.invoice.draft_updated").count() == 2


def test_put_replaces_the_draft(api_client, company, client_id):
    draft = _create(api_client, client_id, our_reference="Olga", due_date="2026-12-31")
    response = api_client.put(
        f"{INVOICES}{draft['id']}/",
        {"client": client_id, "invoice_date": "2026-11-02", "lines": [_line(quantity="1")]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["our_reference"] == "" and body["due_date"] == "2026-11-16"
    assert body["total_excl_vat"] == "1000.00"


def test_bad_update_is_400_and_changes_nothing(api_client, company, client_id, foreign_client_id):
    draft = _create(api_client, client_id)
    url = f"{INVOICES}{draft['id']}/"
    bodies: list[dict[str, Any]] = [
        {"lines": []},
        {"lines": [_line(vat_code="99")]},
        {"client": foreign_client_id},
        {"due_date": "2026-01-01"},
        {"lines": [_line(quantity="abc")]},
    ]
    for body in bodies:
        response = api_client.patch(url, body, format="json")
        assert response.status_code == 400, body
    assert api_client.put(url, {"free_text": "x"}, format="json").status_code == 400
    stored = _stored(company, draft["id"])
    assert stored.due_date == datetime.date(2026, 11, 16)
    assert _line_count(company, draft["id"]) == 1


def test_issued_invoice_cannot_be_edited_or_deleted(api_client, company, client_id):
    issued = _issued(api_client, client_id, our_reference="Olga")
    url = f"{INVOICES}{issued['id']}/"
    for response in (
        api_client.patch(url, {"our_reference": "Ny"}, format="json"),
        api_client.patch(url, {"lines": "bad"}, format="json"),
        api_client.put(url, _body(client_id), format="json"),
        api_client.delete(url),
    ):
        assert response.status_code == 409, response.content
        assert "utstedt" in response.json()["detail"]
    stored = _stored(company, issued["id"])
    assert stored.our_reference == "Olga" and stored.number == issued["number"]


def test_delete_draft(api_client, company, client_id):
    draft = _create(api_client, client_id)
    assert api_client.delete(f"{INVOICES}{draft['id']}/").status_code == 204
    assert _invoices(company) == []
    assert api_client.get(f"{INVOICES}{draft['id']}/").status_code == 404
    assert AuditEntry.objects.filter(action="invoicing.invoice.draft_deleted").count() == 1


# --- issue ------------------------------------------------------------------------------------


def test_issue_gives_number_kid_and_totals(api_client, company, client_id):
    with scope(company=company):
        from invoicing.services import invoicing_settings_update
        from invoicing.tests.factories import SYSTEM

        invoicing_settings_update(
            company=company, actor=SYSTEM, kid_method="mod10", first_invoice_number=1001
        )
    draft = _create(api_client, client_id)
    body = _issue(api_client, draft["id"])
    assert body["status"] == "issued" and body["number"] == 1001
    assert body["kid"] and body["kid"].isdigit()
    assert (body["total_excl_vat"], body["total_vat"], body["total_incl_vat"]) == (
        "2000.00",
        "500.00",
        "2500.00",
    )
    assert body["vat_breakdown"][0]["basis"] == "2000.00" and body["issued_at"]
    entry = AuditEntry.objects.get(action="invoicing.invoice.issued")
    assert entry.actor_kind == AuditEntry.ActorKind.API_TOKEN


def test_issuing_twice_is_409_and_keeps_the_number(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    again = api_client.post(f"{INVOICES}{issued['id']}/issue/", format="json")
    assert again.status_code == 409
    assert str(issued["number"]) in again.json()["detail"]
    assert _stored(company, issued["id"]).number == issued["number"]
    assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 1


def test_numbers_stay_gapless_when_an_issue_fails_in_the_middle(api_client, company):
    with scope(company=company):
        good = ClientFactory(company=company).pk
        # Reverse charge (code 51) needs a buyer with an organisasjonsnummer.
        without_orgnr = ClientFactory(company=company, organization_number="").pk
    first = _create(api_client, good)
    failing = _create(api_client, without_orgnr, lines=[_line(vat_code="51")])
    third = _create(api_client, good)
    n = _issue(api_client, first["id"])["number"]
    refused = api_client.post(f"{INVOICES}{failing['id']}/issue/", format="json")
    assert refused.status_code == 400
    assert "client" in refused.json()["errors"]
    assert _issue(api_client, third["id"])["number"] == n + 1
    assert _stored(company, failing["id"]).status == "draft"
    assert _stored(company, failing["id"]).number is None


def test_issue_with_idempotency_key_issues_once_and_replays(api_client, company, client_id):
    draft = _create(api_client, client_id)
    url = f"{INVOICES}{draft['id']}/issue/"
    first = api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="issue-1")
    second = api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="issue-1")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 1
    other = _create(api_client, client_id)
    reused = api_client.post(
        f"{INVOICES}{other['id']}/issue/", format="json", HTTP_IDEMPOTENCY_KEY="issue-1"
    )
    assert reused.status_code == 422
    assert _stored(company, other["id"]).status == "draft"


def test_create_with_idempotency_key_creates_once(api_client, company, client_id):
    body = _body(client_id)
    first = api_client.post(INVOICES, body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    second = api_client.post(INVOICES, body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert len(_invoices(company)) == 1
    changed = _body(client_id, free_text="Annen")
    third = api_client.post(INVOICES, changed, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert third.status_code == 422
    assert len(_invoices(company)) == 1


def test_failed_create_leaves_the_key_unused(api_client, company, client_id):
    bad = _body(client_id, lines=[_line(vat_code="99")])
    assert (
        api_client.post(INVOICES, bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    )
    good = api_client.post(INVOICES, _body(client_id), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


# --- credit notes -----------------------------------------------------------------------------


def test_full_credit_note(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    response = api_client.post(f"{INVOICES}{issued['id']}/credit/", {}, format="json")
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["kind"] == "credit_note" and note["status"] == "issued"
    assert note["number"] == issued["number"] + 1
    assert note["credited_invoice"] == issued["id"]
    assert note["credited_invoice_number"] == issued["number"]
    assert note["total_incl_vat"] == "2500.00"
    assert note["lines"][0]["credited_line"] == issued["lines"][0]["id"]
    invoice = api_client.get(f"{INVOICES}{issued['id']}/").json()
    assert invoice["status"] == "credited" and invoice["open_balance"] == "0.00"
    assert invoice["credit_notes"] == [note["id"]]
    again = api_client.post(f"{INVOICES}{issued['id']}/credit/", {}, format="json")
    assert again.status_code == 409 and "kreditert" in again.json()["detail"]


def test_partial_credit_and_crediting_too_much(api_client, company, client_id):
    issued = _issued(
        api_client,
        client_id,
        lines=[_line(quantity="3"), _line(description="Reise", quantity="1", unit_price="500")],
    )
    first_line, second_line = (line["id"] for line in issued["lines"])
    url = f"{INVOICES}{issued['id']}/credit/"
    one = {"lines": [{"line": first_line, "quantity": "1"}]}
    partial = api_client.post(url, one, format="json")
    assert partial.status_code == 201, partial.content
    assert partial.json()["total_excl_vat"] == "1000.00"
    too_much = api_client.post(
        url, {"lines": [{"line": first_line, "quantity": "2.5"}]}, format="json"
    )
    assert too_much.status_code == 400
    assert "gjenstår" in too_much.json()["errors"]["lines"][0]
    rest = api_client.post(url, {"lines": [{"line": second_line}]}, format="json")
    assert rest.status_code == 201 and rest.json()["total_excl_vat"] == "500.00"
    assert _stored(company, issued["id"]).credited_amount == Decimal("1875.00")


def test_credit_by_amount(api_client, company, client_id):
    issued = _issued(api_client, client_id, lines=[_line(quantity="3")])
    url = f"{INVOICES}{issued['id']}/credit/"
    line_id = issued["lines"][0]["id"]
    both = {"lines": [{"line": line_id, "quantity": "1", "amount": "100"}]}
    refused = api_client.post(url, both, format="json")
    assert refused.status_code == 400 and "amount" in str(refused.json()["errors"])
    response = api_client.post(
        url, {"lines": [{"line": line_id, "amount": "250.50"}]}, format="json"
    )
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["total_excl_vat"] == "250.50" and note["total_vat"] == "62.63"
    credit_line = note["lines"][0]
    assert credit_line["credited_by_amount"] is True
    assert (credit_line["quantity"], credit_line["unit"]) == ("1.0000", "LS")
    assert credit_line["credited_line"] == line_id
    too_much = api_client.post(
        url, {"lines": [{"line": line_id, "amount": "2749.51"}]}, format="json"
    )
    assert too_much.status_code == 400 and "gjenstår" in too_much.json()["errors"]["lines"][0]
    rest = api_client.post(url, {}, format="json")
    assert rest.status_code == 201 and rest.json()["total_excl_vat"] == "2749.50"
    assert _stored(company, issued["id"]).open_balance == 0


@pytest.mark.parametrize(
    "lines",
    [
        [],
        "all",
        {"line": 1},
        [{"line": "abc"}],
        [{"quantity": "1"}],
        [{"line": 1, "quantity": "abc"}],
        [{"line": 1, "quantity": "0.00001"}],
        [{"line": 1, "amount": "0.001"}],
        [{"line": 1, "amount": "abc"}],
    ],
)
def test_bad_credit_request_is_400(api_client, company, client_id, lines):
    issued = _issued(api_client, client_id)
    response = api_client.post(f"{INVOICES}{issued['id']}/credit/", {"lines": lines}, format="json")
    assert response.status_code == 400, response.content
    assert _names(response.json()["errors"], "lines")
    with scope(company=company):
        assert not Invoice.objects.credit_notes().exists()


def test_credit_with_negative_quantity_or_a_foreign_line_is_400(
    api_client, outsider_api_client, other_company, company, client_id
):
    issued = _issued(api_client, client_id)
    other = _issued(api_client, client_id)
    url = f"{INVOICES}{issued['id']}/credit/"
    own_line = issued["lines"][0]["id"]
    minus_one = {"lines": [{"line": own_line, "quantity": "-1"}]}
    negative = api_client.post(url, minus_one, format="json")
    assert negative.status_code == 400
    other_line = other["lines"][0]["id"]
    wrong = api_client.post(url, {"lines": [{"line": other_line}]}, format="json")
    assert wrong.status_code == 400 and str(other_line) in wrong.json()["errors"]["lines"][0]
    with scope(company=other_company):
        foreign = ClientFactory(company=other_company).pk
    foreign_issued = _issued(outsider_api_client, foreign)
    foreign_line = foreign_issued["lines"][0]["id"]
    response = api_client.post(url, {"lines": [{"line": foreign_line}]}, format="json")
    assert response.status_code == 400
    with scope(company=company):
        assert not Invoice.objects.credit_notes().exists()


def test_credit_date(api_client, client_id):
    issued = _issued(api_client, client_id)
    url = f"{INVOICES}{issued['id']}/credit/"
    early = api_client.post(url, {"credit_date": "2026-11-01"}, format="json")
    assert early.status_code == 400 and "credit_date" in early.json()["errors"]
    assert api_client.post(url, {"credit_date": "1. des"}, format="json").status_code == 400
    note = api_client.post(url, {"credit_date": "2026-11-05", "free_text": "Retur"}, format="json")
    assert note.status_code == 201
    assert note.json()["invoice_date"] == "2026-11-05" and note.json()["free_text"] == "Retur"


def test_messages_in_english_for_token_clients(api_client, client_id):
    issued = _issued(api_client, client_id)
    url = f"{INVOICES}{issued['id']}/issue/"
    again = api_client.post(url, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "already been issued" in again.json()["detail"]
    response = api_client.post(INVOICES, _body("abc"), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["client"] == ["Expected an id (integer), got str."]


def test_a_draft_cannot_be_credited(api_client, client_id):
    draft = _create(api_client, client_id)
    response = api_client.post(f"{INVOICES}{draft['id']}/credit/", {}, format="json")
    assert response.status_code == 409 and "utkast" in response.json()["detail"].lower()


def test_credit_is_idempotent(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    url = f"{INVOICES}{issued['id']}/credit/"
    first = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="credit-1")
    second = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="credit-1")
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    with scope(company=company):
        assert Invoice.objects.credit_notes().count() == 1


def test_credit_note_endpoints(api_client, client_id):
    issued = _issued(api_client, client_id)
    note = api_client.post(f"{INVOICES}{issued['id']}/credit/", {}, format="json").json()
    listed = api_client.get(CREDIT_NOTES).json()
    assert [row["id"] for row in listed["results"]] == [note["id"]]
    assert listed["results"][0]["credited_invoice"] == issued["id"]
    detail = api_client.get(f"{CREDIT_NOTES}{note['id']}/").json()
    assert detail["number"] == note["number"] and detail["vat_breakdown"]
    # A credit note is not an invoice, and the other way round.
    assert api_client.get(f"{INVOICES}{note['id']}/").status_code == 404
    assert api_client.get(f"{CREDIT_NOTES}{issued['id']}/").status_code == 404
    assert api_client.get(INVOICES).json()["count"] == 1
    # Read-only.
    assert api_client.post(CREDIT_NOTES, {}, format="json").status_code == 405
    assert api_client.delete(f"{CREDIT_NOTES}{note['id']}/").status_code == 405
    assert api_client.get(CREDIT_NOTES, {"status": "paid"}).status_code == 400
    assert api_client.get(CREDIT_NOTES, {"search": str(note["number"])}).json()["count"] == 1


# --- payments ---------------------------------------------------------------------------------


def _pay(api_client, pk, amount, **fields):
    return api_client.post(
        f"{INVOICES}{pk}/payments/",
        {"amount": amount, "date": "2026-11-20", **fields},
        format="json",
    )


def test_partial_and_full_payment(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    response = _pay(api_client, issued["id"], "1000.00", reference="Bank 1", method="kid")
    assert response.status_code == 201, response.content
    payment = response.json()
    assert payment["amount"] == "1000.00" and payment["applied_amount"] == "1000.00"
    assert payment["to_credit_amount"] == "0.00" and payment["method"] == "kid"
    assert payment["invoice"] == issued["id"] and payment["reversed_by"] is None
    invoice = api_client.get(f"{INVOICES}{issued['id']}/").json()
    assert invoice["status"] == "partially_paid" and invoice["open_balance"] == "1500.00"
    assert _pay(api_client, issued["id"], 1500).status_code == 201
    invoice = api_client.get(f"{INVOICES}{issued['id']}/").json()
    assert invoice["status"] == "paid" and invoice["open_balance"] == "0.00"
    listed = api_client.get(f"{INVOICES}{issued['id']}/payments/").json()
    assert listed["count"] == 2
    assert [row["amount"] for row in listed["results"]] == ["1000.00", "1500.00"]


def test_overpayment_goes_to_the_clients_credit_balance(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    refused = _pay(api_client, issued["id"], "3000.00")
    assert refused.status_code == 400
    assert "confirm_overpayment" in refused.json()["errors"]
    assert "500,00 mer enn det som er åpent" in refused.json()["errors"]["confirm_overpayment"][0]
    with scope(company=company):
        assert not ClientBalanceEntry.objects.exists()
    payment = _pay(api_client, issued["id"], "3000.00", confirm_overpayment=True).json()
    assert payment["applied_amount"] == "2500.00" and payment["to_credit_amount"] == "500.00"
    with scope(company=company):
        entry = ClientBalanceEntry.objects.get()
    assert entry.amount == Decimal("500.00") and entry.client_id == client_id


def test_reversal(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    payment = _pay(api_client, issued["id"], "1000.00").json()
    url = f"{INVOICES}{issued['id']}/payments/{payment['id']}/reverse/"
    response = api_client.post(url, {"note": "Feil faktura"}, format="json")
    assert response.status_code == 201, response.content
    reversal = response.json()
    assert reversal["amount"] == "-1000.00" and reversal["reverses"] == payment["id"]
    assert reversal["note"] == "Feil faktura"
    invoice = api_client.get(f"{INVOICES}{issued['id']}/").json()
    assert invoice["status"] == "issued" and invoice["open_balance"] == "2500.00"
    listed = api_client.get(f"{INVOICES}{issued['id']}/payments/").json()["results"]
    assert listed[0]["reversed_by"] == reversal["id"]
    again = api_client.post(url, {}, format="json")
    assert again.status_code == 409 and "tilbakeført" in again.json()["detail"]
    of_reversal = api_client.post(
        f"{INVOICES}{issued['id']}/payments/{reversal['id']}/reverse/", {}, format="json"
    )
    assert of_reversal.status_code == 409
    with scope(company=company):
        assert Payment.objects.count() == 2


def test_reversing_a_payment_of_another_invoice_is_404(api_client, client_id):
    first = _issued(api_client, client_id)
    second = _issued(api_client, client_id)
    payment = _pay(api_client, first["id"], "100").json()
    url = f"{INVOICES}{second['id']}/payments/{payment['id']}/reverse/"
    assert api_client.post(url, {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"amount": "-100"},
        {"amount": "0"},
        {"amount": "abc"},
        {"amount": "1.001"},
        {"amount": None},
        {"amount": ["100"]},
        {"date": "i dag"},
        {"date": None},
        {"method": "bitcoin"},
        {"reference": "x" * 101},
        {"reference": {"id": 1}},
    ],
)
def test_bad_payment_is_400_and_saves_nothing(api_client, company, client_id, fields):
    issued = _issued(api_client, client_id)
    body = {"amount": "100.00", "date": "2026-11-20", **fields}
    response = api_client.post(f"{INVOICES}{issued['id']}/payments/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(fields) <= set(response.json()["errors"])
    with scope(company=company):
        assert not Payment.objects.exists()


def test_a_payment_above_the_amount_limit_is_400_with_the_limit(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    response = _pay(api_client, issued["id"], "10000000000000.00", confirm_overpayment=True)
    assert response.status_code == 400, response.content
    assert "9\u00a0999\u00a0999\u00a0999\u00a0999,99" in response.json()["errors"]["amount"][0]
    with scope(company=company):
        assert not Payment.objects.exists()


def test_a_draft_takes_no_payment(api_client, client_id):
    draft = _create(api_client, client_id)
    response = _pay(api_client, draft["id"], "100")
    assert response.status_code == 409 and response.json()["detail"]


def test_payment_is_idempotent(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    url = f"{INVOICES}{issued['id']}/payments/"
    body = {"amount": "100.00", "date": "2026-11-20"}
    first = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    second = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    other = api_client.post(
        url, {**body, "amount": "200.00"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    assert other.status_code == 422
    with scope(company=company):
        assert Payment.objects.count() == 1


# --- who may do what --------------------------------------------------------------------------


def test_outsider_gets_404_on_every_invoice_endpoint(
    api_client, outsider_api_client, company, client_id
):
    issued = _issued(api_client, client_id)
    payment = _pay(api_client, issued["id"], "100").json()
    draft = _create(api_client, client_id)
    note = api_client.post(
        f"{INVOICES}{issued['id']}/credit/",
        {"lines": [{"line": issued["lines"][0]["id"], "quantity": "1"}]},
        format="json",
    ).json()
    base = f"{INVOICES}{issued['id']}/"
    for method, url in [
        ("get", base),
        ("patch", f"{INVOICES}{draft['id']}/"),
        ("put", f"{INVOICES}{draft['id']}/"),
        ("delete", f"{INVOICES}{draft['id']}/"),
        ("post", f"{INVOICES}{draft['id']}/issue/"),
        ("post", f"{base}credit/"),
        ("get", f"{base}payments/"),
        ("post", f"{base}payments/"),
        ("post", f"{base}payments/{payment['id']}/reverse/"),
        ("get", f"{base[:-1]}/pdf"),
        ("get", f"{base[:-1]}/ehf"),
        ("get", f"{CREDIT_NOTES}{note['id']}/"),
        ("get", f"{CREDIT_NOTES}{note['id']}/pdf"),
    ]:
        response = getattr(outsider_api_client, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert outsider_api_client.get(INVOICES).json()["count"] == 0
    assert outsider_api_client.get(CREDIT_NOTES).json()["count"] == 0
    assert _stored(company, draft["id"]).status == "draft"


def test_read_only_member_reads_but_gets_403_on_writes(
    api_client, member_api_client, company, client_id
):
    issued = _issued(api_client, client_id)
    draft = _create(api_client, client_id)
    assert member_api_client.get(f"{INVOICES}{issued['id']}/").status_code == 200
    assert member_api_client.get(INVOICES).json()["count"] == 2
    for method, url, body in [
        ("post", INVOICES, _body(client_id)),
        ("patch", f"{INVOICES}{draft['id']}/", {"free_text": "x"}),
        ("delete", f"{INVOICES}{draft['id']}/", None),
        ("post", f"{INVOICES}{draft['id']}/issue/", None),
        ("post", f"{INVOICES}{issued['id']}/credit/", {}),
        ("post", f"{INVOICES}{issued['id']}/payments/", {"amount": "1", "date": "2026-11-20"}),
    ]:
        response = getattr(member_api_client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
    assert _stored(company, draft["id"]).status == "draft"
    assert len(_invoices(company)) == 2


def test_owner_session_writes_as_the_user(owner_api_client, owner, company, client_id):
    response = owner_api_client.post(INVOICES, _body(client_id), format="json")
    assert response.status_code == 201, response.content
    issued = owner_api_client.post(f"{INVOICES}{response.json()['id']}/issue/", format="json")
    assert issued.status_code == 200
    entry = AuditEntry.objects.get(action="invoicing.invoice.issued")
    assert entry.actor_kind == AuditEntry.ActorKind.USER and entry.actor_id == owner.pk
    assert _stored(company, response.json()["id"]).issued_by_id == owner.pk


def test_anonymous_gets_401(client, company, client_id):
    assert client.get(INVOICES).status_code in (401, 403)
    response = client.get(INVOICES, HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


# --- OpenAPI schema ---------------------------------------------------------------------------


def test_schema_documents_the_invoice_endpoints():
    from api.docs import generate_schema

    paths = generate_schema()["paths"]
    posts = [
        "/api/v1/invoices/",
        "/api/v1/invoices/{id}/issue/",
        "/api/v1/invoices/{id}/credit/",
        "/api/v1/invoices/{id}/payments/",
        "/api/v1/invoices/{id}/payments/{payment_id}/reverse/",
    ]
    for path in posts:
        names = [param["name"] for param in paths[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/invoices/{id}/"])
    assert "409" in paths["/api/v1/invoices/{id}/issue/"]["post"]["responses"]
    assert "get" in paths["/api/v1/invoices/{id}/payments/"]
    assert set(paths["/api/v1/credit-notes/{id}/"]) == {"get"}
    for prefix in ("invoices", "credit-notes"):
        pdf = paths[f"/api/v1/{prefix}/{{id}}/pdf"]["get"]["responses"]["200"]["content"]
        ehf = paths[f"/api/v1/{prefix}/{{id}}/ehf"]["get"]["responses"]
        assert "application/pdf" in pdf and "application/xml" in ehf["200"]["content"]
        assert "409" in ehf
    invoice_list = paths["/api/v1/invoices/"]["get"]
    list_params = {param["name"] for param in invoice_list["parameters"]}
    assert {"status", "client", "date_from", "date_to", "overdue", "search", "page"} <= list_params


def test_list_queries_do_not_grow_with_the_rows(
    api_client, client_id, django_assert_max_num_queries
):
    for _ in range(3):
        _issued(api_client, client_id)
        _create(api_client, client_id, lines=[_line(), _line(vat_code="33")])
    # token, count, page, draft lines, one per VAT code and date: not one per row
    with django_assert_max_num_queries(8):
        response = api_client.get(INVOICES)
    assert response.status_code == 200 and response.json()["count"] == 6
    for _ in range(3):
        _issued(api_client, client_id)
        _create(api_client, client_id, lines=[_line(), _line(vat_code="33")])
    with django_assert_max_num_queries(8):
        assert api_client.get(INVOICES).json()["count"] == 12


def test_reversal_is_idempotent(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    payment = _pay(api_client, issued["id"], "100").json()
    url = f"{INVOICES}{issued['id']}/payments/{payment['id']}/reverse/"
    first = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    second = api_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    with scope(company=company):
        assert Payment.objects.filter(reverses__isnull=False).count() == 1


def test_a_repeated_payment_needs_confirm_duplicate(api_client, company, client_id):
    issued = _issued(api_client, client_id)
    assert _pay(api_client, issued["id"], "100.00", reference="KID 9").status_code == 201
    again = _pay(api_client, issued["id"], "100.00", reference="KID 9")
    assert again.status_code == 400
    assert "confirm_duplicate" in again.json()["errors"]
    assert "detail" in again.json()
    confirmed = _pay(api_client, issued["id"], "100.00", reference="KID 9", confirm_duplicate=True)
    assert confirmed.status_code == 201
    assert "confirm_duplicate" not in confirmed.json()
    listed = api_client.get(f"{INVOICES}{issued['id']}/payments/").json()["results"]
    assert len(listed) == 2


def test_place_of_delivery_through_the_api(api_client, client_id):
    created = _create(
        api_client,
        client_id,
        delivery_address="Kaia 1",
        delivery_city="Bergen",
        delivery_country="no",
    )
    assert (created["delivery_address"], created["delivery_city"]) == ("Kaia 1", "Bergen")
    assert created["delivery_country"] == "NO"
    bad = api_client.post(INVOICES, _body(client_id, delivery_postcode="5003"), format="json")
    assert bad.status_code == 400 and "delivery_address" in bad.json()["errors"]
    issued = _issue(api_client, created["id"])
    assert issued["delivery_city"] == "Bergen"
