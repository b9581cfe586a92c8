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
