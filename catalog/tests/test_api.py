"""/api/v1/products/ and /api/v1/vat-codes/."""

from decimal import Decimal

import pytest
from django_scopes import scope

from catalog.models import Product
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
VAT_CODES = "/api/v1/vat-codes/"


def _create(api_client, **fields):
    body = {"name": "Konsulenttime", "unit_price": "1250.00", "vat_code": "3", **fields}
    response = api_client.post(PRODUCTS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _stored(company, pk):
    with scope(company=company):
        return Product.objects.get(pk=pk)


def test_create_product(api_client, company):
    body = _create(api_client, number="K-1", unit="HUR", description="Rådgivning")
    assert body["number"] == "K-1" and body["vat_code"] == "3" and body["unit"] == "HUR"
    assert body["unit_price"] == "1250.00"
    stored = _stored(company, body["id"])
    assert stored.unit_price == Decimal("1250.00") and stored.vat_code.code == "3"
    assert AuditEntry.objects.filter(action="catalog.product.created").count() == 1


def test_number_is_suggested_when_left_out(api_client):
    assert _create(api_client, number="0041")["number"] == "0041"
    assert _create(api_client)["number"] == "0042"
    assert _create(api_client, number="")["number"] == "0043"


def test_price_as_json_number_is_accepted(api_client):
    assert _create(api_client, unit_price=99.5)["unit_price"] == "99.50"


def test_list_search_patch_put_delete_activate(api_client, company):
    time = _create(api_client, number="1", name="Konsulenttime")
    _create(api_client, number="2", name="Reise")
    listed = api_client.get(PRODUCTS).json()
    assert [row["number"] for row in listed["results"]] == ["1", "2"]
    assert api_client.get(PRODUCTS, {"search": "reis"}).json()["count"] == 1
    url = f"{PRODUCTS}{time['id']}/"
    patched = api_client.patch(url, {"unit_price": "1300"}, format="json")
    assert patched.status_code == 200 and patched.json()["unit_price"] == "1300.00"
    assert _stored(company, time["id"]).name == "Konsulenttime"
    put = api_client.put(url, {"name": "Time", "unit_price": "1", "vat_code": "31"}, format="json")
    assert put.status_code == 200 and put.json()["number"] == "1"
    assert api_client.delete(url).status_code == 204
    assert _stored(company, time["id"]).is_active is False
    assert api_client.get(PRODUCTS).json()["count"] == 1
    assert api_client.get(PRODUCTS, {"status": "inactive"}).json()["count"] == 1
    assert api_client.post(f"{url}activate/", format="json").json()["is_active"] is True


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 12.5}, None),  # a number is accepted as a name: not an error
        ({"unit_price": "-1.00"}, "unit_price"),
        ({"unit_price": "abc"}, "unit_price"),
        ({"unit_price": "1.005"}, "unit_price"),
        ({"unit_price": "NaN"}, "unit_price"),
        ({"unit_price": "Infinity"}, "unit_price"),
        ({"unit_price": "1e30"}, "unit_price"),
        ({"unit_price": None}, "unit_price"),
        ({"unit_price": [1]}, "unit_price"),
        ({"vat_code": "99"}, "vat_code"),
        ({"vat_code": None}, "vat_code"),
        ({"vat_code": 3.5}, "vat_code"),
        ({"vat_code": {"code": "3"}}, "vat_code"),
        ({"unit": "LY"}, "unit"),
        ({"number": "x" * 31}, "number"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_product_input_is_400_with_field_messages(api_client, company, fields, field):
    body = {"name": "Konsulenttime", "unit_price": "1250.00", "vat_code": "3", **fields}
    response = api_client.post(PRODUCTS, body, format="json")
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    with scope(company=company):
        assert not Product.objects.exists()


def test_missing_required_fields_are_all_reported(api_client):
    response = api_client.post(PRODUCTS, {}, format="json")
    assert response.status_code == 400
    assert {"name", "unit_price", "vat_code"} <= set(response.json()["errors"])


def test_duplicate_number_is_400_from_the_service(api_client):
    _create(api_client, number="K-1")
    response = api_client.post(
        PRODUCTS,
        {"number": "K-1", "name": "Annen", "unit_price": "1", "vat_code": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert "number" in response.json()["errors"]


def test_company_outside_vat_register_may_only_use_code_7(api_client, company):
    company.vat_registered = False
    company.save()
    response = api_client.post(
        PRODUCTS, {"name": "Time", "unit_price": "100", "vat_code": "3"}, format="json"
    )
    assert response.status_code == 400 and "vat_code" in response.json()["errors"]
    assert _create(api_client, vat_code="7")["vat_code"] == "7"
    assert [row["code"] for row in api_client.get(VAT_CODES).json()] == ["7"]


def test_another_companys_product_is_404(api_client, outsider_api_client, company):
    mine = _create(api_client)
    for method in ("get", "patch", "put", "delete"):
        response = getattr(outsider_api_client, method)(
            f"{PRODUCTS}{mine['id']}/", {"name": "Kapret"}, format="json"
        )
        assert response.status_code == 404, method
    assert outsider_api_client.get(PRODUCTS).json()["count"] == 0
    assert _stored(company, mine["id"]).name == "Konsulenttime"


def test_member_may_read_but_not_write_products(api_client, member_api_client):
    mine = _create(api_client)
    assert member_api_client.get(f"{PRODUCTS}{mine['id']}/").status_code == 200
    assert member_api_client.post(PRODUCTS, {"name": "X"}, format="json").status_code == 403
    assert member_api_client.delete(f"{PRODUCTS}{mine['id']}/").status_code == 403


def test_product_create_is_idempotent(api_client, company):
    body = {"name": "Time", "unit_price": "100", "vat_code": "3"}
    first = api_client.post(PRODUCTS, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    again = api_client.post(PRODUCTS, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    with scope(company=company):
        assert Product.objects.count() == 1


def test_vat_codes_with_todays_rate(api_client):
    codes = {row["code"]: row for row in api_client.get(VAT_CODES).json()}
    assert codes["3"]["rate"] == "25.00" and codes["3"]["category"] == "S"
    assert codes["33"]["rate"] == "12.00"
    assert codes["51"]["invoice_text"]
    assert api_client.get(f"{VAT_CODES}31/").json()["rate"] == "15.00"
    assert api_client.get(f"{VAT_CODES}99/").status_code == 404


def test_vat_code_names_follow_the_language(api_client):
    norwegian = api_client.get(f"{VAT_CODES}3/").json()["name"]
    english = api_client.get(f"{VAT_CODES}3/", HTTP_ACCEPT_LANGUAGE="en").json()["name"]
    assert norwegian.startswith("Utgående") and english.startswith("Output")


def test_vat_codes_are_read_only_and_need_login(api_client, client):
    assert api_client.post(VAT_CODES, {"code": "9"}, format="json").status_code == 405
    assert api_client.delete(f"{VAT_CODES}3/").status_code == 405
    assert client.get(VAT_CODES).status_code == 401


def test_bad_product_status_filter_is_400(api_client):
    response = api_client.get(PRODUCTS, {"status": "deleted"})
    assert response.status_code == 400
    assert "inactive" in response.json()["errors"]["status"][0]
