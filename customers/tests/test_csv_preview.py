"""Client CSV import from Norwegian Excel files, with a preview before anything is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from core import csvfiles
from core.models import AuditEntry
from core.tests.csvimport import confirm_preview, upload_file
from customers.models import Client
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

ROWS = [
    ["Navn", "Organisasjonsnummer", "Adresse", "Postnummer", "Poststed", "Betalingsfrist"],
    ["Blåbær og Ørret AS", "988077917", "Kjøpmannsgata 5", "7013", "Trondheim", "30"],
    ["Ærlig Økonomi AS", "", "Åsveien 2", "0577", "Oslo", "14"],
]


def csv_text(delimiter: str) -> str:
    return "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"


def clients_of(company) -> list[Client]:
    with scopes_disabled():
        return list(Client.objects.filter(company=company).order_by("number"))


# Files as Excel and other programs save them, written with Python's encoders.
FILES = {
    "excel-cp1252-semicolon": csv_text(";").encode("cp1252"),
    "excel-utf8-bom-semicolon": csv_text(";").encode("utf-8-sig"),
    "utf8-comma": csv_text(",").encode("utf-8"),
    "excel-unicode-text-utf16-tab": csv_text("\t").encode("utf-16"),
}


@pytest.mark.parametrize("name", FILES)
def test_each_encoding_is_previewed_then_imported_exactly(owner_client, company, name):
    response = upload_file(owner_client, "customers:import", FILES[name], "kunder.csv")
    assert response.status_code == 302, response.content.decode()[:3000]
    preview_url = response["Location"]
    assert clients_of(company) == []  # the upload saved nothing

    page = owner_client.get(preview_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Blåbær og Ørret AS" in body and "Ærlig Økonomi AS" in body and "Åsveien 2" in body
    assert [line for line, _cells in page.context["preview_rows"]] == [2, 3]
    assert clients_of(company) == []  # nor did the preview

    response = confirm_preview(owner_client, preview_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:list")
    imported = [
        (c.number, c.name, c.address_line, c.payment_terms_days) for c in clients_of(company)
    ]
    assert imported == [
        (1, "Blåbær og Ørret AS", "Kjøpmannsgata 5", 30),
        (2, "Ærlig Økonomi AS", "Åsveien 2", 14),
    ]
    # The preview is used up: confirming again imports nothing more.
    again = owner_client.post(preview_url, {"fingerprint": "0" * 64})
    assert again.status_code == 404
    assert len(clients_of(company)) == 2


def test_preview_names_encoding_and_separator(owner_client):
    response = upload_file(owner_client, "customers:import", FILES["excel-cp1252-semicolon"])
    page = owner_client.get(response["Location"])
    assert "Windows-1252" in page.content.decode() and "semikolon" in page.content.decode()


def test_wrong_columns_are_refused_at_upload(owner_client, company):
    content = "Kundenavn;Org\r\nBlåbær AS;988077917\r\n".encode("cp1252")
    response = upload_file(owner_client, "customers:import", content)
    assert response.status_code == 400
    assert "Ukjente kolonner i overskriftsraden: Kundenavn, Org" in response.content.decode()
    assert clients_of(company) == []


def test_row_errors_are_shown_at_upload_with_line_field_and_message(owner_client, company):
    content = "Navn;Organisasjonsnummer\r\nGod AS;988077917\r\n;988077918\r\n".encode("cp1252")
    response = upload_file(owner_client, "customers:import", content)
    assert response.status_code == 400
    errors = {(e.row, e.field) for e in response.context["row_errors"]}
    assert errors == {(3, "navn"), (3, "organisasjonsnummer")}
    assert clients_of(company) == []


def test_row_errors_are_translated(owner, owner_client):
    owner.language = "en"
    owner.save()
    content = b"Navn;Organisasjonsnummer\r\nGod AS;988077918\r\n"
    body = upload_file(owner_client, "customers:import", content).content.decode()
    assert "not a valid organisation number" in body or "not a valid" in body
    assert "Row" in body


def test_a_change_since_the_preview_imports_nothing_and_shows_the_new_preview(
    owner_client, company
):
    response = upload_file(owner_client, "customers:import", b"navn\nA AS\nB AS\n")
    preview_url = response["Location"]
    page = owner_client.get(preview_url)
    fingerprint = page.context["confirm_form"].initial["fingerprint"]
    assert [cells[0] for _line, cells in page.context["preview_rows"]] == ["1", "2"]
    ClientFactory(company=company, number=1, name="Laget i mellomtiden")

    response = owner_client.post(preview_url, {"fingerprint": fingerprint})
    assert response.status_code == 409
    assert "Noe er endret siden forhåndsvisningen" in response.content.decode()
    assert [c.name for c in clients_of(company)] == ["Laget i mellomtiden"]
    # The new preview shows the numbers as they now come out; confirming it works.
    assert [cells[0] for _line, cells in response.context["preview_rows"]] == ["2", "3"]
    response = confirm_preview(owner_client, preview_url)
    assert response.status_code == 302
    assert [c.number for c in clients_of(company)] == [1, 2, 3]


def test_a_tampered_fingerprint_imports_nothing(owner_client, company):
    preview_url = upload_file(owner_client, "customers:import", b"navn\nA AS\n")["Location"]
    for fingerprint in ["", "x", "f" * 64]:
        response = owner_client.post(preview_url, {"fingerprint": fingerprint})
        assert response.status_code == 409
    assert clients_of(company) == []
    assert not AuditEntry.objects.filter(action="customers.client.imported").exists()


@pytest.mark.parametrize("token", ["A" * 24, "ukjent", "%C2%B3", "a" * 300])
def test_unknown_preview_is_a_404_with_a_message(owner_client, token):
    response = owner_client.get(f"/app/clients/import/{token}/")
    assert response.status_code == 404
    assert "Forhåndsvisningen finnes ikke" in response.content.decode()
    assert owner_client.post(f"/app/clients/import/{token}/").status_code == 404


def test_someone_elses_preview_is_a_404(
    owner_client, accountant_client, outsider_client, member_client, company, other_company
):
    preview_url = upload_file(owner_client, "customers:import", b"navn\nA AS\n")["Location"]
    fingerprint = owner_client.get(preview_url).context["confirm_form"].initial["fingerprint"]
    # Another company's owner, and another editor of the same company.
    for web in (outsider_client, accountant_client):
        assert web.get(preview_url).status_code == 404
        assert web.post(preview_url, {"fingerprint": fingerprint}).status_code == 404
    assert member_client.post(preview_url, {"fingerprint": fingerprint}).status_code == 403
    assert clients_of(company) == [] and clients_of(other_company) == []


def test_expired_preview_is_a_404(owner_client, company, monkeypatch):
    preview_url = upload_file(owner_client, "customers:import", b"navn\nA AS\n")["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    csvfiles.upload_discard(token=token)  # what the cache does after PREVIEW_SECONDS
    response = owner_client.get(preview_url)
    assert response.status_code == 404
    assert "30 minutter" in response.content.decode()


def test_preview_of_a_products_upload_is_not_a_clients_preview(owner_client, company):
    content = b"navn;enhetspris eks. mva;mva-kode\nTime;100;3\n"
    preview_url = upload_file(owner_client, "catalog:import", content)["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert owner_client.get(f"/app/clients/import/{token}/").status_code == 404


def test_a_long_file_shows_the_first_rows_and_imports_all(owner_client, company, monkeypatch):
    monkeypatch.setattr(csvfiles, "PREVIEW_SHOWN_ROWS", 2)
    content = ("navn\r\n" + "".join(f"Kunde {n} AS\r\n" for n in range(1, 6))).encode("cp1252")
    preview_url = upload_file(owner_client, "customers:import", content)["Location"]
    page = owner_client.get(preview_url)
    assert len(page.context["preview_rows"]) == 2
    body = page.content.decode()
    assert "5 rader blir importert" in body and "Viser de første 2 av 5 rader." in body
    assert confirm_preview(owner_client, preview_url).status_code == 302
    assert len(clients_of(company)) == 5


def test_cancel_deletes_the_kept_upload_and_saves_nothing(owner_client, company):
    preview_url = upload_file(owner_client, "customers:import", b"navn\nA AS\n")["Location"]
    response = owner_client.post(preview_url, {"cancel": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("customers:import")
    assert owner_client.get(preview_url).status_code == 404
    assert clients_of(company) == []
