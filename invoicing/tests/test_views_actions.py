"""Invoice pages by persona: list, detail, issue, delete, PDF, payments, credit notes,
settings; the client page and the dashboard widgets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.tests.factories import PASSWORD
from invoicing import selectors, services
from invoicing.models import Invoice, NumberSeries, Payment
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(company):
    with scope(company=company):
        return ClientFactory(company=company, number=5, name="Havbris Sjømat AS")


@pytest.fixture
def draft(company, buyer):
    with scope(company=company):
        return draft_invoice(company=company, client=buyer)


@pytest.fixture
def issued(company, buyer):
    with scope(company=company):
        return issued_invoice(
            company=company,
            client=buyer,
            lines=[line(quantity="2", unit_price="100.00"), line(unit_price="50", code="31")],
        )  # 200 + 50 = 250 + 50 + 7.50 = 307.50


@pytest.fixture
def payment(company, issued, owner):
    from core.audit import Actor
    from invoicing import services

    with scope(company=company):
        import datetime

        return services.payment_register(
            invoice=issued,
            actor=Actor.user(owner),
            amount=Decimal("100.00"),
            date=datetime.date(2026, 11, 5),
        )


def object_urls(draft, issued, payment) -> dict[str, list[str]]:
    """Read and change URLs of one company's invoices."""
    return {
        "read": [
            reverse("invoicing:detail", args=[draft.pk]),
            reverse("invoicing:detail", args=[issued.pk]),
            reverse("documents:invoice_preview", args=[draft.pk]),
            reverse("documents:invoice_pdf", args=[issued.pk]),
        ],
        "change": [
            reverse("invoicing:edit", args=[draft.pk]),
            reverse("invoicing:delete", args=[draft.pk]),
            reverse("invoicing:issue", args=[draft.pk]),
            reverse("invoicing:credit", args=[issued.pk]),
            reverse("invoicing:payment", args=[issued.pk]),
            reverse("invoicing:payment_reverse", args=[issued.pk, payment.pk]),
        ],
    }


def state(company):
    with scopes_disabled():
        return (
            list(Invoice.objects.filter(company=company).values_list("pk", "status", "number")),
            Payment.objects.filter(company=company).count(),
        )


# --- personas ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, draft, issued, payment):
    urls = object_urls(draft, issued, payment)
    for url in [*urls["read"], *urls["change"], reverse("invoicing:list"),
                reverse("invoicing:credit_notes"), reverse("invoicing:settings")]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404_on_every_invoice_url(outsider_client, company, draft, issued, payment):
    before = state(company)
    urls = object_urls(draft, issued, payment)
    for url in [*urls["read"], *urls["change"]]:
        assert outsider_client.get(url).status_code == 404, url
    for url in urls["change"]:
        assert outsider_client.post(url, {"amount": "5", "date": "2026-11-05"}).status_code == 404
    assert state(company) == before
    listing = outsider_client.get(reverse("invoicing:list")).content.decode()
    assert "Havbris" not in listing


def test_member_reads_but_cannot_change(member_client, company, draft, issued, payment):
    before = state(company)
    urls = object_urls(draft, issued, payment)
    for url in urls["read"]:
        assert member_client.get(url).status_code == 200, url
    assert member_client.get(reverse("invoicing:list")).status_code == 200
    for url in urls["change"]:
        assert member_client.get(url).status_code == 403, url
        assert member_client.post(url, {"amount": "5", "date": "2026-11-05"}).status_code == 403
    assert member_client.get(reverse("invoicing:settings")).status_code == 403
    assert state(company) == before
    detail = member_client.get(reverse("invoicing:detail", args=[issued.pk])).content.decode()
    assert "Registrer innbetaling" not in detail and "Krediter" not in detail


def test_accountant_may_act_but_not_change_settings(accountant_client, draft):
    assert accountant_client.get(reverse("invoicing:issue", args=[draft.pk])).status_code == 200
    assert accountant_client.get(reverse("invoicing:settings")).status_code == 403


# --- list ---------------------------------------------------------------------------------------


