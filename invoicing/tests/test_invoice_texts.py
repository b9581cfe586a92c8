"""The payment-note page (Firma → Fakturatekst): managers edit the note per language,
starting from the defaults; others cannot; bad input is a form error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from invoicing.models import InvoicingSettings
from invoicing.texts import DEFAULT_PAYMENT_NOTES, PAYMENT_NOTE_MAX_LENGTH

pytestmark = pytest.mark.django_db

URL = reverse("invoicing:texts")


def test_owner_sees_the_defaults_and_saves_own_text(owner_client, company):
    page = owner_client.get(URL).content.decode()
    assert DEFAULT_PAYMENT_NOTES["nb"] in page and DEFAULT_PAYMENT_NOTES["en"] in page
    response = owner_client.post(
        URL, {"payment_note_nb": "Betal til kontoen over.", "payment_note_en": ""}
    )
    assert response.status_code == 302
    with scope(company=company):
        row = InvoicingSettings.objects.get()
    assert (row.payment_note_nb, row.payment_note_en) == ("Betal til kontoen over.", "")
    # The English text is the default (empty follows it): the form shows the default again.
    assert DEFAULT_PAYMENT_NOTES["en"] in owner_client.get(URL).content.decode()
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="invoicing.texts.updated")
    assert entry.data == {"fields": ["payment_note_nb"]}


def test_the_default_text_saved_unchanged_stays_the_default(owner_client, company):
    owner_client.post(
        URL,
        {
            "payment_note_nb": DEFAULT_PAYMENT_NOTES["nb"],
            "payment_note_en": DEFAULT_PAYMENT_NOTES["en"],
        },
    )
    with scope(company=company):
        row = InvoicingSettings.objects.get()
    assert (row.payment_note_nb, row.payment_note_en) == ("", "")


def test_too_long_text_is_a_form_error_and_saves_nothing(owner_client, company):
    response = owner_client.post(
        URL, {"payment_note_nb": "x" * (PAYMENT_NOTE_MAX_LENGTH + 1), "payment_note_en": ""}
    )
    assert response.status_code == 400
    assert "Høyst 600 tegn." in response.content.decode()
    with scope(company=company):
        assert not InvoicingSettings.objects.filter(payment_note_nb__startswith="x").exists()


def test_member_and_outsider_cannot_change_the_companys_text(
    member_client, outsider_client, client, company
):
    assert member_client.get(URL).status_code == 403
    assert member_client.post(URL, {"payment_note_nb": "Medlem"}).status_code == 403
    # The outsider edits their own company's text, never this one.
    assert outsider_client.post(URL, {"payment_note_nb": "Fremmed"}).status_code == 302
    with scope(company=company):
        assert not InvoicingSettings.objects.filter(
            payment_note_nb__in=["Medlem", "Fremmed"]
        ).exists()
    assert client.get(URL).status_code == 302


def test_menu_links_the_page_for_managers_only(owner_client, member_client):
    assert f'href="{URL}"' in owner_client.get(reverse("dashboard")).content.decode()
    assert f'href="{URL}"' not in member_client.get(reverse("dashboard")).content.decode()
