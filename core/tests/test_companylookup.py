"""Company look-up in Enhetsregisteret, against a local HTTP server the test starts."""

from __future__ import annotations

import html
import json
import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from core.tests import brreg
from core.tests.brreg import ENHET, ORGNR, path
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(settings):
    yield from brreg.serve(settings)


def signup_lookup(web, orgnr: str):
    return web.get(reverse("accounts:signup_lookup"), {"orgnr": orgnr})


def test_found_gives_name_postal_address_and_registrations(client, register):
    register.answers[path()] = (200, json.dumps(ENHET).encode(), 0)
    response = signup_lookup(client, "974 760 673")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "found" and answer["deleted"] is False
    assert answer["fill"] == {
        "name": "REGISTERENHETEN I BRØNNØYSUND",
        "address_line": "Postboks 900",
        "address_line2": "Tollbua",
        "postcode": "8910",
        "city": "BRØNNØYSUND",
        "country": "NO",
        "vat_registered": True,
        "in_foretaksregisteret": False,
    }
    assert "Registrert i Merverdiavgiftsregisteret" in answer["message"]
    assert register.paths == [path()]
    # Asked again: answered from the cache, the register is not called twice.
    assert signup_lookup(client, ORGNR).json()["fill"]["postcode"] == "8910"
    assert register.paths == [path()]


def test_business_address_when_there_is_no_postal_address(client, register):
    enhet = {key: value for key, value in ENHET.items() if key != "postadresse"}
    register.answers[path()] = (200, json.dumps(enhet).encode(), 0)
    fill = signup_lookup(client, ORGNR).json()["fill"]
    assert (fill["address_line"], fill["postcode"]) == ("Havnegata 48", "8900")


def test_not_found(client, register):
    response = signup_lookup(client, "988077917")
    assert response.status_code == 404
    assert response.json()["status"] == "not_found"
    assert "Fant ikke 988077917" in response.json()["message"]


def test_deleted_company_is_reported_not_filled(client, register):
    gone = {"organisasjonsnummer": ORGNR, "navn": "GAMLE AS", "slettedato": "2020-01-31"}
    register.answers[path()] = (410, json.dumps(gone).encode(), 0)
    answer = signup_lookup(client, ORGNR).json()
    assert answer["status"] == "found" and answer["deleted"] is True
    assert "slettet" in answer["message"] and "2020-01-31" in answer["message"]


def test_timeout_is_a_quiet_503(client, register):
    register.answers[path()] = (200, json.dumps(ENHET).encode(), 2.0)
    started = time.monotonic()
    response = signup_lookup(client, ORGNR)
    assert time.monotonic() - started < 1.9  # BRREG_TIMEOUT (0.5 s), not the server's 2 s
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "message": "Enhetsregisteret svarer ikke nå. Fyll inn navn og adresse selv.",
    }


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b"[]", b'{"navn": "X"}', b'{"organisasjonsnummer": "974760673"}'],
)
def test_bad_json_is_a_quiet_503(client, register, body):
    register.answers[path()] = (200, body, 0)
    response = signup_lookup(client, ORGNR)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_server_error_is_a_quiet_503(client, register):
    register.answers[path()] = (500, b"", 0)
    assert signup_lookup(client, ORGNR).status_code == 503


@pytest.mark.parametrize("orgnr", ["974760672", "12345678", "", "٩٧٤٧٦٠٦٧٣", "9" * 40])
def test_invalid_orgnr_is_a_400_and_nothing_is_called(client, register, orgnr):
    response = signup_lookup(client, orgnr)
    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert register.paths == []


def test_off_when_brreg_url_is_empty(client, settings):
    settings.BRREG_URL = ""
    response = signup_lookup(client, ORGNR)
    assert response.status_code == 404 and response.json()["status"] == "off"
    assert b"data-company-lookup" not in client.get(reverse("accounts:signup")).content


def test_forms_carry_the_lookup_only_when_it_is_on(client, owner_client, register):
    signup = client.get(reverse("accounts:signup")).content.decode()
    assert f'data-company-lookup="{reverse("accounts:signup_lookup")}"' in signup
    new_client = owner_client.get(reverse("customers:create")).content.decode()
    assert f'data-company-lookup="{reverse("customers:lookup")}"' in new_client


def test_client_edit_form_carries_the_lookup_without_the_country(
    owner_client, member_client, outsider_client, company, register
):
    with scopes_disabled():
        existing = ClientFactory(company=company)
    url = reverse("customers:edit", args=[existing.pk])
    page = owner_client.get(url).content.decode()
    assert f'data-company-lookup="{reverse("customers:lookup")}"' in page
    found = re.search(r'data-lookup-fields="([^"]*)"', page)
    assert found is not None
    fields = json.loads(html.unescape(found[1]))
    # The saved country is a choice the script cannot tell from a default: never filled.
    assert "country" not in fields and fields["name"] == "name"
    assert member_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404
    # A refused save shows the form again with the look-up still on.
    refused = owner_client.post(url, {"kind": "company", "name": ""})
    assert refused.status_code == 400 and b"data-company-lookup" in refused.content


def test_anonymous_lookups_are_throttled_per_address(client, register, settings):
    settings.BRREG_RATE_ANONYMOUS = "2/minute"
    register.answers[path()] = (200, json.dumps(ENHET).encode(), 0)
    assert [signup_lookup(client, ORGNR).status_code for _ in range(3)] == [200, 200, 429]
    assert "For mange oppslag" in signup_lookup(client, ORGNR).json()["message"]


def test_client_form_lookup_needs_an_editor_of_the_company(
    client, owner_client, member_client, register, settings
):
    register.answers[path()] = (200, json.dumps(ENHET).encode(), 0)
    url = reverse("customers:lookup")
    response = owner_client.get(url, {"orgnr": ORGNR})
    assert response.status_code == 200 and response.json()["fill"]["country"] == "NO"
    assert member_client.get(url, {"orgnr": ORGNR}).status_code == 403
    anonymous = client.get(url, {"orgnr": ORGNR})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    settings.BRREG_RATE_USER = "1/minute"
    cache.clear()
    assert owner_client.get(url, {"orgnr": ORGNR}).status_code == 200
    assert owner_client.get(url, {"orgnr": ORGNR}).status_code == 429
