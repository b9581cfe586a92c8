"""A foreign buyer's VAT number: validated with python-stdnum everywhere it can be entered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from core.tests.csvimport import upload_and_confirm
from customers.models import Client
from customers.services import ClientData, client_create

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def create(company, **fields) -> Client:
    fields.setdefault("name", "Nordic Timber AB")
    with scope(company=company):
        return client_create(company=company, actor=ACTOR, data=ClientData(**fields))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("SE 5566 7788 9901", "SE556677889901"),  # Sweden: orgnr + 01
        ("dk13585628", "DK13585628"),  # Denmark: CVR
        ("DE 136 695 976", "DE136695976"),  # Germany
        ("FR40303265045", "FR40303265045"),
        ("EL094259216", "EL094259216"),  # Greece uses EL
        ("GB 980 7806 84", "GB980780684"),  # outside the EU, stdnum's gb.vat
    ],
)
def test_valid_vat_numbers_are_stored_compact_with_the_country_prefix(company, typed, stored):
    client = create(company, country=stored[:2].replace("EL", "GR"), vat_number=typed)
    assert client.vat_number == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("SE556677889902", "ikke et gyldig MVA-nummer"),  # wrong check digit
        ("DE12345678", "ikke et gyldig MVA-nummer"),  # too short
        ("556677889901", "begynner med landkoden"),
        ("NO988077917MVA", "organisasjonsnummer"),
        ("US123456789", "kan ikke kontrolleres"),
    ],
)
def test_invalid_vat_numbers_are_refused_on_the_field(company, typed, message):
    with pytest.raises(ValidationError) as excinfo:
        create(company, country="SE", vat_number=typed)
    assert message in " ".join(excinfo.value.message_dict["vat_number"])
    with scopes_disabled():
        assert not Client.objects.exists()


def test_form_shows_and_saves_the_vat_number(owner_client, company):
    page = owner_client.get(reverse("customers:create")).content.decode()
    assert 'name="vat_number"' in page
    data = {
        "kind": "company",
        "name": "Nordic Timber AB",
        "country": "SE",
        "vat_number": "SE556677889902",
        "payment_terms_days": "30",
        "language": "en",
        "delivery_channel": "manual",
    }
    refused = owner_client.post(reverse("customers:create"), data)
    assert refused.status_code == 400 and "ikke et gyldig MVA-nummer" in refused.content.decode()
    saved = owner_client.post(reverse("customers:create"), {**data, "vat_number": "SE556677889901"})
    assert saved.status_code == 302
    with scopes_disabled():
        client = Client.objects.get()
    assert client.vat_number == "SE556677889901"
    detail = owner_client.get(reverse("customers:detail", args=[client.pk])).content.decode()
    assert "SE556677889901" in detail


def test_api_reads_and_writes_the_vat_number(api_client, company):
    body = {"name": "Dansk Træ ApS", "country": "DK", "vat_number": "DK 13585628"}
    created = api_client.post("/api/v1/clients/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["vat_number"] == "DK13585628"
    bad = api_client.post("/api/v1/clients/", {**body, "vat_number": "DK1"}, format="json")
    assert bad.status_code == 400 and "vat_number" in bad.json()["errors"]


def test_csv_export_and_import_carry_the_vat_number(owner_client, company):
    create(company, country="SE", vat_number="SE556677889901")
    exported = owner_client.get(reverse("customers:export")).content.decode("utf-8-sig")
    header, row = exported.split("\r\n")[:2]
    assert "utenlandsk mva-nummer" in header.split(";") and "SE556677889901" in row
    good = "navn;land;mva-nummer\nHamburg Holz GmbH;DE;DE136695976\n"
    response = owner_client.post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile("kunder.csv", (good + "Feil GmbH;DE;DE1\n").encode())},
    )
    assert response.status_code == 400
    assert "ikke et gyldig MVA-nummer" in response.content.decode()
    response = upload_and_confirm(owner_client, "customers:import", good.encode())
    assert response.status_code == 302
    with scopes_disabled():
        assert Client.objects.get(name="Hamburg Holz GmbH").vat_number == "DE136695976"
