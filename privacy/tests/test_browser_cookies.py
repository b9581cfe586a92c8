"""The cookie banner in a real browser (Chromium via Playwright): `make test-browser`."""

from urllib.parse import urlparse

import pytest

from privacy import cookies
from privacy.models import PageView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NECESSARY = {"sessionid", "csrftoken", "messages", cookies.CONSENT_COOKIE}


def _cookie_names(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def test_cookie_banner_consent_flow(browser_page, live_server):
    page = browser_page
    own_host = urlparse(live_server.url).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # A new visitor: the banner, and nothing but necessary cookies.
    page.goto("/")
    banner = page.locator("#cookie-banner")
    assert banner.is_visible()
    accept = banner.get_by_role("button", name="Godta alle")
    reject = banner.get_by_role("button", name="Avvis alle")
    accept_box, reject_box = accept.bounding_box(), reject.bounding_box()
    assert abs(accept_box["height"] - reject_box["height"]) < 1
    assert abs(accept_box["width"] - reject_box["width"]) < 1
    assert _cookie_names(page) <= NECESSARY - {cookies.CONSENT_COOKIE}

    # "Avvis alle": the choice is remembered, still no optional cookie, no page views.
    reject.click()
    page.wait_for_load_state()
    assert not page.locator("#cookie-banner").count()
    assert cookies.CONSENT_COOKIE in _cookie_names(page)
    assert _cookie_names(page) <= NECESSARY
    page.goto("/")
    assert not PageView.objects.exists()

    # Through the footer link: accept analytics only.
    page.get_by_role("link", name="Informasjonskapsler").click()
    page.get_by_label("Analytiske informasjonskapsler").check()
    page.get_by_role("button", name="Lagre valget").click()
    page.wait_for_load_state()
    assert cookies.ANALYTICS_COOKIE in _cookie_names(page)
    assert cookies.LANGUAGE_COOKIE not in _cookie_names(page)
    page.goto("/")
    assert PageView.objects.filter(path="/").count() == 1

    # Changing the choice removes the analytics cookie and stops counting.
    page.get_by_role("link", name="Informasjonskapsler").click()
    page.get_by_role("button", name="Avvis alle").click()
    page.wait_for_load_state()
    assert cookies.ANALYTICS_COOKIE not in _cookie_names(page)
    counted = PageView.objects.count()
    page.goto("/")
    assert PageView.objects.count() == counted

    # Every request the pages made went to the site itself.
    assert requested
    assert {urlparse(url).netloc for url in requested} == {own_host}
