"""invoicing/0020 creates the dashboard's monthly summary, 0028 the ledger's monthly
totals and 0034 the sales report's months per client and product, and each fills it from
the documents and payments already stored: the same figures as the services keep from then
on."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from invoicing import selectors
from invoicing.models import LedgerMonth, MonthSummary, SalesMonth
from invoicing.tests.test_month_summary import (
    _exact_ledger_months,
    _exact_months,
    _history,
    _stored_ledger_months,
    _stored_months,
)

BEFORE = [("invoicing", "0019_guards_bound_to_the_transaction")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_summary_from_what_is_stored(company, other_company):
    today = timezone.localdate()
    for tenant in (company, other_company):
        with scope(company=tenant):
            _history(tenant, today)
    kept = {tenant.pk: _stored_months(tenant) for tenant in (company, other_company)}
    ledger = {tenant.pk: _stored_ledger_months(tenant) for tenant in (company, other_company)}
    assert all(len(months) >= 4 for months in kept.values())
    assert all(len(months) >= 4 for months in ledger.values())
    with scopes_disabled():
        sales = sorted(SalesMonth.objects.values_list("company", "dimension", "item", "month"))
    assert len(sales) >= 8

    _migrate(BEFORE)  # the tables are gone with their rows
    tables = connection.introspection.table_names()
    assert MonthSummary._meta.db_table not in tables
    assert LedgerMonth._meta.db_table not in tables
    assert SalesMonth._meta.db_table not in tables
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    for tenant in (company, other_company):
        assert _stored_months(tenant) == kept[tenant.pk] == _exact_months(tenant)
        assert _stored_ledger_months(tenant) == ledger[tenant.pk] == _exact_ledger_months(tenant)
    assert not selectors.sales_month_differences()
    with scopes_disabled():
        assert MonthSummary.objects.count() == sum(len(months) for months in kept.values())
        assert sorted(SalesMonth.objects.values_list("company", "dimension", "item", "month")) == (
            sales
        )
