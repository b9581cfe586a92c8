from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from accounts.tests.factories import CompanyFactory
from catalog.models import Product, VatCode
from catalog.selectors import suggest_product_number, vat_code_table
from catalog.services import ProductData, product_create, product_deactivate, product_update
from catalog.tests.factories import ProductFactory
from core.audit import Actor
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def code(value: str) -> VatCode:
    return VatCode.objects.get(code=value)


def create(company, **fields) -> Product:
    fields.setdefault("number", "100")
    fields.setdefault("name", "Konsulenttime")
    fields.setdefault("unit_price", Decimal("1250.00"))
    fields.setdefault("vat_code", code("3"))
    with scope(company=company):
        return product_create(company=company, actor=ACTOR, data=ProductData(**fields))


def test_create_stores_the_product_and_audits():
    company = CompanyFactory()
    product = create(company, unit="HUR", description="  Rådgivning  ")
    assert (product.number, product.unit, product.description) == ("100", "HUR", "Rådgivning")
    entry = AuditEntry.objects.get(action="catalog.product.created")
    assert entry.data == {"number": "100", "unit_price": "1250.00"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_price": Decimal("-0.01")}, "unit_price"),
        ({"unit_price": Decimal("1.005")}, "unit_price"),
        ({"unit_price": Decimal("1e20")}, "unit_price"),
        ({"unit_price": Decimal("NaN")}, "unit_price"),
        ({"unit": "XYZ"}, "unit"),
        ({"vat_code": None}, "vat_code"),
        ({"number": ""}, "number"),
        ({"number": "1" * 31}, "number"),
        ({"name": "n" * 201}, "name"),
        ({"description": "d" * 2001}, "description"),
    ],
)
def test_bad_input_is_rejected_and_nothing_saved(fields, field):
    company = CompanyFactory()
    with pytest.raises(ValidationError) as excinfo:
        create(company, **fields)
    assert field in excinfo.value.message_dict
    with scope(company=company):
        assert not Product.objects.exists()


def test_number_is_unique_per_company_only():
    first, second = CompanyFactory(), CompanyFactory()
    create(first, number="A1")
    create(second, number="A1")
    with pytest.raises(ValidationError) as excinfo:
        create(first, number="A1")
    assert "allerede i bruk" in excinfo.value.message_dict["number"][0]


@pytest.mark.parametrize("vat", ["3", "31", "33", "5", "51", "6"])
def test_company_outside_the_vat_register_may_only_use_code_7(vat):
    company = CompanyFactory(vat_registered=False)
    with pytest.raises(ValidationError) as excinfo:
        create(company, vat_code=code(vat))
    assert "kode 7" in excinfo.value.message_dict["vat_code"][0]
    assert create(company, vat_code=code("7")).vat_code.code == "7"


def test_update_and_deactivate():
    company = CompanyFactory()
    product = create(company)
    with scope(company=company):
        data = dataclasses.replace(
            ProductData.from_product(product), unit_price=Decimal("990"), vat_code=code("33")
        )
        product_update(product=product, actor=ACTOR, data=data)
        product_deactivate(product=product, actor=ACTOR)
        product.refresh_from_db()
    assert product.unit_price == Decimal("990.00")
    assert product.vat_code.code == "33"
    assert not product.is_active
    updated = AuditEntry.objects.get(action="catalog.product.updated")
    assert updated.data["fields"] == ["unit_price", "vat_code"]
    assert AuditEntry.objects.filter(action="catalog.product.deactivated").count() == 1


def test_update_may_keep_its_own_number():
    company = CompanyFactory()
    product = create(company)
    with scope(company=company):
        data = dataclasses.replace(ProductData.from_product(product), name="Ny")
        assert product_update(product=product, actor=ACTOR, data=data).name == "Ny"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [([], "1"), (["1", "2", "9"], "10"), (["0042", "ABC"], "0043"), (["ABC"], "1")],
)
def test_suggested_number(existing, expected):
    company = CompanyFactory()
    for number in existing:
        ProductFactory(company=company, number=number)
    with scope(company=company):
        assert suggest_product_number(company=company) == expected


def test_vat_code_table_has_current_rate_and_history():
    import datetime

    v3 = code("3")
    v3.rates.create(valid_from=datetime.date(2030, 1, 1), rate=Decimal("27.00"))
    rows = {row.code.code: row for row in vat_code_table(on=datetime.date(2026, 11, 24))}
    assert rows["3"].current_rate == Decimal("25.00")
    assert [rate.rate for rate in rows["3"].history] == [Decimal("27.00"), Decimal("25.00")]
    assert rows["33"].current_rate == Decimal("12.00")
    assert rows["51"].code.invoice_text.startswith("Omvendt avgiftsplikt")
    later = {row.code.code: row for row in vat_code_table(on=datetime.date(2030, 1, 1))}
    assert later["3"].current_rate == Decimal("27.00")
