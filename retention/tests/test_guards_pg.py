"""On PostgreSQL the retention run lifts the accounting triggers only inside its own
transaction: afterwards the database refuses changes to issued documents again."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from accounts.tests.factories import CompanyFactory
from core.personal_data.retention import ANONYMISED_NAME
from invoicing.models import Invoice, Payment
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice
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


@pytest.mark.django_db(transaction=True)
def test_other_transactions_write_the_invoice_table_during_a_run_and_stay_guarded(
    seed, monkeypatch
):
    """Issue 15, item 5: no ALTER TABLE. While a retention batch has anonymised invoices
    and holds its transaction open, another tenant issues an invoice and another
    transaction updates rows of the invoice table at once (a lock wait would fail after
    3 s), and their own changes to issued content are still refused."""
    from invoicing import retention as invoicing_retention

    other = CompanyFactory(name="Annen Leietaker AS")
    with scope(company=other):
        other_client = ClientFactory(company=other)

    inside, proceed = threading.Event(), threading.Event()
    real = invoicing_retention._anonymise_invoices_sql

    def paused(pks, today):
        real(pks, today)
        inside.set()  # the batch's rows are written, its transaction still open
        assert proceed.wait(60)

    monkeypatch.setattr(invoicing_retention, "_anonymise_invoices_sql", paused)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            retention_run(today=seed.today)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    runner = threading.Thread(target=run)
    runner.start()
    try:
        assert inside.wait(120), failures
        with connection.cursor() as cursor:
            # The run's batch holds row locks only: ALTER TABLE ... DISABLE TRIGGER would
            # hold SHARE ROW EXCLUSIVE (or stronger) on the table until its transaction ends.
            cursor.execute(
                "SELECT DISTINCT c.relname, l.mode FROM pg_locks l"
                " JOIN pg_class c ON c.oid = l.relation"
                " WHERE l.pid <> pg_backend_pid() AND l.granted"
                " AND l.database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())"
                " AND starts_with(c.relname, 'invoicing_')"
            )
            table_locks = set(cursor.fetchall())
            assert ("invoicing_invoice", "RowExclusiveLock") in table_locks
            assert {mode for _, mode in table_locks} <= {
                "AccessShareLock",
                "RowShareLock",
                "RowExclusiveLock",
            }, table_locks
            # Every statement below would wait for a table lock and fail after 3 s.
            cursor.execute("SET lock_timeout = '3s'")
            cursor.execute("SELECT current_setting('fakturanett.retention_run', true)")
            assert cursor.fetchone()[0] in (None, "", "off")
        # Another tenant issues an invoice (number series, invoice, lines, audit rows).
        with scope(company=other):
            issued = issued_invoice(company=other, client=other_client)
        assert issued.number
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE invoicing_invoice SET free_text = 'endret' WHERE id = %s", [issued.pk]
            )
        young = seed.rows["aktiv_young_person"]
        with scope(company=young.company):
            draft = draft_invoice(company=young.company, client=young.client)  # INSERT
        with scopes_disabled():
            assert Invoice.objects.filter(pk=draft.pk).exists()
        with transaction.atomic(), connection.cursor() as cursor:  # an allowed UPDATE
            cursor.execute("UPDATE invoicing_invoice SET sent_at = now() WHERE id = %s", [young.pk])
            assert cursor.rowcount == 1
        # The guards hold for this transaction while the run's own are lifted.
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE invoicing_invoice SET buyer_snapshot = '{}'::jsonb WHERE id = %s",
                [young.pk],
            )
    finally:
        proceed.set()
        runner.join(120)
    assert not runner.is_alive() and failures == []
    with scopes_disabled():
        old = Invoice.objects.get(pk=seed.rows["aktiv_old_person"].pk)
    assert old.buyer_snapshot["name"] == ANONYMISED_NAME
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE invoicing_invoice SET buyer_snapshot = '{}'::jsonb WHERE id = %s", [old.pk]
        )


@pytest.mark.django_db(transaction=True)
def test_a_value_left_in_the_session_lets_no_later_transaction_through():
    """The bypass is bound to the writing transaction's id: the old value ``on`` and a value
    set for the whole session (``SET`` without ``LOCAL``, on a connection kept open for the
    next request) are refused; ``retention_guards_lifted`` in its own transaction passes."""
    from core.guards import RETENTION_SETTING, retention_guards_lifted

    company = CompanyFactory(name="Leietaker AS")
    with scope(company=company):
        invoice = issued_invoice(company=company, client=ClientFactory(company=company))
    update = "UPDATE invoicing_invoice SET free_text = %s WHERE id = %s"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET {RETENTION_SETTING} = 'on'")
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(update, ["på", invoice.pk])
        # The id of one transaction, left in the session, for the next one.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, txid_current()::text, false)", [RETENTION_SETTING]
            )
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(update, ["neste", invoice.pk])
        with transaction.atomic(), retention_guards_lifted(), connection.cursor() as cursor:
            cursor.execute(update, ["retention", invoice.pk])
            assert cursor.rowcount == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"RESET {RETENTION_SETTING}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT free_text FROM invoicing_invoice WHERE id = %s", [invoice.pk])
        assert cursor.fetchone()[0] == "retention"
        # After the run's transaction the value is gone again.
        cursor.execute("SELECT current_setting(%s, true)", [RETENTION_SETTING])
        assert cursor.fetchone()[0] in (None, "")