def test_list_filters_search_sort_and_overdue(owner_client, company, buyer, draft, issued):
    with scope(company=company):
        other = ClientFactory(company=company, name="Annen Kunde AS", their_reference="")
        late = issued_invoice(company=company, client=other, order_number="ORD-77")
    url = reverse("invoicing:list")
    body = owner_client.get(url).content.decode()
    assert "Havbris Sjømat AS" in body and "Annen Kunde AS" in body and "3 treff" in body
    body = owner_client.get(url, {"status": "draft"}).content.decode()
    assert "1 treff" in body
    body = owner_client.get(url, {"status": "issued", "client": other.pk}).content.decode()
    assert "1 treff" in body and "Annen Kunde AS" in body
    body = owner_client.get(url, {"q": "ORD-77"}).content.decode()
    assert "1 treff" in body
    body = owner_client.get(url, {"q": str(late.number)}).content.decode()
    assert f">{late.number}<" in body
    body = owner_client.get(url, {"status": "overdue"}).content.decode()
    assert "2 treff" in body and "Forfalt" in body  # due 16.11.2026, today is later
    for sort in ("number", "-number", "date", "due", "amount", "-amount", "client", "junk"):
        assert owner_client.get(url, {"sort": sort}).status_code == 200
    for junk in ({"page": "x"}, {"page": "-3"}, {"page": "99999999999"}, {"client": "abc"},
                 {"date_from": "2026-13-45"}, {"status": "<b>"}):  # fmt: skip
        assert owner_client.get(url, junk).status_code == 200


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"date_from": "2026-13-45"}, "«2026-13-45» i filteret er ikke en gyldig dato."),
        ({"date_to": "igår"}, "«igår» i filteret er ikke en gyldig dato."),
        ({"client": "abc"}, "Kunden i filteret finnes ikke i dette firmaet."),
        ({"status": "<b>"}, "«&lt;b&gt;» i filteret er ikke en status."),
        ({"q": "x" * 101}, "Søket i filteret er lengre enn 100 tegn."),
    ],
)
def test_a_filter_value_the_list_cannot_apply_is_named_above_the_rows(
    owner_client, company, draft, issued, query, reason
):
    for name in ("invoicing:list", "invoicing:credit_notes"):
        response = owner_client.get(reverse(name), query)

        assert response.status_code == 200
        body = response.content.decode()
        assert "Filteret er ikke brukt slik det står:" in body
        assert reason in body
    # The rows are the list without that value: both invoices (the long search, cut to
    # 100 characters, matches nothing).
    body = owner_client.get(reverse("invoicing:list"), query).content.decode()
    assert ("0 treff" if "q" in query else "2 treff") in body


def test_a_short_search_says_it_reads_client_names_only(owner_client, issued):
    url = reverse("invoicing:list")
    notice = "ser bare i kundenavn"

    body = owner_client.get(url, {"q": "Ha"}).content.decode()

    assert notice in body and "1 treff" in body  # the client "Havbris Sjømat AS"
    for search in ("Havbris", str(issued.number), ""):
        assert notice not in owner_client.get(url, {"q": search}).content.decode()


def test_a_text_search_lists_its_first_matches_up_to_its_own_cap(
    owner_client, company, buyer, monkeypatch
):
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)
    with scope(company=company):
        invoices = [issued_invoice(company=company, client=buyer) for _ in range(3)]
    url = reverse("invoicing:list")

    searched = owner_client.get(url, {"q": buyer.name}).content.decode()
    by_number = owner_client.get(url, {"q": str(invoices[0].number)}).content.decode()
    unfiltered = owner_client.get(url).content.decode()

    assert "Over 2 treff" in searched
    assert "Listen viser de første 2 treffene." in searched
    assert "1 treff" in by_number  # a number is not a text search: the usual cap
    assert "3 treff" in unfiltered


def test_a_list_with_usable_filters_names_nothing(owner_client, issued):
    body = owner_client.get(
        reverse("invoicing:list"),
        {"date_from": "2026-01-01", "status": "open", "client": issued.client_id, "q": "a"},
    ).content.decode()

    assert "Filteret er ikke brukt slik det står:" not in body


def test_another_companys_client_in_the_list_filter_is_named_not_shown(outsider_client, issued):
    body = outsider_client.get(
        reverse("invoicing:list"), {"client": issued.client_id}
    ).content.decode()

    assert "Kunden i filteret finnes ikke i dette firmaet." in body
    assert issued.client.name not in body


