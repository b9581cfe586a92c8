"""In Chromium: an overdue invoice gets a reminder with a fee, a bank file pays it, the
invoice shows paid and the fee as paid; the user disputes another invoice."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.audit import Actor
from core.tests.browser import log_in
from receivables import services
from receivables.models import ReceivableItem
from receivables.tests.factories import BankLine, ocr_file, overdue_invoice, use_kid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = datetime.date.today()


def test_reminder_with_fee_then_bank_file_pays_it(browser_page, tmp_path):
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    with scope(company=company):
        use_kid(company)
        services.reminder_settings_update(
            company=company, actor=Actor.system("tests"), add_interest=False
        )
        invoice = overdue_invoice(
            company=company, due_date=TODAY - datetime.timedelta(days=20), amount="1200.00"
        )
        other = overdue_invoice(
            company=company, due_date=TODAY - datetime.timedelta(days=20), amount="300.00"
        )
    page = browser_page
    log_in(page, owner)

    # "Send reminders now" lists both overdue invoices with the fee; send the first only.
    page.goto("/app/receivables/")
    table = page.locator("#due-reminders")
    expect(table).to_contain_text(str(invoice.number))
    expect(table).to_contain_text("38,00")
    page.get_by_label(f"Purr faktura {other.number}").uncheck()
    page.get_by_role("button", name="Send valgte purringer").click()
    expect(page.get_by_text("1 purring er sendt.")).to_be_visible()

    page.goto(f"/app/invoices/{invoice.pk}/")
    items = page.locator("#receivable-items")
    expect(items).to_contain_text("Purregebyr")
    expect(items).to_contain_text("38,00")
    expect(items).to_contain_text("Åpent")

    # The bank's OCR file pays principal + fee with the invoice's KID.
    path = tmp_path / "ocr.txt"
    path.write_bytes(ocr_file([BankLine(invoice.kid, "1238.00", "123456789", date=TODAY)]))
    page.goto("/app/receivables/bank/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("1 betalinger registrert")).to_be_visible()

    page.goto(f"/app/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-status")).to_have_text("Betalt")
    expect(page.locator("#receivable-items")).to_contain_text("Betalt")
    with scopes_disabled():
        fee = ReceivableItem.objects.get(invoice_id=invoice.pk)
        assert fee.is_paid

    # The other invoice: the client objects; the flag shows and reminders stop.
    page.goto(f"/app/invoices/{other.pk}/")
    page.fill("#id_dispute_reason", "Varen kom i stykker")
    page.get_by_role("button", name="Marker som bestridt").click()
    expect(page.locator("#dispute-flag")).to_contain_text("Varen kom i stykker")
    page.goto("/app/receivables/")
    expect(page.get_by_text("Ingen fakturaer skal purres i dag.")).to_be_visible()


def test_a_backlog_of_reminders_is_sent_a_page_at_a_time(browser_page, monkeypatch, screenshot):
    # The page lists the first reminders (here 1 at a time), says that more wait, and
    # lists the next after each send.
    from receivables import views

    monkeypatch.setattr(views, "REMINDERS_PAGE_MAX", 1)
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        services.reminder_settings_update(
            company=company, actor=Actor.system("tests"), add_interest=False
        )
        first, second = (
            overdue_invoice(
                company=company, due_date=TODAY - datetime.timedelta(days=days), amount="250.00"
            )
            for days in (30, 20)
        )
    page = browser_page
    log_in(page, owner)

    page.goto("/app/receivables/")
    expect(page.get_by_label(f"Purr faktura {first.number}")).to_be_checked()
    expect(page.get_by_label(f"Purr faktura {second.number}")).to_have_count(0)
    expect(page.locator("#reminders-waiting")).to_contain_text(
        "Én faktura til kan også skulle purres"
    )
    screenshot(page, "receivables-reminders-backlog")
    page.get_by_role("button", name="Send valgte purringer").click()
    expect(page.get_by_text("1 purring er sendt.")).to_be_visible()
    expect(page.get_by_label(f"Purr faktura {second.number}")).to_be_checked()
    expect(page.get_by_label(f"Purr faktura {first.number}")).to_have_count(0)
    expect(page.locator("#reminders-waiting")).to_have_count(0)
    page.get_by_role("button", name="Send valgte purringer").click()
    expect(page.get_by_text("Ingen fakturaer skal purres i dag.")).to_be_visible()


def test_settings_notice_collection_waive_and_unmatched(browser_page, tmp_path):
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    with scope(company=company):
        use_kid(company)
        invoice = overdue_invoice(
            company=company, due_date=TODAY - datetime.timedelta(days=40), amount="800.00"
        )
        target = overdue_invoice(
            company=company, due_date=TODAY - datetime.timedelta(days=3), amount="250.00"
        )
    page = browser_page
    log_in(page, owner)

    page.goto("/app/receivables/settings/")
    page.get_by_label("send purringer automatisk").check()
    page.get_by_label("kreve standardkompensasjon av bedriftskunder").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Purreinnstillingene er lagret.")).to_be_visible()

    # An inkassovarsel from the invoice page, with the fee and § 3a compensation.
    page.goto(f"/app/invoices/{invoice.pk}/")
    page.get_by_role("button", name="Send inkassovarsel").click()
    expect(page.get_by_text("Brevet er sendt, med gebyr.")).to_be_visible()
    items = page.locator("#receivable-items")
    expect(items).to_contain_text("Gebyr for inkassovarsel")
    expect(items).to_contain_text("Standardkompensasjon")
    # Waive the compensation.
    row = items.locator("tr", has_text="Standardkompensasjon")
    row.get_by_role("button", name="Frafall").click()
    expect(page.get_by_text("Kravet er frafalt.")).to_be_visible()
    expect(page.locator("#receivable-items tr", has_text="Standardkompensasjon")).to_contain_text(
        "Frafalt"
    )
    # Collection before the notice's deadline is refused with a message.
    page.get_by_role("button", name="Send til inkasso").click()
    page.fill("#id_agency_name", "Nordisk Inkasso AS")
    page.get_by_role("button", name="Registrer som sendt til inkasso").click()
    expect(page.get_by_text("Fristen i inkassovarselet løper til")).to_be_visible()

    # A payment without KID goes to the unmatched list and is assigned by invoice number.
    from receivables.tests.factories import camt_file

    path = tmp_path / "camt.xml"
    path.write_bytes(
        camt_file(
            [
                BankLine(None, "250.00", "BANKREF-1", date=TODAY),
                BankLine(None, "99.00", "BANKREF-2", date=TODAY, payer="Feil Betaler"),
            ]
        )
    )
    page.goto("/app/receivables/bank/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Importer").click()
    expect(page.locator("#unmatched")).to_contain_text("Uten KID")
    expect(page.locator("#unmatched-summary")).to_contain_text(
        "2 innbetalinger på til sammen 349,00 NOK venter på avstemming."
    )
    first = page.locator("#unmatched tr", has_text="250,00")
    first.locator("input[name=invoice_number]").fill(str(target.number))
    first.get_by_role("button", name="Før").click()
    expect(page.get_by_text(f"Beløpet er ført mot faktura {target.number}.")).to_be_visible()
    # The other amount was not for us: paid back, set aside with a note, booked nowhere.
    wrong = page.locator("#unmatched tr", has_text="Feil Betaler")
    wrong.get_by_label("Årsak").select_option(label="Betalt tilbake til betaleren")
    wrong.get_by_label("Merknad").fill("Returnert 4. mai")
    wrong.get_by_role("button", name="Hold utenfor").click()
    expect(page.get_by_text("Beløpet er holdt utenfor avstemmingen.")).to_be_visible()
    expect(page.locator("#unmatched")).to_contain_text("Alt er avstemt.")
    expect(page.locator("#set-aside")).to_contain_text("Returnert 4. mai")
    page.screenshot(path=str(tmp_path / "bank.png"), full_page=True)
    page.locator("#set-aside").get_by_role("button", name="Gjenåpne").click()
    expect(page.get_by_text("Beløpet er tilbake i listen til avstemming.")).to_be_visible()
    expect(page.locator("#unmatched")).to_contain_text("Feil Betaler")


def test_reminders_are_sent_while_an_invoice_waits_for_a_missing_rate(browser_page, screenshot):
    # An invoice due before the first late-interest rate in the table waits for the rate
    # (named, with its number); the reminder of the other one is sent as usual.
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        services.reminder_settings_update(
            company=company, actor=Actor.system("tests"), add_interest=True
        )
        old = overdue_invoice(company=company, due_date=datetime.date(2024, 6, 3))
        recent = overdue_invoice(company=company, due_date=TODAY - datetime.timedelta(days=20))
    page = browser_page
    log_in(page, owner)

    page.goto("/app/receivables/")
    held = page.locator(".held-reminders")
    expect(held).to_contain_text("Forsinkelsesrente")
    expect(held).to_contain_text("04.06.2024")
    expect(held).to_contain_text("1 faktura purres ikke før satsen er lagt inn.")
    expect(held.get_by_role("link", name=str(old.number))).to_be_visible()
    expect(page.get_by_label(f"Purr faktura {old.number}")).to_have_count(0)
    screenshot(page, "receivables-reminders-held")
    page.get_by_role("button", name="Send valgte purringer").click()
    expect(page.get_by_text("1 purring er sendt.")).to_be_visible()
    expect(page.get_by_label(f"Purr faktura {recent.number}")).to_have_count(0)
    expect(held).to_be_visible()  # still waiting for the rate
