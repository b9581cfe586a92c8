"""Product CSV import from Norwegian Excel files (Windows-1252, ``;``, decimal comma) and
UTF-8 files with commas, with a preview before anything is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from core.tests.csvimport import confirm_preview, upload_file

pytestmark = pytest.mark.django_db

EXCEL_NO = (
    "Varenummer;Navn;Enhet;Enhetspris eks. mva;MVA-kode\r\n"
    "R-1;Rørlegging, time;t;1 250,50;3\r\n"
    "K-2;Kjøregodtgjørelse;km;4,75;3\r\n"
    ";Bæreveske;stk;\u00a01\u00a0000,00;3\r\n"
)
UTF8_COMMA = (
    "varenummer,navn,enhet,enhetspris eks. mva,mva-kode\n"
    'R-1,"Rørlegging, time",t,"1250,50",3\n'
    "K-2,Kjøregodtgjørelse,km,4.75,3\n"
    ",Bæreveske,stk,1000,3\n"
)
FILES = {
    "excel-cp1252-semicolon-decimal-comma": EXCEL_NO.replace("\u00a0", " ").encode("cp1252"),
    "excel-utf8-bom-semicolon-nbsp": EXCEL_NO.encode("utf-8-sig"),
    "utf8-comma-decimal-point": UTF8_COMMA.encode("utf-8"),
}


def products_of(company) -> list[tuple[str, str, str, Decimal]]:
    with scopes_disabled():
        return [
            (p.number, p.name, p.unit, p.unit_price)
            for p in Product.objects.filter(company=company).order_by("pk")
        ]


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_previewed_then_imported_exactly(owner_client, company, name):
    response = upload_file(owner_client, "catalog:import", FILES[name], "produkter.csv")
    assert response.status_code == 302, response.content.decode()[:3000]
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    header = page.context["preview_header"]
    rows = {
        cells[1]: dict(zip(header, cells, strict=True))
        for _line, cells in page.context["preview_rows"]
    }
    assert rows["Rørlegging, time"]["enhetspris eks. mva"] == "1250,50"
    assert rows["Bæreveske"]["varenummer"] == "1"  # the next free number, shown before import
    assert products_of(company) == []

    response = confirm_preview(owner_client, response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:list")
    assert products_of(company) == [
        ("R-1", "Rørlegging, time", "HUR", Decimal("1250.50")),
        ("K-2", "Kjøregodtgjørelse", "KMT", Decimal("4.75")),
        ("1", "Bæreveske", "EA", Decimal("1000.00")),
    ]


def test_wrong_columns_are_refused(owner_client, company):
    content = "Produkt;Pris\r\nTime;100\r\n".encode("cp1252")
    response = upload_file(owner_client, "catalog:import", content)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ukjente kolonner i overskriftsraden: Produkt" in body
    assert products_of(company) == []


def test_bad_file_is_refused(owner_client, company):
    response = upload_file(owner_client, "catalog:import", b"PK\x03\x04\x00\x00binary xlsx")
    assert response.status_code == 400
    assert "binære data" in response.content.decode()


def test_row_errors_name_line_and_field(owner_client, company):
    content = (
        "navn;enhetspris eks. mva;mva-kode\r\nTime;1 250,50;3\r\nKurs;tusen;3\r\nBok;10;99\r\n"
    ).encode("cp1252")
    response = upload_file(owner_client, "catalog:import", content)
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [
        (3, "enhetspris eks. mva"),
        (4, "mva-kode"),
    ]
    assert products_of(company) == []


def test_a_number_taken_since_the_preview_imports_nothing(owner_client, company):
    preview_url = upload_file(owner_client, "catalog:import", FILES["utf8-comma-decimal-point"])[
        "Location"
    ]
    fingerprint = owner_client.get(preview_url).context["confirm_form"].initial["fingerprint"]
    ProductFactory(company=company, number="1", name="Laget i mellomtiden")
    response = owner_client.post(preview_url, {"fingerprint": fingerprint})
    assert response.status_code == 409
    assert [row[1] for row in products_of(company)] == ["Laget i mellomtiden"]
    assert "Noe er endret siden forhåndsvisningen" in response.content.decode()


def test_member_cannot_preview_or_confirm(owner_client, member_client):
    preview_url = upload_file(owner_client, "catalog:import", FILES["utf8-comma-decimal-point"])[
        "Location"
    ]
    assert member_client.get(preview_url).status_code == 403
    assert member_client.post(reverse("catalog:import")).status_code == 403
