from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.models import AuditEntry
from customers.models import Client
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "company",
    "name": "Havbris Sjømat AS",
    "organization_number": "988 077 917",
    "address_line": "Bryggen 3",
    "postcode": "5003",
    "city": "Bergen",
    "country": "NO",
    "invoice_emails": "faktura@havbris.no, regnskap@havbris.no",
    "payment_terms_days": "30",
    "language": "nb",
    "delivery_channel": "email",
}


@pytest.fixture
def client_obj(company):
    return ClientFactory(company=company, name="Blåbær Æble Øst AS")


def count(company) -> int:
    with scopes_disabled():
        return Client.objects.filter(company=company).count()


def object_urls(pk: int) -> list[str]:
    return [
        reverse("customers:detail", args=[pk]),
        reverse("customers:edit", args=[pk]),
    ]


LIST_URLS = ["customers:list", "customers:create", "customers:export", "customers:import"]


# --- personas ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIST_URLS)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_is_sent_to_login_from_object_pages(client, client_obj):
    for url in object_urls(client_obj.pk):
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("customers:archive", args=[client_obj.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404_on_another_company_s_client(outsider_client, client_obj):
    for url in object_urls(client_obj.pk):
        assert outsider_client.get(url).status_code == 404
    for name in ("customers:archive", "customers:activate"):
        assert outsider_client.post(reverse(name, args=[client_obj.pk])).status_code == 404
    response = outsider_client.post(reverse("customers:edit", args=[client_obj.pk]), VALID)
    assert response.status_code == 404
    client_obj.refresh_from_db()
    assert client_obj.is_active
    assert client_obj.name == "Blåbær Æble Øst AS"


def test_outsider_does_not_see_the_client_in_list_search_or_export(outsider_client, client_obj):
    assert client_obj.name not in outsider_client.get(reverse("customers:list")).content.decode()
    search = outsider_client.get(reverse("customers:list"), {"q": "Blåbær", "status": "all"})
    assert client_obj.name not in search.content.decode()
    export = outsider_client.get(reverse("customers:export")).content.decode("utf-8-sig")
    assert client_obj.name not in export
    assert client_obj.organization_number not in export


def test_member_can_list_view_and_export(member_client, client_obj):
    assert client_obj.name in member_client.get(reverse("customers:list")).content.decode()
    detail = member_client.get(reverse("customers:detail", args=[client_obj.pk]))
    assert detail.status_code == 200
    assert reverse("customers:edit", args=[client_obj.pk]) not in detail.content.decode()
    assert member_client.get(reverse("customers:export")).status_code == 200


def test_member_gets_403_on_every_change(member_client, company, client_obj):
    for url in (reverse("customers:create"), reverse("customers:import")):
        assert member_client.get(url).status_code == 403
        assert member_client.post(url, VALID).status_code == 403
    assert member_client.get(reverse("customers:edit", args=[client_obj.pk])).status_code == 403
    response = member_client.post(reverse("customers:edit", args=[client_obj.pk]), VALID)
    assert response.status_code == 403
    for name in ("customers:archive", "customers:activate"):
        assert member_client.post(reverse(name, args=[client_obj.pk])).status_code == 403
    client_obj.refresh_from_db()
    assert client_obj.is_active
    assert count(company) == 1


@pytest.mark.parametrize("persona", ["owner_client", "accountant_client"])
def test_editors_create_edit_and_archive(request, persona, company):
    web = request.getfixturevalue(persona)
    response = web.post(reverse("customers:create"), VALID)
    assert response.status_code == 302
    with scopes_disabled():
        client = Client.objects.get(company=company)
    assert response["Location"] == reverse("customers:detail", args=[client.pk])
    assert client.number == 1
    assert client.organization_number == "988077917"
    assert client.peppol_id == "0192:988077917"
    assert client.payment_terms_days == 30

    edit = web.get(reverse("customers:edit", args=[client.pk]))
    assert edit.status_code == 200
    assert "Havbris Sjømat AS" in edit.content.decode()
    response = web.post(reverse("customers:edit", args=[client.pk]), {**VALID, "city": "Ålesund"})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.city == "Ålesund"

    assert web.post(reverse("customers:archive", args=[client.pk])).status_code == 302
    client.refresh_from_db()
    assert not client.is_active
    assert web.get(reverse("customers:archive", args=[client.pk])).status_code == 405
    assert web.post(reverse("customers:activate", args=[client.pk])).status_code == 302
    client.refresh_from_db()
    assert client.is_active
    assert AuditEntry.objects.filter(company=company, action__startswith="customers.").count() == 4


def test_admin_role_may_edit(company):
    from django.test import Client as WebClient

    web = WebClient()
    web.force_login(MembershipFactory(company=company, role=Role.ADMIN).user)
    assert web.post(reverse("customers:create"), VALID).status_code == 302


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organization_number": "988077918"}, "gyldig organisasjonsnummer"),
        ({"invoice_emails": "faktura@havbris.no, ikke-epost"}, "ikke-epost"),
        ({"name": "N" * 201}, ""),
        ({"name": ""}, ""),
        ({"payment_terms_days": "400"}, ""),
        ({"payment_terms_days": "-5"}, ""),
        ({"payment_terms_days": "fjorten"}, ""),
        ({"country": "ZZ"}, "ZZ"),
        ({"peppol_id": "ikke:gyldig"}, "Peppol-ID"),
        ({"kind": "robot"}, ""),
        ({"delivery_channel": "brevdue"}, ""),
        ({"notes": "x" * 5001}, ""),
    ],
)
def test_bad_input_rerenders_the_form_and_saves_nothing(owner_client, company, changes, message):
    response = owner_client.post(reverse("customers:create"), {**VALID, **changes})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert message in body
    assert count(company) == 0


