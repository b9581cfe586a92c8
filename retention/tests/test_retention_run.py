from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django_scopes import scopes_disabled

from backoffice.models import (
    AccessLogEntry,
    Complaint,
    ElevatedSession,
    Interaction,
    LegalHold,
    SurveyInvitation,
)
from core.models import AuditEntry
from core.personal_data.retention import ANONYMISED_NAME, primary_cutoff, secondary_cutoff
from customers.models import Client
from documents.models import StoredDocument
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from invoicing.retention import anonymised_snapshot
from marketing.models import SegmentMembership
from privacy.models import DailyPageStat, DataExport, PageView, PrivacyRequest
from retention.models import DeletionLogEntry, RetentionRun
from retention.services import retention_run

pytestmark = pytest.mark.django_db


def _balances() -> list[str]:
    """Every issued document: totals = lines, paid and credited match the ledgers."""
    problems = []
    with scopes_disabled():
        for invoice in Invoice.objects.exclude(status="draft"):
            net = invoice.lines.aggregate(s=Sum("net_amount"))["s"] or Decimal("0")
            vat = invoice.vat_lines.aggregate(s=Sum("vat"))["s"] or Decimal("0")
            if net != invoice.total_excl_vat or vat != invoice.total_vat:
                problems.append(f"{invoice.pk}: lines {net}+{vat}")
            if invoice.total_excl_vat + invoice.total_vat != invoice.total_incl_vat:
                problems.append(f"{invoice.pk}: total")
            if invoice.kind == Invoice.Kind.INVOICE:
                paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("applied_amount"))[
                    "s"
                ] or Decimal("0")
                credited = invoice.credit_notes.aggregate(s=Sum("total_incl_vat"))["s"] or Decimal(
                    "0"
                )
                # What a credit note could not take off the open balance went to the
                # client's credit balance; the rest moved paid/open into "credited".
                owed_back = ClientBalanceEntry.objects.filter(
                    invoice=invoice, kind=ClientBalanceEntry.Kind.CREDIT_NOTE
                ).aggregate(s=Sum("amount"))["s"] or Decimal("0")
                if invoice.paid_amount + invoice.credited_amount != paid + credited - owed_back:
                    problems.append(f"{invoice.pk}: paid/credited do not match the ledgers")
                if invoice.open_balance < 0:
                    problems.append(f"{invoice.pk}: negative balance")
    return problems


def test_dry_run_predicts_the_real_run_and_a_second_run_changes_nothing(seed):
    assert _balances() == []
    runs_before = RetentionRun.objects.count()
    dry = retention_run(dry_run=True, today=seed.today)
    assert RetentionRun.objects.count() == runs_before  # the dry run writes nothing
    assert DeletionLogEntry.objects.count() == 0
    with scopes_disabled():
        assert Interaction.objects.filter(customer=seed.ended_long_ago).exists()

    real = retention_run(today=seed.today)
    assert real.counts() == dry.counts()
    counts = real.counts()
    assert counts[("analytics_raw", "privacy.PageView", "delete")] == 1
    assert counts[("data_exports", "privacy.DataExport", "delete")] == 1
    assert counts[("privacy_requests", "privacy.PrivacyRequest", "delete")] == 1
    # ended customer's owner, the objector and the one who withdrew consent
    assert counts[("marketing_profile", "marketing.SegmentMembership", "delete")] == 3
    assert counts[("correspondence", "backoffice.Interaction", "delete")] == 1
    assert counts[("surveys", "backoffice.SurveyInvitation", "delete")] == 1
    assert counts[("access_log", "backoffice.AccessLogEntry", "delete")] == 1
    assert counts[("access_log", "backoffice.ElevatedSession", "delete")] == 1
    assert counts[("correspondence", "backoffice.LegalHold", "delete")] == 1
    assert counts[("correspondence", "backoffice.Complaint", "delete")] == 1
    # old invoice + its credit note (person buyer) and the old invoice with a contact person,
    # plus the lapsed person's invoice: all in the active company only (the other is held)
    assert counts[("bookkeeping_invoices", "invoicing.Invoice", "anonymise")] == 4
    assert counts[("bookkeeping_payments", "invoicing.Payment", "anonymise")] == 1
    assert counts[("bookkeeping_documents", "documents.StoredDocument", "delete")] == 1
    assert counts[("bookkeeping_clients", "customers.Client", "anonymise")] == 1
    assert counts[("audit_log", "core.AuditEntry", "anonymise")] >= 1

    # The log has the rule, model, counts and run id, and nothing personal.
    logged = {
        (e.rule, e.model, e.action): e.count
        for e in DeletionLogEntry.objects.filter(run_id=real.run_id)
    }
    assert logged == {key: n for key, n in counts.items() if n}

    again = retention_run(today=seed.today)
    assert again.total == 0, {k: n for k, n in again.counts().items() if n}
    assert _balances() == []


