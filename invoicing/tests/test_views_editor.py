"""The invoice editor: drafts created and changed through the services, live totals,
Norwegian number input, and bad input that saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from catalog.models import Product
from core.models import AuditEntry
from invoicing.forms import normalise_number
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, ProductFactory, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db

CREATE = reverse("invoicing:create")
TOTALS = reverse("invoicing:totals")


@pytest.fixture
def buyer(company):
    with scope(company=company):
        return ClientFactory(
            company=company,
            number=7,
            name="Fjellbekk Kafé AS",
            payment_terms_days=30,
            their_reference="Kari Kunde",
        )


def invoice_count(company) -> int:
    with scopes_disabled():
        return Invoice.objects.filter(company=company).count()


def post_data(client_obj, lines, **header):
    data = {
        "action": "save",
        "client": str(client_obj.pk),
        "invoice_date": "2026-11-02",
        "due_date": "",
        "delivery_date": "",
        "delivery_period_start": "",
        "delivery_period_end": "",
        "our_reference": "Olga",
        "their_reference": "",
        "buyer_reference": "",
        "order_number": "",
        "currency": "NOK",
        "exchange_rate": "",
        "free_text": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        row = {
            "product": "",
            "description": "Tjeneste",
            "quantity": "1",
            "unit": "EA",
            "unit_price": "100",
            "discount_percent": "",
            "vat_code": "3",
            **line,
        }
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
    data.update(header)
    return data


THREE_RATES = [
    {"description": "Konsulenttime", "quantity": "2", "unit": "HUR", "unit_price": "1 000,00",
     "vat_code": "3"},
    {"description": "Lunsj", "quantity": "3", "unit_price": "150.50", "vat_code": "31"},
    {"description": "Taxi", "quantity": "1", "unit_price": "412,40", "vat_code": "33"},
]  # fmt: skip


# --- Norwegian numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1\u00a0234,5", "1234.5"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("−3,5", "-3.5"),
        ("12", "12"),
    ],
)
def test_normalise_number(typed, expected):
    assert normalise_number(typed) == expected


# --- Create, edit -----------------------------------------------------------------------------


def test_editor_shows_a_blank_line_and_our_reference(owner_client, buyer):
    response = owner_client.get(CREATE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="1"' in body
    assert "Olga Eier" in body  # our reference defaults to the user
    assert 'aria-live="polite"' in body
    assert 'hx-post="/app/invoices/totals/"' in body


def test_owner_creates_a_draft_with_three_rates(owner_client, company, buyer):
    response = owner_client.post(CREATE, post_data(buyer, THREE_RATES))
    assert response.status_code == 302
    with scope(company=company):
        invoice = Invoice.objects.get()
        assert response["Location"] == reverse("invoicing:detail", args=[invoice.pk])
        assert invoice.is_draft and invoice.number is None
        assert invoice.due_date == datetime.date(2026, 12, 2)  # client's 30 days
        assert invoice.their_reference == "Kari Kunde"  # client's reference
        lines = list(invoice.lines.order_by("position"))
        assert [line.unit_price for line in lines] == [
            Decimal("1000.00"),
            Decimal("150.50"),
            Decimal("412.40"),
        ]
        assert [line.vat_code.code for line in lines] == ["3", "31", "33"]
        assert lines[0].unit == "HUR"
        assert AuditEntry.objects.filter(
            action="invoicing.invoice.draft_created", object_id=str(invoice.pk)
        ).exists()
    detail = owner_client.get(response["Location"]).content.decode()
    assert "Utkast til faktura" in detail
    # 2000 × 25 % = 500; 451.50 × 15 % = 67.73 (rounded once); 412.40 × 12 % = 49.49
    assert "500,00" in detail and "67,73" in detail and "49,49" in detail
    assert "3\u00a0481,12" in detail  # 2863.90 + 617.22


def test_product_fills_what_is_left_empty(owner_client, company, buyer):
    with scope(company=company):
        product = ProductFactory(
            company=company, name="Rørleggertime", unit="HUR", unit_price=Decimal("890.00")
        )
    lines = [{"product": str(product.pk), "description": "", "unit": "", "unit_price": "",
              "vat_code": "", "quantity": "1,5"}]  # fmt: skip
    response = owner_client.post(CREATE, post_data(buyer, lines))
    assert response.status_code == 302
    with scope(company=company):
        line = Invoice.objects.get().lines.get()
        assert (line.product, line.quantity, line.unit_price) == (
            product,
            Decimal("1.5"),
            Decimal("890.00"),
        )
        assert line.unit == "HUR" and line.vat_code.code == "3"


def test_owner_edits_a_draft_and_lines_are_replaced(owner_client, company, buyer):
    with scope(company=company):
        invoice = draft_invoice(company=company, client=buyer)
    url = reverse("invoicing:edit", args=[invoice.pk])
    page = owner_client.get(url).content.decode()
    assert 'value="Tjeneste"' in page and 'value="100,00"' in page
    response = owner_client.post(url, post_data(buyer, THREE_RATES[:2], order_number="PO-9"))
    assert response.status_code == 302
    with scope(company=company):
        invoice.refresh_from_db()
        assert invoice.order_number == "PO-9"
        assert [line.description for line in invoice.lines.order_by("position")] == [
            "Konsulenttime",
            "Lunsj",
        ]


def test_accountant_may_create(accountant_client, company, buyer):
    response = accountant_client.post(CREATE, post_data(buyer, THREE_RATES))
    assert response.status_code == 302
    assert invoice_count(company) == 1


def test_foreign_currency_needs_a_rate_and_shows_vat_in_nok(owner_client, company, buyer):
    data = post_data(buyer, [{"unit_price": "100", "quantity": "10"}], currency="eur")
    response = owner_client.post(CREATE, data)
    assert response.status_code == 400
    assert "valutakursen til NOK" in response.content.decode()
    assert invoice_count(company) == 0
    data["exchange_rate"] = "11,5"
    preview = owner_client.post(TOTALS, data).content.decode()
    assert "MVA i NOK" in preview and "NOK 2\u00a0875,00" in preview  # 250 EUR × 11.5
    assert owner_client.post(CREATE, data).status_code == 302
    with scope(company=company):
        invoice = Invoice.objects.get()
        assert (invoice.currency, invoice.exchange_rate) == ("EUR", Decimal("11.5"))


# --- Bad input: re-rendered with messages, nothing saved --------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"quantity": "mange"}, "Oppgi et tall."),
        ({"unit_price": "gratis"}, "Oppgi et tall."),
        ({"quantity": "1,23456"}, "høyst fire desimaler"),
        ({"discount_percent": "150"}, "mindre enn eller lik 100"),
        ({"vat_code": "99"}, "Velg et gyldig valg"),
        ({"unit": "XXX"}, "Velg et gyldig valg"),
        ({"quantity": "1e400"}, "lines-0-quantity_error"),
        ({"quantity": "NaN"}, "Oppgi et tall."),
        ({"unit_price": "-5"}, "større enn eller lik 0"),
        ({"description": "", "unit_price": "5"}, "Skriv en beskrivelse"),
        ({"quantity": "0"}, "antall må være et tall forskjellig fra 0"),
    ],
)
def test_bad_line_input_is_shown_and_nothing_saved(owner_client, company, buyer, line, message):
    response = owner_client.post(CREATE, post_data(buyer, [line]))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode() or 'role="alert"' in (
        response.content.decode()
    )
    assert invoice_count(company) == 0


def test_due_date_before_invoice_date_lands_on_the_field(owner_client, company, buyer):
    response = owner_client.post(CREATE, post_data(buyer, [{}], due_date="2026-10-01"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Forfallsdatoen kan ikke være før fakturadatoen." in body
    assert 'id="id_due_date_error"' in body
    assert invoice_count(company) == 0


@pytest.mark.parametrize("code", ["ABC", "XAU", "123"])
def test_currency_not_in_iso_4217_lands_on_the_field(owner_client, company, buyer, code):
    response = owner_client.post(CREATE, post_data(buyer, [{}], currency=code, exchange_rate="2"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_currency_error"' in body and "er ikke en valutakode etter ISO 4217" in body
    assert invoice_count(company) == 0


def test_prepayment_flag_is_saved_from_the_editor(owner_client, company, buyer):
    data = post_data(buyer, [{}], delivery_date="2026-11-20", is_prepayment="on")
    assert owner_client.post(CREATE, data).status_code == 302
    with scope(company=company):
        assert Invoice.objects.get().is_prepayment


def test_empty_lines_are_refused(owner_client, company, buyer):
    blank = {"description": "", "unit_price": "", "quantity": "1"}
    response = owner_client.post(CREATE, post_data(buyer, [blank, blank]))
    assert response.status_code == 400
    assert "Fakturaen trenger minst én linje." in response.content.decode()
    response = owner_client.post(CREATE, post_data(buyer, []))
    assert response.status_code == 400
    assert invoice_count(company) == 0


def test_another_company_s_client_and_product_are_refused(
    owner_client, company, other_company, buyer
):
    with scope(company=other_company):
        foreign_client = ClientFactory(company=other_company)
        foreign_product = ProductFactory(company=other_company)
    response = owner_client.post(CREATE, post_data(foreign_client, [{}]))
    assert response.status_code == 400
    assert "Velg et gyldig valg" in response.content.decode()
    response = owner_client.post(CREATE, post_data(buyer, [{"product": str(foreign_product.pk)}]))
    assert response.status_code == 400
    assert invoice_count(company) == 0


def test_hostile_strings_are_escaped_and_overlong_ones_refused(owner_client, company, buyer):
    hostile = '<script>alert("x")</script>'
    response = owner_client.post(
        CREATE, post_data(buyer, [{"description": hostile, "quantity": "x"}], order_number=hostile)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert hostile not in body and "&lt;script&gt;" in body
    response = owner_client.post(CREATE, post_data(buyer, [{"description": "x" * 501}]))
    assert response.status_code == 400
    response = owner_client.post(
        CREATE, {**post_data(buyer, [{}]), "lines-TOTAL_FORMS": "100000000"}
    )
    assert response.status_code == 400
    response = owner_client.post(CREATE, {"action": "save", "client": "1;DROP TABLE"})
    assert response.status_code == 400
    assert invoice_count(company) == 0


def test_member_and_outsider_cannot_use_the_editor(member_client, outsider_client, company, buyer):
    assert member_client.get(CREATE).status_code == 403
    assert member_client.post(CREATE, post_data(buyer, [{}])).status_code == 403
    assert member_client.post(TOTALS, post_data(buyer, [{}])).status_code == 403
    response = outsider_client.post(CREATE, post_data(buyer, [{}]))
    assert response.status_code == 400  # the client is not theirs: not a valid choice
    assert invoice_count(company) == 0


def test_anonymous_is_sent_to_login(client):
    for url in (CREATE, TOTALS):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- Re-rendering without saving (also without JavaScript) --------------------------------------


def test_calculate_button_rerenders_with_totals_and_saves_nothing(owner_client, company, buyer):
    response = owner_client.post(CREATE, {**post_data(buyer, THREE_RATES), "action": "calc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "3\u00a0481,12" in body and "2\u00a0000,00" in body
    assert invoice_count(company) == 0


def test_add_and_remove_lines(owner_client, company, buyer):
    data = {**post_data(buyer, THREE_RATES), "action": "add_line"}
    body = owner_client.post(CREATE, data).content.decode()
    assert 'name="lines-TOTAL_FORMS" value="4"' in body
    assert "autofocus" in body
    data = {**post_data(buyer, THREE_RATES), "action": "remove:0"}
    body = owner_client.post(CREATE, data).content.decode()
    assert 'name="lines-TOTAL_FORMS" value="2"' in body
    assert 'value="Konsulenttime"' not in body and 'value="Lunsj"' in body
    assert 'aria-invalid="true"' not in body  # structural re-renders show no errors
    data = {**post_data(buyer, [{}]), "action": "remove:7"}
    assert owner_client.post(CREATE, data).status_code == 200
    assert invoice_count(company) == 0


def test_choosing_a_product_fills_the_row(owner_client, company, buyer):
    with scope(company=company):
        product = ProductFactory(
            company=company, name="Rørleggertime", unit="HUR", unit_price=Decimal("1250.00")
        )
    data = post_data(buyer, [{"product": str(product.pk), "description": "", "unit_price": ""}])
    data["action"] = "product:0"
    body = owner_client.post(CREATE, data, headers={"HX-Request": "true"}).content.decode()
    assert 'value="Rørleggertime"' in body and 'value="1250,00"' in body
    assert '<option value="HUR" selected>' in body


def test_choosing_a_client_fills_due_date_and_reference(owner_client, buyer):
    data = post_data(buyer, [{}], invoice_date="2026-11-10")
    data["action"] = "client"
    body = owner_client.post(CREATE, data).content.decode()
    assert 'value="2026-12-10"' in body  # + 30 days
    assert 'value="Kari Kunde"' in body
    page = owner_client.get(f"{CREATE}?client={buyer.pk}").content.decode()
    assert 'value="Kari Kunde"' in page


# --- Live totals (HTMX) ------------------------------------------------------------------------


def test_totals_endpoint_gives_the_figures_per_rate(owner_client, buyer):
    response = owner_client.post(TOTALS, post_data(buyer, THREE_RATES))
    assert response.status_code == 200
    body = response.content.decode()
    figures = ["25\u00a0%", "15\u00a0%", "12\u00a0%", "2\u00a0000,00", "500,00", "451,50"]
    figures += ["67,73", "412,40", "49,49", "2\u00a0863,90", "617,22", "3\u00a0481,12"]
    for figure in figures:
        assert figure in body, figure
    # The line amounts are swapped in out of band.
    assert 'id="lines-1-net" class="line-net" hx-swap-oob="true">451,50<' in body


def test_totals_endpoint_with_discount_and_rounding(owner_client, buyer):
    lines = [{"quantity": "3", "unit_price": "33,33", "discount_percent": "10"}]
    body = owner_client.post(TOTALS, post_data(buyer, lines)).content.decode()
    assert "89,99" in body  # 99.99 × 0.9 = 89.991
    assert "22,50" in body  # 89.99 × 25 % = 22.4975


@pytest.mark.parametrize(
    "garbage",
    [
        {},
        {"lines-TOTAL_FORMS": "abc"},
        {"lines-TOTAL_FORMS": "-5"},
        {"lines-TOTAL_FORMS": "99999999999999999999"},
        {"lines-TOTAL_FORMS": "2", "lines-0-quantity": "NaN", "lines-0-unit_price": "Infinity",
         "lines-0-description": "x", "lines-1-quantity": "1e999999", "lines-1-unit_price": "1",
         "lines-1-vat_code": "3", "lines-1-description": "y"},
        {"lines-TOTAL_FORMS": "1", "lines-0-product": "99999999999999999999999",
         "lines-0-quantity": "1", "invoice_date": "2026-02-30", "currency": "ÆØÅ",
         "exchange_rate": "-1"},
        {"lines-TOTAL_FORMS": "1", "lines-0-description": "x", "lines-0-quantity": "1",
         "lines-0-unit_price": "100", "lines-0-vat_code": "3", "lines-0-discount_percent": "abc"},
    ],
)  # fmt: skip
def test_totals_endpoint_survives_garbage(owner_client, garbage):
    response = owner_client.post(TOTALS, garbage)
    assert response.status_code == 200
    assert "Sum eks. MVA" in response.content.decode()


def test_totals_endpoint_names_lines_left_out(owner_client, buyer):
    lines = [THREE_RATES[0], {"quantity": "tre", "description": "Feil"}]
    body = owner_client.post(TOTALS, post_data(buyer, lines)).content.decode()
    assert "Linje 2 er ikke med i summen" in body
    assert "2\u00a0500,00" in body  # only the first line


# --- Issued invoices are not editable ------------------------------------------------------------


def test_issued_invoice_cannot_be_edited_or_deleted(owner_client, company, buyer):
    with scope(company=company):
        invoice = issued_invoice(company=company, client=buyer)
        before = (invoice.number, invoice.total_incl_vat, invoice.lines.count())
    edit = reverse("invoicing:edit", args=[invoice.pk])
    assert owner_client.get(edit).status_code == 409
    assert owner_client.post(edit, post_data(buyer, THREE_RATES)).status_code == 409
    delete = reverse("invoicing:delete", args=[invoice.pk])
    assert owner_client.get(delete).status_code == 409
    assert owner_client.post(delete).status_code == 409
    with scope(company=company):
        invoice.refresh_from_db()
        assert (invoice.number, invoice.total_incl_vat, invoice.lines.count()) == before
    detail = owner_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert edit not in detail and delete not in detail


def test_archived_client_stays_selectable_on_its_draft(owner_client, company, buyer):
    with scope(company=company):
        invoice = draft_invoice(company=company, client=buyer)
        buyer.is_active = False
        buyer.save()
    url = reverse("invoicing:edit", args=[invoice.pk])
    assert owner_client.post(url, post_data(buyer, [{}])).status_code == 302
    assert owner_client.post(CREATE, post_data(buyer, [{}])).status_code == 400


def test_product_model_is_scoped(company, other_company):
    with scope(company=other_company):
        ProductFactory(company=other_company)
    with scope(company=company):
        assert not Product.objects.exists()


def test_absurd_amounts_are_refused_not_crashed(owner_client, company, buyer):
    huge = {"quantity": "9999999999,9999", "unit_price": "9999999999999999,99"}
    response = owner_client.post(CREATE, post_data(buyer, [huge]))
    assert response.status_code == 400
    assert "Beløpet på linjen er for stort." in response.content.decode()
    big = {"quantity": "9000000", "unit_price": "999999,00"}
    response = owner_client.post(CREATE, post_data(buyer, [big] * 20))
    assert response.status_code == 400
    assert "Summen av linjene er for stor." in response.content.decode()
    assert invoice_count(company) == 0
    for lines in ([huge], [big] * 100):
        response = owner_client.post(TOTALS, post_data(buyer, lines))
        assert response.status_code == 200


def test_live_totals_warn_when_the_invoice_would_exceed_the_amount_limit(owner_client, buyer):
    """Lines each within the line limit whose sum is above services.MAX_AMOUNT: the live
    totals say so with the message issuing would give, instead of a total that can
    never be issued."""
    lines = [{"quantity": "1", "unit_price": "6000000000000", "vat_code": "5"}] * 2
    body = owner_client.post(TOTALS, post_data(buyer, lines)).content.decode()
    assert (
        "Fakturaens beløp kan ikke være større enn 9\u00a0999\u00a0999\u00a0999\u00a0999,99" in body
    )
    within = owner_client.post(TOTALS, post_data(buyer, lines[:1])).content.decode()
    assert "kan ikke være større enn" not in within


def test_owner_gives_a_place_of_delivery_other_than_the_clients_address(
    owner_client, company, buyer
):
    place = {
        "delivery_address": "Hytta, Fjellveien 3",
        "delivery_postcode": "3580",
        "delivery_city": "Geilo",
        "delivery_country": "",
    }
    response = owner_client.post(CREATE, post_data(buyer, THREE_RATES, **place))
    assert response.status_code == 302
    with scope(company=company):
        invoice = Invoice.objects.get()
    assert (invoice.delivery_address, invoice.delivery_city, invoice.delivery_country) == (
        "Hytta, Fjellveien 3",
        "Geilo",
        "NO",
    )
    detail = owner_client.get(response["Location"]).content.decode()
    assert "Hytta, Fjellveien 3, 3580 Geilo" in detail
    edit = owner_client.get(reverse("invoicing:edit", args=[invoice.pk])).content.decode()
    assert 'value="Hytta, Fjellveien 3"' in edit
    bad = owner_client.post(
        reverse("invoicing:edit", args=[invoice.pk]),
        post_data(buyer, THREE_RATES, delivery_address="", delivery_city="", delivery_postcode="1"),
    )
    assert bad.status_code == 400
    assert "Oppgi adresse eller poststed for leveringsstedet." in bad.content.decode()
