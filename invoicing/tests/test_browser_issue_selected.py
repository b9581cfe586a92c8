"""Issue selected drafts in Chromium: tick drafts on the list, confirm, see the numbers and
the refused draft with its reason, then send the issued ones as a batch."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from core.tests.test_browser_layout import WIDE_ELEMENTS, _axe_problems, _overflow
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, draft_invoice, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_drafts_on_the_list_issue_them_and_send_them(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        client = ClientFactory(company=company, name="Havbris Sjømat AS")
        ready = [
            draft_invoice(company=company, client=client, lines=[line(unit_price=price)])
            for price in ("1000.00", "200.00")
        ]
        homeless = ClientFactory(
            company=company, name="Uten Adresse", organization_number="", address_line=""
        )
        refused = draft_invoice(company=company, client=homeless)
        left_alone = draft_invoice(company=company, client=client)
    page = browser_page
    log_in(page, owner)

    page.goto("/app/invoices/?status=draft")
    page.get_by_label("Velg alle utkast på siden").check()
    expect(page.get_by_label("Velg utkast til Havbris Sjømat AS").first).to_be_checked()
    # Untick one draft: it is left alone.
    page.locator(f'input[name="invoice"][value="{left_alone.pk}"]').uncheck()
    screenshot(page, "invoicing-issue-selected-list")
    page.get_by_role("button", name="Utsted valgte").click()

    expect(page.get_by_role("heading", name="Utsted valgte utkast")).to_be_visible()
    expect(page.get_by_text("Du utsteder 3 fakturaer.")).to_be_visible()
    expect(page.get_by_text("Fakturanumrene tildeles nå og kan ikke endres.")).to_be_visible()
    screenshot(page, "invoicing-issue-selected-confirm")
    with scopes_disabled():
        assert not Invoice.objects.filter(number__isnull=False).exists()
    page.get_by_role("button", name="Utsted 3 fakturaer").click()

    expect(page.get_by_text("2 fakturaer er utstedt (nr. 1–2).")).to_be_visible()
    expect(page.get_by_text("1 utkast ble ikke utstedt")).to_be_visible()
    expect(page.get_by_text("Kunden Uten Adresse mangler adresse.", exact=False)).to_be_visible()
    fix = page.get_by_role("link", name="Rett utkastet – Uten Adresse")
    expect(fix).to_have_attribute("href", f"/app/invoices/{refused.pk}/edit/")
    screenshot(page, "invoicing-issue-selected-result")
    with scopes_disabled():
        chosen = [invoice.pk for invoice in [*ready, refused, left_alone]]
        numbers = dict(Invoice.objects.filter(pk__in=chosen).values_list("pk", "number"))
    assert numbers == {ready[0].pk: 1, ready[1].pk: 2, refused.pk: None, left_alone.pk: None}

    page.get_by_role("button", name="Send de 2 utstedte fakturaene").click()
    expect(page.get_by_role("heading", name="Samlesending", exact=False)).to_be_visible()
    expect(page.locator("#batch-progress")).to_contain_text("av 2")
    screenshot(page, "invoicing-issue-selected-sent")


@pytest.fixture
def phone(new_browser_context):
    """A 375 px wide page that may inject axe-core (as the layout test's page)."""
    context = new_browser_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_selection_confirmation_and_result_fit_a_phone_and_pass_axe(phone, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        for _ in range(2):
            draft_invoice(company=company, client=ClientFactory(company=company))
        homeless = ClientFactory(company=company, organization_number="", address_line="")
        draft_invoice(company=company, client=homeless)
    log_in(phone, owner)
    problems: list[str] = []

    def check(name: str) -> None:
        if _overflow(phone) > 0:
            problems.append(f"{name}: too wide: {', '.join(phone.evaluate(WIDE_ELEMENTS))}")
        problems.extend(f"{name}: {problem}" for problem in _axe_problems(phone))
        screenshot(phone, f"invoicing-issue-selected-{name}-375")

    phone.goto("/app/invoices/?status=draft")
    phone.get_by_label("Velg alle utkast på siden").check()
    check("list")
    phone.get_by_role("button", name="Utsted valgte").click()
    expect(phone.get_by_text("Du utsteder 3 fakturaer.")).to_be_visible()
    check("confirm")
    phone.get_by_role("button", name="Utsted 3 fakturaer").click()
    expect(phone.get_by_text("2 fakturaer er utstedt (nr. 1–2).")).to_be_visible()
    check("result")
    assert not problems, "\n".join(problems)


def test_issuing_all_matching_after_switching_company_in_another_tab_issues_nothing(
    browser_page, screenshot
):
    """The draft list of one company, filtered by its client, is left open; the user
    switches to another company in a second tab and then presses "Utsted alle … som
    passer filteret" on the first: the client is not the company's now, so nothing is
    issued (before, the dropped filter issued every draft of the other company)."""
    owner = MembershipFactory(role=Role.OWNER, company__name="Havbris Sjømat AS").user
    first = owner.memberships.get().company
    second = MembershipFactory(user=owner, role=Role.OWNER, company__name="Fjellgård AS").company
    with scope(company=first):
        client = ClientFactory(company=first, name="Kaikanten Fisk AS")
        for _ in range(51):  # one more than a page: the "all matching" button is offered
            draft_invoice(company=first, client=client)
    with scope(company=second):
        others = [draft_invoice(company=second) for _ in range(2)]
    page = browser_page
    log_in(page, owner)
    page.goto("/account/companies/")
    page.get_by_role("button", name="Havbris Sjømat AS").click()
    page.goto(f"/app/invoices/?status=draft&client={client.pk}")
    issue_all = page.get_by_role("button", name="Utsted alle 51 utkast som passer filteret")
    expect(issue_all).to_be_visible()

    other_tab = page.context.new_page()
    other_tab.goto("/account/companies/")
    other_tab.get_by_role("button", name="Fjellgård AS").click()
    expect(other_tab.get_by_text("Du arbeider nå i Fjellgård AS.")).to_be_visible()

    issue_all.click()
    expect(page.get_by_text("Kunden i filteret finnes ikke i dette firmaet.")).to_be_visible()
    expect(page.get_by_text("Ingenting er utstedt.", exact=False)).to_be_visible()
    screenshot(page, "invoicing-issue-all-matching-refused")
    with scopes_disabled():
        assert not Invoice.objects.filter(number__isnull=False).exists()
        assert all(Invoice.objects.get(pk=other.pk).is_draft for other in others)