def test_after_the_run_the_expected_rows_are_gone_or_anonymised(seed):
    retention_run(today=seed.today)
    with scopes_disabled():
        old = Invoice.objects.get(pk=seed.rows["aktiv_old_person"].pk)
        assert old.buyer_snapshot["name"] == ANONYMISED_NAME
        assert old.buyer_snapshot["phone"] == ""
        assert old.buyer_snapshot["invoice_emails"] == []
        assert old.number == seed.rows["aktiv_old_person"].number
        assert old.total_incl_vat == seed.rows["aktiv_old_person"].total_incl_vat
        assert old.kid == seed.rows["aktiv_old_person"].kid
        credit_note = old.credit_notes.get()
        assert credit_note.buyer_snapshot["name"] == ANONYMISED_NAME
        # The SQL does exactly what the documented Python function describes.
        before = seed.rows["aktiv_old_person"].buyer_snapshot
        assert old.buyer_snapshot == anonymised_snapshot(before, seed.today)
        firm = Invoice.objects.get(pk=seed.rows["aktiv_old_firm"].pk)
        assert firm.buyer_snapshot == anonymised_snapshot(
            seed.rows["aktiv_old_firm"].buyer_snapshot, seed.today
        )
        assert firm.buyer_snapshot["contact_person"] == ""
        assert firm.buyer_snapshot["name"] == "aktiv AS"  # a company's name stays
        assert firm.their_reference == ""
        assert Payment.objects.get(invoice=old).reference == ""
        # The archived PDF printed the buyer: gone past the deadline, kept before it.
        assert not StoredDocument.objects.filter(invoice=old).exists()
        assert StoredDocument.objects.filter(invoice=seed.rows["aktiv_young_person"]).exists()
        assert StoredDocument.objects.filter(invoice=seed.rows["tvist_old_person"]).exists()

        # Younger than the deadline: untouched.
        young = Invoice.objects.get(pk=seed.rows["aktiv_young_person"].pk)
        assert young.buyer_snapshot["name"] == "aktiv Privat Person"
        assert Payment.objects.get(invoice=young).reference == "Ung betaling"
        assert young.invoice_date >= primary_cutoff(seed.today)
        # The person still invoiced keeps the client row; the lapsed one is anonymised.
        assert Client.objects.get(pk=seed.rows["aktiv_person_client"].pk).name != ANONYMISED_NAME
        gone = Client.objects.get(pk=seed.rows["aktiv_gone_client"].pk)
        assert (gone.name, gone.phone, gone.invoice_emails) == (ANONYMISED_NAME, "", "")

        # The legal hold held: the disputed customer's invoices, contacts and case remain.
        held = Invoice.objects.get(pk=seed.rows["tvist_old_person"].pk)
        assert held.buyer_snapshot["name"] == "tvist Privat Person"
        assert Payment.objects.get(invoice=held).reference == "Betalt av Privat Person"
        assert Interaction.objects.filter(customer=seed.held).count() == 1
        assert Complaint.objects.filter(pk=seed.rows["open_dispute"].pk).exists()
        assert LegalHold.objects.filter(customer=seed.held, released_at__isnull=True).exists()

        # Access log: 3 years, unless held; survey answers while the relationship lasts.
        assert set(AccessLogEntry.objects.values_list("customer__name", flat=True)) == {
            "Aktiv AS",
            "Tvist AS",
        }
        assert not ElevatedSession.objects.exists()
        assert list(SurveyInvitation.objects.values_list("customer", flat=True)) == [seed.active.pk]
        # Correspondence: gone a year after the relationship ended, kept before that.
        assert not Interaction.objects.filter(customer=seed.ended_long_ago).exists()
        assert not Complaint.objects.filter(customer=seed.ended_long_ago).exists()
        assert Interaction.objects.filter(customer=seed.ended_recently).count() == 1

        audit = AuditEntry.objects.filter(object_type="invoicing.invoice", object_id=str(old.pk))
        old_rows = [a for a in audit if a.created_at.year < primary_cutoff(seed.today).year]
        assert old_rows and all(a.redacted_at and a.data == {} for a in old_rows)
        # rows of this year (archiving the PDF today) are younger than their deadline
        assert any(a.redacted_at is None for a in audit)

    members = set(SegmentMembership.objects.values_list("user_id", flat=True))
    assert members == {seed.people["active"].pk, seed.people["held"].pk}
    assert PageView.objects.count() == 1
    assert DailyPageStat.objects.filter(page_views=1).count() == 1  # the day survives as a count
    assert DataExport.objects.count() == 1
    assert list(PrivacyRequest.objects.values_list("reference", flat=True)) == ["PV-100"]
    assert _balances() == []


def test_the_command_prints_per_rule_counts_and_the_dry_run_changes_nothing(seed):
    out = StringIO()
    call_command("retention_run", "--dry-run", f"--date={seed.today.isoformat()}", stdout=out)
    text = out.getvalue()
    assert "DRY RUN" in text
    assert "would anonymise" in text and "bookkeeping_invoices" in text
    assert PageView.objects.count() == 2
    out = StringIO()
    call_command("retention_run", f"--date={seed.today.isoformat()}", stdout=out)
    assert "anonymised" in out.getvalue()
    assert PageView.objects.count() == 1


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention_run", "--date=2026-13-40", stdout=StringIO())


def test_periods_follow_bokforingsloven():
    import datetime

    # Worked example (norway.md §2.1): 2026 → primary 31.12.2031, secondary 30.06.2030.
    assert primary_cutoff(datetime.date(2031, 12, 31)) == datetime.date(2026, 1, 1)
    assert primary_cutoff(datetime.date(2032, 1, 1)) == datetime.date(2027, 1, 1)
    assert secondary_cutoff(datetime.date(2030, 6, 30)) == datetime.date(2026, 1, 1)
    assert secondary_cutoff(datetime.date(2030, 7, 1)) == datetime.date(2027, 1, 1)


def test_the_sql_clears_every_column_of_invoice_cleared():
    # The SQL names each cleared column; a new one in INVOICE_CLEARED must be added there.
    import inspect

    from invoicing.retention import (
        CLEARED_SQL,
        INVOICE_CLEARED,
        _anonymise_invoices_sql,
        _anonymise_left_invoices_sql,
    )

    for function in (_anonymise_invoices_sql, _anonymise_left_invoices_sql):
        assert "CLEARED_SQL" in inspect.getsource(function)
    source = CLEARED_SQL
    for name, value in INVOICE_CLEARED.items():
        column = f"{name}_id = NULL" if value is None else f"{name} = ''"
        assert column in source, column
