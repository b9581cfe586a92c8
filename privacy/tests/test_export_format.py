"""The export's data.json follows its published JSON Schema, in the person's language, and
its CSV files carry the same items with a header of words."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django_scopes import scope

# types-jsonschema is not among the pinned dev requirements (adding it needs the integrator).
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from backoffice import services as backoffice
from backoffice.selectors import operator_company
from backoffice.tests.conftest import operator, plan  # noqa: F401 (fixtures)
from core.audit import Actor
from core.personal_data.inventory import Category
from privacy.services.exports import COLUMNS, SCHEMA_PATH, _build_zip, export_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchases(owner, company, plan):  # noqa: F811 (fixture)
    from invoicing.services import payment_register

    order = backoffice.order_place(customer=company, plan=plan, user=owner)
    invoice = order.invoice
    assert invoice is not None
    with scope(company=operator_company()):
        payment_register(
            invoice=invoice,
            actor=Actor.system("tests"),
            amount=invoice.total_incl_vat,
            date=invoice.invoice_date,
        )
    return order


def _archive(user) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(_build_zip(user=user)))


def test_the_schema_is_a_valid_json_schema_and_is_published(client):
    schema = export_schema()
    Draft202012Validator.check_schema(schema)
    response = client.get(reverse("privacy:export_schema"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert json.loads(response.content) == schema


def test_the_export_validates_against_its_schema_and_holds_the_purchase_history(owner, purchases):
    archive = _archive(owner)
    data = json.loads(archive.read("data.json"))
    validator = Draft202012Validator(export_schema(), format_checker=FormatChecker())
    assert sorted(error.message for error in validator.iter_errors(data)) == []
    # The schema travels in the ZIP too, byte for byte the published one.
    assert archive.read("schema.json").decode() == SCHEMA_PATH.read_text(encoding="utf-8")
    assert data["$schema"].endswith(reverse("privacy:export_schema"))
    assert [c["key"] for c in data["categories"]] == list(Category.values)
    payments = next(c for c in data["categories"] if c["key"] == "payment_history")
    records = {item["record"] for item in payments["items"]}
    assert f"Faktura {purchases.invoice.number}" in records
    assert f"Innbetaling til Faktura {purchases.invoice.number}" in records
    # The CSV of a category holds the same items, with the columns' labels as its header.
    rows = list(csv.reader(io.StringIO(archive.read(payments["csv_file"]).decode())))
    assert rows[0] == [column["label"] for column in data["csv_columns"]]
    assert rows[0][:3] == ["Hvor", "Opplysning", "Verdi"]
    assert rows[1:] == [[item[key] for key, _label in COLUMNS] for item in payments["items"]]
    assert {c["csv_file"] for c in data["categories"] if c["csv_file"]} <= set(archive.namelist())


def test_an_english_speaking_person_gets_the_export_in_english(owner, purchases):
    owner.language = "en"
    owner.save(update_fields=["language"])
    data = json.loads(_archive(owner).read("data.json"))
    assert data["language"] == "en"
    Draft202012Validator(export_schema()).validate(data)
    labels = {c["key"]: c["label"] for c in data["categories"]}
    assert labels["payment_history"] == "Payment history"
    assert [c["label"] for c in data["csv_columns"]][:3] == ["Record", "Item", "Value"]
    payments = next(c for c in data["categories"] if c["key"] == "payment_history")
    fields = {item["field"] for item in payments["items"]}
    assert {"To company", "Amount incl. VAT", "Paid"} <= fields
    paid = next(i for i in payments["items"] if i["field"] == "Paid")
    assert paid["value"] == f"{purchases.invoice.total_incl_vat:,.2f} NOK"  # 1,500.00 NOK
    everything = json.dumps(data, ensure_ascii=False)
    for field_name in ("created_at", "buyer_snapshot", "ordered_at", "total_incl_vat"):
        assert f'"{field_name}"' not in everything
