"""The retention run at the statement's scale, and a person's full export.

Seeds, with ``bulk_create``, 17,000 customer companies (one owner each, deliveries from
2006 until today so relationships ended at every date, contacts with half of them, 50 open
disputes with legal holds) and 450,000 issued invoices across them (invoice dates
2006–today, a third to private persons, half paid with a reference, one audit row each),
plus 17,000 segment memberships and 60 days of page views. Then it times the dry run, the
real run and a second run (which must find nothing), and ``privacy``'s export (the ZIP) of
one person.

``BENCH_SCALE=0.1`` seeds a tenth. The database: ``DATABASE_URL`` when it is PostgreSQL
(use a scratch database: the bench flushes it); otherwise a fresh SQLite file under
``var/bench/``, never the developer's ``var/fakturanett.sqlite3``.

Each timed run prints its wall time, this process's CPU (all its threads), the PostgreSQL
backends' CPU (the default connection's and, read as each ends, the run's worker
connections': ``RETENTION_WORKERS``), the SQL statements sent on the default connection and
the load average (the machine is shared), and the real run its rules one by one. The real
run commits, so it cannot be rolled back for a re-run; instead, on PostgreSQL,
``BENCH_SEED_ONLY=1`` stops after seeding, and ``BENCH_REUSE=1`` measures on a database
seeded that way and copied (``createdb -T <seeded> <copy>``; the seed is dated
by the day it ran, so copy and measure the same day). ``BENCH_PROFILE=<dir>`` writes a
cProfile of the real run to ``<dir>/retention-real.prof`` (it inflates the times printed).
"""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.database import use_scratch_database
from bench.timing import ProgressRows, database_cpu, timed

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CUSTOMERS = int(17_000 * SCALE)
INVOICES = int(450_000 * SCALE)
HOLDS = max(1, int(50 * SCALE))
BATCH = 5000


