"""The line editors' choices. No line renders the catalog (a type-ahead picker); a line
shows its chosen product's label (all lines' labels read in one query) and takes an active
product of the company only; the VAT codes are read once for all lines."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from invoicing.forms import LineForm, simple_line_formset

pytestmark = pytest.mark.django_db


def _line_data(rows: list[dict[str, str]]) -> dict[str, str]:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"lines-{index}-{key}": value for key, value in row.items()})
    return data


def test_no_line_lists_the_catalog(company_scope):
    for n in range(30):
        ProductFactory(company=company_scope, name=f"Vare {n}")
    formset = simple_line_formset(company=company_scope)
    rendered = "".join(str(form["product"]) for form in formset.forms)
    assert "<option" not in rendered and "Vare 1" not in rendered
    assert rendered.count("data-picker-text") == len(formset.forms) >= 3
    assert 'hx-get="/app/products/picker/"' in rendered


def test_the_lines_show_their_products_labelled_from_one_query(company_scope):
    products = [ProductFactory(company=company_scope, name=f"Vare <{n}> & co") for n in range(4)]
    data = _line_data(
        [{"product": str(p.pk), "quantity": "1"} for p in products] + [{"description": "Fri"}]
    )
    formset = simple_line_formset(company=company_scope, data=data)
    formset.is_valid()  # validated first, as the editors do (a query per chosen product)
    with CaptureQueriesContext(connection) as queries:
        rendered = [str(form["product"]) for form in formset.forms]
    assert sum("catalog_product" in q["sql"] for q in queries.captured_queries) == 1
    for product, html in zip(products, rendered, strict=False):
        assert f'value="{product.pk}" data-picker-value' in html
        assert f'value="{product.number} Vare &lt;' in html  # the label, escaped
    assert 'value="" data-picker-value' in rendered[-1]
    assert re.search(r'name="product_q"[^>]*value=""', rendered[-1])


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
        if not valid:
            assert "deaktivert eller finnes ikke" in str(form.errors["product"])
            # An archived product still shows on its line, so the user sees what to change;
            # another company's shows nothing.
            label = f'value="{product.number} {product.name}"'
            assert (label in str(form["product"])) is (product == retired)


def test_the_lines_read_the_vat_codes_once_and_show_them_as_a_line_alone_does(company_scope):
    data = _line_data([{"description": f"Linje {n}", "vat_code": "3"} for n in range(6)])
    formset = simple_line_formset(company=company_scope, data=data)
    formset.is_valid()  # validated first, as the editors do
    with CaptureQueriesContext(connection) as queries:
        rendered = [str(form["vat_code"]) + str(form["unit"]) for form in formset.forms]
    assert sum("catalog_vatcode" in q["sql"] for q in queries.captured_queries) == 1
    for form, html in zip(formset.forms, rendered, strict=True):
        alone = LineForm(data, company=company_scope, prefix=form.prefix)
        assert html == str(alone["vat_code"]) + str(alone["unit"])
    assert '<option value="3" selected>3 ' in rendered[0]
