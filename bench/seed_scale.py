"""Seed a PostgreSQL database with millions of issued invoices, in SQL (issue 15).

Run it against a scratch database (it refuses one that already has invoices)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fn_scale_bench \\
        .venv/bin/python -m bench.seed_scale            # 4.5 M invoices (defaults below)
    ... -m bench.seed_scale --big 20000 --small-companies 50 --small-invoices 100

It migrates the database, then builds everything with ``INSERT ... SELECT`` over
``generate_series`` (no Python per row), in one transaction:

- one big company with ``--big`` invoices (default 1,000,000) over ``--big-clients``
  clients (2,000), whose owner can log in (``--owner-email``, password ``--password``);
- ``--big-products`` active products (2,000) in the big company's catalog, offered by an
  invoice line's product picker and sold by two in three of its invoice lines;
- ``--small-companies`` companies (7,000) with ``--small-invoices`` invoices each (500)
  over ``--small-clients`` clients (20); no users;
- per company: a number series whose next number follows the last invoice (numbers 1..n,
  gapless, in date order), invoicing settings (KID MOD10, 13 digits), clients with their
  snapshot data;
- per invoice: the realistic columns the list, search and dashboards read (dates over the
  two years up to today, due 14 days later, references, order number, KID with its check
  digit, seller and buyer snapshots as ``invoice_issue`` writes them), one line and one
  VAT line (25 %) whose amounts are the invoice's totals, and one payment for each paid
  or partly paid invoice (paid ``paid_amount``). Older invoices are nearly all paid; of
  the last 45 days' most are open. No credit notes, audit rows or stored documents;
- the dashboard's monthly summary (``MonthSummary``), the ledger's months
  (``LedgerMonth``), the sales report's months per client and product (``SalesMonth``)
  and the open receivables by due date (``OpenReceivable``) from those
  invoices and payments, with the statements of the migrations' backfills
  (``invoicing.summary_sql``).

The table's secondary indexes are dropped before the load and built again after it from
their own definitions (``pg_get_indexdef``), which is several times faster than keeping
them up to date row by row; the primary keys and unique constraints stay. The load runs
with ``session_replication_role = replica`` (so it needs a superuser): the guard triggers
of issued invoices and the foreign-key checks stand aside while the rows are written in an
order the triggers would refuse (lines of issued invoices); the SQL builds the rows
consistent, and ``bench/tests/test_seed_scale.py`` checks that at a small scale.
At the end ``VACUUM ANALYZE`` (visibility map for index-only scans, fresh statistics).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

SEEDED_TABLES = (
    "accounts_company",
    "customers_client",
    "invoicing_numberseries",
    "invoicing_invoicingsettings",
    "invoicing_invoice",
    "invoicing_invoiceline",
    "invoicing_invoicevatline",
    "invoicing_payment",
    "invoicing_monthsummary",
    "invoicing_ledgermonth",
    "invoicing_openreceivable",
)
# Tables whose secondary indexes are rebuilt after the load (the big ones).
REBUILT_TABLES = (
    "invoicing_invoice",
    "invoicing_invoiceline",
    "invoicing_invoicevatline",
    "invoicing_payment",
)
KID_PAYLOAD = 12  # + the MOD10 check digit = the settings' kid_length 13
TWO_YEARS = 730
RECENT_DAYS = 45  # invoices younger than this are mostly still open


@dataclass
class SeedResult:
    companies: int
    clients: int
    invoices: int
    lines: int
    payments: int
    big_company_id: int
    owner_email: str
    seconds: dict[str, float] = field(default_factory=dict)


class NotEmpty(RuntimeError):
    pass


def _q(cursor: Any, sql: str, params: Any = None) -> None:
    cursor.execute(sql, params)


def _sequence_block(cursor: Any, table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table``'s sequence; the first one."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return int(first)


def _secondary_indexes(cursor: Any, tables: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """(name, statements that build it again) of the indexes that back no constraint: its
    definition, then each column's statistics target a migration set (``ALTER INDEX ...
    SET STATISTICS``, invoicing 0037), which ``DROP INDEX`` loses with the index. Without
    them the planner of the seeded database estimated a search from another histogram than
    the migrated one's (101 entries instead of 1,001), not the production's estimate."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid),
            ARRAY(
                SELECT format('ALTER INDEX %%I ALTER COLUMN %%s SET STATISTICS %%s',
                    i.relname, a.attnum, a.attstattarget)
                FROM pg_attribute a
                WHERE a.attrelid = x.indexrelid AND a.attstattarget > 0
                ORDER BY a.attnum
            )
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return [(name, [definition, *targets]) for name, definition, targets in cursor.fetchall()]


