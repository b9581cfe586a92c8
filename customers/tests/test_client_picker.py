"""The type-ahead client picker (customers:picker) and the filters that use it: a page of
matching clients at a time, the active company's only, never every client as an option."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.selectors import PICKER_PAGE_SIZE
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

PICKER = reverse("customers:picker")


def _picks(response) -> list[str]:
    return re.findall(r'data-pick="(\d*)"', response.content.decode())


def test_owner_gets_matching_clients_of_their_company_only(owner_client, company, other_company):
    with scopes_disabled():
        havbris = ClientFactory(company=company, name="Havbris Sjømat AS")
        ClientFactory(company=company, name="Fjellbakeriet AS")
        stranger = ClientFactory(company=other_company, name="Havbris Konkurrent AS")
    response = owner_client.get(PICKER, {"client_q": "havbris"})
    assert response.status_code == 200
    assert _picks(response) == ["", str(havbris.pk)]  # "all clients" first, then the match
    assert "Konkurrent" not in response.content.decode()
    assert str(stranger.pk) not in _picks(response)


def test_the_outsider_sees_only_their_own_company(outsider_client, company, other_company):
    with scopes_disabled():
        ClientFactory(company=company, name="Havbris Sjømat AS")
        theirs = ClientFactory(company=other_company, name="Havbris Konkurrent AS")
    response = outsider_client.get(PICKER, {"client_q": "Havbris"})
    assert _picks(response) == ["", str(theirs.pk)]
    assert "Sjømat" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PICKER, {"client_q": "a"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_client_number_finds_the_client(owner_client, company):
    with scopes_disabled():
        wanted = ClientFactory(company=company, name="Nummerert AS", number=4711)
        ClientFactory(company=company, name="Annen AS", number=4712)
    assert _picks(owner_client.get(PICKER, {"client_q": "4711"})) == ["", str(wanted.pk)]


def test_results_come_a_page_at_a_time(owner_client, company):
    with scopes_disabled():
        for n in range(PICKER_PAGE_SIZE + 5):
            ClientFactory(company=company, name=f"Kunde {n:03d} AS")
    first = owner_client.get(PICKER, {"client_q": "kunde"})
    assert len(_picks(first)) == 1 + PICKER_PAGE_SIZE
    assert "Vis flere" in first.content.decode()
    second = owner_client.get(PICKER, {"client_q": "kunde", "page": "2"})
    assert len(_picks(second)) == 5  # no "all clients" entry on later pages
    assert "Vis flere" not in second.content.decode()
    assert set(_picks(first)).isdisjoint(_picks(second))


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "١"])
def test_odd_page_numbers_give_the_first_page(owner_client, company, page):
    with scopes_disabled():
        ClientFactory(company=company, name="Havbris AS")
    response = owner_client.get(PICKER, {"client_q": "Havbris", "page": page})
    assert response.status_code == 200
    assert len(_picks(response)) == 2


def test_the_invoice_list_renders_no_option_per_client(owner_client, company):
    with scopes_disabled():
        chosen = ClientFactory(company=company, name="Valgt Kunde AS")
        ClientFactory.create_batch(30, company=company)
    body = owner_client.get(reverse("invoicing:list"), {"client": chosen.pk}).content.decode()
    assert "<option" not in body.split('id="id_status"')[1].split("</select>")[1]
    assert "Kunde 1" not in body  # the other clients are not in the page
    assert 'value="Valgt Kunde AS"' in body  # the chosen client in the search box
    assert f'name="client" value="{chosen.pk}"' in body


def test_another_companys_client_id_is_not_shown_or_applied(owner_client, company, other_company):
    with scopes_disabled():
        stranger = ClientFactory(company=other_company, name="Fremmed AS")
    response = owner_client.get(reverse("invoicing:list"), {"client": stranger.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fremmed" not in body
    assert 'name="client" value=""' in body


def test_the_invoice_editor_renders_no_option_per_client_and_checks_the_chosen_id(
    owner_client, company, other_company
):
    with scopes_disabled():
        chosen = ClientFactory(company=company, name="Valgt Kunde AS")
        archived = ClientFactory(company=company, name="Arkivert AS", is_active=False)
        stranger = ClientFactory(company=other_company, name="Fremmed AS")
        ClientFactory.create_batch(30, company=company)
    create = reverse("invoicing:create")
    body = owner_client.get(create, {"client": chosen.pk}).content.decode()
    header = body.split('id="header-section"')[1].split("</section>")[0]
    assert "Kunde 1" not in body and "<option" not in header.split('id="id_invoice_date"')[0]
    assert 'value="Valgt Kunde AS"' in header  # the chosen client in the search box
    assert f'name="client" value="{chosen.pk}"' in header
    assert f"{PICKER}?active=1" in header
    # Only an active client of the company can be posted; anything else is a field error.
    for bad in (archived.pk, stranger.pk, "³", "9" * 30):
        response = owner_client.post(
            create,
            {"action": "save", "client": bad, "invoice_date": "2026-11-02", "currency": "NOK"},
        )
        assert response.status_code == 400, bad
        assert "Velg et gyldig valg" in response.content.decode(), bad
    with scopes_disabled():
        assert not chosen.invoices.exists() and not stranger.invoices.exists()


def test_the_editors_picker_offers_active_clients_only_and_no_all_clients_entry(
    owner_client, company
):
    with scopes_disabled():
        active = ClientFactory(company=company, name="Havbris Aktiv AS")
        ClientFactory(company=company, name="Havbris Arkivert AS", is_active=False)
    response = owner_client.get(PICKER, {"client_q": "havbris", "active": "1"})
    assert _picks(response) == [str(active.pk)]
    # The filters' picker still offers archived clients and "all clients".
    assert len(_picks(owner_client.get(PICKER, {"client_q": "havbris"}))) == 3


def test_the_ledger_report_uses_the_picker(owner_client, company):
    with scopes_disabled():
        chosen = ClientFactory(company=company, name="Valgt Kunde AS")
        ClientFactory.create_batch(10, company=company)
    body = owner_client.get(
        reverse("reports:ledger"), {"date_to": "2026-12-31", "client": chosen.pk}
    ).content.decode()
    assert "data-picker" in body
    assert 'value="Valgt Kunde AS"' in body
    assert "Kunde 1" not in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL")
def test_postgresql_has_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%_trgm"],
        )
        found = dict(cursor.fetchall())
    assert set(found) == {
        "customers_client_name_trgm",
        # The references' stored text, its words joined (invoicing 0030, 0037, 0038).
        "invoice_references_joined_trgm",
    }
    assert "USING gin (company_id, upper(" in found["customers_client_name_trgm"]
    assert "USING gin (replace(" in found["invoice_references_joined_trgm"]
    assert "(references_text, ' '::text, 'Q'::text)" in found["invoice_references_joined_trgm"]
    for definition in found.values():
        assert "gin_trgm_ops" in definition
