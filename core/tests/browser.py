"""Shared helpers of the browser tests (Playwright driving Debian's Chromium; the
``browser_page`` fixture is in the root ``conftest.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import User
from accounts.tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def log_in(page: Page, who: User | str, password: str = PASSWORD) -> None:
    """Log in through the log-in page as ``who`` (a user or an e-mail address).

    Declines the optional cookies first when the banner is shown, and returns once the
    browser has left the log-in page.
    """
    email = who if isinstance(who, str) else who.email
    page.goto("/account/login/")
    reject = page.get_by_role("button", name="Avvis alle")
    if reject.count():
        reject.first.click()
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/account/login" not in url)
