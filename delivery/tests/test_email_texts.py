"""The company's own invoice e-mail texts: placeholders checked when saved (a form error,
never a failure at send time), used in the e-mail in the client's language, reset."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from core.texts import text_fill, text_placeholders_check
from delivery import services
from delivery.models import EmailTexts
from delivery.tests.conftest import issue_for, make_client
from delivery.tests.test_email import send

pytestmark = pytest.mark.django_db
URL = reverse("delivery:email_texts")


def test_placeholders_are_checked_and_filled():
    allowed = {"fakturanummer", "beløp"}
    text_placeholders_check("Faktura {fakturanummer}: {beløp}", allowed=allowed)
    with pytest.raises(ValidationError, match=r"\{fakturnummer\}"):
        text_placeholders_check("Faktura {fakturnummer}", allowed=allowed)
    with pytest.raises(ValidationError, match="krøllparentes"):
        text_placeholders_check("Faktura {fakturanummer", allowed=allowed)
    assert text_fill("Nr. {fakturanummer}", {"fakturanummer": "10001"}) == "Nr. 10001"


def test_the_page_starts_from_the_default_texts(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["subject_nb"].value() == "Faktura {fakturanummer} fra {avsender}"
    assert form["subject_en"].value() == "Invoice {fakturanummer} from {avsender}"
    assert "{beløp}" in form["body_nb"].value() and "{kid}" in form["body_nb"].value()
    assert "{forfallsdato}" in response.content.decode()  # the placeholders are listed


def _post(client, **changes):
    data = client.get(URL).context["form"].initial | changes
    return client.post(URL, data)


def test_an_unknown_placeholder_is_a_form_error_and_nothing_is_saved(owner_client, company):
    response = _post(owner_client, subject_nb="Faktura {nummer} fra oss")
    assert response.status_code == 400
    assert "Ukjent felt: {nummer}" in response.content.decode()
    with scopes_disabled():
        assert not EmailTexts.objects.exists()


def test_a_member_may_not_change_the_texts(member_client):
    assert member_client.get(URL).status_code == 403
    assert member_client.post(URL, {"subject_nb": "x"}).status_code == 403


def test_own_text_is_sent_in_the_clients_language_and_reset_brings_back_the_default(
    owner_client, company, owner, smtp_server, django_capture_on_commit_callbacks
):
    response = _post(
        owner_client,
        subject_nb="Regning {fakturanummer} – {avsender}",
        body_nb="Hei!\n\nBetal {valuta} {beløp} innen {forfallsdato} til {kontonummer}, KID {kid}.",
    )
    assert response.status_code == 302
    with scopes_disabled():
        texts = EmailTexts.objects.get()
        # Unchanged fields stay empty: they follow the default text.
        assert texts.subject_en == "" and texts.body_en == ""
    with scope(company=company):
        nb_client = make_client(company, invoice_emails="a@kunde.no", language="nb")
        en_client = make_client(company, invoice_emails="b@kunde.no", language="en")
    norwegian = issue_for(company, client=nb_client)
    english = issue_for(company, client=en_client)
    send(norwegian, owner, django_capture_on_commit_callbacks)
    send(english, owner, django_capture_on_commit_callbacks)
    nb_message, en_message = smtp_server.messages
    assert nb_message["Subject"] == f"Regning {norwegian.number} – {company.name}"
    body = nb_message.get_body(preferencelist=("plain",)).get_content()
    assert f"Betal NOK 125,00 innen {norwegian.due_date:%d.%m.%Y}" in body
    assert f"KID {norwegian.kid}" in body
    assert en_message["Subject"] == f"Invoice {english.number} from {company.name}"

    response = owner_client.post(reverse("delivery:email_texts_reset", args=["invoice"]))
    assert response.status_code == 302
    with scopes_disabled():
        assert not EmailTexts.objects.exists()
    assert owner_client.get(URL).context["form"]["subject_nb"].value() == (
        "Faktura {fakturanummer} fra {avsender}"
    )


def test_the_service_refuses_what_the_form_would(company, owner):
    with pytest.raises(ValidationError) as caught:
        services.email_texts_update(
            company=company,
            actor=Actor.user(owner),
            kind="invoice",
            values={"body_en": "Pay {amount}"},
        )
    assert set(caught.value.message_dict) == {"body_en"}
