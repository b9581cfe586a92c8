"""The invoice list and dashboard at scale, PostgreSQL only (issue 15).

Seeds, in SQL with ``generate_series`` (no Python per row): one big company with
``BENCH_SCALE_INVOICES`` issued invoices (default 1,000,000) over 2,000 clients, and
``BENCH_SCALE_SMALL`` small companies (default 500) with ``BENCH_SCALE_SMALL_INVOICES``
invoices each (default 200). Each generated invoice is a copy of a template invoice made
by ``bench_invoicing``'s seeding (snapshots, references), with its own number, date, due
date, client, KID, order number, status and paid amount; the generated invoices have no
lines or VAT rows (the list and the dashboards do not read them), and the number series
is left at 2 (the series guard allows only its next number; nothing is issued here).
60 % paid, 10 % partly paid, the rest open; dates over two years.

Then, logged in as the big company's owner, through Django's test client (whole
middleware stack and template): the list's first page, a client filter, a client-name
search, a reference search, the deepest page and the dashboard, against a bare view
through the same middleware (``bench.scale_urls``) in the same run.

Needs ``DATABASE_URL`` pointing at a scratch PostgreSQL database (it is migrated and
written to). Skipped on SQLite.
"""

from __future__ import annotations

import os
import time

from bench.bench_invoicing import _percentiles
from bench.database import plain_static_files, use_scratch_database

BIG = int(os.environ.get("BENCH_SCALE_INVOICES", "1000000"))
SMALL = int(os.environ.get("BENCH_SCALE_SMALL", "500"))
SMALL_INVOICES = int(os.environ.get("BENCH_SCALE_SMALL_INVOICES", "200"))
CLIENTS = 2000
ROUNDS = 30

# Columns overridden per generated row; every other column is copied from the template.
_GENERATED = {
    "number": "g + 1",  # number 1 is the template
    "invoice_date": "DATE '2024-12-01' + (g::bigint * 730 / %(n)s)::int",
    "delivery_date": "DATE '2024-12-01' + (g::bigint * 730 / %(n)s)::int",
    "due_date": "DATE '2024-12-01' + (g::bigint * 730 / %(n)s)::int + 14",
    "client_id": "(%(clients)s)[1 + g %% array_length(%(clients)s, 1)]",
    "kid": "lpad(g::text, 10, '0')",
    "order_number": "'PO-' || (g::bigint * 7 %% 99991)",
    "their_reference": "'Ref ' || (g %% 2000)",
    "status": (
        "CASE WHEN g %% 10 < 6 THEN 'paid' WHEN g %% 10 = 6 THEN 'partially_paid' "
        "WHEN g %% 10 < 9 THEN 'sent' ELSE 'issued' END"
    ),
    "paid_amount": (
        "CASE WHEN g %% 10 < 6 THEN t.total_incl_vat "
        "WHEN g %% 10 = 6 THEN round(t.total_incl_vat / 2, 2) ELSE 0 END"
    ),
}


