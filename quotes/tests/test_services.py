"""Quotes: numbering, figures, sending, the decision, converting; invoice duplicates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope
from pypdf import PdfReader

from core.models import AuditEntry
from invoicing.models import Invoice
from invoicing.services import invoice_duplicate
from invoicing.tests.factories import SYSTEM, ClientFactory, issued_invoice, line
from quotes import links, services
from quotes.documents import quote_pdf
from quotes.models import Quote, QuoteNumberingError, QuoteNumberSeries
from quotes.tests.factories import quote

pytestmark = pytest.mark.django_db
D = datetime.date


def test_numbers_are_gapless_per_company_and_a_refused_quote_uses_none(company, other_company):
    with scope(company=company):
        first = quote(company=company)
        with pytest.raises(ValidationError):
            quote(company=company, lines=[line(unit_price="-5.00")])
        second = quote(company=company)
    with scope(company=other_company):
        theirs = quote(company=other_company)
    assert (first.number, second.number, theirs.number) == (1, 2, 1)
    with scope(company=company):
        series = QuoteNumberSeries.objects.get()
        assert series.next_number == 3
        series.next_number = 7
        with pytest.raises(QuoteNumberingError):
            series.save()


def test_figures_follow_the_invoice_rules(company):
    with scope(company=company):
        q = quote(
            company=company,
            lines=[
                line(quantity="3", unit_price="150.50", code="31"),
                line(quantity="1", unit_price="412.40", code="33"),
                line(quantity="2", unit_price="1000.00", code="3", discount="10"),
            ],
        )
        # 451.50 @15 % = 67.73; 412.40 @12 % = 49.49; 1800 @25 % = 450
        assert q.total_excl_vat == Decimal("2663.90")
        assert q.total_vat == Decimal("567.22")
        assert q.total_incl_vat == Decimal("3231.12")
        assert [ln.vat_rate for ln in q.lines.order_by("position")] == [
            Decimal("15.00"), Decimal("12.00"), Decimal("25.00")
        ]  # fmt: skip


def test_default_validity_and_bad_dates(company):
    with scope(company=company):
        q = quote(company=company, quote_date=D(2027, 3, 1))
        assert q.valid_until == D(2027, 3, 31)
        with pytest.raises(ValidationError) as exc:
            quote(company=company, quote_date=D(2027, 3, 1), valid_until=D(2027, 2, 1))
        assert "valid_until" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.quote_create(
                company=company, actor=SYSTEM, data=services.QuoteData(client=q.client), lines=[]
            )
        assert "lines" in exc.value.message_dict


def test_send_emails_the_pdf_and_a_working_link(company, django_capture_on_commit_callbacks):
    with scope(company=company):
        q = quote(
            company=company, client=ClientFactory(company=company, invoice_emails="a@kunde.no")
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.quote_send(quote=q, actor=SYSTEM)
        q.refresh_from_db()
    assert q.status == Quote.Status.SENT and q.email_status == Quote.EmailStatus.SENT
    (message,) = mail.outbox
    assert message.to == ["a@kunde.no"]
    assert f"Tilbud {q.number}" in message.subject
    name, content, mime = message.attachments[0]
    assert name == f"tilbud-{q.number}.pdf" and mime == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(__import__("io").BytesIO(content)).pages
    )
    assert "TILBUD" in text and "Gyldig til" in text and "Kontonummer" not in text
    link = next(word for word in message.body.split() if "/tilbud/" in word)
    assert links.read_token(link.rstrip("/").rsplit("/", 1)[1]) == (q.pk, company.pk, q.number)
    assert links.read_token(links.token_for(q)) == (q.pk, company.pk, q.number)
    assert links.read_token(links.token_for(q) + "x") is None
    # the task running again sends nothing more
    with scope(company=company):
        services.quote_email_execute(quote_id=q.pk)
    assert len(mail.outbox) == 1


def test_send_without_address_is_refused(company):
    with scope(company=company):
        q = quote(company=company, client=ClientFactory(company=company, invoice_emails=""))
        with pytest.raises(ValidationError):
            services.quote_send(quote=q, actor=SYSTEM)
        q.refresh_from_db()
        assert q.status == Quote.Status.DRAFT


def test_client_decision_only_while_valid_and_audited(company):
    with scope(company=company):
        q = quote(company=company, quote_date=D(2027, 3, 1), valid_until=D(2027, 3, 10))
        with pytest.raises(ValidationError):  # not sent yet
            services.quote_decide(quote=q, actor=SYSTEM, accept=True, by_client=True)
        services.quote_mark_sent(quote=q, actor=SYSTEM)
        with time_machine.travel(datetime.datetime(2027, 3, 11, 9, 0), tick=False):
            with pytest.raises(ValidationError) as exc:
                services.quote_decide(quote=q, actor=SYSTEM, accept=True, by_client=True)
            assert exc.value.code == "expired"
        with time_machine.travel(datetime.datetime(2027, 3, 10, 9, 0), tick=False):
            decided = services.quote_decide(
                quote=q, actor=SYSTEM, accept=True, by_client=True, note="Ok for oss"
            )
        assert decided.status == Quote.Status.ACCEPTED
        assert decided.decided_by == Quote.DecidedBy.CLIENT_LINK
        entry = AuditEntry.objects.get(action="quotes.quote.accepted")
        assert entry.data["by"] == "link" and entry.data["note"] == "Ok for oss"
        with pytest.raises(ValidationError):
            services.quote_decide(quote=q, actor=SYSTEM, accept=False)


def test_convert_makes_a_draft_invoice_once(company):
    with scope(company=company):
        q = quote(company=company, our_reference="Olga")
        invoice = services.quote_convert(quote=q, actor=SYSTEM)
        assert invoice.status == Invoice.Status.DRAFT and invoice.client == q.client
        assert invoice.our_reference == "Olga"
        assert [(ln.description, ln.quantity, ln.unit_price) for ln in invoice.lines.all()] == [
            ("Montering", Decimal("2.0000"), Decimal("1000.00"))
        ]
        q.refresh_from_db()
        assert q.status == Quote.Status.INVOICED and q.invoice == invoice
        with pytest.raises(ValidationError):
            services.quote_convert(quote=q, actor=SYSTEM)
        declined = quote(company=company)
        services.quote_decide(quote=declined, actor=SYSTEM, accept=False)
        with pytest.raises(ValidationError):
            services.quote_convert(quote=declined, actor=SYSTEM)
        assert Invoice.objects.count() == 1


def test_sent_quote_cannot_be_edited(company):
    with scope(company=company):
        q = quote(company=company)
        services.quote_mark_sent(quote=q, actor=SYSTEM)
        with pytest.raises(ValidationError):
            services.quote_update(
                quote=q, actor=SYSTEM, data=services.QuoteData(client=q.client), lines=[line()]
            )


def test_quote_pdf_in_english(company):
    with scope(company=company):
        q = quote(company=company, client=ClientFactory(company=company, language="en"))
        text = PdfReader(__import__("io").BytesIO(quote_pdf(q))).pages[0].extract_text()
    assert "QUOTE" in text and "Valid until" in text and str(q.number) in text


def test_duplicate_invoice_makes_a_new_draft_with_the_same_lines(company):
    with scope(company=company):
        original = issued_invoice(
            company=company,
            lines=[line(quantity="3", unit_price="99.90", code="31"), line(description="Frakt")],
            our_reference="Olga",
        )
        copy = invoice_duplicate(invoice=original, actor=SYSTEM)
        assert copy.pk != original.pk and copy.is_draft and copy.number is None
        assert copy.client == original.client and copy.our_reference == "Olga"

        def content(invoice):
            return [
                (ln.description, ln.quantity, ln.unit_price, ln.vat_code.code)
                for ln in invoice.lines.all()
            ]

        assert content(copy) == content(original) and len(content(copy)) == 2
        original.refresh_from_db()
        assert original.status == Invoice.Status.ISSUED  # untouched
        assert AuditEntry.objects.filter(action="invoicing.invoice.duplicated").count() == 1


def _pdf_text(q) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(quote_pdf(q))).pages)


@pytest.mark.parametrize("how", ["email", "mark_sent"])
def test_a_sent_quote_renders_the_parties_as_they_were_when_sent(
    company, how, django_capture_on_commit_callbacks
):
    with scope(company=company):
        client = ClientFactory(
            company=company, name="Gammel Kunde AS", invoice_emails="kunde@example.com"
        )
        q = quote(company=company, client=client)
        assert "Gammel Kunde AS" in _pdf_text(q)  # a draft: the live data (the preview)
        with django_capture_on_commit_callbacks(execute=True):
            if how == "email":
                services.quote_send(quote=q, actor=SYSTEM)
            else:
                services.quote_mark_sent(quote=q, actor=SYSTEM)
        q.refresh_from_db()
        assert q.buyer_snapshot is not None
        assert q.buyer_snapshot["name"] == "Gammel Kunde AS"
        old_company_name = company.name
        client.name, client.address_line = "Ny Kunde AS", "Nyveien 9"
        client.save()
        company.name = "Nytt Selskapsnavn AS"
        company.save()
        q = Quote.objects.get(pk=q.pk)
        text = _pdf_text(q)
        assert "Gammel Kunde AS" in text and old_company_name in text
        assert "Ny Kunde AS" not in text and "Nytt Selskapsnavn AS" not in text
        # Sent again: still the offer that went out first.
        if how == "email":
            Quote.objects.filter(pk=q.pk).update(email_status="failed")
            with django_capture_on_commit_callbacks(execute=True):
                services.quote_send(quote=Quote.objects.get(pk=q.pk), actor=SYSTEM)
            snapshot = Quote.objects.get(pk=q.pk).buyer_snapshot
            assert snapshot is not None and snapshot["name"] == "Gammel Kunde AS"