def _seed() -> dict[str, object]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Company, Membership, Role, User
    from backoffice.models import Complaint, Interaction, LegalHold, ServiceDelivery
    from core.models import AuditEntry
    from customers.models import Client
    from invoicing.models import Invoice, Payment
    from marketing.models import Segment, SegmentMembership
    from privacy.models import PageView

    rng = random.Random(17)
    today = timezone.localdate()
    start = datetime.date(2006, 1, 1)
    span = (today - start).days
    password = make_password(None)
    tz = timezone.get_current_timezone()

    with transaction.atomic():
        staff = User.objects.create(email="staff@bench.invalid", full_name="Staff", is_staff=True)
        companies = Company.objects.bulk_create(
            [
                Company(
                    name=f"Kunde {n} AS",
                    organization_number=f"9{n:08d}",
                    vat_registered=True,
                    in_foretaksregisteret=True,
                    address_line=f"Gate {n}",
                    postcode="7010",
                    city="Trondheim",
                    bank_account="12345678903",
                )
                for n in range(CUSTOMERS)
            ],
            batch_size=BATCH,
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"eier{n}@bench.invalid",
                    full_name=f"Eier {n}",
                    password=password,
                    phone="99999999",
                )
                for n in range(CUSTOMERS)
            ],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, company=c, role=Role.OWNER)
                for u, c in zip(users, companies, strict=True)
            ],
            batch_size=BATCH,
        )
        delivered = [start + datetime.timedelta(days=rng.randrange(span)) for _ in companies]
        ServiceDelivery.objects.bulk_create(
            [
                ServiceDelivery(customer=c, description="Abonnement", delivered_on=d)
                for c, d in zip(companies, delivered, strict=True)
            ],
            batch_size=BATCH,
        )
        Interaction.objects.bulk_create(
            [
                Interaction(
                    customer=c,
                    person=u,
                    kind="call",
                    occurred_on=d + datetime.timedelta(days=30),
                    staff=staff,
                    summary=f"Samtale med Eier {n}",
                )
                for n, (c, u, d) in enumerate(zip(companies, users, delivered, strict=True))
                if n % 2 == 0 and d + datetime.timedelta(days=30) <= today
            ],
            batch_size=BATCH,
        )
        for n in range(HOLDS):
            company = companies[n * 7]
            complaint = Complaint.objects.create(
                customer=company,
                kind="dispute",
                subject="Tvist",
                description="Uenighet",
                opened_on=today,
                staff=staff,
            )
            LegalHold.objects.create(customer=company, complaint=complaint, reason="Åpen tvist")

        clients = []
        for c in companies:
            clients.append(
                Client(
                    company=c,
                    number=1,
                    kind="person",
                    name="Privat Person",
                    address_line="Vei 1",
                    postcode="7010",
                    city="Trondheim",
                    invoice_emails="privat@bench.invalid",
                )
            )
            clients.append(
                Client(
                    company=c,
                    number=2,
                    name="Bedrift AS",
                    contact_person="Kari Kontakt",
                    organization_number="988077917",
                    address_line="Gate 2",
                    postcode="7010",
                    city="Trondheim",
                )
            )
            clients.append(
                Client(
                    company=c,
                    number=3,
                    name="Annen Bedrift AS",
                    organization_number="988077917",
                    address_line="Gate 3",
                    postcode="7010",
                    city="Trondheim",
                )
            )
        clients = Client.objects.bulk_create(clients, batch_size=BATCH)
        old = timezone.make_aware(datetime.datetime(2006, 1, 1))
        Client.objects.all().update(created_at=old, updated_at=old)

        per_company = max(1, INVOICES // max(1, CUSTOMERS))
        next_number: dict[int, int] = {}
        batch: list[Invoice] = []
        created = 0
        for n in range(INVOICES):
            company_index = (n // per_company) % CUSTOMERS
            company = companies[company_index]
            client = clients[company_index * 3 + n % 3]
            day = start + datetime.timedelta(days=rng.randrange(span))
            number = next_number.get(company.pk, 0) + 1
            next_number[company.pk] = number
            batch.append(
                Invoice(
                    company=company,
                    client=client,
                    number=number,
                    status=Invoice.Status.PAID if n % 2 else Invoice.Status.ISSUED,
                    invoice_date=day,
                    delivery_date=day,
                    due_date=day + datetime.timedelta(days=14),
                    their_reference="Kari Kontakt" if client.number == 2 else "",
                    seller_snapshot={"name": company.name},
                    buyer_snapshot={
                        "kind": client.kind,
                        "name": client.name,
                        "contact_person": client.contact_person,
                        "address_line": client.address_line,
                        "postcode": client.postcode,
                        "city": client.city,
                        "invoice_emails": [client.invoice_emails] if client.invoice_emails else [],
                        "phone": "",
                    },
                    total_excl_vat=Decimal("1000.00"),
                    total_vat=Decimal("250.00"),
                    total_incl_vat=Decimal("1250.00"),
                    paid_amount=Decimal("1250.00") if n % 2 else Decimal("0"),
                    issued_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=tz),
                )
            )
            if len(batch) == BATCH or n == INVOICES - 1:
                saved = Invoice.objects.bulk_create(batch)
                Payment.objects.bulk_create(
                    [
                        Payment(
                            company_id=i.company_id,
                            invoice=i,
                            date=i.invoice_date + datetime.timedelta(days=10),
                            amount=i.total_incl_vat,
                            applied_amount=i.total_incl_vat,
                            to_credit_amount=Decimal("0"),
                            reference=f"Innbetaling {i.number}",
                        )
                        for i in saved
                        if i.status == Invoice.Status.PAID
                    ]
                )
                AuditEntry.objects.bulk_create(
                    [
                        AuditEntry(
                            company_id=i.company_id,
                            action="invoicing.invoice.issued",
                            actor_kind="user",
                            actor_id=users[0].pk,
                            actor_label="eier0@bench.invalid",
                            object_type="invoicing.invoice",
                            object_id=str(i.pk),
                            data={"number": i.number},
                        )
                        for i in saved
                    ]
                )
                created += len(saved)
                batch = []
        # audit rows carry the invoice's date
        if created:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE core_auditentry SET created_at = i.issued_at"
                    " FROM invoicing_invoice AS i"
                    " WHERE core_auditentry.object_type = 'invoicing.invoice'"
                    " AND core_auditentry.object_id = CAST(i.id AS TEXT)"
                )

        segment = Segment.objects.create(name="Alle", description="Tilbud", criteria="alle")
        SegmentMembership.objects.bulk_create(
            [SegmentMembership(user=u, segment=segment, reason="bench") for u in users],
            batch_size=BATCH,
        )
        PageView.objects.bulk_create(
            [
                PageView(
                    day=today - datetime.timedelta(days=n % 60),
                    path=f"/side/{n % 40}/",
                    visitor_hash=f"{n % 997:064x}",
                )
                for n in range(int(50_000 * SCALE))
            ],
            batch_size=BATCH,
        )
    return {"person": users[1], "invoices": created}


