"""Clients and products in Chromium: create, import, list, read the VAT table."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from catalog.models import Product
from core.tests.browser import log_in
from customers.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_creates_imports_and_lists_clients(
    browser_page, owner, company, screenshot, tmp_path
):
    page = browser_page
    log_in(page, owner)
    page.goto("/app/clients/")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Kunder"
    page.get_by_role("button", name="Ny kunde").click()
    page.fill("#id_name", "Havbris Sjømat AS")
    page.fill("#id_organization_number", "988 077 917")
    page.fill("#id_invoice_emails", "faktura@havbris.no")
    screenshot(page, "customers-1-form")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Havbris Sjømat AS")
    assert page.get_by_text("0192:988077917").count() == 1
    screenshot(page, "customers-2-detail")

    csv_file = tmp_path / "kunder.csv"
    csv_file.write_text("navn;organisasjonsnummer\nGod AS;995525828\nFeil AS;123\n", "utf-8-sig")
    page.goto("/app/clients/import/")
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    report = page.locator("section.import-errors")
    assert "ingenting ble importert" in report.inner_text()
    assert report.locator("tbody tr td").first.inner_text() == "3"
    screenshot(page, "customers-3-import-errors")

    # Norwegian Excel's "CSV (semikolondelt)": Windows-1252. Preview first, nothing saved.
    csv_file.write_bytes(
        "navn;organisasjonsnummer;poststed\nGod AS;995525828;Tromsø\n".encode("cp1252")
    )
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Importer kunder: kontroller radene")
    preview = page.locator("table.csv-preview tbody tr")
    expect(preview).to_have_count(1)
    assert "Tromsø" in preview.inner_text() and "God AS" in preview.inner_text()
    assert "Windows-1252" in page.locator("main").inner_text()
    screenshot(page, "customers-3b-import-preview")
    with scopes_disabled():
        assert Client.objects.filter(company=company).count() == 1
    page.get_by_role("button", name="Bekreft import").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 kunde er importert.").count() == 1
    screenshot(page, "customers-4-list")
    # Live search (HTMX): typing filters the table without a submit; the URL follows.
    page.locator("#id_q").press_sequentially("God", delay=50)
    expect(page.locator("#client-results tbody tr")).to_have_count(1)
    assert "God AS" in page.locator("#client-results tbody").inner_text()
    assert "q=God" in page.url
    with scopes_disabled():
        assert list(Client.objects.filter(company=company).values_list("number", flat=True)) == [
            1,
            2,
        ]


def test_owner_creates_a_product_and_reads_the_vat_table(browser_page, owner, company, screenshot):
    page = browser_page
    log_in(page, owner)
    page.goto("/app/products/new/")
    assert page.input_value("#id_number") == "1"
    page.fill("#id_name", "Konsulenttime")
    page.select_option("#id_unit", label="t")
    page.fill("#id_unit_price", "1 250,00")
    page.select_option("#id_vat_code", "3")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    row = page.locator("tbody tr").first
    assert "1\u00a0250,00" in row.inner_text()
    screenshot(page, "catalog-1-list")
    with scopes_disabled():
        assert Product.objects.get(company=company).unit == "HUR"

    page.goto("/app/vat-codes/")
    assert page.locator("tbody th[scope=row]").count() == 9
    assert page.get_by_text("Omvendt avgiftsplikt – Merverdiavgift ikke beregnet").count() == 1
    screenshot(page, "catalog-2-vat-codes")


def test_owner_previews_and_confirms_a_product_import_from_norwegian_excel(
    browser_page, owner, company, screenshot, tmp_path
):
    page = browser_page
    log_in(page, owner)
    csv_file = tmp_path / "produkter.csv"
    csv_file.write_bytes(
        (
            "Varenummer;Navn;Enhet;Enhetspris eks. mva;MVA-kode\r\n"
            "R-1;Rørlegging, time;t;1 250,50;3\r\n"
            ";Bæreveske;stk;49,90;3\r\n"
        ).encode("cp1252")
    )
    page.goto("/app/products/import/")
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Importer produkter: kontroller radene")
    rows = page.locator("table.csv-preview tbody tr")
    expect(rows).to_have_count(2)
    assert "Rørlegging, time" in rows.nth(0).inner_text()
    assert "1250,50" in rows.nth(0).inner_text()
    assert "Bæreveske" in rows.nth(1).inner_text()
    screenshot(page, "catalog-3-import-preview")
    with scopes_disabled():
        assert not Product.objects.filter(company=company).exists()

    # Cancel deletes the kept upload and saves nothing; a new upload and confirm imports
    # exactly the rows shown.
    page.get_by_role("button", name="Avbryt").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Importen er avbrutt. Ingenting ble lagret.")).to_be_visible()
    with scopes_disabled():
        assert not Product.objects.filter(company=company).exists()
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Bekreft import").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 produkter er importert.").count() == 1
    screenshot(page, "catalog-4-imported")
    with scopes_disabled():
        imported = list(
            Product.objects.filter(company=company)
            .order_by("pk")
            .values_list("number", "name", "unit_price")
        )
    assert [(n, name, str(price)) for n, name, price in imported] == [
        ("R-1", "Rørlegging, time", "1250.50"),
        ("1", "Bæreveske", "49.90"),
    ]


def test_person_client_form_hides_company_fields_and_country_is_a_list(
    browser_page, owner, company, screenshot
):
    page = browser_page
    log_in(page, owner)
    page.goto("/app/clients/new/")
    organization_number = page.locator("#id_organization_number")
    peppol_id = page.locator("#id_peppol_id")
    expect(organization_number).to_be_visible()
    expect(page.locator("#id_country")).to_have_value("NO")
    page.select_option("#id_kind", "person")
    expect(organization_number).to_be_hidden()
    expect(page.locator("label[for=id_organization_number]")).to_be_hidden()
    expect(peppol_id).to_be_hidden()
    page.fill("#id_name", "Kari Nordmann")
    page.fill("#id_address_line", "Storgata 1")
    page.fill("#id_postcode", "41110")
    page.fill("#id_city", "Stockholm")
    page.select_option("#id_country", label="Sverige")
    screenshot(page, "customers-person-form")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Kari Nordmann")
    with scopes_disabled():
        client = Client.objects.get(name="Kari Nordmann")
    assert (client.kind, client.country, client.organization_number) == ("person", "SE", "")

    page.goto(f"/app/clients/{client.pk}/edit/")
    expect(page.locator("#id_organization_number")).to_be_hidden()
    page.select_option("#id_kind", "company")
    expect(page.locator("#id_organization_number")).to_be_visible()


def test_owner_archives_a_client_and_makes_it_active_again(browser_page, owner, company):
    from customers.tests.factories import ClientFactory

    client = ClientFactory(company=company, name="Gammel Kunde AS")
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/clients/{client.pk}/")
    page.get_by_role("button", name="Arkiver").click()
    expect(page.get_by_text(f"Kunde {client.number} er arkivert.")).to_be_visible()
    expect(
        page.get_by_text("Kunden er arkivert og kan ikke velges på nye fakturaer.")
    ).to_be_visible()
    client.refresh_from_db()
    assert client.is_active is False

    page.get_by_role("button", name="Gjør aktiv").click()
    expect(page.get_by_text(f"Kunde {client.number} er aktiv igjen.")).to_be_visible()
    expect(page.get_by_role("button", name="Arkiver")).to_be_visible()
    client.refresh_from_db()
    assert client.is_active is True


def test_owner_deactivates_a_product_and_makes_it_active_again(browser_page, owner, company):
    from catalog.tests.factories import ProductFactory

    product = ProductFactory(company=company, name="Utgått tjeneste")
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/products/{product.pk}/edit/")
    page.get_by_role("button", name="Deaktiver").click()
    expect(page.get_by_text(f"Produkt {product.number} er deaktivert.")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Inaktiv")
    product.refresh_from_db()
    assert product.is_active is False

    page.get_by_role("button", name="Gjør aktivt").click()
    expect(page.get_by_text(f"Produkt {product.number} er aktivt igjen.")).to_be_visible()
    product.refresh_from_db()
    assert product.is_active is True
