"""Receivables pages by persona: anonymous → login, outsider → 404, member (read-only) →
403 on changes, owner → works. Bad input → 4xx with a message, nothing saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from invoicing.models import Invoice
from receivables import services
from receivables.models import BankTransaction, Dispute, Letter, ReceivableItem, ReminderSettings
from receivables.tests.factories import BankLine, camt_file, overdue_invoice, use_kid

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
TODAY = datetime.date.today()
DUE = TODAY - datetime.timedelta(days=20)


@pytest.fixture
def invoice(company):
    with scope(company=company):
        use_kid(company)
        return overdue_invoice(company=company, due_date=DUE, amount="500.00")


@pytest.fixture
def letter(company, invoice):
    with scope(company=company):
        return services.letter_send(invoice=invoice, actor=SYSTEM)


@pytest.fixture
def unmatched(company, invoice):
    with scope(company=company):
        services.bank_file_import(
            company=company,
            actor=SYSTEM,
            file_name="b.xml",
            data=camt_file([BankLine(None, "500.00", "700000001", date=TODAY)]),
        )
        return BankTransaction.objects.get()


def read_urls(invoice, letter):
    return [
        reverse("receivables:reminders"),
        reverse("receivables:bank"),
        reverse("receivables:preview", args=[invoice.pk]),
        reverse("receivables:letter_pdf", args=[letter.pk]),
        reverse("receivables:collection_csv", args=[invoice.pk]),
    ]


def test_anonymous_is_sent_to_login(client, invoice, letter):
    for url in [*read_urls(invoice, letter), reverse("receivables:settings")]:
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response["Location"], url


def test_outsider_gets_404_on_the_company_objects(outsider_client, invoice, letter, unmatched):
    for url in read_urls(invoice, letter)[2:]:
        assert outsider_client.get(url).status_code == 404, url
    posts = [
        (reverse("receivables:dispute", args=[invoice.pk]), {"reason": "x"}),
        (reverse("receivables:letter_send", args=[invoice.pk]), {"kind": "reminder"}),
        (
            reverse("receivables:collection", args=[invoice.pk]),
            {"agency_name": "X", "sent_on": "2030-01-01"},
        ),
        (
            reverse("receivables:bank_assign", args=[unmatched.pk]),
            {"invoice_number": invoice.number},
        ),
        (reverse("receivables:bank_set_aside", args=[unmatched.pk]), {"reason": "returned"}),
        (reverse("receivables:bank_reopen", args=[unmatched.pk]), {}),
    ]
    with scopes_disabled():
        item = ReceivableItem.objects.first()
    if item is not None:
        posts.append((reverse("receivables:waive", args=[item.pk]), {"reason": ""}))
    for url, data in posts:
        assert outsider_client.post(url, data).status_code == 404, url
    with scopes_disabled():
        assert not Dispute.objects.exists()
        assert Letter.objects.count() == 1


def test_member_reads_but_cannot_change(member_client, invoice, letter, unmatched):
    for url in read_urls(invoice, letter):
        assert member_client.get(url).status_code == 200, url
    page = member_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert "Innfordring" in page and "Send purring" not in page
    for url, data in [
        (reverse("receivables:dispute", args=[invoice.pk]), {"reason": "x"}),
        (reverse("receivables:letter_send", args=[invoice.pk]), {"kind": "reminder"}),
        (reverse("receivables:reminders_send"), {"invoice": [invoice.pk]}),
        (reverse("receivables:bank_upload"), {}),
        (
            reverse("receivables:bank_assign", args=[unmatched.pk]),
            {"invoice_number": invoice.number},
        ),
        (reverse("receivables:bank_set_aside", args=[unmatched.pk]), {"reason": "returned"}),
        (reverse("receivables:bank_reopen", args=[unmatched.pk]), {}),
        (reverse("receivables:settings"), {"enabled": "on"}),
    ]:
        assert member_client.post(url, data).status_code == 403, url
    with scopes_disabled():
        assert not Dispute.objects.exists()
        assert BankTransaction.objects.get().status == "unmatched"


def test_owner_disputes_and_it_shows_on_the_invoice(owner_client, invoice):
    response = owner_client.post(
        reverse("receivables:dispute", args=[invoice.pk]), {"reason": "Varen var skadet"}
    )
    assert response.status_code == 302
    page = owner_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert "Bestridt" in page and "Varen var skadet" in page
    # Blank reason: a message, nothing saved.
    owner_client.post(reverse("receivables:resolve", args=[invoice.pk]), {"resolution": "ok"})
    response = owner_client.post(
        reverse("receivables:dispute", args=[invoice.pk]), {"reason": ""}, follow=True
    )
    assert "Skriv hva kunden har innvendt" in response.content.decode()
    with scopes_disabled():
        assert Dispute.objects.filter(resolved_at__isnull=True).count() == 0


def test_owner_sends_reminder_from_the_invoice_and_sees_the_fee(owner_client, invoice):
    response = owner_client.post(
        reverse("receivables:letter_send", args=[invoice.pk]), {"kind": "reminder"}, follow=True
    )
    assert "med gebyr" in response.content.decode()
    page = owner_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert "Purregebyr" in page and "38,00" in page
    assert (
        owner_client.post(
            reverse("receivables:letter_send", args=[invoice.pk]), {"kind": "bogus"}
        ).status_code
        == 302
    )


def test_reminders_page_lists_and_sends(owner_client, invoice):
    with scopes_disabled():
        ReminderSettings.objects.create(company=invoice.company, reminder1_days=14)
    page = owner_client.get(reverse("receivables:reminders")).content.decode()
    assert str(invoice.number) in page
    preview = owner_client.get(reverse("receivables:preview", args=[invoice.pk]))
    assert preview["Content-Type"] == "application/pdf"
    assert f'filename="utkast-purring-{invoice.number}.pdf"' in preview["Content-Disposition"]
    assert owner_client.post(reverse("receivables:reminders_send"), {}).status_code == 400
    response = owner_client.post(reverse("receivables:reminders_send"), {"invoice": [invoice.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        assert Letter.objects.filter(invoice=invoice).count() == 1


def test_the_reminders_page_says_why_it_cannot_plan_and_not_that_none_are_due(
    owner_client, invoice
):
    # No late-interest rate covers the invoice's overdue days: the run cannot plan its
    # reminder, and the page says so instead of "no invoices to remind today".
    from receivables.models import StatutoryFigure

    with scopes_disabled():
        ReminderSettings.objects.create(
            company=invoice.company, reminder1_days=14, add_interest=True
        )
        StatutoryFigure.objects.filter(kind=StatutoryFigure.Kind.LATE_INTEREST).delete()
    page = owner_client.get(reverse("receivables:reminders")).content.decode()
    assert "Det finnes ingen lovfastsatt sats" in page
    assert "Ingen fakturaer skal purres i dag." not in page


def test_the_reminders_page_lists_what_it_can_send_and_says_which_invoices_wait_for_a_rate(
    owner_client, company
):
    # One invoice due before the first late-interest rate in the table: it waits for
    # the rate, named with its number; the others are listed and can be sent.
    with scope(company=company):
        use_kid(company)
        ReminderSettings.objects.create(company=company, reminder1_days=14, add_interest=True)
        old = overdue_invoice(company=company, due_date=datetime.date(2024, 6, 3))
        invoice = overdue_invoice(company=company, due_date=DUE, amount="500.00")
    page = owner_client.get(reverse("receivables:reminders")).content.decode()
    assert 'class="message message-warning held-reminders"' in page
    assert "04.06.2024" in page and f"?q={old.number}" in page
    assert f'value="{invoice.pk}" checked' in page and f'value="{old.pk}"' not in page
    response = owner_client.post(reverse("receivables:reminders_send"), {"invoice": [invoice.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        assert Letter.objects.filter(invoice=invoice).count() == 1
        assert not Letter.objects.filter(invoice=old).exists()


def test_the_reminders_page_lists_the_first_and_says_how_many_wait(
    owner_client, invoice, monkeypatch
):
    # A backlog: the page lists the first reminders by due date (here 1), says how many
    # invoices may follow, and after sending them lists the next.
    from receivables import views

    monkeypatch.setattr(views, "REMINDERS_PAGE_MAX", 1)
    with scopes_disabled():
        ReminderSettings.objects.create(company=invoice.company, reminder1_days=14)
    with scope(company=invoice.company):
        later = overdue_invoice(
            company=invoice.company, due_date=DUE + datetime.timedelta(days=1), amount="80.00"
        )
    url = reverse("receivables:reminders")
    page = owner_client.get(url).content.decode()
    assert f'value="{invoice.pk}"' in page and f'value="{later.pk}"' not in page
    assert "Listen viser den første purringen, eldste forfall først." in page
    assert "Én faktura til kan også skulle purres: send disse, så vises den." in page

    sent = owner_client.post(reverse("receivables:reminders_send"), {"invoice": [invoice.pk]})
    assert sent.status_code == 302
    page = owner_client.get(url).content.decode()
    assert f'value="{later.pk}"' in page and f'value="{invoice.pk}"' not in page
    assert 'id="reminders-waiting"' not in page


def test_the_reminders_page_says_how_many_more_may_follow(owner_client, invoice, monkeypatch):
    from receivables import views

    monkeypatch.setattr(views, "REMINDERS_PAGE_MAX", 1)
    with scopes_disabled():
        ReminderSettings.objects.create(company=invoice.company, reminder1_days=14)
    with scope(company=invoice.company):
        for days in (1, 2):
            overdue_invoice(company=invoice.company, due_date=DUE + datetime.timedelta(days=days))
    page = owner_client.get(reverse("receivables:reminders")).content.decode()
    assert "Opptil 2 fakturaer til kan også skulle purres" in page


def test_settings_page_validates(owner_client, company):
    url = reverse("receivables:settings")
    assert owner_client.get(url).status_code == 200
    bad = {"reminder1_days": "30", "reminder2_days": "20", "deadline_days": "10"}
    response = owner_client.post(url, bad)
    assert response.status_code == 400
    with scopes_disabled():
        assert not ReminderSettings.objects.filter(company=company).exists()
    good = {
        "enabled": "on",
        "reminder1_days": "14",
        "reminder2_days": "35",
        "deadline_days": "14",
        "charge_fee": "on",
        "email_text_nb": "Hei",
        "email_text_en": "Hi",
    }
    assert owner_client.post(url, good).status_code == 302
    with scopes_disabled():
        assert ReminderSettings.objects.get(company=company).enabled


def test_bank_upload_and_assign(owner_client, company, invoice):
    data = camt_file([BankLine(None, "500.00", "700000009", date=TODAY)])
    response = owner_client.post(
        reverse("receivables:bank_upload"), {"file": SimpleUploadedFile("b.xml", data)}
    )
    assert response.status_code == 302
    bad = owner_client.post(
        reverse("receivables:bank_upload"), {"file": SimpleUploadedFile("x.txt", b"nonsense")}
    )
    assert bad.status_code == 400 and "Ukjent filformat" in bad.content.decode()
    with scopes_disabled():
        row = BankTransaction.objects.get()
    page = owner_client.get(reverse("receivables:bank")).content.decode()
    assert "Uten KID" in page
    assert "1 innbetaling på 500,00 NOK venter på avstemming." in page
    for bad in (
        {},
        {"invoice_number": "³"},
        {"invoice_number": "99999999999999"},
        {"invoice_number": "987"},
    ):
        response = owner_client.post(
            reverse("receivables:bank_assign", args=[row.pk]), bad, follow=True
        )
        assert response.status_code == 200, bad
        assert "faktura" in response.content.decode().lower()
    with scopes_disabled():
        assert BankTransaction.objects.get().status == "unmatched"
    owner_client.post(
        reverse("receivables:bank_assign", args=[row.pk]), {"invoice_number": invoice.number}
    )
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).status == "paid"


def test_owner_sets_an_amount_aside_and_reopens_it(owner_client, unmatched):
    url = reverse("receivables:bank_set_aside", args=[unmatched.pk])
    response = owner_client.post(url, {"reason": "stolen"}, follow=True)
    assert "Velg hvorfor beløpet holdes utenfor." in response.content.decode()
    response = owner_client.post(
        url, {"reason": "not_customer", "note": "Overføring fra egen konto"}, follow=True
    )
    page = response.content.decode()
    assert "Beløpet er holdt utenfor avstemmingen." in page
    assert "Ikke en kundebetaling" in page and "Overføring fra egen konto" in page
    assert "Ingen innbetalinger venter på avstemming." in page
    with scopes_disabled():
        assert BankTransaction.objects.get().status == "set_aside"
    response = owner_client.post(
        reverse("receivables:bank_reopen", args=[unmatched.pk]), follow=True
    )
    assert "Beløpet er tilbake i listen til avstemming." in response.content.decode()
    response = owner_client.post(
        reverse("receivables:bank_reopen", args=[unmatched.pk]), follow=True
    )
    assert response.status_code == 200  # a message, not an error page
    with scopes_disabled():
        assert BankTransaction.objects.get().status == "unmatched"


def test_collection_page(owner_client, invoice):
    url = reverse("receivables:collection", args=[invoice.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"agency_name": "Inkasso AS", "sent_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "inkassovarsel" in response.content.decode().lower()
    csv_response = owner_client.get(reverse("receivables:collection_csv", args=[invoice.pk]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert str(invoice.number) in csv_response.content.decode()