# One company row per entry of seed_company; idx 0 is the big one (created with the ORM).
_COMPANIES = """
INSERT INTO accounts_company (
    id, name, organization_number, vat_registered, in_foretaksregisteret, address_line,
    postcode, city, country, bank_account, iban, bic, email, phone, website,
    require_two_factor, created_at, closed_at)
SELECT c.company_id, 'Småfirma ' || c.idx || ' AS', (900000000 + c.idx)::text, true, true,
    'Storgata ' || (1 + c.idx %% 200), lpad((1 + c.idx %% 9000)::text, 4, '0'), 'Oslo', 'NO',
    (15030000000 + c.idx)::text, '', '', 'post' || c.idx || '@firma.example',
    '2' || lpad(c.idx::text, 7, '0'),
    '', false, now() - interval '3 years', NULL
FROM seed_company c WHERE c.idx > 0
"""

_CLIENTS = """
INSERT INTO customers_client (
    id, company_id, number, kind, name, organization_number, address_line, address_line2,
    postcode, city, country, invoice_emails, phone, contact_person, their_reference,
    payment_terms_days, language, peppol_id, delivery_channel, notes, is_active,
    created_at, updated_at, price_display, vat_number)
SELECT c.client_first + k - 1, c.company_id, k,
    CASE WHEN k %% 10 = 0 THEN 'person' ELSE 'company' END,
    CASE WHEN k %% 10 = 0
         THEN (ARRAY['Kari','Ola','Ingrid','Lars','Nora','Jonas'])[1 + k %% 6] || ' '
            || (ARRAY['Hansen','Johansen','Olsen','Larsen','Berg','Dahl','Haugen'])[1 + k %% 7]
            || ' ' || k
         ELSE (ARRAY['Fjord','Nordlys','Vest','Berg','Havbris','Skog','Elv','Lofot','Tinde',
                     'Vik'])[1 + k %% 10]
            || (ARRAY['bygg','regnskap','elektro','transport','rør','maling','data',
                      'mat'])[1 + (k / 10) %% 8]
            || ' ' || k || ' AS' END,
    CASE WHEN k %% 10 = 0 THEN '' ELSE (800000000 + k)::text END,
    'Kundeveien ' || k, '', lpad((1 + k %% 9000)::text, 4, '0'), 'Bergen', 'NO',
    'faktura' || k || '@kunde.example', '', 'Kontakt ' || k, 'Ref ' || k, 14, 'nb', '',
    'email', '', true, now() - interval '3 years', now() - interval '3 years', 'auto', ''
FROM seed_company c, generate_series(1, c.clients) k
"""

_PRODUCTS = """
INSERT INTO catalog_product (
    number, name, description, unit, unit_price, is_active, created_at, updated_at,
    company_id, vat_code_id)
SELECT 'V' || lpad(k::text, 5, '0'),
    (ARRAY['Konsulenttime','Montering','Kabel','Rør','Maling','Lisens','Frakt','Kurs'])[1 + k %% 8]
        || ' ' || k,
    '', 'EA', 100 + k %% 900, true, now(), now(), %(company)s, %(vat_code)s
FROM generate_series(1, %(products)s) k
"""

_SERIES = """
INSERT INTO invoicing_numberseries (id, company_id, kind, first_number, next_number)
SELECT c.series_id, c.company_id, 'invoice', 1, c.invoices + 1 FROM seed_company c
"""

