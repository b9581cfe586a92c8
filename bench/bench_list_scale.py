"""The invoice list and dashboard at scale, PostgreSQL only (issue 15).

The data comes from ``bench.seed_scale`` (SQL, ``generate_series``; see its docstring):
by default 4.5 M issued invoices, one big company with ``BENCH_SCALE_INVOICES``
(1,000,000) over 2,000 clients and ``BENCH_SCALE_SMALL`` small companies (7,000) with
``BENCH_SCALE_SMALL_INVOICES`` each (500). Seeding takes minutes to tens of minutes on a
shared machine, so it is done once: with ``BENCH_SCALE_REUSE=1`` the bench measures the
database as it is (seeded before, by this bench or by ``python -m bench.seed_scale``).

Then, logged in as the big company's owner, through Django's test client (whole
middleware stack and template, one database connection): the list's first page, a client
filter, text searches, the deepest page and page 10,000 (served as the deepest, with the
cap message), the API's invoice list (``/api/v1/invoices/``, session of the same owner:
first page, searches, a search's last page (page 201 when it is capped), the deepest
page and page 10,000, a 404), the
dashboard and the client picker, against a bare view through the same
middleware (``bench.scale_urls``) in the same run. p50, p95 and the slowest of
``BENCH_SCALE_ROUNDS`` requests (default 50; the dashboard ``BENCH_SCALE_DASHBOARD_ROUNDS``,
10) after 3 warm-ups, and requests per second (rounds / their total time) as a share of
the bare view's, measured interleaved: one bare request before each of the case's, so
that a machine whose load changes during the run weighs on both alike.
``BENCH_SCALE_ONLY=first page,search`` runs only the cases whose label contains one of
the parts, in any letter case (and the bare view).

Then the same cases over HTTP ("http ..."), against the site as ``make run`` serves it
(gunicorn, one sync worker here, ``bench.settings_http``) with the same browser's cookies,
a new connection per request as a sync worker wants: what a server's requests per second
are, where the test client's figures leave out the HTTP server and the WSGI request.
``BENCH_SCALE_HTTP=0`` skips them.

Needs ``DATABASE_URL`` pointing at a scratch PostgreSQL database. Skipped on SQLite.
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from bench.database import plain_static_files, use_scratch_database

BIG = int(os.environ.get("BENCH_SCALE_INVOICES", "1000000"))
SMALL = int(os.environ.get("BENCH_SCALE_SMALL", "7000"))
SMALL_INVOICES = int(os.environ.get("BENCH_SCALE_SMALL_INVOICES", "500"))
REUSE = os.environ.get("BENCH_SCALE_REUSE") == "1"
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "50"))
# The dashboard takes seconds at 1 M invoices: fewer rounds keep the run short.
DASHBOARD_ROUNDS = int(os.environ.get("BENCH_SCALE_DASHBOARD_ROUNDS", "10"))
# Comma-separated parts of case labels to run (default: all), e.g. "bare,first page".
ONLY = [part.strip().lower() for part in os.environ.get("BENCH_SCALE_ONLY", "").split(",")]
ONLY = [part for part in ONLY if part]
# Measure the cases over HTTP too, against gunicorn (``_gunicorn``); "0" skips that.
HTTP = os.environ.get("BENCH_SCALE_HTTP", "1") != "0"
OWNER_EMAIL = "eier@stor.example"


def _measure(
    func: Callable[[], object], rounds: int, bare: Callable[[], object] | None = None
) -> tuple[float, float, float, float, float, float]:
    """p50, p95 and max in ms, requests per second (``rounds`` calls after 3 warm-ups), the
    median of this process's CPU ms per call (steadier than wall time when the machine's
    cores are shared; the database server's work is not in it) and, with ``bare``, the
    bare view's requests per second measured interleaved with these calls (one bare call
    before each), so that the ratio compares both under the same load."""
    for _ in range(3):
        func()
    timings, cpus, bare_timings = [], [], []
    for _ in range(rounds):
        if bare is not None:
            start = time.perf_counter()
            bare()
            bare_timings.append(time.perf_counter() - start)
        start, cpu = time.perf_counter(), time.process_time()
        func()
        cpus.append((time.process_time() - cpu) * 1000)
        timings.append((time.perf_counter() - start) * 1000)
    per_second = rounds / (sum(timings) / 1000)
    bare_per_second = rounds / sum(bare_timings) if bare_timings else per_second
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return (
        statistics.median(timings),
        p95,
        timings[-1],
        per_second,
        statistics.median(cpus),
        bare_per_second,
    )


def _measure_cases(
    prefix: str,
    cases: list[tuple[str, str, dict[str, str]]],
    request: Callable[[str, dict[str, str], int], Callable[[], object]],
) -> list[tuple[str, str, str]]:
    """The table's rows for ``cases`` (the bare view first) requested through ``request``
    (the case's path, parameters and expected status; returns the call to time)."""
    rows: list[tuple[str, str, str]] = []
    bare_call = request(cases[0][1], cases[0][2], 200)
    for index, (label, path, params) in enumerate(cases):
        if ONLY and index and not any(part in label.lower() for part in ONLY):
            continue
        rounds = DASHBOARD_ROUNDS if label == "dashboard" else ROUNDS
        status = 404 if "(404)" in label else 200
        p50, p95, slowest, rate, cpu, bare_rate = _measure(
            request(path, params, status), rounds, bare_call if index else None
        )
        rows.append(
            (f"{prefix} {label}, p50 / p95 / max", f"{p50:.1f} / {p95:.1f} / {slowest:.0f}", "ms")
        )
        if prefix == "scale":
            rows.append((f"{prefix} {label}, CPU of this process, median", f"{cpu:.1f}", "ms"))
        rows.append(
            (
                f"{prefix} {label}, req/s (% of bare, interleaved)",
                f"{rate:.1f} ({100 * rate / bare_rate:.0f} %)",
                "",
            )
        )
    return rows


@contextmanager
def _gunicorn() -> Iterator[tuple[str, int]]:
    """The site served as ``make run`` serves it (gunicorn, here one sync worker, so one
    request at a time as with the test client) on a free port, with ``bench.settings_http``
    and this process's ``DATABASE_URL``; stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        *(sys.executable, "-m", "gunicorn", "fakturanett.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"),
    ]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_http"}
    server = subprocess.Popen(command, env=environment, cwd=Path(__file__).resolve().parent.parent)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _http_get(("127.0.0.1", port), "/healthz", {}, "", 200)()
                break
            except (OSError, AssertionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not answer /healthz within 60 s") from None
                time.sleep(0.2)
        yield ("127.0.0.1", port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _http_get(
    address: tuple[str, int], path: str, params: dict[str, str], cookie: str, status: int
) -> Callable[[], None]:
    """A GET over a new connection, as a browser's first request to a sync gunicorn worker
    (it closes the connection after each response), with the logged-in browser's cookies;
    the whole body is read."""
    target = f"{path}?{urlencode(params)}" if params else path
    headers = {"Host": "localhost", "Cookie": cookie} if cookie else {"Host": "localhost"}

    def call() -> None:
        connection = http.client.HTTPConnection(*address, timeout=30)
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        assert response.status == status, (target, response.status)

    return call


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection

    database = use_scratch_database("bench_list_scale")
    if connection.vendor != "postgresql":
        return [("list at scale: PostgreSQL only (set DATABASE_URL)", "", "")]
    plain_static_files()
    call_command("migrate", verbosity=0)

    from django.conf import settings
    from django.test import Client as TestClient
    from django.test.utils import override_settings
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from accounts.models import Company, User
    from bench.seed_scale import NotEmpty, database_size, seed
    from customers.models import Client
    from invoicing.models import Invoice

    rows: list[tuple[str, str, str]] = []
    if not REUSE:
        try:
            result = seed(big=BIG, small_companies=SMALL, small_invoices=SMALL_INVOICES)
        except NotEmpty:
            return [("list at scale: the database has invoices (BENCH_SCALE_REUSE=1?)", "", "")]
        for step, seconds in result.seconds.items():
            rows.append((f"list at scale: seed, {step}", f"{seconds:.1f}", "s"))
    with scopes_disabled():
        user = User.objects.get(email=OWNER_EMAIL)
        company = Company.objects.get(memberships__user=user)
        total = Invoice.objects.count()
        in_company = Invoice.objects.filter(company=company).count()
        companies = Company.objects.count()
        target = Client.objects.get(company=company, number=1234)
    rows.append(
        (
            f"list at scale: {total} invoices in {companies} companies, "
            f"{in_company} in the measured one; database {database_size()}",
            "",
            "",
        )
    )

    # As a serving process does before its first request (``fakturanett.wsgi``): a full
    # collection of the ~160,000 objects loaded at start took ~75 ms, landing on whichever
    # case's request was running (an 8 ms list page measured at 106-128 ms).
    from core.startup import freeze_loaded_objects

    freeze_loaded_objects()
    browser = TestClient(HTTP_HOST="localhost")
    browser.force_login(user)
    # The API's rate limits would refuse the rounds (429): the bench measures the reads.
    unthrottled = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_sustained": None, "api_burst": None},
    }
    with override_settings(ROOT_URLCONF="bench.scale_urls", REST_FRAMEWORK=unthrottled):
        url = reverse("invoicing:list")

        def get(
            path: str, params: dict[str, str] | None = None, status: int = 200
        ) -> Callable[[], None]:
            def call() -> None:
                response = browser.get(path, params or {})
                assert response.status_code == status, (path, params, response.status_code)

            return call

        api = "/api/v1/invoices/"

        cases = [
            ("bare view (same middleware)", "/bench-bare/", {}),
            ("list first page", url, {}),
            ("list client filter", url, {"client": str(target.pk)}),
            ("list status open + client", url, {"status": "open", "client": str(target.pk)}),
            ("list overdue", url, {"status": "overdue"}),
            ("list search client name, 1 client", url, {"q": target.name}),
            ("list search client name, ~25 clients", url, {"q": "nordlysregnskap"}),
            ("list search order number", url, {"q": "PO-4242"}),
            ("list search, no match", url, {"q": "finnes ikke"}),
            # A three-letter word a third of all invoices hold ("Avd 12"), and a number.
            ("list search 'avd 42' (common word)", url, {"q": "avd 42"}),
            # Words most invoices hold ("1" starts a word in most): the trigram index's
            # ~1 M candidates against a walk of the list's index, which carries the
            # references (invoicing/0035).
            ("list search 'avd 1', open invoices", url, {"q": "avd 1", "status": "open"}),
            ("list search 'avd 1' sorted by client", url, {"q": "avd 1", "sort": "client"}),
            # Words every invoice holds apart ("Olga Eier" is every invoice's reference,
            # "Avd 12" a third's), never next to each other: the trigram index reads the
            # words joined (invoicing/0037).
            ("list search 'eier avd' (common words, no match)", url, {"q": "eier avd"}),
            # Every invoice matches; sorted by client it is answered by a walk in that order.
            ("list search 'olga eier' sorted by client", url, {"q": "olga eier", "sort": "client"}),
            # The newest invoices sorted from the oldest (invoicing/0036).
            ("list issued, sorted by number", url, {"status": "issued", "sort": "number"}),
            # Shorter than a trigram: client names only (selectors.search_is_short).
            ("list search 'AS' (short)", url, {"q": "AS"}),
            # 1,800 of 2,000 clients match: their open invoices as "none of the other 200".
            ("list search 'AS', open invoices", url, {"q": "AS", "status": "open"}),
            ("list search 'nordlys' sorted by client", url, {"q": "nordlys", "sort": "client"}),
            ("list search 'AS' sorted by client", url, {"q": "AS", "sort": "client"}),
            ("list sorted by client", url, {"sort": "client"}),
            ("list open, sorted by client", url, {"status": "open", "sort": "client"}),
            (
                "list open, sorted by client, page 200",
                url,
                {"status": "open", "sort": "-client", "page": "200"},
            ),
            ("list page 2", url, {"page": "2"}),
            ("list deepest page (200)", url, {"page": "200"}),
            ("list page 10000 (served as 200)", url, {"page": "10000"}),
            ("api first page", api, {}),
            ("api search client name, ~25 clients", api, {"search": "nordlysregnskap"}),
            ("api search order number", api, {"search": "PO-4242"}),
            ("api search 'as' (short)", api, {"search": "as"}),
            ("api search 'avd 42' (common word)", api, {"search": "avd 42"}),
            (
                "api search client name, last page",
                api,
                {"search": "nordlysregnskap", "page": "last"},
            ),
            ("api deepest page (201)", api, {"page": "201"}),
            ("api page 10000 (404)", api, {"page": "10000"}),
            ("dashboard", reverse("dashboard"), {}),
            ("client picker 'nordlys'", reverse("customers:picker"), {"client_q": "nordlys"}),
        ]
        # The 404 case would log a warning per request (django.request): not a finding.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        rows += _measure_cases("scale", cases, get)
    if HTTP:
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
        with _gunicorn() as address:
            rows += _measure_cases(
                "http",
                cases,
                lambda path, params, status: _http_get(address, path, params, cookie, status),
            )
    rows.append((f"list at scale database: {database}", "", ""))
    return rows
