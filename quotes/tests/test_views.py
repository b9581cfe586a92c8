"""Quote pages and the client's signed link: personas, actions, bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from catalog.tests.factories import ProductFactory
from core.models import AuditEntry
from invoicing.models import Invoice
from invoicing.tests.factories import SYSTEM, ClientFactory
from quotes import links, services
from quotes.models import Quote
from quotes.tests.factories import quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def q(company):
    with scope(company=company):
        return quote(company=company)


def _form(client_pk: int, **extra) -> dict:
    data = {
        "client": str(client_pk),
        "quote_date": "2027-03-01",
        "valid_until": "2027-03-31",
        "our_reference": "Olga",
        "their_reference": "",
        "free_text": "Montering inkludert.",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": "",
        "lines-0-description": "Varmepumpe",
        "lines-0-quantity": "1",
        "lines-0-unit": "EA",
        "lines-0-unit_price": "24 000",
        "lines-0-discount_percent": "",
        "lines-0-vat_code": "3",
    }
    data.update(extra)
    return data


def test_owner_creates_and_edits_a_quote(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
    response = owner_client.post(reverse("quotes:create"), _form(client.pk))
    assert response.status_code == 302
    with scope(company=company):
        saved = Quote.objects.get()
        assert saved.number == 1 and str(saved.total_incl_vat) == "30000.00"
    response = owner_client.post(
        reverse("quotes:edit", args=[saved.pk]), _form(client.pk, **{"lines-0-quantity": "2"})
    )
    assert response.status_code == 302
    with scope(company=company):
        saved.refresh_from_db()
        assert str(saved.total_incl_vat) == "60000.00"
    page = owner_client.get(reverse("quotes:detail", args=[saved.pk])).content.decode()
    assert "Varmepumpe" in page and "60" in page
    pdf = owner_client.get(reverse("quotes:pdf", args=[saved.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_line_takes_a_product_chosen_in_the_picker(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
        product = ProductFactory(
            company=company, number="VP-9", name="Varmepumpe", unit_price=Decimal("24000")
        )
    blank = {"lines-0-description": "", "lines-0-unit_price": "", "lines-0-vat_code": ""}
    form = _form(client.pk, **blank, **{"lines-0-product": str(product.pk)})
    response = owner_client.post(reverse("quotes:create"), form)
    assert response.status_code == 302
    with scope(company=company):
        saved = Quote.objects.get()
        line = saved.lines.get()
        assert (line.product_id, line.description, line.unit_price) == (
            product.pk,
            "Varmepumpe",
            Decimal("24000.00"),
        )
    # The editor shows the line's product in its picker, not a list of the catalog.
    page = owner_client.get(reverse("quotes:edit", args=[saved.pk])).content.decode()
    assert f'value="{product.pk}" data-picker-value' in page
    assert 'value="VP-9 Varmepumpe"' in page
    assert "Varmepumpe</option>" not in page  # the catalog is not a <select>


def test_bad_input_is_a_400_and_saves_nothing(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
    response = owner_client.post(
        reverse("quotes:create"), _form(client.pk, valid_until="2027-02-01")
    )
    assert response.status_code == 400 and "før tilbudsdatoen" in response.content.decode()
    response = owner_client.post(
        reverse("quotes:create"), _form(client.pk, **{"lines-0-unit_price": "abc"})
    )
    assert response.status_code == 400
    response = owner_client.post(reverse("quotes:create"), _form(client.pk, client="99999"))
    assert response.status_code == 400
    with scope(company=company):
        assert not Quote.objects.exists()


def test_member_reads_but_cannot_change(member_client, q, company):
    assert member_client.get(reverse("quotes:list")).status_code == 200
    assert member_client.get(reverse("quotes:detail", args=[q.pk])).status_code == 200
    assert member_client.get(reverse("quotes:pdf", args=[q.pk])).status_code == 200
    assert member_client.get(reverse("quotes:create")).status_code == 403
    assert member_client.get(reverse("quotes:edit", args=[q.pk])).status_code == 403
    for name in ("send", "mark_sent", "decide", "convert"):
        url = reverse(f"quotes:{name}", args=[q.pk])
        assert member_client.post(url, {"decision": "accept"}).status_code == 403
    with scope(company=company):
        q.refresh_from_db()
        assert q.status == Quote.Status.DRAFT and not Invoice.objects.exists()


def test_outsider_gets_404(outsider_client, q):
    for name in ("detail", "edit", "pdf"):
        assert outsider_client.get(reverse(f"quotes:{name}", args=[q.pk])).status_code == 404
    for name in ("send", "mark_sent", "decide", "convert"):
        url = reverse(f"quotes:{name}", args=[q.pk])
        assert outsider_client.post(url, {"decision": "accept"}).status_code == 404


def test_anonymous_is_sent_to_login(client, q):
    response = client.get(reverse("quotes:detail", args=[q.pk]))
    assert response.status_code == 302 and "/account/login" in response["Location"]


def test_owner_sends_records_decision_and_converts(owner_client, q, company, mailoutbox):
    response = owner_client.post(reverse("quotes:send", args=[q.pk]))
    assert response.status_code == 302
    with scope(company=company):
        q.refresh_from_db()
    assert q.status == Quote.Status.SENT
    owner_client.post(reverse("quotes:decide", args=[q.pk]), {"decision": "bogus"})
    owner_client.post(reverse("quotes:decide", args=[q.pk]), {"decision": "accept"})
    with scope(company=company):
        q.refresh_from_db()
        assert q.status == Quote.Status.ACCEPTED and q.decided_by == "user"
    response = owner_client.post(reverse("quotes:convert", args=[q.pk]))
    with scope(company=company):
        invoice = Invoice.objects.get()
    assert response["Location"] == reverse("invoicing:detail", args=[invoice.pk])
    response = owner_client.post(reverse("quotes:convert", args=[q.pk]), follow=True)
    assert "kan ikke faktureres" in response.content.decode()
    with scope(company=company):
        assert Invoice.objects.count() == 1


def test_client_link_shows_the_quote_and_accepts(client, q, company):
    with scope(company=company):
        services.quote_mark_sent(quote=q, actor=SYSTEM)
    url = reverse("quote_public", args=[links.token_for(q)])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Aksepter tilbudet" in body and "Avslå tilbudet" in body and "Montering" in body
    assert client.get(url, {"pdf": "1"}).content.startswith(b"%PDF")
    assert client.post(url, {"decision": "maybe"}).status_code == 400
    response = client.post(url, {"decision": "accept", "note": "Flott"})
    assert response.status_code == 302
    assert "Tilbudet er akseptert" in client.get(url).content.decode()
    with scope(company=company):
        q.refresh_from_db()
        assert q.status == Quote.Status.ACCEPTED and q.decided_by == "link"
        assert q.decision_note == "Flott"
        assert AuditEntry.objects.filter(action="quotes.quote.accepted").exists()
    # a second decision is refused with a message, nothing changes
    response = client.post(url, {"decision": "decline"})
    assert response.status_code == 409
    with scope(company=company):
        q.refresh_from_db()
        assert q.status == Quote.Status.ACCEPTED


def test_client_link_expires_with_the_quote(client, company):
    with scope(company=company):
        q = quote(
            company=company,
            quote_date=datetime.date(2027, 3, 1),
            valid_until=datetime.date(2027, 3, 10),
        )
        services.quote_mark_sent(quote=q, actor=SYSTEM)
    url = reverse("quote_public", args=[links.token_for(q)])
    with time_machine.travel(datetime.datetime(2027, 3, 11, 12, 0), tick=False):
        page = client.get(url).content.decode()
        assert "har gått ut" in page and "Aksepter tilbudet" not in page
        assert client.post(url, {"decision": "accept"}).status_code == 409
    with scope(company=company):
        q.refresh_from_db()
        assert q.status == Quote.Status.SENT


def test_forged_or_foreign_tokens_are_404(client, q, other_company):
    token = links.token_for(q)
    assert client.get(reverse("quote_public", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("quote_public", args=["nonsense"])).status_code == 404
    from django.core import signing

    forged = signing.dumps({"q": q.pk, "c": other_company.pk, "n": q.number}, salt="other")
    assert client.get(reverse("quote_public", args=[forged])).status_code == 404
    wrong_company = signing.dumps(
        {"q": q.pk, "c": other_company.pk, "n": q.number}, salt=links.SALT
    )
    assert client.get(reverse("quote_public", args=[wrong_company])).status_code == 404


def test_owner_makes_a_quote_in_sek_and_converts_it_with_a_rate(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
    bad = owner_client.post(reverse("quotes:create"), _form(client.pk, currency="KRONER"))
    assert bad.status_code == 400 and "ISO 4217" in bad.content.decode()
    response = owner_client.post(reverse("quotes:create"), _form(client.pk, currency="sek"))
    assert response.status_code == 302
    with scope(company=company):
        made = Quote.objects.get()
    assert made.currency == "SEK"
    page = owner_client.get(reverse("quotes:detail", args=[made.pk])).content.decode()
    assert "SEK" in page and "Valutakurs: NOK per SEK" in page
    url = reverse("quotes:convert", args=[made.pk])
    no_rate = owner_client.post(url, {}, follow=True).content.decode()
    assert "valutakursen" in no_rate
    assert owner_client.post(url, {"exchange_rate": "tja"}, follow=True).status_code == 200
    with scope(company=company):
        assert not Invoice.objects.exists()
    response = owner_client.post(url, {"exchange_rate": "0,98"})
    assert response.status_code == 302
    with scope(company=company):
        invoice = Invoice.objects.get()
    assert (invoice.currency, str(invoice.exchange_rate)) == ("SEK", "0.980000")