# g: invoice number within its company (1..n, in date order). h: a hash of it that
# decides client, status and amounts. Ids and the physical order of the rows follow the
# invoice date across all companies, as in production (a tenant's rows interleave with
# everyone else's); the inserts below read this table in that order.
_INVOICES = """
CREATE TEMP TABLE seed_invoice ON COMMIT DROP AS
SELECT %(invoice_first)s + row_number() OVER w - 1 AS id, *
FROM (
    SELECT c.company_id, c.series_id, c.owner_id, g AS number,
        c.client_first + (h %% c.clients) AS client_id,
        %(today)s::date - %(span)s + ((g - 1)::bigint * %(span)s / c.invoices)::int
            AS invoice_date,
        1 + h %% 40 AS quantity, 500 + (h * 37) %% 1000 AS unit_price, h
    FROM seed_company c,
         generate_series(1, c.invoices) g,
         LATERAL (SELECT ((g::bigint * 2654435761) %% 4294967291)::bigint AS h) hash
) plan
WINDOW w AS (ORDER BY invoice_date, company_id, number)
ORDER BY invoice_date, company_id, number
"""

_INVOICE_INSERT = """
INSERT INTO invoicing_invoice (
    id, kind, status, number, invoice_date, delivery_date, delivery_period_start,
    delivery_period_end, due_date, our_reference, their_reference, buyer_reference,
    order_number, currency, exchange_rate, free_text, seller_snapshot, buyer_snapshot,
    total_excl_vat, total_vat, total_incl_vat, total_vat_nok, kid, issued_at, paid_amount,
    credited_amount, sent_at, created_at, updated_at, client_id, company_id,
    credited_invoice_id, issued_by_id, series_id, is_prepayment, delivery_address,
    delivery_city, delivery_country, delivery_postcode)
SELECT i.id, 'invoice', s.status, i.number, i.invoice_date, i.invoice_date, NULL, NULL,
    i.invoice_date + 14, 'Olga Eier', cl.their_reference,
    CASE WHEN i.h %% 3 = 0 THEN 'Avd ' || (i.h %% 97) ELSE '' END,
    'PO-' || (i.h %% 99991), 'NOK', 1, '',
    jsonb_build_object(
        'name', co.name, 'organization_number', co.organization_number,
        'organization_number_display', 'Org.nr ' || substr(co.organization_number, 1, 3)
            || ' ' || substr(co.organization_number, 4, 3) || ' '
            || substr(co.organization_number, 7, 3) || ' MVA Foretaksregisteret',
        'vat_registered', co.vat_registered, 'in_foretaksregisteret', co.in_foretaksregisteret,
        'address_line', co.address_line, 'postcode', co.postcode, 'city', co.city,
        'country', co.country, 'bank_account', co.bank_account,
        'bank_account_display', substr(co.bank_account, 1, 4) || '.'
            || substr(co.bank_account, 5, 2) || '.' || substr(co.bank_account, 7, 5),
        'iban', co.iban, 'bic', co.bic, 'email', co.email, 'phone', co.phone,
        'website', co.website,
        'payment_note', 'Ved for sen betaling beregnes forsinkelsesrente etter '
            || 'forsinkelsesrenteloven.'),
    jsonb_build_object(
        'client_number', cl.number, 'kind', cl.kind, 'name', cl.name,
        'organization_number', cl.organization_number, 'vat_number', cl.vat_number,
        'vat_registered', false, 'address_line', cl.address_line,
        'address_line2', cl.address_line2, 'postcode', cl.postcode, 'city', cl.city,
        'country', cl.country, 'contact_person', cl.contact_person,
        'invoice_emails', jsonb_build_array(cl.invoice_emails), 'phone', cl.phone,
        'peppol_id', cl.peppol_id, 'language', cl.language,
        'delivery_channel', cl.delivery_channel, 'prices_incl_vat', cl.kind = 'person'),
    a.net, a.vat, a.net + a.vat, a.vat,
    pg_temp.seed_mod10(cl.number::text
        || lpad(i.number::text, %(payload)s - length(cl.number::text), '0')),
    i.invoice_date + time '09:00',
    CASE s.status WHEN 'paid' THEN a.net + a.vat
                  WHEN 'partially_paid' THEN round((a.net + a.vat) / 2, 2) ELSE 0 END,
    0,
    CASE WHEN s.status = 'issued' THEN NULL ELSE i.invoice_date + time '09:05' END,
    i.invoice_date + time '08:30', i.invoice_date + time '09:05',
    i.client_id, i.company_id, NULL, i.owner_id, i.series_id, false, '', '', '', ''
FROM seed_invoice i
JOIN accounts_company co ON co.id = i.company_id
JOIN customers_client cl ON cl.id = i.client_id,
LATERAL (SELECT (i.quantity * i.unit_price)::numeric(14, 2) AS net,
                round(i.quantity * i.unit_price * 0.25, 2) AS vat) a,
LATERAL (SELECT CASE
    WHEN i.invoice_date < %(today)s::date - %(recent)s THEN
        CASE i.h %% 50 WHEN 0 THEN 'sent' WHEN 1 THEN 'partially_paid' ELSE 'paid' END
    ELSE CASE WHEN i.h %% 10 < 4 THEN 'paid' WHEN i.h %% 10 = 4 THEN 'partially_paid'
              WHEN i.h %% 10 < 8 THEN 'sent' ELSE 'issued' END
    END AS status) s
"""