def test_bad_edit_keeps_the_stored_client(owner_client, client_obj):
    url = reverse("customers:edit", args=[client_obj.pk])
    response = owner_client.post(url, {**VALID, "organization_number": "123"})
    assert response.status_code == 400
    client_obj.refresh_from_db()
    assert client_obj.name == "Blåbær Æble Øst AS"


def test_warning_is_shown_for_norwegian_company_without_orgnr(owner_client):
    response = owner_client.post(
        reverse("customers:create"), {**VALID, "organization_number": ""}, follow=True
    )
    assert response.status_code == 200
    assert "bør ha organisasjonsnummer" in response.content.decode()


def test_unknown_id_is_404(owner_client):
    assert owner_client.get(reverse("customers:detail", args=[999999])).status_code == 404


# --- list --------------------------------------------------------------------------------


def test_list_searches_by_name_number_orgnr_and_email(owner_client, company):
    a = ClientFactory(company=company, name="Alfa Rør AS", invoice_emails="post@alfa.no")
    b = ClientFactory(company=company, name="Beta Bygg AS", organization_number="988077917")
    url = reverse("customers:list")

    def found(q):
        body = owner_client.get(url, {"q": q}).content.decode()
        return {c.name for c in (a, b) if c.name in body}

    assert found("alfa") == {"Alfa Rør AS"}
    assert found("post@alfa") == {"Alfa Rør AS"}
    assert found("988 077 917") == {"Beta Bygg AS"}
    assert found(str(a.number)) == {"Alfa Rør AS"}


def test_list_filters_archived_and_kind(owner_client, company):
    ClientFactory(company=company, name="Aktiv Kunde AS")
    ClientFactory(company=company, name="Gammel Kunde AS", is_active=False)
    ClientFactory(company=company, name="Kari Nordmann", kind=Client.Kind.PERSON)
    url = reverse("customers:list")
    active = owner_client.get(url).content.decode()
    assert "Aktiv Kunde AS" in active and "Gammel Kunde AS" not in active
    archived = owner_client.get(url, {"status": "archived"}).content.decode()
    assert "Gammel Kunde AS" in archived and "Aktiv Kunde AS" not in archived
    persons = owner_client.get(url, {"kind": "person"}).content.decode()
    assert "Kari Nordmann" in persons and "Aktiv Kunde AS" not in persons
    # Nonsense parameters fall back to the defaults instead of failing.
    assert (
        owner_client.get(url, {"status": "x", "kind": "y", "sort": "z", "page": "q"}).status_code
        == 200
    )


