"""Every main page at a phone's, a tablet's and a laptop's width, in Chromium: nothing
wider than the window (no sideways scrolling), the app menu folded on small screens, and
axe-core finding no serious or critical accessibility problem.

axe-core comes from npm (pinned in package.json) and is injected from node_modules; the
test downloads nothing. The pages show the demo company (``demo_setup``), so they carry
realistic data: invoices in every state, a payment, a credit note and a reminder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import Company
from backoffice.management.commands.demo_setup import DEMO_EMAIL, DEMO_PASSWORD
from core.tests.browser import log_in
from invoicing.models import Invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 768, 1280)
PUBLIC_PAGES = ["/", "/plans/", "/account/login/", "/account/signup/", "/personvern/"]
APP_PAGES = [
    "/app/",
    "/app/clients/",
    "/app/clients/new/",
    "/app/clients/import/",
    "/app/products/",
    "/app/vat-codes/",
    "/app/invoices/",
    "/app/invoices/?status=draft",
    "/app/invoices/new/",
    "/app/credit-notes/",
    "/app/invoices/settings/",
    "/app/invoices/texts/",
    "/app/recurring/",
    "/app/recurring/new/",
    "/app/quotes/",
    "/app/quotes/new/",
    "/app/reports/",
    "/app/reports/ledger/",
    "/app/reports/ageing/",
    "/app/reports/vat/",
    "/app/reports/sales/",
    "/app/receivables/",
    "/app/receivables/bank/",
    "/app/delivery/batches/new/",
    "/app/activity/",
    "/app/delivery/texts/",
    "/app/delivery/texts/reminder/",
    "/app/delivery/texts/quote/",
    "/app/company/",
    "/app/company/members/",
    "/app/api-tokens/",
    "/api/v1/docs/",
    "/account/profile/",
    "/account/privacy/",
]


@pytest.fixture
def page(new_browser_context):
    """A page whose Content-Security-Policy lets the test inject axe-core (the site's own
    CSP is tested elsewhere)."""
    page = new_browser_context(bypass_csp=True).new_page()
    page.set_default_timeout(15_000)
    return page


def _demo() -> Company:
    call_command("demo_setup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        return Company.objects.get(organization_number=settings.DEMO_COMPANY_ORGNR)


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement;
    if (right > width + 1 && parent && parent.getBoundingClientRect().right <= width + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      wide.push(name + " (" + Math.round(right - width) + " px)");
    }
  }
  return wide.slice(0, 4);
}"""


def _axe_problems(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3)"
        ".map(n => n.target.join(' ')).join(' | ')))"
    )
    return list(result)


def _detail_pages(company: Company) -> list[str]:
    with scopes_disabled():
        invoices = Invoice.objects.filter(company=company)
        draft = invoices.filter(status=Invoice.Status.DRAFT).first()
        issued = invoices.filter(status=Invoice.Status.PARTIALLY_PAID).first()
        credit = invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).first()
        assert draft and issued and credit, "the demo company has all three kinds"
        client = issued.client
    return [
        f"/app/invoices/{draft.pk}/edit/",
        f"/app/invoices/{issued.pk}/",
        f"/app/invoices/{credit.pk}/",
        f"/app/clients/{client.pk}/",
        f"/app/clients/{client.pk}/edit/",
    ]


def test_every_main_page_fits_the_window_and_passes_axe(page, screenshot):
    assert AXE.exists(), "npm ci installs axe-core (package.json)"
    company = _demo()
    problems: list[str] = []

    def check(path: str, width: int) -> None:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        overflow = _overflow(page)
        if overflow > 0:
            wide = ", ".join(page.evaluate(WIDE_ELEMENTS))
            problems.append(f"{path} at {width} px: {overflow} px too wide: {wide}")
        if width in (375, 1280):
            problems.extend(f"{path} at {width} px: {p}" for p in _axe_problems(page))

    for path in PUBLIC_PAGES:
        for width in WIDTHS:
            check(path, width)
    log_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    for path in APP_PAGES + _detail_pages(company):
        for width in WIDTHS:
            check(path, width)
            if path in ("/app/", "/app/invoices/") or "/edit/" in path:
                name = path.strip("/").replace("/", "-") or "home"
                screenshot(page, f"layout-{name}-{width}")
    assert not problems, "\n".join(problems)


def test_app_menu_folds_on_a_phone_and_opens_on_demand(page, screenshot):
    _demo()
    log_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/app/invoices/")
    # At full width the menu is a single row of a few groups, none hidden behind a button.
    toggle = page.get_by_role("button", name="Meny")
    assert not toggle.is_visible()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 100, header_height
    page.locator(".site-nav summary", has_text="Salg").click()
    assert page.locator(".site-nav").get_by_role("link", name="Tilbud").is_visible()
    screenshot(page, "layout-menu-1280")
    page.keyboard.press("Escape")
    assert not page.locator(".site-nav").get_by_role("link", name="Tilbud").is_visible()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/app/invoices/")
    assert toggle.is_visible()
    assert not page.locator(".site-nav").get_by_role("link", name="Kunder").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.locator(".site-nav summary", has_text="Salg").click()
    assert page.locator(".site-nav").get_by_role("link", name="Kreditnotaer").is_visible()
    screenshot(page, "layout-menu-375-open")
    page.locator(".site-nav").get_by_role("link", name="Kunder").click()
    page.wait_for_url("**/app/clients/")
    assert page.locator("h1").first.inner_text() == "Kunder"
    screenshot(page, "layout-menu-375")
