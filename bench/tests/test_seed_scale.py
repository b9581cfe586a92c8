"""bench.seed_scale at a tiny scale: the SQL builds data the application would have built.

PostgreSQL only (the seeder is); the benchmark itself runs it at 4.5 M invoices, never
the tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django_scopes import scopes_disabled

from bench.seed_scale import NotEmpty, seed
from core.identifiers import kid_mod10

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the seeder is PostgreSQL SQL"),
]

TODAY = datetime.date(2026, 12, 3)


def _seed():
    return seed(
        big=120,
        big_clients=7,
        big_products=5,
        small_companies=2,
        small_invoices=40,
        small_clients=3,
        owner_email="eier@stor.example",
        password="Hemmelig-passord-42",
        today=TODAY,
    )


def test_seeded_data_is_consistent_and_listed(client):
    from accounts.models import Company, User
    from catalog.models import Product
    from invoicing.models import (
        Invoice,
        InvoiceLine,
        InvoiceVatLine,
        LedgerMonth,
        MonthSummary,
        NumberSeries,
        OpenReceivable,
        Payment,
    )
    from invoicing.selectors import (
        ledger_month_differences,
        month_summary_differences,
        open_receivable_differences,
        sales_month_differences,
    )

    targets = _statistics_targets()
    result = _seed()

    assert (result.companies, result.invoices, result.payments > 0) == (3, 200, True)
    with scopes_disabled():
        assert Company.objects.count() == 3
        per_company = (
            Invoice.objects.values("company")
            .annotate(n=Count("id"), low=Min("number"), high=Max("number"))
            .order_by("-n")
        )
        assert [row["n"] for row in per_company] == [120, 40, 40]
        for row in per_company:
            # Gapless 1..n, and the series continues right after the last number.
            numbers = list(
                Invoice.objects.filter(company=row["company"])
                .order_by("number")
                .values_list("number", flat=True)
            )
            assert numbers == list(range(1, row["n"] + 1))
            series = NumberSeries.objects.get(company=row["company"], kind="invoice")
            assert series.next_number == row["n"] + 1
        assert not Invoice.objects.filter(status="draft").exists()
        for invoice in Invoice.objects.select_related("client"):
            lines = InvoiceLine.objects.filter(invoice=invoice)
            vat_lines = InvoiceVatLine.objects.filter(invoice=invoice)
            net = lines.aggregate(s=Sum("net_amount"))["s"]
            vat = vat_lines.aggregate(s=Sum("vat"))["s"]
            assert invoice.total_excl_vat == net == vat_lines.aggregate(s=Sum("basis"))["s"]
            assert invoice.total_vat == vat == (net * Decimal("0.25")).quantize(Decimal("0.01"))
            assert invoice.total_incl_vat == net + vat
            assert lines.get().company_id == invoice.company_id == invoice.client.company_id
            assert invoice.buyer_snapshot["name"] == invoice.client.name
            assert invoice.kid == kid_mod10(invoice.kid[:-1])
            assert invoice.due_date == invoice.invoice_date + datetime.timedelta(days=14)
            assert invoice.invoice_date <= TODAY
            paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]
            assert (paid or Decimal(0)) == invoice.paid_amount
            expected = {
                Decimal(0): {"issued", "sent"},
                invoice.total_incl_vat: {"paid"},
            }.get(invoice.paid_amount, {"partially_paid"})
            assert invoice.status in expected
        # The big company's lines sell its products, two in three; the others' none.
        big_lines = InvoiceLine.objects.filter(company_id=result.big_company_id)
        with_product = big_lines.filter(product__isnull=False)
        assert 60 <= with_product.count() <= 100
        assert with_product.values("product").distinct().count() == 5
        assert all(
            line.description == line.product.name and line.item_number == line.product.number
            for line in with_product.select_related("product")
        )
        assert not InvoiceLine.objects.exclude(company_id=result.big_company_id).filter(
            product__isnull=False
        )
        statuses = set(Invoice.objects.values_list("status", flat=True))
        assert {"paid", "sent"} <= statuses
        # The dashboard's monthly summary and open receivables and the ledger's months
        # are filled, as the documents and payments say.
        assert MonthSummary.objects.filter(company_id=result.big_company_id).count() >= 12
        assert month_summary_differences() == []
        assert LedgerMonth.objects.filter(company_id=result.big_company_id).count() >= 12
        assert ledger_month_differences() == []
        assert OpenReceivable.objects.filter(company_id=result.big_company_id).exists()
        assert open_receivable_differences() == []
        assert sales_month_differences() == []

    owner = User.objects.get(email="eier@stor.example")
    assert owner.check_password("Hemmelig-passord-42")
    client.force_login(owner)
    response = client.get(reverse("invoicing:list"))
    assert response.status_code == 200
    with scopes_disabled():
        newest = Invoice.objects.filter(company_id=result.big_company_id).order_by("-number")[0]
    assert newest.number == 120
    assert str(newest.client.name) in response.content.decode()
    assert response.context["page"].count == 120
    assert response.context["page"].object_list[0].pk == newest.pk
    # The big company's catalog is in an invoice line's product picker.
    picker = client.get(reverse("catalog:picker")).content.decode()
    with scopes_disabled():
        products = Product.objects.filter(company_id=result.big_company_id, is_active=True)
        assert products.count() == 5 == Product.objects.count()
        assert all(f'data-pick="{pk}"' in picker for pk in products.values_list("pk", flat=True))
    # The secondary indexes were built again after the load.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'invoice_open_cover'")
        assert cursor.fetchone() is not None
    # With the statistics targets the migrations set: the planner's estimates of a search
    # come from the same histogram as in production.
    assert ("invoice_references_joined_trgm", 1, 1000) in targets
    assert _statistics_targets() == targets


def _statistics_targets() -> set[tuple[str, int, int]]:
    """(index, column, target) of every index column given its own statistics target."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attnum, a.attstattarget FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_index x ON x.indexrelid = c.oid"
            " WHERE a.attstattarget > 0"
        )
        return set(cursor.fetchall())


def test_refuses_a_database_with_invoices():
    _seed()
    with pytest.raises(NotEmpty):
        _seed()
