"""Payments that need a confirmation, in Chromium: an overpayment beyond the margin and
the same payment registered twice within minutes. The user sees why, ticks the box and
the payment is registered; nothing is registered before that."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice, Payment
from invoicing.tests.factories import issued_invoice, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _owner_and_invoice(price: str) -> tuple:
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        invoice = issued_invoice(
            company=company, lines=[line(description="Rådgivning", unit_price=price, code="5")]
        )
    return owner, invoice


def test_overpayment_is_registered_only_after_confirmation(browser_page, screenshot):
    owner, invoice = _owner_and_invoice("2000.00")
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/invoices/{invoice.pk}/")
    page.locator("#id_amount").fill("99 999")
    page.get_by_label("Referanse").fill("Bank 17")
    page.get_by_role("button", name="Registrer innbetaling").click()

    # The service refused: the warning says by how much, and the box to tick is shown.
    expect(page.get_by_text("er 97\u00a0999,00 mer enn det som er åpent")).to_be_visible()
    confirm = page.get_by_label("Ja, beløpet er riktig: registrer overbetalingen")
    expect(confirm).to_be_visible()
    expect(confirm).not_to_be_checked()
    expect(page.locator("#id_amount")).to_have_value("99 999")
    with scopes_disabled():
        assert not Payment.objects.exists()
    screenshot(page, "invoicing-payment-overpayment-confirm")

    confirm.check()
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.locator("#invoice-status")).to_have_text("Betalt")
    expect(page.get_by_text("Overbetaling: 97\u00a0999,00")).to_be_visible()
    with scopes_disabled():
        payment = Payment.objects.get()
        assert payment.amount == Decimal("99999.00")
        assert payment.applied_amount == Decimal("2000.00")
        assert payment.to_credit_amount == Decimal("97999.00")
        assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


def test_duplicate_payment_is_registered_only_after_confirmation(browser_page, screenshot):
    owner, invoice = _owner_and_invoice("3000.00")
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/invoices/{invoice.pk}/")
    page.locator("#id_amount").fill("1000")
    page.get_by_label("Referanse").fill("Avdrag 1")
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.get_by_text("Innbetaling på 1\u00a0000,00 er registrert.")).to_be_visible()
    expect(page.locator("#invoice-status")).to_have_text("Delvis betalt")

    # The same amount, date and reference again (a double registration): refused first.
    page.locator("#id_amount").fill("1000")
    page.get_by_label("Referanse").fill("Avdrag 1")
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.get_by_text("med samme dato og referanse ble nettopp registrert")).to_be_visible()
    confirm = page.get_by_label("Ja, dette er en ny innbetaling: registrer den likevel")
    expect(confirm).not_to_be_checked()
    with scopes_disabled():
        assert Payment.objects.count() == 1
    screenshot(page, "invoicing-payment-duplicate-confirm")

    confirm.check()
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.get_by_text("Innbetaling på 1\u00a0000,00 er registrert.")).to_be_visible()
    assert page.locator("#open-balance").inner_text() == "1\u00a0000,00"
    with scopes_disabled():
        assert Payment.objects.count() == 2
        assert Invoice.objects.get(pk=invoice.pk).paid_amount == Decimal("2000.00")


def test_reversing_a_mistaken_payment_undoes_exactly_that_payment(browser_page, screenshot):
    """Issue 9's case: pay 2 000, pay 99 999 by mistake, reverse the mistaken one → the
    invoice shows 2 000 paid and the client has no phantom credit."""
    from invoicing import selectors

    owner, invoice = _owner_and_invoice("5000.00")
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/invoices/{invoice.pk}/")
    page.locator("#id_amount").fill("2000")
    page.get_by_label("Referanse").fill("Bank 1")
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.locator("#invoice-status")).to_have_text("Delvis betalt")
    page.locator("#id_amount").fill("99 999")
    page.get_by_label("Referanse").fill("Bank 2")
    page.get_by_role("button", name="Registrer innbetaling").click()
    page.get_by_label("Ja, beløpet er riktig: registrer overbetalingen").check()
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.locator("#invoice-status")).to_have_text("Betalt")

    mistaken = page.get_by_role("row").filter(has_text="99\u00a0999,00")
    mistaken.get_by_role("link", name="Tilbakefør").click()
    expect(page.get_by_role("heading", name="Tilbakefør innbetaling")).to_be_visible()
    page.get_by_label("Merknad").fill("Feil beløp")
    screenshot(page, "invoicing-payment-reverse")
    page.get_by_role("button", name="Tilbakefør").click()
    expect(page.locator("#invoice-status")).to_have_text("Delvis betalt")
    assert page.locator("#open-balance").inner_text() == "3\u00a0000,00"
    expect(page.get_by_text("Tilbakeført", exact=True)).to_be_visible()  # the original's row
    with scopes_disabled():
        stored = Invoice.objects.get(pk=invoice.pk)
        assert stored.paid_amount == Decimal("2000.00")
        with scope(company=stored.company):
            assert selectors.client_credit_balance(
                client=stored.client, currency=stored.currency
            ) == Decimal("0.00")
        assert Payment.objects.filter(reverses__isnull=False).get().amount == Decimal("-99999.00")
