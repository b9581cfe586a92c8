"""On PostgreSQL the retention run lifts the accounting triggers only inside its own
transaction: afterwards the database refuses changes to issued documents again."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from invoicing.models import Invoice, Payment
from retention.rules import ANONYMISED_NAME
from retention.services import retention_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _triggers_enabled() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname IN "
            "('invoicing_invoice_guard', 'invoicing_payment_append_only')"
        )
        return dict(cursor.fetchall())


def test_anonymisation_passes_the_triggers_and_they_guard_again_afterwards(seed):
    retention_run(today=seed.today)
    assert _triggers_enabled() == {
        "invoicing_invoice_guard": "O",
        "invoicing_payment_append_only": "O",
    }
    with scopes_disabled():
        old = Invoice.objects.get(pk=seed.rows["aktiv_old_person"].pk)
        assert old.buyer_snapshot["name"] == ANONYMISED_NAME
        payment = Payment.objects.get(invoice=old)
        assert payment.reference == ""
    for sql, params in (
        ("UPDATE invoicing_invoice SET buyer_snapshot = '{}'::jsonb WHERE id = %s", [old.pk]),
        ("UPDATE invoicing_payment SET reference = 'x' WHERE id = %s", [payment.pk]),
        ("DELETE FROM invoicing_invoice WHERE id = %s", [old.pk]),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
