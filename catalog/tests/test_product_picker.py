"""The invoice line's type-ahead product picker (catalog:picker): a page of the active
company's matching active products at a time, never the whole catalog."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from catalog.selectors import PICKER_PAGE_SIZE
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PICKER = reverse("catalog:picker")


def _picks(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-pick="(\d*)"', response.content.decode())


def test_owner_gets_matching_active_products_of_their_company_only(
    owner_client, company, other_company
):
    with scopes_disabled():
        wanted = ProductFactory(company=company, number="K-1", name="Konsulenttime")
        ProductFactory(company=company, number="R-1", name="Reisetid")
        ProductFactory(company=company, number="K-2", name="Konsulent, utgått", is_active=False)
        ProductFactory(company=other_company, number="K-9", name="Konsulent hos konkurrent")
    response = owner_client.get(PICKER, {"product_q": "konsulent"})
    assert _picks(response) == ["", str(wanted.pk)]  # "free text" first, then the match
    body = response.content.decode()
    assert 'data-pick-label="K-1 Konsulenttime"' in body
    assert "utgått" not in body and "konkurrent" not in body


def test_a_member_and_an_outsider_see_their_own_companys_products(
    member_client, outsider_client, company, other_company
):
    with scopes_disabled():
        ours = ProductFactory(company=company, name="Fiskekasse")
        theirs = ProductFactory(company=other_company, name="Fiskekasse stor")
    assert _picks(member_client.get(PICKER, {"product_q": "fisk"})) == ["", str(ours.pk)]
    assert _picks(outsider_client.get(PICKER, {"product_q": "fisk"})) == ["", str(theirs.pk)]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PICKER, {"product_q": "a"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_part_of_the_number_or_the_label_finds_a_product(owner_client, company):
    with scopes_disabled():
        wanted = ProductFactory(company=company, number="4711", name="Eau de Cologne")
        other = ProductFactory(company=company, number="14711", name="Annen vare")
    assert _picks(owner_client.get(PICKER, {"product_q": "471"})) == [
        "",
        str(other.pk),
        str(wanted.pk),
    ]
    # A line's box holds its product's label: focused again, it lists that product.
    assert _picks(owner_client.get(PICKER, {"product_q": "4711 eau de"})) == ["", str(wanted.pk)]


def test_products_come_by_number_a_page_at_a_time(owner_client, company):
    with scopes_disabled():
        products = [
            ProductFactory(company=company, number=f"V-{n:03d}", name=f"Vare {n}")
            for n in reversed(range(PICKER_PAGE_SIZE + 5))
        ]
    by_number = [str(p.pk) for p in sorted(products, key=lambda p: p.number)]
    first = owner_client.get(PICKER)  # on focus, before anything is typed
    assert _picks(first) == ["", *by_number[:PICKER_PAGE_SIZE]]
    assert "Vis flere" in first.content.decode()
    second = owner_client.get(PICKER, {"product_q": "", "page": "2"})
    assert _picks(second) == by_number[PICKER_PAGE_SIZE:]  # no "free text" entry again
    assert "Vis flere" not in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "١"])
def test_odd_page_numbers_give_the_first_page(owner_client, company, page):
    with scopes_disabled():
        ProductFactory(company=company, name="Havregryn")
    response = owner_client.get(PICKER, {"product_q": "havre", "page": page})
    assert len(_picks(response)) == 2


def test_nothing_matching_says_so(owner_client, company):
    response = owner_client.get(PICKER, {"product_q": "finnes ikke" * 20})
    assert _picks(response) == [""]
    assert "Ingen aktive produkter passer." in response.content.decode()


def test_a_company_without_products_is_told_so(owner_client, company):
    response = owner_client.get(PICKER)
    assert _picks(response) == [""]  # free text only
    assert "Firmaet har ingen aktive produkter ennå." in response.content.decode()
