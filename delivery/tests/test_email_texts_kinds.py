"""Every e-mail a document goes out with is worded on one page (Firma → E-posttekster):
invoice, credit note, reminder, inkassovarsel (receivables) and quote (quotes) register
their kind in delivery.texts; each starts from nb and en defaults, refuses an unknown
placeholder as a form error, previews with example values and is used when sending."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from core.models import AuditEntry
from delivery import services, texts
from delivery.models import EmailTexts
from quotes.email import build as build_quote_email
from quotes.tests.factories import quote
from receivables import services as receivables_services
from receivables.delivery import build_letter_email
from receivables.tests.factories import overdue_invoice, use_kid

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
KINDS = ["invoice", "credit_note", "reminder", "collection_notice", "quote"]


def url(kind: str) -> str:
    return reverse("delivery:email_texts_kind", args=[kind])


def _own(company, kind: str, **values) -> None:
    with scope(company=company):
        services.email_texts_update(company=company, actor=SYSTEM, kind=kind, values=values)


def test_every_sender_registered_its_kind():
    assert set(KINDS) <= set(texts.KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_starts_from_its_defaults_and_previews_them(owner_client, kind):
    response = owner_client.get(url(kind))
    assert response.status_code == 200
    form = response.context["form"]
    email_kind = texts.KINDS[kind]
    for language in texts.LANGUAGES:
        subject, body = texts.default_texts(email_kind, language)
        assert form[f"subject_{language}"].value() == subject
        assert form[f"body_{language}"].value() == body
        # The defaults use only the kind's own placeholders (so saving them is accepted).
        services.email_texts_check(kind=kind, values={"subject_nb": subject, "body_nb": body})
    page = response.content.decode()
    assert f'aria-current="page">{email_kind.label}<' in page
    preview = response.context["preview"]
    assert "{" not in preview["nb"][0] + preview["nb"][1]  # example values in place
    assert "Nordlys Regnskap AS" in preview["en"][1]


@pytest.mark.parametrize(
    ("kind", "nb", "en"),
    [
        ("reminder", "Purring nr. 1", "Payment reminder no. 1"),
        ("collection_notice", "Inkassovarsel", "Inkassovarsel (debt collection notice)"),
    ],
)
def test_a_letters_heading_is_previewed_in_each_language_as_the_letter_prints_it(
    owner_client, kind, nb, en
):
    preview = owner_client.get(url(kind)).context["preview"]
    assert preview["nb"][0].startswith(f"{nb}: faktura 10042")
    assert preview["en"][0].startswith(f"{en}: invoice 10042")


def test_the_defaults_differ_by_kind():
    subject = {kind: texts.default_texts(texts.KINDS[kind], "nb")[0] for kind in KINDS}
    assert subject["credit_note"] == "Kreditnota {kreditnotanummer} fra {avsender}"
    assert (
        subject["reminder"]
        == subject["collection_notice"]
        == ("{overskrift}: faktura {fakturanummer} fra {avsender}")
    )
    assert "inkassovarsel" in texts.default_texts(texts.KINDS["collection_notice"], "nb")[1]
    assert texts.default_texts(texts.KINDS["quote"], "en")[0] == (
        "Quote {tilbudsnummer} from {avsender}"
    )


@pytest.mark.parametrize("kind", ["reminder", "quote", "credit_note"])
def test_a_bad_placeholder_is_a_form_error_on_save_and_on_preview(owner_client, kind):
    data = owner_client.get(url(kind)).context["form"].initial | {"body_en": "Pay {amount} {"}
    for extra in ({}, {"preview": "1"}):
        response = owner_client.post(url(kind), data | extra)
        assert response.status_code == 400
        assert "Ukjent felt: {amount}" in response.content.decode()
    with scopes_disabled():
        assert not EmailTexts.objects.exists()


def test_the_quote_text_must_keep_the_answer_link(owner_client):
    data = owner_client.get(url("quote")).context["form"].initial
    response = owner_client.post(url("quote"), data | {"body_nb": "Hei, se vedlagt tilbud."})
    assert response.status_code == 400
    assert "Teksten må ha med {lenke}." in response.content.decode()


def test_preview_shows_the_typed_text_without_saving(owner_client):
    data = owner_client.get(url("reminder")).context["form"].initial | {
        "subject_nb": "Påminnelse om faktura {fakturanummer}"
    }
    response = owner_client.post(url("reminder"), data | {"preview": "1"})
    assert response.status_code == 200
    assert response.context["preview"]["nb"][0] == "Påminnelse om faktura 10042"
    with scopes_disabled():
        assert not EmailTexts.objects.exists()


def test_unknown_kind_is_404_and_personas(owner_client, member_client, outsider_client, company):
    assert owner_client.get(url("faktura")).status_code == 404
    assert owner_client.post(reverse("delivery:email_texts_reset", args=["x"])).status_code == 404
    assert member_client.get(url("reminder")).status_code == 403
    assert (
        member_client.post(reverse("delivery:email_texts_reset", args=["quote"])).status_code == 403
    )
    _own(company, "quote", subject_nb="Vårt tilbud {tilbudsnummer}")
    # The outsider sees their own company's defaults, never this company's text.
    page = outsider_client.get(url("quote")).content.decode()
    assert "Vårt tilbud" not in page
    outsider_client.post(reverse("delivery:email_texts_reset", args=["quote"]))
    with scopes_disabled():
        assert EmailTexts.objects.filter(company=company, kind="quote").exists()


def test_kinds_are_saved_apart_and_reset_apart(owner_client, company):
    _own(company, "invoice", subject_nb="Faktura {fakturanummer}")
    _own(company, "reminder", subject_nb="Purring {fakturanummer}")
    response = owner_client.post(reverse("delivery:email_texts_reset", args=["reminder"]))
    assert response.status_code == 302 and response["Location"] == url("reminder")
    with scopes_disabled():
        assert list(EmailTexts.objects.values_list("kind", flat=True)) == ["invoice"]
        entry = AuditEntry.objects.filter(action="delivery.email_texts.reset").get()
    assert entry.data == {"email_kind": "reminder"}
    activity = owner_client.get(reverse("activity")).content.decode()
    assert "E-posttekstene satt tilbake til standard (Purring)" in activity


def test_reminder_and_notice_emails_use_the_companys_text(company):
    _own(
        company,
        "reminder",
        subject_nb="Påminnelse: faktura {fakturanummer}",
        body_nb="Hei!\n\n{egen_tekst}\n\nBetal {valuta} {beløp} innen {frist}, KID {kid}.",
    )
    with scope(company=company):
        use_kid(company)
        invoice = overdue_invoice(
            company=company,
            due_date=datetime.date.today() - datetime.timedelta(days=20),
            amount="500.00",
        )
        letter = receivables_services.letter_send(invoice=invoice, actor=SYSTEM)
        message = build_letter_email(letter, ["a@kunde.no"])
    assert message.subject == f"Påminnelse: faktura {invoice.number}"
    assert message.body.startswith("Hei!\n\nBetal NOK ")  # the empty paragraph leaves no hole
    assert f"KID {invoice.kid}." in message.body


def test_quote_email_uses_the_companys_text_and_keeps_the_link(company):
    _own(
        company,
        "quote",
        subject_nb="Tilbud nr. {tilbudsnummer}",
        body_nb="Svar her: {lenke}\nGjelder til {gyldig_til}.",
    )
    with scope(company=company):
        offer = quote(company=company)
        message = build_quote_email(offer)
    assert message.subject == f"Tilbud nr. {offer.number}"
    assert "/tilbud/" in message.body and "{" not in message.body


def test_credit_note_email_uses_the_companys_text(company):
    _own(company, "credit_note", subject_nb="Kreditert: {kreditnotanummer} ({valuta} {beløp})")
    subject, body = texts.email_texts(
        company_id=company.pk,
        kind="credit_note",
        context={"number": 10043, "amount": "2 500,00", "currency": "NOK", "seller": "X AS"},
        language="nb",
    )
    assert subject == "Kreditert: 10043 (NOK 2 500,00)"
    assert "kreditnota 10043 fra X AS" in body  # the body is still the default
    # The invoice kind is untouched by it.
    invoice_subject, _body = texts.email_texts(
        company_id=company.pk,
        kind="invoice",
        context={"number": 1, "seller": "X AS"},
        language="nb",
    )
    assert invoice_subject == "Faktura 1 fra X AS"


def test_the_default_sent_back_by_a_browser_with_crlf_stays_the_default(owner_client):
    data = owner_client.get(url("reminder")).context["form"].initial
    crlf = {name: value.replace("\n", "\r\n") for name, value in data.items()}
    assert owner_client.post(url("reminder"), crlf).status_code == 302
    with scopes_disabled():
        saved = EmailTexts.objects.get()
    assert (saved.subject_nb, saved.body_nb, saved.body_en) == ("", "", "")


def test_only_the_text_that_is_sent_is_rendered(company, monkeypatch):
    """A company with its own subject and body renders no default template; with only its
    own subject, only the default body is rendered."""
    rendered: list[str] = []
    real = texts.render_to_string

    def counting(template_name, context=None, *args, **kwargs):
        rendered.append(template_name)
        return real(template_name, context, *args, **kwargs)

    context = {"number": 10043, "amount": "2 500,00", "currency": "NOK", "seller": "X AS"}
    _own(
        company, "credit_note", subject_nb="Kreditert {kreditnotanummer}", body_nb="Hei {avsender}"
    )
    monkeypatch.setattr(texts, "render_to_string", counting)
    subject, body = texts.email_texts(
        company_id=company.pk, kind="credit_note", context=context, language="nb"
    )
    assert (subject, body) == ("Kreditert 10043", "Hei X AS")
    assert rendered == []
    # English has no own text: both defaults are rendered, once each.
    subject, body = texts.email_texts(
        company_id=company.pk, kind="credit_note", context=context, language="en"
    )
    assert "10043" in subject and "X AS" in body
    email_kind = texts.KINDS["credit_note"]
    assert rendered == [email_kind.subject_template, email_kind.body_template]
