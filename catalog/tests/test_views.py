from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from catalog.models import Product
from catalog.services import CSV_COLUMNS
from catalog.tests.factories import ProductFactory
from core.tests.csvimport import upload_and_confirm

pytestmark = pytest.mark.django_db

VALID = {
    "number": "200",
    "name": "Frakt",
    "description": "",
    "unit": "EA",
    "unit_price": "1 250,50",
    "vat_code": "3",
}


@pytest.fixture
def product(company):
    return ProductFactory(company=company, name="Rørlegging Æøå", number="R-1")


def products_of(company) -> list[Product]:
    with scopes_disabled():
        return list(Product.objects.filter(company=company).order_by("number"))


def upload(web, content: bytes):
    """Upload and confirm the preview (the answer of the upload when it is refused)."""
    return upload_and_confirm(web, "catalog:import", content, "p.csv")


LIST_URLS = [
    "catalog:list",
    "catalog:create",
    "catalog:export",
    "catalog:import",
    "catalog:vat_codes",
]


@pytest.mark.parametrize("name", LIST_URLS)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_is_sent_to_login_from_object_pages(client, product):
    assert client.get(reverse("catalog:edit", args=[product.pk])).status_code == 302
    response = client.post(reverse("catalog:deactivate", args=[product.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404_and_never_sees_the_product(outsider_client, product):
    assert outsider_client.get(reverse("catalog:edit", args=[product.pk])).status_code == 404
    assert (
        outsider_client.post(reverse("catalog:edit", args=[product.pk]), VALID).status_code == 404
    )
    for name in ("catalog:deactivate", "catalog:activate"):
        assert outsider_client.post(reverse(name, args=[product.pk])).status_code == 404
    listing = outsider_client.get(reverse("catalog:list"), {"q": "Rør", "status": "all"})
    assert product.name not in listing.content.decode()
    export = outsider_client.get(reverse("catalog:export")).content.decode("utf-8-sig")
    assert product.name not in export
    product.refresh_from_db()
    assert product.is_active and product.number == "R-1"


def test_member_can_list_export_and_see_vat_codes_but_not_change(member_client, product, company):
    listing = member_client.get(reverse("catalog:list"))
    assert product.name in listing.content.decode()
    assert reverse("catalog:edit", args=[product.pk]) not in listing.content.decode()
    assert member_client.get(reverse("catalog:export")).status_code == 200
    assert member_client.get(reverse("catalog:vat_codes")).status_code == 200
    for url in (reverse("catalog:create"), reverse("catalog:import")):
        assert member_client.get(url).status_code == 403
        assert member_client.post(url, VALID).status_code == 403
    assert member_client.get(reverse("catalog:edit", args=[product.pk])).status_code == 403
    assert member_client.post(reverse("catalog:edit", args=[product.pk]), VALID).status_code == 403
    for name in ("catalog:deactivate", "catalog:activate"):
        assert member_client.post(reverse(name, args=[product.pk])).status_code == 403
    product.refresh_from_db()
    assert product.is_active and product.name == "Rørlegging Æøå"
    assert len(products_of(company)) == 1


@pytest.mark.parametrize("persona", ["owner_client", "accountant_client"])
def test_editors_create_edit_and_deactivate(request, persona, company):
    web = request.getfixturevalue(persona)
    form = web.get(reverse("catalog:create"))
    assert form.status_code == 200
    assert form.context["form"].initial["number"] == "1"
    assert web.post(reverse("catalog:create"), VALID).status_code == 302
    (product,) = products_of(company)
    assert product.unit_price == Decimal("1250.50")
    assert product.unit == "EA"

    edit = web.get(reverse("catalog:edit", args=[product.pk]))
    assert edit.status_code == 200
    response = web.post(
        reverse("catalog:edit", args=[product.pk]), {**VALID, "unit_price": "99.90", "unit": "HUR"}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.unit_price, product.unit) == (Decimal("99.90"), "HUR")
    assert web.post(reverse("catalog:deactivate", args=[product.pk])).status_code == 302
    product.refresh_from_db()
    assert not product.is_active
    assert web.post(reverse("catalog:activate", args=[product.pk])).status_code == 302
    product.refresh_from_db()
    assert product.is_active


@pytest.mark.parametrize(
    "changes",
    [
        {"unit_price": "-1"},
        {"unit_price": "abc"},
        {"unit_price": "1,005"},
        {"unit": "PCS"},
        {"vat_code": "99"},
        {"number": ""},
        {"number": "N" * 31},
        {"name": "x" * 201},
        {"description": "x" * 2001},
    ],
)
def test_bad_input_rerenders_and_saves_nothing(owner_client, company, changes):
    response = owner_client.post(reverse("catalog:create"), {**VALID, **changes})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert products_of(company) == []


def test_taken_number_is_reported_with_the_next_free_one(owner_client, company, product):
    ProductFactory(company=company, number="7")
    response = owner_client.post(reverse("catalog:create"), {**VALID, "number": "R-1"})
    assert response.status_code == 400
    assert "Neste ledige er 8" in response.content.decode()


def test_vat_code_3_for_a_company_outside_the_vat_register(owner_client, company):
    company.vat_registered = False
    company.save()
    form = owner_client.get(reverse("catalog:create")).context["form"]
    assert [c.code for c in form.fields["vat_code"].queryset] == ["7"]
    response = owner_client.post(reverse("catalog:create"), VALID)
    assert response.status_code == 400
    assert products_of(company) == []
    assert (
        owner_client.post(reverse("catalog:create"), {**VALID, "vat_code": "7"}).status_code == 302
    )


def test_list_search_filter_sort_and_norwegian_prices(owner_client, company):
    ProductFactory(company=company, number="1", name="Billig", unit_price=Decimal("10"))
    ProductFactory(company=company, number="2", name="Dyr", unit_price=Decimal("1234567.5"))
    ProductFactory(company=company, number="3", name="Gammel", is_active=False)
    url = reverse("catalog:list")
    body = owner_client.get(url).content.decode()
    assert "1\u00a0234\u00a0567,50" in body
    assert "Gammel" not in body
    assert "Gammel" in owner_client.get(url, {"status": "inactive"}).content.decode()
    body = owner_client.get(url, {"sort": "-price"}).content.decode()
    assert body.index("Dyr") < body.index("Billig")
    body = owner_client.get(url, {"q": "bil"}).content.decode()
    assert "Billig" in body and "Dyr" not in body
    assert owner_client.get(url, {"sort": "x", "status": "y", "page": "-1"}).status_code == 200


def test_pagination_keeps_filters(owner_client, company):
    ProductFactory.create_batch(51, company=company)
    response = owner_client.get(reverse("catalog:list"), {"q": "Tjeneste", "sort": "name"})
    assert len(response.context["page"]) == 50
    body = response.content.decode()
    assert "q=Tjeneste" in body and "sort=name" in body and "page=2" in body


def test_vat_codes_page(owner_client):
    response = owner_client.get(reverse("catalog:vat_codes"))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "25\u00a0%",
        "11,11\u00a0%",
        "VATEX-EU-AE",
        "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet",
        "<caption",
    ):
        assert text in body
    assert body.count('<th scope="row">') == 9


# --- CSV ----------------------------------------------------------------------------------


def test_export_then_import_round_trip(owner_client, company, other_company, outsider_client):
    ProductFactory(
        company=company,
        number="1",
        name="Kaffe; «sterk»",
        unit="KGM",
        unit_price=Decimal("1234.50"),
        description="=2+2\nlinje to",
    )
    ProductFactory(
        company=company, number="2", name="Gammel", is_active=False, unit_price=Decimal("0")
    )
    exported = owner_client.get(reverse("catalog:export"))
    raw = exported.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(header for header, _ in CSV_COLUMNS)
    assert "1234,50" in lines[1]
    response = upload(outsider_client, raw)
    assert response.status_code == 302
    fields = ["number", "name", "description", "unit", "unit_price", "vat_code_id", "is_active"]
    assert [[getattr(p, f) for f in fields] for p in products_of(other_company)] == [
        [getattr(p, f) for f in fields] for p in products_of(company)
    ]


def test_import_reads_labels_and_suggests_numbers(owner_client, company):
    ProductFactory(company=company, number="10")
    content = "navn;enhet;enhetspris;mva-kode\nTime;t;1 000,00;3\nMåned;MON;5000.5;33\nSett;;0;5\n"
    assert upload(owner_client, content.encode()).status_code == 302
    created = {p.name: p for p in products_of(company)}
    assert (created["Time"].number, created["Time"].unit) == ("11", "HUR")
    assert (created["Måned"].number, created["Måned"].unit_price) == ("12", Decimal("5000.50"))
    assert (created["Sett"].number, created["Sett"].unit) == ("13", "EA")


def test_one_bad_row_imports_nothing(owner_client, company):
    content = (
        b"varenummer;navn;enhet;enhetspris eks. mva;mva-kode\n"
        b"1;God;stk;10;3\n"
        b"2;Negativ;stk;-10;3\n"
        b"3;Ukjent enhet;fat;10;3\n"
        b"4;Ukjent kode;stk;10;99\n"
        b"1;Dobbel;stk;10;3\n"
    )
    response = upload(owner_client, content)
    assert response.status_code == 400
    errors = [(e.row, e.field) for e in response.context["row_errors"]]
    assert errors == [
        (3, "enhetspris eks. mva"),
        (4, "enhet"),
        (5, "mva-kode"),
        (6, "varenummer"),
    ]
    assert "rad" in response.content.decode().lower()
    assert products_of(company) == []


def test_import_rejects_code_3_for_a_company_outside_the_vat_register(owner_client, company):
    company.vat_registered = False
    company.save()
    response = upload(owner_client, b"navn;enhetspris;mva-kode\nA;10;3\nB;10;7\n")
    assert response.status_code == 400
    (error,) = response.context["row_errors"]
    assert error.row == 2 and "kode 7" in error.message
    assert products_of(company) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tom"),
        ("navn;enhetspris;mva-kode\nKaffe;10;3\n".encode("cp1252") + b"\xe6\xf8\xe5", "UTF-8"),
        (b"\x00\x01\x02\x03binary", "binære"),
        (b"navn;mva-kode\nA;3\n", "mangler"),
    ],
)
def test_unusable_files(owner_client, company, content, message):
    response = upload(owner_client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert products_of(company) == []


def test_too_large_file(owner_client, company):
    response = upload(owner_client, b"navn;enhetspris;mva-kode\n" + b"A;1;3\n" * 400_000)
    assert response.status_code == 400
    assert "2 MB" in response.content.decode()
    assert products_of(company) == []


def test_pages_are_translated_to_english(owner, owner_client, product):
    owner.language = "en"
    owner.save()
    body = owner_client.get(reverse("catalog:list")).content.decode()
    assert "New product" in body and ">Products</a>" in body
    assert ">h<" in body  # the unit "t" (time) is "h" in English
    vat = owner_client.get(reverse("catalog:vat_codes")).content.decode()
    assert "Output VAT, standard rate" in vat and "Rate history" in vat


def test_edit_form_shows_the_price_with_a_decimal_comma(owner_client, product):
    body = owner_client.get(reverse("catalog:edit", args=[product.pk])).content.decode()
    assert 'value="1250,00"' in body
