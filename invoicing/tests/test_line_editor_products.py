"""The line editor's product list: read once for all lines, shown as Django's own select."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from invoicing.forms import LineForm, simple_line_formset

pytestmark = pytest.mark.django_db


def test_every_line_lists_the_active_products_from_one_query(company_scope):
    products = [ProductFactory(company=company_scope, name=f"Vare <{n}> & co") for n in range(4)]
    ProductFactory(company=company_scope, name="Utgått", is_active=False)
    ProductFactory(name="Et annet firmas vare")  # another company's
    formset = simple_line_formset(company=company_scope)
    assert len(formset.forms) >= 3
    with CaptureQueriesContext(connection) as queries:
        rendered = [str(form["product"]) for form in formset.forms]
    assert sum("catalog_product" in q["sql"] for q in queries.captured_queries) == 1
    # The markup Django's ModelChoiceField gives for the same products, line by line.
    for form, html in zip(formset.forms, rendered, strict=True):
        plain = LineForm(company=company_scope, prefix=form.prefix)
        assert html == str(plain["product"])
    assert all(f"{p.number} Vare &lt;" in rendered[0] for p in products)
    assert "Utgått" not in rendered[0] and "Et annet firmas vare" not in rendered[0]


def test_a_line_takes_an_active_product_of_the_company_only(company_scope):
    chosen = ProductFactory(company=company_scope)
    retired = ProductFactory(company=company_scope, is_active=False)
    foreign = ProductFactory()
    formset = simple_line_formset(company=company_scope)
    for product, valid in ((chosen, True), (retired, False), (foreign, False)):
        form = formset.form(
            {"x-product": str(product.pk), "x-quantity": "1", "x-unit_price": "10"},
            prefix="x",
            **formset.get_form_kwargs(0),
        )
        assert form.is_valid() is valid, form.errors