def test_list_sort_headers_link_each_column_and_mark_the_current_sort(owner_client, issued):
    url = reverse("invoicing:list")
    body = owner_client.get(url, {"q": "a&b", "sort": "-amount"}).content.decode()
    # The current column sorts the other way and says so; the others sort ascending.
    assert (
        '<th scope="col" class="num" aria-sort="descending"><a href="?q=a%26b&amp;sort=amount">'
        'Beløp <span aria-hidden="true">▼</span></a></th>'
    ) in body
    assert '<th scope="col" class="num"><a href="?q=a%26b&amp;sort=number">Nr.</a></th>' in body
    body = owner_client.get(url, {"sort": "client"}).content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?sort=-client">'
        'Kunde <span aria-hidden="true">▲</span></a></th>'
    ) in body
    assert '<th scope="col"><a href="?sort=date">Dato</a></th>' in body


def test_list_has_a_fixed_number_of_queries(owner_client, company, buyer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("invoicing:list")).status_code == 200
        return len(captured)

    with scope(company=company):
        issued_invoice(company=company, client=buyer)
    queries()  # the first request after the log-in writes the session's timestamps once
    one = queries()
    with scope(company=company):
        for _ in range(5):
            issued_invoice(company=company, client=ClientFactory(company=company))
    assert queries() == one


def test_list_rows_escape_what_users_typed(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company, name="<b>Fet</b> & Co", their_reference="")
        invoice = issued_invoice(company=company, client=client, their_reference="<i>x</i>")
    body = owner_client.get(reverse("invoicing:list")).content.decode()
    row = body.split(f'<td class="num">{invoice.number}</td>')[1].split("</tr>")[0]
    assert "&lt;b&gt;Fet&lt;/b&gt; &amp; Co</a>" in row
    assert '<small class="muted">&lt;i&gt;x&lt;/i&gt;</small>' in row
    assert "<b>" not in body and "<i>x" not in body
    assert f'<a href="{reverse("invoicing:detail", args=[invoice.pk])}">' in row
    assert f"<td>{invoice.invoice_date:%d.%m.%Y}</td>" in row
    assert f"<td>{invoice.due_date:%d.%m.%Y}</td>" in row


def test_credit_notes_are_listed_separately(owner_client, company, issued, owner):
    from core.audit import Actor
    from invoicing import services

    with scope(company=company):
        note = services.invoice_credit(invoice=issued, actor=Actor.user(owner))
    body = owner_client.get(reverse("invoicing:credit_notes")).content.decode()
    assert reverse("invoicing:detail", args=[note.pk]) in body
    assert f"faktura {issued.number}</a>" in body
    body = owner_client.get(reverse("invoicing:list")).content.decode()
    assert reverse("invoicing:detail", args=[note.pk]) not in body


# --- issue --------------------------------------------------------------------------------------


def test_issue_confirms_then_takes_one_number_even_on_double_submit(owner_client, company, draft):
    url = reverse("invoicing:issue", args=[draft.pk])
    page = owner_client.get(url).content.decode()
    assert "Fakturanummer tildeles nå og kan ikke endres" in page
    first = owner_client.post(url)
    second = owner_client.post(url)
    assert first.status_code == second.status_code == 302
    with scope(company=company):
        draft.refresh_from_db()
        assert draft.number == 1 and draft.status == Invoice.Status.ISSUED
        assert NumberSeries.objects.get(kind="invoice").next_number == 2
    detail = owner_client.get(first["Location"]).content.decode()
    assert "Faktura 1" in detail and "Last ned PDF" in detail
    assert reverse("invoicing:edit", args=[draft.pk]) not in detail


def test_issue_rules_are_shown_and_nothing_is_numbered(owner_client, company, draft):
    company.bank_account = ""
    company.save()
    response = owner_client.post(reverse("invoicing:issue", args=[draft.pk]))
    assert response.status_code == 400
    assert "kontonummer" in response.content.decode()
    with scope(company=company):
        draft.refresh_from_db()
        assert draft.is_draft and draft.number is None


