"""The quote and recurring-invoice editors choose the client with the invoice editor's
type-ahead picker (customers:picker), never a <select> of every client; the chosen id is
still checked against the active company's active clients."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.tests.factories import ClientFactory
from quotes.models import Quote
from quotes.tests.factories import quote
from quotes.tests.test_views import _form as quote_form
from recurring.models import RecurringInvoice
from recurring.tests.factories import template
from recurring.tests.test_views import _post_data as recurring_form

pytestmark = pytest.mark.django_db

EDITORS = {
    "quote": (reverse("quotes:create"), quote_form, Quote),
    "recurring": (reverse("recurring:create"), recurring_form, RecurringInvoice),
}


@pytest.mark.parametrize("kind", EDITORS)
def test_new_editor_has_the_picker_not_every_client(owner_client, company, kind):
    url, _form, _model = EDITORS[kind]
    with scopes_disabled():
        ClientFactory.create_batch(3, company=company, name="Stor kundeliste AS")
    page = owner_client.get(url).content.decode()
    assert "data-picker" in page
    assert f'hx-get="{reverse("customers:picker")}?active=1"' in page
    assert '<select name="client"' not in page and "Stor kundeliste AS" not in page


@pytest.mark.parametrize("kind", EDITORS)
def test_personas_on_the_new_editor(member_client, outsider_client, client, kind):
    url, _form, _model = EDITORS[kind]
    assert member_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 200  # their own company's editor
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("kind", EDITORS)
def test_another_companys_or_an_archived_client_is_a_form_error(
    owner_client, company, other_company, kind
):
    url, form, model = EDITORS[kind]
    with scopes_disabled():
        foreign = ClientFactory(company=other_company)
        archived = ClientFactory(company=company, is_active=False)
    for chosen in (foreign, archived):
        response = owner_client.post(url, form(chosen.pk))
        assert response.status_code == 400
        assert "data-picker" in response.content.decode()
    with scopes_disabled():
        assert not model.objects.exists()


def test_editing_shows_the_saved_client_by_name_even_when_archived(owner_client, company):
    with scope(company=company):
        saved_quote = quote(company=company)
        saved_template = template(company=company, start_date=datetime.date(2027, 1, 1))
    for obj, url in (
        (saved_quote, reverse("quotes:edit", args=[saved_quote.pk])),
        (saved_template, reverse("recurring:edit", args=[saved_template.pk])),
    ):
        with scopes_disabled():
            obj.client.is_active = False
            obj.client.save(update_fields=["is_active"])
        page = owner_client.get(url).content.decode()
        assert f'value="{obj.client.pk}" data-picker-value' in page
        assert f'value="{obj.client.name}"' in page