# Two in three of the big company's lines sell one of its products (the hash picks which),
# the rest none, as a free-text line: the sales report per product groups them.
_LINES = """
INSERT INTO invoicing_invoiceline (
    id, company_id, invoice_id, position, description, item_number, quantity, unit,
    unit_price, discount_percent, period_start, period_end, net_amount, vat_category,
    vat_rate, credited_line_id, product_id, vat_code_id, credited_by_amount)
SELECT nextval(pg_get_serial_sequence('invoicing_invoiceline', 'id')), i.company_id, i.id, 1,
    coalesce(p.name, 'Konsulentbistand'), coalesce(p.number, ''), i.quantity, 'HUR',
    i.unit_price, 0, NULL, NULL, i.quantity * i.unit_price, 'S', 25.00, NULL, p.id,
    %(vat_code)s, false
FROM seed_invoice i
LEFT JOIN (SELECT id, name, number, row_number() OVER (ORDER BY id) - 1 AS k
           FROM catalog_product WHERE company_id = %(company)s) p
    ON i.company_id = %(company)s AND i.h %% 3 <> 0
       AND p.k = i.h / 3 %% nullif(%(products)s, 0)
"""

_VAT_LINES = """
INSERT INTO invoicing_invoicevatline (
    id, company_id, invoice_id, vat_category, vat_rate, basis, vat, vat_nok, vat_codes,
    exemption_reason_code, exemption_reason, invoice_text)
SELECT nextval(pg_get_serial_sequence('invoicing_invoicevatline', 'id')), i.company_id, i.id,
    'S', 25.00, i.quantity * i.unit_price, round(i.quantity * i.unit_price * 0.25, 2),
    round(i.quantity * i.unit_price * 0.25, 2), '["3"]'::jsonb, '', '', ''
FROM seed_invoice i
"""

_PAYMENTS = """
INSERT INTO invoicing_payment (
    id, company_id, invoice_id, date, amount, applied_amount, to_credit_amount, method,
    reference, note, created_at, created_by_id, reverses_id)
SELECT nextval(pg_get_serial_sequence('invoicing_payment', 'id')), v.company_id, v.id,
    least(v.invoice_date + 3 + (v.id %% 20)::int, %(today)s::date), v.paid_amount,
    v.paid_amount, 0, 'kid', v.kid, '',
    least(v.invoice_date + 3 + (v.id %% 20)::int, %(today)s::date) + time '12:00',
    NULL, NULL
FROM invoicing_invoice v JOIN seed_company c ON c.company_id = v.company_id
WHERE v.paid_amount > 0
"""

_MOD10 = """
CREATE FUNCTION pg_temp.seed_mod10(payload text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT payload || ((10 - sum(CASE WHEN i % 2 = 1
                                      THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END) % 10) % 10)::text
    FROM (SELECT substr(reverse(payload), i, 1)::int AS d, i
          FROM generate_series(1, length(payload)) i) digits
$$
"""