def _copy_template(cursor, *, template_id: int, company_id: int, count: int, clients: str) -> None:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'invoicing_invoice' ORDER BY ordinal_position"
    )
    columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
    values = {"n": count, "clients": clients}
    select = []
    for column in columns:
        if column == "company_id":
            select.append(str(company_id))
        elif column in _GENERATED:
            select.append(_GENERATED[column] % values)
        else:
            select.append(f"t.{column}")
    cursor.execute(
        f"INSERT INTO invoicing_invoice ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM invoicing_invoice t, generate_series(1, {count}) g "
        f"WHERE t.id = {template_id}"
    )


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection

    database = use_scratch_database("bench_list_scale")
    if connection.vendor != "postgresql":
        return [("list at scale: PostgreSQL only (set DATABASE_URL)", "", "")]
    plain_static_files()
    call_command("migrate", verbosity=0)

    from django.db import transaction
    from django.test import Client as TestClient
    from django.test.utils import override_settings
    from django.urls import reverse
    from django_scopes import scopes_disabled

    import bench.bench_invoicing as small_seed
    from accounts.models import Company, Role
    from accounts.tests.factories import CompanyFactory, MembershipFactory
    from catalog.models import VatCode
    from customers.models import Client
    from invoicing.models import Invoice

    rows: list[tuple[str, str, str]] = []
    start = time.perf_counter()
    membership = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier")
    company, user = membership.company, membership.user
    with scopes_disabled():
        clients = Client.objects.bulk_create(
            [
                Client(
                    company=company,
                    number=1000 + n,
                    name=f"Kunde {n} {'AS' if n % 3 else 'ANS'}",
                    organization_number="988077917",
                    address_line=f"Gate {n}",
                    postcode="5003",
                    city="Bergen",
                    their_reference=f"Ref {n}",
                    payment_terms_days=14,
                )
                for n in range(CLIENTS)
            ]
        )
        codes = (VatCode.objects.get(code="3"), VatCode.objects.get(code="31"))
        small_seed.INVOICES = 1
        small_seed._seed(company, clients[:1], codes)  # the template invoice, number 1
        template = Invoice.objects.get(company=company)
        client_array = "ARRAY[" + ",".join(str(c.pk) for c in clients) + "]"
        with transaction.atomic(), connection.cursor() as cursor:
            _copy_template(
                cursor,
                template_id=template.pk,
                company_id=company.pk,
                count=BIG,
                clients=client_array,
            )
        big_s = time.perf_counter() - start

        start = time.perf_counter()
        small_companies = CompanyFactory.create_batch(SMALL)
        small_clients = Client.objects.bulk_create(
            [
                Client(company=c, number=1, name=f"Kunde av {c.name}", country="NO")
                for c in small_companies
            ]
        )
        with transaction.atomic(), connection.cursor() as cursor:
            for client in small_clients:
                _copy_template(
                    cursor,
                    template_id=template.pk,
                    company_id=client.company_id,
                    count=SMALL_INVOICES,
                    clients=f"ARRAY[{client.pk}]",
                )
        small_s = time.perf_counter() - start
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE invoicing_invoice")
            cursor.execute("VACUUM ANALYZE customers_client")
        vacuum_s = time.perf_counter() - start
        total = Invoice.objects.count()
        companies = Company.objects.count()
    rows.append((f"list at scale: seed big company ({BIG + 1} invoices, SQL)", f"{big_s:.1f}", "s"))
    rows.append(
        (f"list at scale: seed {SMALL} small companies x {SMALL_INVOICES}", f"{small_s:.1f}", "s")
    )
    rows.append(("list at scale: VACUUM ANALYZE", f"{vacuum_s:.1f}", "s"))
    rows.append((f"list at scale: {total} invoices in {companies} companies", "", ""))

    browser = TestClient(HTTP_HOST="localhost")
    browser.force_login(user)
    target = clients[123]
    with override_settings(ROOT_URLCONF="bench.scale_urls"):
        url = reverse("invoicing:list")

        def get(path: str, params: dict[str, str] | None = None):
            def call() -> None:
                response = browser.get(path, params or {})
                assert response.status_code == 200, (path, params, response.status_code)

            return call

        cases = [
            ("bare view (same middleware)", "/bench-bare/", {}),
            ("list first page", url, {}),
            ("list client filter", url, {"client": str(target.pk)}),
            ("list status open + client", url, {"status": "open", "client": str(target.pk)}),
            ("list search client name", url, {"q": "Kunde 1234 "}),
            ("list search reference", url, {"q": "PO-4242"}),
            ("list deepest page (200)", url, {"page": "200"}),
            ("list page 10000 (capped to 200)", url, {"page": "10000"}),
            ("dashboard", reverse("dashboard"), {}),
            ("client picker 'kunde 12'", reverse("customers:picker"), {"client_q": "kunde 12"}),
        ]
        bare_p50 = None
        for label, path, params in cases:
            p50, p95 = _percentiles(get(path, params), rounds=ROUNDS)
            if bare_p50 is None:
                bare_p50 = p50
            rows.append((f"scale {label}, p50 / p95", f"{p50:.1f} / {p95:.1f}", "ms"))
            rows.append((f"scale {label}, req/s vs bare", f"{100 * bare_p50 / p50:.0f}", "%"))
    rows.append((f"list at scale database: {database}", "", ""))
    return rows
