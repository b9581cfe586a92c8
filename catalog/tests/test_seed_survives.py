"""Seeded reference data (the VAT code table) survives transactional tests."""

import pytest

from catalog.models import VatCode


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_vat_codes():
    assert VatCode.objects.filter(code="3").exists()


@pytest.mark.django_db
def test_the_next_test_still_sees_the_vat_codes():
    # Runs after the transactional test above, whose flush empties every table.
    assert VatCode.objects.count() == 9


# Chromium's driver leaves an event loop marked as running in the test thread for the rest
# of the session; the seed data must still come back after every flush from then on. The
# test database is set up first, before Chromium starts, as when a database test runs first.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_test_sees_the_vat_codes(django_db_setup, browser_page):
    assert VatCode.objects.count() == 9


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_after_a_browser_test_still_sees_the_vat_codes(chromium):
    assert VatCode.objects.count() == 9
