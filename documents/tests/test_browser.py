"""The logo page in Chromium: upload, see it, get a clear error for a bad file."""

from __future__ import annotations

import pytest

from core.tests.browser import log_in
from documents.tests import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_uploads_a_logo_and_gets_a_clear_error_for_a_bad_file(
    browser_page, owner, company, screenshot, tmp_path
):
    page = browser_page
    log_in(page, owner)
    page.goto("/app/company/logo/")
    assert page.locator("h1").inner_text() == "Logo på fakturaer"
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not an image")
    page.set_input_files("#id_logo", str(bad))
    page.get_by_role("button", name="Last opp logo").click()
    page.wait_for_load_state()
    assert "ikke et PNG- eller JPEG-bilde" in page.locator(".errorlist").inner_text()
    screenshot(page, "documents-logo-1-error")

    good = tmp_path / "logo-ok.png"
    good.write_bytes(images.png((600, 200)))
    page.set_input_files("#id_logo", str(good))
    page.get_by_role("button", name="Last opp logo").click()
    page.wait_for_load_state()
    assert page.get_by_text("Logoen er lagret.").count() == 1
    logo = page.get_by_role("img", name="Firmaets logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 600
    screenshot(page, "documents-logo-2-saved")