def test_list_sorts_by_name(owner_client, company):
    ClientFactory(company=company, name="Ørn Transport AS")
    ClientFactory(company=company, name="Andersen Rør AS")
    body = owner_client.get(reverse("customers:list"), {"sort": "name"}).content.decode()
    assert body.index("Andersen Rør AS") < body.index("Ørn Transport AS")
    body = owner_client.get(reverse("customers:list"), {"sort": "-created"}).content.decode()
    assert body.index("Andersen Rør AS") < body.index("Ørn Transport AS")


def test_pagination_keeps_filters(owner_client, company):
    ClientFactory.create_batch(51, company=company, kind=Client.Kind.PERSON)
    response = owner_client.get(reverse("customers:list"), {"kind": "person", "sort": "name"})
    assert len(response.context["page"]) == 50
    body = response.content.decode()
    assert "kind=person" in body and "sort=name" in body and "page=2" in body
    page2 = owner_client.get(reverse("customers:list"), {"kind": "person", "page": "2"})
    assert len(page2.context["page"]) == 1


def test_detail_has_the_invoices_block_and_data(owner_client, client_obj):
    body = owner_client.get(reverse("customers:detail", args=[client_obj.pk])).content.decode()
    assert client_obj.name in body
    orgnr = client_obj.organization_number
    assert f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}" in body
    assert reverse("customers:edit", args=[client_obj.pk]) in body


def test_detail_names_the_clients_country(owner, owner_client, company):
    with scopes_disabled():
        swedish = ClientFactory(company=company, country="SE", city="Göteborg")
    url = reverse("customers:detail", args=[swedish.pk])
    assert "Sverige</td>" in owner_client.get(url).content.decode()
    owner.language = "en"
    owner.save()
    assert "Sweden</td>" in owner_client.get(url).content.decode()


def test_the_list_groups_its_count_by_thousands(owner_client, company):
    with scopes_disabled():
        Client.objects.bulk_create(
            Client(company=company, number=n, name=f"Kunde {n}") for n in range(1, 1235)
        )
    body = owner_client.get(reverse("customers:list")).content.decode()
    assert "1\xa0234 kunder</caption>" in body


def test_nav_marks_clients_as_current(owner_client):
    body = owner_client.get(reverse("customers:list")).content.decode()
    link = f'<a href="{reverse("customers:list")}" aria-current="page">'
    assert link in body


def test_pages_are_translated_to_english(owner, owner_client, client_obj):
    owner.language = "en"
    owner.save()
    body = owner_client.get(reverse("customers:list")).content.decode()
    assert "New client" in body and "Ny kunde" not in body
    assert ">Clients</a>" in body
    detail = owner_client.get(reverse("customers:detail", args=[client_obj.pk])).content.decode()
    assert "Client details" in detail
    response = owner_client.post(reverse("customers:create"), {**VALID, "country": "ZZ"})
    assert "ZZ is not one of the available choices" in response.content.decode()


def test_owner_chooses_how_prices_are_shown_on_the_clients_invoices(owner_client, company):
    response = owner_client.post(reverse("customers:create"), {**VALID, "price_display": "incl"})
    assert response.status_code == 302
    with scopes_disabled():
        client = Client.objects.get(company=company)
    assert client.price_display == "incl" and client.prices_include_vat
    page = owner_client.get(reverse("customers:detail", args=[client.pk])).content.decode()
    assert "Inkl. mva" in page
    bad = owner_client.post(
        reverse("customers:edit", args=[client.pk]), {**VALID, "price_display": "brutto"}
    )
    assert bad.status_code == 400
    client.refresh_from_db()
    assert client.price_display == "incl"