class _WorkerCPU:
    """The database CPU of the run's worker connections (``RETENTION_WORKERS``): each worker
    thread's backend ends with the thread, so its CPU is read just before (``total``)."""

    total = 0.0
    _lock = threading.Lock()

    @classmethod
    def install(cls) -> None:
        from retention.services import _Batches

        real = _Batches.work

        def work(self: Any) -> None:
            if threading.current_thread() is threading.main_thread():
                real(self)  # the default connection: measured by the caller
                return
            start = database_cpu()
            try:
                real(self)
            finally:
                used = database_cpu() - start
                with cls._lock:
                    cls.total += used

        _Batches.work = work  # type: ignore[method-assign]


def _database_cpu() -> float:
    """This connection's backend and the worker connections' so far."""
    return database_cpu() + _WorkerCPU.total


def _timed(
    rows: ProgressRows, label: str, func: Callable[[], Any], profile: str | None = None
) -> Any:
    """``bench.timing.timed``, the database CPU including the worker connections'."""
    path = Path(profile) / "retention-real.prof" if profile else None
    return timed(rows, label, func, profile_path=path, backend_cpu=_database_cpu)


def _rule_timings(rows: ProgressRows) -> Callable[[], None]:
    """Time each rule of the runs that follow (wall, CPU, database CPU); returns the undo."""
    from retention import services

    real = services._run_rule
    timings: list[tuple[str, float, float, float]] = []

    def timed(rule, ctx, report, run):  # type: ignore[no-untyped-def]
        database = _database_cpu()
        start, cpu = time.perf_counter(), time.process_time()
        real(rule, ctx, report, run)
        timings.append(
            (
                rule.key,
                time.perf_counter() - start,
                time.process_time() - cpu,
                _database_cpu() - database,
            )
        )

    services._run_rule = timed  # type: ignore[assignment]

    def undo() -> None:
        services._run_rule = real  # type: ignore[assignment]
        for key, wall, cpu, database in sorted(timings, key=lambda t: -t[1]):
            if wall >= 0.05:
                rows.append(
                    (
                        f"  rule {key}, wall / CPU / database CPU",
                        f"{wall:.2f} / {cpu:.2f} / {database:.2f}",
                        "s",
                    )
                )

    return undo


def run() -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection

    reuse = bool(os.environ.get("BENCH_REUSE") and os.environ.get("DATABASE_URL"))
    seed_only = bool(os.environ.get("BENCH_SEED_ONLY") and os.environ.get("DATABASE_URL"))
    database = use_scratch_database("bench_retention")
    call_command("migrate", verbosity=0)
    rows = ProgressRows()
    from django.db import transaction
    from django_scopes import scopes_disabled

    from accounts.models import User
    from core.guards import retention_guards_lifted

    if reuse:
        with scopes_disabled():
            person = User.objects.get(email="eier1@bench.invalid")
            from invoicing.models import Invoice

            seeded: dict[str, Any] = {"person": person, "invoices": Invoice._base_manager.count()}
        seed_seconds = 0.0
    else:
        if connection.vendor == "postgresql":
            # A scratch database: emptied first with TRUNCATE (not a row event for the
            # append-only triggers).
            call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        # The audit trigger refuses the UPDATE that dates the seeded rows: the seeding runs
        # in one transaction with the guards lifted as in a retention run (core.guards).
        with scopes_disabled(), transaction.atomic(), retention_guards_lifted():
            seeded = _seed()
        seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    label = f"retention ({CUSTOMERS:,} customers, {seeded['invoices']:,} invoices; {database})"
    rows.append(
        (f"{label}: seeding", "reused (BENCH_REUSE)" if reuse else f"{seed_seconds:.1f}", "s")
    )
    if seed_only:
        return list(rows)

    from retention.services import retention_run

    _WorkerCPU.install()
    dry = _timed(rows, "retention dry run", lambda: retention_run(dry_run=True))
    undo = _rule_timings(rows)
    real = _timed(rows, "retention real run", retention_run, os.environ.get("BENCH_PROFILE"))
    undo()
    assert real.counts() == dry.counts(), "the dry run must predict the real run"
    again = _timed(rows, "retention second run (nothing left)", retention_run)
    assert again.total == 0, {k: n for k, n in again.counts().items() if n}

    from privacy.services.exports import _build_zip

    person = seeded["person"]
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        archive = _build_zip(user=person)
        timings.append(time.perf_counter() - started)
    timings.sort()

    rows.append(("retention rows deleted or anonymised", f"{real.total:,}", "rows"))
    rows.append(
        ("privacy export of one person (ZIP), median of 5", f"{timings[2] * 1000:.0f}", "ms")
    )
    rows.append(("privacy export size", f"{len(archive) / 1024:.1f}", "KiB"))
    for result in real.results:
        if result.count:
            rows.append(
                (f"  {result.rule} {result.action} {result.model}", f"{result.count:,}", "rows")
            )
    return list(rows)