def seed(
    *,
    big: int = 1_000_000,
    big_clients: int = 2_000,
    big_products: int = 2_000,
    small_companies: int = 7_000,
    small_invoices: int = 500,
    small_clients: int = 20,
    owner_email: str = "eier@stor.example",
    password: str | None = None,
    today: datetime.date | None = None,
    log: Any = None,
) -> SeedResult:
    """Seed the (migrated, invoice-free) PostgreSQL database; see the module docstring."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Company, Membership, Role, User
    from catalog.models import VatCode
    from core.identifiers import KidMethod
    from invoicing import summary_sql
    from invoicing.models import Invoice, InvoicingSettings

    if connection.vendor != "postgresql":
        raise RuntimeError("bench.seed_scale needs PostgreSQL (set DATABASE_URL).")
    today = today or timezone.localdate()
    say = log or (lambda message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str, cursor: Any, sql: str, params: dict[str, Any] | None = None) -> int:
        begin = time.perf_counter()
        cursor.execute(sql, params or {})
        timings[name] = time.perf_counter() - begin
        say(f"{name}: {cursor.rowcount} rows, {timings[name]:.1f} s")
        return int(cursor.rowcount)

    with scopes_disabled(), transaction.atomic():
        if Invoice.objects.exists():
            raise NotEmpty(
                "The database already has invoices: bench.seed_scale seeds an empty scratch "
                "database only (drop and create it again, or reuse it as it is)."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise RuntimeError(
                    "bench.seed_scale needs a PostgreSQL superuser (it sets "
                    "session_replication_role to load issued invoices with their lines)."
                )
        big_company = Company.objects.create(
            name="Stor Faktura AS",
            organization_number="999888777",
            address_line="Bryggen 1",
            postcode="5003",
            city="Bergen",
            bank_account="15036012345",
            email="post@stor.example",
            vat_registered=True,
            in_foretaksregisteret=True,
        )
        owner = User.objects.create_user(owner_email, password, full_name="Olga Eier")
        Membership.objects.create(company=big_company, user=owner, role=Role.OWNER)
        vat_code = VatCode.objects.get(code="3")
        with connection.cursor() as cursor:
            companies = 1 + small_companies
            total_invoices = big + small_companies * small_invoices
            total_clients = big_clients + small_companies * small_clients
            company_first = _sequence_block(cursor, "accounts_company", small_companies)
            client_first = _sequence_block(cursor, "customers_client", total_clients)
            invoice_first = _sequence_block(cursor, "invoicing_invoice", total_invoices)
            series_first = _sequence_block(cursor, "invoicing_numberseries", companies)
            _q(
                cursor,
                """
                CREATE TEMP TABLE seed_company ON COMMIT DROP AS
                SELECT idx,
                    CASE WHEN idx = 0 THEN %(big_id)s ELSE %(company_first)s + idx - 1 END
                        AS company_id,
                    CASE WHEN idx = 0 THEN %(owner)s END AS owner_id,
                    CASE WHEN idx = 0 THEN %(big)s ELSE %(small)s END AS invoices,
                    CASE WHEN idx = 0 THEN %(big_clients)s ELSE %(small_clients)s END AS clients,
                    %(series_first)s + idx AS series_id,
                    %(client_first)s + CASE WHEN idx = 0 THEN 0
                        ELSE %(big_clients)s + (idx - 1) * %(small_clients)s END AS client_first
                FROM generate_series(0, %(n)s) idx
                """,
                {
                    "big_id": big_company.pk,
                    "company_first": company_first,
                    "owner": owner.pk,
                    "big": big,
                    "small": small_invoices,
                    "big_clients": big_clients,
                    "small_clients": small_clients,
                    "series_first": series_first,
                    "client_first": client_first,
                    "n": small_companies,
                },
            )
            _q(cursor, "SET LOCAL session_replication_role = replica")
            _q(cursor, "SET LOCAL maintenance_work_mem = '512MB'")
            _q(cursor, "SET LOCAL work_mem = '64MB'")
            _q(cursor, _MOD10)
            indexes = _secondary_indexes(cursor, REBUILT_TABLES)
            begin = time.perf_counter()
            for name, _statements in indexes:
                _q(cursor, f'DROP INDEX "{name}"')
            timings["drop indexes"] = time.perf_counter() - begin
            step("companies", cursor, _COMPANIES)
            step("clients", cursor, _CLIENTS)
            step(
                "products",
                cursor,
                _PRODUCTS,
                {"company": big_company.pk, "vat_code": vat_code.pk, "products": big_products},
            )
            step("number series", cursor, _SERIES)
            params = {
                "today": today,
                "span": TWO_YEARS,
                "recent": RECENT_DAYS,
                "payload": KID_PAYLOAD,
                "vat_code": vat_code.pk,
                "invoice_first": invoice_first,
                "company": big_company.pk,
                "products": big_products,
            }
            step("invoice plan (temp table)", cursor, _INVOICES, params)
            _q(cursor, "ANALYZE seed_invoice")
            invoices = step("invoices", cursor, _INVOICE_INSERT, params)
            lines = step("lines", cursor, _LINES, params)
            step("VAT lines", cursor, _VAT_LINES, params)
            payments = step("payments", cursor, _PAYMENTS, params)
            begin = time.perf_counter()
            summary_sql.rebuild(cursor, connection.vendor)  # the migration's backfill
            timings["monthly summary"] = time.perf_counter() - begin
            say(f"monthly summary: {timings['monthly summary']:.1f} s")
            begin = time.perf_counter()
            summary_sql.ledger_rebuild(cursor, connection.vendor)  # the same, the ledger's
            timings["ledger months"] = time.perf_counter() - begin
            say(f"ledger months: {timings['ledger months']:.1f} s")
            begin = time.perf_counter()
            summary_sql.sales_rebuild(cursor, connection.vendor)  # the sales report's months
            timings["sales months"] = time.perf_counter() - begin
            say(f"sales months: {timings['sales months']:.1f} s")
            begin = time.perf_counter()
            summary_sql.open_rebuild(cursor, connection.vendor)  # the open receivables
            timings["open receivables"] = time.perf_counter() - begin
            say(f"open receivables: {timings['open receivables']:.1f} s")
            begin = time.perf_counter()
            for name, statements in indexes:
                index_begin = time.perf_counter()
                for statement in statements:
                    _q(cursor, statement)
                say(f"index {name}: {time.perf_counter() - index_begin:.1f} s")
            timings["build indexes"] = time.perf_counter() - begin
            _q(cursor, "SET LOCAL session_replication_role = origin")
        InvoicingSettings.objects.bulk_create(
            [
                InvoicingSettings(
                    company_id=company_id, kid_method=KidMethod.MOD10, kid_length=KID_PAYLOAD + 1
                )
                for company_id in [
                    big_company.pk,
                    *range(company_first, company_first + small_companies),
                ]
            ],
            batch_size=2000,
        )
    begin = time.perf_counter()
    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            # VACUUM sets the visibility map that index-only scans need; it cannot run in a
            # transaction (a test's), where ANALYZE alone keeps the statistics right.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} {table}")
    timings["vacuum analyze"] = time.perf_counter() - begin
    timings["total"] = time.perf_counter() - started
    say(f"VACUUM ANALYZE: {timings['vacuum analyze']:.1f} s; total {timings['total']:.1f} s")
    return SeedResult(
        companies=companies,
        clients=total_clients,
        invoices=invoices,
        lines=lines,
        payments=payments,
        big_company_id=big_company.pk,
        owner_email=owner_email,
        seconds=timings,
    )


def database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return str(cursor.fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed_scale",
        description="Seed an empty scratch PostgreSQL database (DATABASE_URL) with "
        "millions of issued invoices. See bench/seed_scale.py.",
    )
    parser.add_argument("--big", type=int, default=1_000_000, help="invoices of the big company")
    parser.add_argument("--big-clients", type=int, default=2_000)
    parser.add_argument("--big-products", type=int, default=2_000)
    parser.add_argument("--small-companies", type=int, default=7_000)
    parser.add_argument(
        "--small-invoices", type=int, default=500, help="invoices per small company"
    )
    parser.add_argument("--small-clients", type=int, default=20)
    parser.add_argument("--owner-email", default="eier@stor.example")
    parser.add_argument("--password", default=None, help="the owner's password (default: none)")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a scratch PostgreSQL database.", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fakturanett.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        result = seed(
            big=args.big,
            big_clients=args.big_clients,
            big_products=args.big_products,
            small_companies=args.small_companies,
            small_invoices=args.small_invoices,
            small_clients=args.small_clients,
            owner_email=args.owner_email,
            password=args.password,
            log=lambda message: print(message, flush=True),
        )
    except NotEmpty as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"Seeded {result.invoices} invoices ({result.lines} lines, {result.payments} payments) "
        f"in {result.companies} companies with {result.clients} clients in "
        f"{result.seconds['total']:.0f} s; big company id {result.big_company_id}, owner "
        f"{result.owner_email}; database size {database_size()}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
