"""Every app page at scale, slowest first: a sweep for the page nobody measured (issue 15).

On the database ``bench.seed_scale`` built (PostgreSQL; seed it first, e.g. with
``python -m bench.seed_scale``), logged in as the big company's owner (1 M invoices,
2,000 clients), through Django's test client: every ``/app/`` and ``/account/`` page
that a GET can open without parameters, plus the detail pages of one client and one
paid invoice (the ``<int:pk>`` and ``<int:invoice_pk>`` routes get their ids; routes
with other parameters are left out), and no download (PDF, EHF, CSV, SAF-T, exports);
and the other views of a page that its query string chooses (``VIEWS``: the sales
report per client and per product).
Each page: one warm-up, then the median of ``BENCH_PAGES_ROUNDS`` requests (default 3)
and the queries of one request. The table lists the ``BENCH_PAGES_TOP`` slowest
(default 25). A page's status is shown as well: a 405 (a form's action) or 404 (an id
of another kind) is listed, not an error.

The 2026-12-04 sweep found the send batch form at 2.1 s (``invoicing/0026``) and the
ageing drill-down at 0.39 s (``bench/RESULTS.md``, session 11).

Needs ``DATABASE_URL`` pointing at the seeded scratch database. Skipped otherwise.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

from bench.bench_list_scale import OWNER_EMAIL
from bench.database import plain_static_files, use_scratch_database

ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", "3"))
TOP = int(os.environ.get("BENCH_PAGES_TOP", "25"))
SKIPPED_WORDS = ("logout", "export", "download", "pdf", "ehf", ".csv", "saft/", "image")
# A page's other views, chosen by its query string (the plain path is its default view).
VIEWS = {"/app/reports/sales/": ("by=client", "by=product")}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _pages(ids: dict[str, str]) -> list[str]:
    """The app's GET-able paths: ``ids`` fill their parameters; others are left out."""
    from django.urls import get_resolver

    pages = []
    for route in sorted(set(_routes(get_resolver().url_patterns))):
        path = "/" + route
        for parameter, value in ids.items():
            path = path.replace(parameter, value)
        if not path.startswith(("/app/", "/account/")) or "<" in path:
            continue
        if any(word in path for word in SKIPPED_WORDS):
            continue
        pages.append(path)
        pages += [f"{path}?{query}" for query in VIEWS.get(path, ())]
    return pages


def run() -> list[tuple[str, str, str]]:
    from django.db import connection

    use_scratch_database("bench_pages_scale")
    if connection.vendor != "postgresql":
        return [("pages at scale: PostgreSQL only (set DATABASE_URL)", "", "")]
    plain_static_files()

    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from accounts.models import User
    from customers.models import Client
    from invoicing.models import Invoice

    with scopes_disabled():
        user = User.objects.filter(email=OWNER_EMAIL).first()
        if user is None:
            return [("pages at scale: seed first (python -m bench.seed_scale)", "", "")]
        company_id = user.memberships.get().company_id
        client = Client.objects.filter(company_id=company_id).order_by("number").first()
        invoice = (
            Invoice.objects.filter(company_id=company_id, status=Invoice.Status.PAID)
            .order_by("-id")
            .first()
        )
    assert client is not None and invoice is not None
    browser = TestClient(HTTP_HOST="localhost")
    browser.force_login(user)
    # 404s and 405s of routes that need another kind of id or a POST are expected here.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    measured = []
    for path in _pages({"<int:pk>": str(client.pk), "<int:invoice_pk>": str(invoice.pk)}):
        browser.get(path)
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = browser.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            browser.get(path)
        measured.append(
            (statistics.median(timings), path, response.status_code, len(queries.captured_queries))
        )
    measured.sort(reverse=True)
    rows = [(f"pages at scale: {len(measured)} pages, median of {ROUNDS}", "", "")]
    for milliseconds, path, status, query_count in measured[:TOP]:
        rows.append((f"page {path} ({status}, {query_count} queries)", f"{milliseconds:.1f}", "ms"))
    return rows