def test_delete_draft(owner_client, company, draft):
    url = reverse("invoicing:delete", args=[draft.pk])
    assert owner_client.get(url).status_code == 200
    assert owner_client.post(url).status_code == 302
    assert state(company)[0] == []


# --- PDF ----------------------------------------------------------------------------------------


def test_draft_preview_is_an_inline_pdf_and_issued_pdf_downloads(owner_client, draft, issued):
    response = owner_client.get(reverse("documents:invoice_preview", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    response = owner_client.get(reverse("documents:invoice_pdf", args=[issued.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="faktura-{issued.number}.pdf"'
    response = owner_client.get(reverse("documents:invoice_pdf", args=[draft.pk]))
    assert response.status_code == 302


# --- payments -----------------------------------------------------------------------------------


def test_partial_payment_then_overpayment_shows_the_credit_balance(owner_client, company, issued):
    url = reverse("invoicing:payment", args=[issued.pk])
    data = {"date": "2026-11-05", "amount": "100,00", "method": "bank", "reference": "x"}
    response = owner_client.post(url, data, follow=True)
    body = response.content.decode()
    assert "Delvis betalt" in body and "207,50" in body
    asked = owner_client.post(url, {**data, "amount": "1 000"})
    assert asked.status_code == 400
    assert "792,50 mer enn det som er åpent" in asked.content.decode()
    assert 'name="confirm_overpayment"' in asked.content.decode()
    assert state(company)[1] == 1
    response = owner_client.post(
        url, {**data, "amount": "1 000", "confirm_overpayment": "on"}, follow=True
    )
    body = response.content.decode()
    assert "Betalt" in body
    assert "Overbetaling: 792,50 er ført til kundens tilgodehavende" in body


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2026-11-05", "amount": "abc", "method": "bank"},
        {"date": "2026-11-05", "amount": "0", "method": "bank"},
        {"date": "2026-11-05", "amount": "-5", "method": "bank"},
        {"date": "2026-11-05", "amount": "1,234", "method": "bank"},
        {"date": "not a date", "amount": "5", "method": "bank"},
        {"date": "2026-11-05", "amount": "5", "method": "bitcoin"},
        {"date": "2026-11-05", "amount": "5", "method": "credit"},  # no credit balance
    ],
)
def test_bad_payments_are_refused(owner_client, company, issued, data):
    response = owner_client.post(reverse("invoicing:payment", args=[issued.pk]), data)
    assert response.status_code == 400
    assert state(company)[1] == 0


def test_a_payment_above_the_amount_limit_is_refused_with_the_limit(owner_client, company, issued):
    """Payments obey the same cap as every stored amount (services.MAX_AMOUNT), even when
    the overpayment is confirmed: the message names the limit, nothing is saved."""
    url = reverse("invoicing:payment", args=[issued.pk])
    data = {"date": "2026-11-05", "method": "bank", "confirm_overpayment": "on"}
    for amount in ("10 000 000 000 000", "99 999 999 999 999,99"):
        response = owner_client.post(url, {**data, "amount": amount})
        assert response.status_code == 400
        body = response.content.decode()
        assert "kan ikke være større enn 9\u00a0999\u00a0999\u00a0999\u00a0999,99" in body
    assert state(company)[1] == 0


def test_reverse_a_payment(owner_client, company, issued, payment):
    url = reverse("invoicing:payment_reverse", args=[issued.pk, payment.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"date": "2026-11-06", "note": "Feil konto"}, follow=True)
    body = response.content.decode()
    assert "Tilbakeføring" in body and "Tilbakeført" in body
    again = owner_client.post(url, {"date": "2026-11-06"})
    assert again.status_code == 400
    assert "allerede tilbakeført" in again.content.decode()
    with scope(company=company):
        issued.refresh_from_db()
        assert issued.paid_amount == 0 and Payment.objects.count() == 2


# --- credit notes -------------------------------------------------------------------------------


def test_credit_per_line_and_too_much_is_refused(owner_client, company, issued):
    url = reverse("invoicing:credit", args=[issued.pk])
    with scope(company=company):
        first = issued.lines.order_by("position").first()
    page = owner_client.get(url).content.decode()
    assert f"line_{first.pk}" in page
    data = {"mode": "partial", "credit_date": "2026-11-10", f"line_{first.pk}": "3"}
    response = owner_client.post(url, data)
    assert response.status_code == 400
    assert "du kan ikke kreditere mer enn det som gjenstår" in response.content.decode()
    response = owner_client.post(url, {**data, f"line_{first.pk}": "1"})
    assert response.status_code == 302
    with scope(company=company):
        note = Invoice.objects.credit_notes().get()
        assert note.total_incl_vat == Decimal("125.00")
    response = owner_client.post(url, {"mode": "full", "credit_date": "2026-11-11"}, follow=True)
    assert "Kreditnota" in response.content.decode()
    with scope(company=company):
        issued.refresh_from_db()
        assert issued.status == Invoice.Status.CREDITED
    response = owner_client.post(url, {"mode": "full", "credit_date": "2026-11-11"})
    assert response.status_code == 400
    assert "allerede kreditert fullt ut" in response.content.decode()


def test_credit_by_amount_from_the_form(owner_client, company, issued):
    url = reverse("invoicing:credit", args=[issued.pk])
    with scope(company=company):
        first = issued.lines.order_by("position").first()
    page = owner_client.get(url).content.decode()
    assert f"amount_{first.pk}" in page
    data = {"mode": "partial", "credit_date": "2026-11-10"}
    both = owner_client.post(url, {**data, f"line_{first.pk}": "1", f"amount_{first.pk}": "5"})
    assert both.status_code == 400 and "ikke begge" in both.content.decode()
    response = owner_client.post(url, {**data, f"amount_{first.pk}": "12,50"})
    assert response.status_code == 302
    with scope(company=company):
        note = Invoice.objects.credit_notes().get()
        assert note.total_excl_vat == Decimal("12.50")
        assert note.lines.get().credited_by_amount
    page = owner_client.get(url).content.decode()
    assert "resten krediteres som beløp" in page


def test_credit_with_bad_input(owner_client, company, issued):
    url = reverse("invoicing:credit", args=[issued.pk])
    for data in ({"mode": "partial", "credit_date": "2026-11-10"},
                 {"mode": "x", "credit_date": "2026-11-10"},
                 {"mode": "partial", "credit_date": "2026-11-10", "line_1": "abc"}):  # fmt: skip
        assert owner_client.post(url, data).status_code == 400
    with scopes_disabled():
        assert not Invoice.objects.filter(kind="credit_note").exists()


# --- detail and audit trail ---------------------------------------------------------------------


def test_detail_shows_snapshot_kid_payments_and_audit(
    owner_client, company, buyer, issued, payment
):
    buyer.name = "Nytt Navn AS"
    with scope(company=company):
        buyer.save()
    body = owner_client.get(reverse("invoicing:detail", args=[issued.pk])).content.decode()
    assert "Havbris Sjømat AS" in body  # the snapshot, not today's name
    assert "invoicing.invoice.issued" in body and "invoicing.payment.registered" in body
    assert "307,50" in body and "207,50" in body


def test_detail_writes_the_buyers_organisation_number_as_the_sellers(
    owner_client, company, buyer, draft, issued
):
    orgnr = buyer.organization_number
    grouped = f"Org.nr {orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}"
    for invoice in (draft, issued):  # the client's own, and the issued one's snapshot
        body = owner_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
        assert grouped in body


# --- settings -----------------------------------------------------------------------------------


def test_settings_first_number_until_the_first_issue(owner_client, company, draft):
    url = reverse("invoicing:settings")
    data = {"first_invoice_number": "1001", "credit_note_numbering": "separate",
            "first_credit_note_number": "5001", "kid_method": "mod10", "kid_length": "10",
            "default_payment_terms_days": "20", "sudo_password": PASSWORD}  # fmt: skip
    assert owner_client.post(url, data).status_code == 302
    owner_client.post(reverse("invoicing:issue", args=[draft.pk]))
    with scope(company=company):
        draft.refresh_from_db()
        assert draft.number == 1001 and len(draft.kid) == 10
    page = owner_client.get(url).content.decode()
    assert "tatt i bruk" in page and 'name="first_invoice_number"' in page and "disabled" in page
    response = owner_client.post(url, {**data, "first_invoice_number": "1"})
    assert response.status_code == 302  # the locked field is ignored
    with scope(company=company):
        assert NumberSeries.objects.get(kind="invoice").first_number == 1001
    bad = owner_client.post(url, {**data, "kid_length": "40", "default_payment_terms_days": "x"})
    assert bad.status_code == 400


def test_settings_days_ahead_and_reported_term_shown(owner_client, company, actor):
    url = reverse("invoicing:settings")
    data = {"credit_note_numbering": "same", "kid_method": "none", "kid_length": "10",
            "default_payment_terms_days": "14", "max_days_ahead": "5"}  # fmt: skip
    assert owner_client.post(url, data).status_code == 302
    with scope(company=company):
        assert selectors.invoicing_settings_for(company=company).max_days_ahead == 5
        services.vat_term_mark_reported(
            company=company, actor=actor, through=datetime.date(2025, 12, 31)
        )
    page = owner_client.get(url).content.decode()
    assert 'name="max_days_ahead"' in page and "rapportert til og med 31.12.2025" in page
    assert owner_client.post(url, {**data, "max_days_ahead": "400"}).status_code == 400


# --- client page and dashboard ------------------------------------------------------------------


def test_client_page_and_dashboard_show_invoices(
    owner_client, company, buyer, draft, issued, payment
):
    body = owner_client.get(reverse("customers:detail", args=[buyer.pk])).content.decode()
    assert 'id="client-open-balance">NOK 207,50' in body
    assert reverse("invoicing:detail", args=[issued.pk]) in body
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert 'id="stat-open">NOK 207,50' in body
    assert 'id="stat-overdue">NOK 207,50' in body
    assert 'id="stat-drafts">1<' in body
    with scope(company=company):
        issued_invoice(company=company, client=buyer, currency="EUR", exchange_rate=Decimal(11))
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert 'id="stat-open">NOK 207,50' in body  # NOK only


def test_pages_in_english(owner_client, draft, issued):
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = owner_client.get(reverse("invoicing:issue", args=[draft.pk])).content.decode()
    assert "The invoice number is assigned now and cannot be changed." in body
    body = owner_client.get(reverse("invoicing:detail", args=[issued.pk])).content.decode()
    assert "Register payment" in body and "Open balance" in body
    body = owner_client.get(reverse("invoicing:create")).content.decode()
    assert "Add line" in body and "Save draft" in body
    # The VAT codes by the Tax Administration's English names.
    assert ">3 Output VAT, standard rate<" in body and "Utgående MVA" not in body
    body = owner_client.get(reverse("invoicing:list")).content.decode()
    assert ">Invoices</a>" in body and ">Credit notes</a>" in body


def test_capped_page_counts_at_most_the_cap(company, buyer):
    from invoicing.pagination import capped_page

    with scope(company=company):
        for _ in range(7):
            draft_invoice(company=company, client=buyer)
        invoices = Invoice.objects.order_by("pk")
        first = capped_page(invoices, "1", per_page=3, cap=5)
        assert (first.has_next, first.limited) == (True, False)
        page = capped_page(invoices, "2", per_page=3, cap=5)
        assert page.count is None and page.num_pages is None  # above the cap: not counted
        # Page 2 is the deepest the cap of 5 allows, cut at the cap (rows 4-5, not row 6);
        # rows exist beyond it: no next link, the page says the list is limited instead.
        assert (page.number, len(page), page.has_next, page.has_previous) == (2, 2, False, True)
        assert (page.start_index, page.end_index) == (4, 5)
        assert page.limited
        deep = capped_page(invoices, "3", per_page=3, cap=5)  # beyond the cap: the deepest page
        assert (deep.number, len(deep), deep.has_next, deep.limited) == (2, 2, False, True)
        wide = capped_page(invoices, "3", per_page=3, cap=9)
        assert (len(wide), wide.has_next, wide.start_index, wide.end_index) == (1, False, 7, 7)
        assert not wide.limited
        exact = capped_page(invoices, "99", per_page=3, cap=100)
        assert (exact.count, exact.num_pages, exact.number) == (7, 3, 3)  # clamped
        assert capped_page(invoices, "abc", per_page=3).number == 1


def test_list_pages_stay_navigable(owner_client, company, buyer):
    with scope(company=company):
        for _ in range(55):
            draft_invoice(company=company, client=buyer)
    body = owner_client.get(reverse("invoicing:list"), {"status": "draft"}).content.decode()
    assert "55 treff" in body and "Side 1 av 2" in body and "page=2" in body
    body = owner_client.get(reverse("invoicing:list"), {"page": "2"}).content.decode()
    assert "viser 51–55" in body


def test_pdf_download_serves_the_archived_file(
    owner_client, company, draft, django_capture_on_commit_callbacks
):
    import hashlib

    from documents.models import StoredDocument

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("invoicing:issue", args=[draft.pk]))
    with scope(company=company):
        stored = StoredDocument.objects.get(invoice_id=draft.pk, kind=StoredDocument.Kind.PDF)
    response = owner_client.get(reverse("documents:invoice_pdf", args=[draft.pk]))
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256


def test_a_repeated_payment_is_asked_about_before_it_is_registered(owner_client, company, issued):
    url = reverse("invoicing:payment", args=[issued.pk])
    data = {"date": "2026-11-05", "amount": "100,00", "method": "bank", "reference": "KID 9"}
    assert owner_client.post(url, data).status_code == 302
    asked = owner_client.post(url, data)
    body = asked.content.decode()
    assert asked.status_code == 400
    assert "samme dato og referanse ble nettopp registrert" in body
    assert 'type="checkbox" name="confirm_duplicate"' in body
    assert state(company)[1] == 1
    confirmed = owner_client.post(url, {**data, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert state(company)[1] == 2


def test_duplicate_button_makes_a_draft_and_opens_its_editor(
    owner_client, member_client, outsider_client, company
):
    with scope(company=company):
        original = issued_invoice(company=company)
    url = reverse("invoicing:duplicate", args=[original.pk])
    assert member_client.post(url).status_code == 403
    assert outsider_client.post(url).status_code == 404
    assert owner_client.get(url).status_code == 405
    page = owner_client.get(reverse("invoicing:detail", args=[original.pk])).content.decode()
    assert "Dupliser" in page
    response = owner_client.post(url)
    with scope(company=company):
        copy = Invoice.objects.get(status="draft")
        assert copy.client_id == original.client_id
    assert response["Location"] == reverse("invoicing:edit", args=[copy.pk])


def test_invoice_page_in_english_calls_its_facts_details(owner, owner_client, issued):
    # "Opplysninger" is "Data" in the privacy statement (personal data); here the invoice's.
    owner.language = "en"
    owner.save()
    body = owner_client.get(reverse("invoicing:detail", args=[issued.pk])).content.decode()
    assert 'id="facts-heading">Details</h2>' in body


def test_list_shows_what_is_still_open_after_payments_and_credit(
    owner_client, company, issued, payment, draft
):
    """307.50 issued, 100.00 paid, 125.00 credited: 82.50 open; a draft shows no amount."""
    url = reverse("invoicing:credit", args=[issued.pk])
    with scope(company=company):
        first = issued.lines.order_by("position").first()
    data = {"mode": "partial", "credit_date": "2026-11-10", f"line_{first.pk}": "1"}
    assert owner_client.post(url, data).status_code == 302
    body = owner_client.get(reverse("invoicing:list")).content.decode()
    row = body[body.index(f"/app/invoices/{issued.pk}/") :].split("</tr>")[0]
    assert '<td class="num">307,50</td>' in row and '<td class="num">82,50</td>' in row
    assert "Delvis betalt" in row
    draft_row = body[body.index(f"/app/invoices/{draft.pk}/") :].split("</tr>")[0]
    assert '<td class="num"><span class="muted">–</span></td>' in draft_row


def test_list_status_filter_keeps_the_chosen_status(owner_client, issued):
    body = owner_client.get(reverse("invoicing:list"), {"status": "overdue"}).content.decode()
    assert '<option value="overdue" selected>Forfalte</option>' in body
    assert '<option value="draft" >Utkast</option>' in body
    assert '<option value="" >' not in body  # "Alle" stays the template's own option
    owner_client.post("/language/", {"language": "en", "next": "/app/"})
    body = owner_client.get(reverse("invoicing:list"), {"status": "paid"}).content.decode()
    assert '<option value="paid" selected>Paid</option>' in body
