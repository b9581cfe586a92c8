"""A sole owner closes the company and deletes the account in Chromium; then the retention
run past the bookkeeping deadline leaves nothing of the person or the company."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope

from accounts.models import Company, Role, User
from accounts.tests.factories import PASSWORD, MembershipFactory
from core.tests.browser import log_in
from invoicing.tests.factories import ClientFactory, issued_invoice
from retention.services import retention_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sole_owner_closes_the_company_deletes_the_account_and_nothing_remains(
    browser_page, screenshot
):
    from retention.tests.test_nothing_kept_forever import _found

    owner = MembershipFactory(
        role=Role.OWNER, user__full_name="Eva Eneeier", company__name="Eneeier Snekkeri AS"
    ).user
    company = owner.memberships.get().company
    with scope(company=company):
        client = ClientFactory(
            company=company, kind="person", name="Kari Kjøpersen", organization_number=""
        )
        invoice = issued_invoice(company=company, client=client)
    email = owner.email
    until = datetime.date(invoice.invoice_date.year + 5, 12, 31)

    page = browser_page
    log_in(page, email)
    page.goto("/account/privacy/erase/")
    if "reauth" in page.url:
        page.fill("input[type=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/account/privacy/erase/" in url)
    closing = page.locator("#closing")
    assert "Eneeier Snekkeri AS" in closing.inner_text()
    assert f"beholdes til {until:%d.%m.%Y}" in closing.inner_text()
    assert "bokføringsloven § 13" in closing.inner_text()
    assert closing.get_by_role("link", name="SAF-T-fil for firmaet").count() == 1
    screenshot(page, "privacy-erase-sole-owner")

    # Confirming without closing the company is refused, with a message; nothing changes.
    page.get_by_label("Jeg forstår at kontoen min slettes").check()
    page.get_by_role("button", name="Avslutt firmaet og slett kontoen min").click()
    page.get_by_text("kryss av for å avslutte firmaet").wait_for()
    assert Company.objects.get(pk=company.pk).closed_at is None

    page.get_by_label("Jeg forstår at kontoen min slettes").check()
    page.get_by_label("Avslutt firmaene der jeg er eneste eier").check()
    page.get_by_role("button", name="Avslutt firmaet og slett kontoen min").click()
    page.get_by_text("Kontoen din er slettet").wait_for()
    assert Company.objects.get(pk=company.pk).closed_at is not None
    assert User.objects.get(pk=owner.pk).email.endswith("@slettet.invalid")
    # Kept for the bookkeeping deadline, then anonymised.
    assert _found(["Kari Kjøpersen", "Eneeier Snekkeri AS"])
    retention_run(today=until + datetime.timedelta(days=1))
    assert _found([email, "Eva Eneeier", "Kari Kjøpersen", "Eneeier Snekkeri AS"]) == []
