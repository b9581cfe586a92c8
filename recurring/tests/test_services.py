"""Recurring invoices: anchored periods, exactly one invoice per period, failures kept."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scope

from core.models import AuditEntry
from delivery.models import Delivery
from invoicing.models import Invoice
from invoicing.services import LineData
from invoicing.tests.factories import SYSTEM, ClientFactory, line
from recurring import periods, services, tasks
from recurring.models import RecurringInvoice, RecurringRun
from recurring.tests.factories import template

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_after_the_test_dates():
    """The tests pass ``today`` explicitly (2027-2030); the issue rules read the clock
    (an invoice may not be dated far ahead of it), so the clock runs after those dates.
    Tests that walk through days travel themselves, inside this."""
    with time_machine.travel(datetime.datetime(2031, 1, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("start", "months", "sequence", "expected"),
    [
        (D(2027, 1, 31), 1, 1, (D(2027, 2, 28), D(2027, 3, 30))),
        (D(2027, 1, 31), 1, 2, (D(2027, 3, 31), D(2027, 4, 29))),
        (D(2028, 1, 31), 1, 1, (D(2028, 2, 29), D(2028, 3, 30))),  # leap year
        (D(2027, 1, 31), 1, 0, (D(2027, 1, 31), D(2027, 2, 27))),
        (D(2027, 1, 1), 3, 1, (D(2027, 4, 1), D(2027, 6, 30))),
        (D(2027, 2, 15), 12, 2, (D(2029, 2, 15), D(2030, 2, 14))),
        (D(2027, 8, 31), 6, 1, (D(2028, 2, 29), D(2028, 8, 30))),
    ],
)
def test_periods_are_anchored_on_the_start_date(start, months, sequence, expected):
    assert periods.period(start, months, sequence) == expected


def test_a_year_of_daily_runs_gives_twelve_monthly_invoices(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 31))
    day = D(2027, 1, 1)
    while day <= D(2027, 12, 31):
        with time_machine.travel(
            datetime.datetime(day.year, day.month, day.day, 5, 15), tick=False
        ):
            tasks.run_recurring_invoices.call_local()
        day += datetime.timedelta(days=1)
    with scope(company=company):
        invoices = list(Invoice.objects.order_by("invoice_date"))
        runs = list(RecurringRun.objects.order_by("sequence"))
    assert len(invoices) == len(runs) == 12  # 31 Jan, 28 Feb, 31 Mar, ..., 31 Dec
    assert [i.delivery_period_start for i in invoices] == [
        D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31),
        D(2027, 6, 30), D(2027, 7, 31), D(2027, 8, 31), D(2027, 9, 30), D(2027, 10, 31),
        D(2027, 11, 30), D(2027, 12, 31),
    ]  # fmt: skip
    assert invoices[0].delivery_period_end == D(2027, 2, 27)
    assert invoices[-1].delivery_period_end == D(2028, 1, 30)
    assert [i.invoice_date for i in invoices] == [i.delivery_period_start for i in invoices]
    assert tpl is not None


def test_a_year_of_monthly_runs_from_the_first(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 1))
    day = D(2027, 1, 1)
    while day <= D(2027, 12, 31):
        with time_machine.travel(
            datetime.datetime(day.year, day.month, day.day, 5, 15), tick=False
        ):
            tasks.run_recurring_invoices.call_local()
        day += datetime.timedelta(days=1)
    with scope(company=company):
        invoices = list(Invoice.objects.order_by("invoice_date"))
        assert len(invoices) == 12
        assert [
            (i.invoice_date, i.delivery_period_start, i.delivery_period_end) for i in invoices
        ] == [
            (D(2027, m, 1), D(2027, m, 1), periods.period(D(2027, 1, 1), 1, m - 1)[1])
            for m in range(1, 13)
        ]
        assert invoices[1].delivery_period_end == D(2027, 2, 28)
        assert invoices[-1].delivery_period_end == D(2027, 12, 31)
        assert [i.number for i in invoices] == list(range(1, 13))
        assert all(i.status == Invoice.Status.ISSUED for i in invoices)
        assert all(i.total_incl_vat == Decimal("1250.00") for i in invoices)
        tpl.refresh_from_db()
        assert tpl.next_sequence == 12
        assert tpl.next_period_start == D(2028, 1, 1)


def test_the_day_drift_never_happens_from_the_31st(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 31))
        runs = services.recurring_generate(template=tpl, today=D(2027, 5, 1))
        assert [(r.period_start, r.period_end) for r in runs] == [
            (D(2027, 1, 31), D(2027, 2, 27)),
            (D(2027, 2, 28), D(2027, 3, 30)),
            (D(2027, 3, 31), D(2027, 4, 29)),
            (D(2027, 4, 30), D(2027, 5, 30)),
        ]


def test_running_twice_the_same_day_makes_nothing_new(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 3, 1))
    first = services.recurring_run_due(today=D(2027, 3, 1))
    second = services.recurring_run_due(today=D(2027, 3, 1))
    assert (first.created, second.created) == (1, 0)
    with scope(company=company):
        assert Invoice.objects.count() == 1
        assert services.recurring_generate(template=tpl, today=D(2027, 3, 1)) == []


def test_the_unique_constraint_refuses_a_second_run_of_a_period(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 3, 1))
        (run,) = services.recurring_generate(template=tpl, today=D(2027, 3, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            RecurringRun.objects.create(
                company=company,
                template=tpl,
                sequence=7,
                period_start=run.period_start,
                period_end=run.period_end,
                status=RecurringRun.Status.FAILED,
            )


def test_catch_up_after_missed_days_makes_each_period_once(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 1), interval_months=3)
        runs = services.recurring_generate(template=tpl, today=D(2027, 8, 15))
        assert [(r.period_start, r.period_end) for r in runs] == [
            (D(2027, 1, 1), D(2027, 3, 31)),
            (D(2027, 4, 1), D(2027, 6, 30)),
            (D(2027, 7, 1), D(2027, 9, 30)),
        ]
        # made today, for the period it covers
        assert {r.invoice.invoice_date for r in runs if r.invoice} == {D(2027, 8, 15)}
        assert all(r.invoice for r in runs)


def test_end_date_and_count_stop_the_template(company):
    with scope(company=company):
        by_count = template(company=company, start_date=D(2027, 1, 1), max_count=2)
        by_end = template(
            company=company, start_date=D(2027, 1, 1), interval_months=12, end_date=D(2028, 6, 1)
        )
        assert len(services.recurring_generate(template=by_count, today=D(2030, 1, 1))) == 2
        assert len(services.recurring_generate(template=by_end, today=D(2030, 1, 1))) == 2
        by_count.refresh_from_db()
        assert by_count.next_period_start is None


def test_draft_mode_makes_drafts(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 1), mode="draft")
        (run,) = services.recurring_generate(template=tpl, today=D(2027, 1, 1))
        assert run.status == RecurringRun.Status.DRAFT
        assert run.invoice is not None
        assert run.invoice.status == Invoice.Status.DRAFT and run.invoice.number is None


def test_paused_template_makes_nothing_until_resumed(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 1))
        services.recurring_set_active(template=tpl, actor=SYSTEM, active=False)
        assert services.recurring_generate(template=tpl, today=D(2027, 2, 1)) == []
        services.recurring_set_active(template=tpl, actor=SYSTEM, active=True)
        assert len(services.recurring_generate(template=tpl, today=D(2027, 2, 1))) == 2


def test_a_failed_run_is_recorded_shown_and_retried(company):
    with scope(company=company):
        template(company=company, start_date=D(2027, 1, 1))
    company.bank_account = ""
    company.save()
    summary = services.recurring_run_due(today=D(2027, 1, 1))
    assert summary.failed == 1 and summary.created == 0
    with scope(company=company):
        run = RecurringRun.objects.get()
        assert run.status == RecurringRun.Status.FAILED
        assert "kontonummer" in run.error.lower()
        assert run.attempts == 1 and run.invoice is None
        assert not Invoice.objects.exists()  # the draft rolled back with the refused issue
        assert AuditEntry.objects.filter(action="recurring.run.failed").count() == 1
    # the next day's job tries again (still failing), and no new period is started
    services.recurring_run_due(today=D(2027, 1, 2))
    with scope(company=company):
        run.refresh_from_db()
        assert run.attempts == 2 and run.status == RecurringRun.Status.FAILED
    company.bank_account = "86011117947"
    company.save()
    with scope(company=company):
        retried = services.recurring_run_retry(run=run, actor=SYSTEM, today=D(2027, 1, 3))
        assert retried.status == RecurringRun.Status.ISSUED
        assert retried.invoice is not None
        assert retried.invoice.number == 1
        assert retried.invoice.delivery_period_start == D(2027, 1, 1)
        with pytest.raises(ValidationError):
            services.recurring_run_retry(run=run, actor=SYSTEM)


def test_a_vat_code_without_a_rate_fails_the_run(company):
    from catalog.models import VatCode

    with scope(company=company):
        code = VatCode.objects.create(
            code="99", name_nb="Test", name_en="Test", ubl_category="S", sort_order=99
        )
        tpl = template(
            company=company,
            start_date=D(2027, 1, 1),
            lines=[
                LineData(
                    quantity=Decimal(1), unit_price=Decimal(10), vat_code=code, description="x"
                )
            ],
        )
        (run,) = services.recurring_generate(template=tpl, today=D(2027, 1, 1))
        assert run.status == RecurringRun.Status.FAILED
        assert "99" in run.error


def test_automatic_sending_uses_the_clients_channel(company, django_capture_on_commit_callbacks):
    with scope(company=company):
        client = ClientFactory(company=company, delivery_channel="manual")
        tpl = template(
            company=company, client=client, start_date=D(2027, 1, 1), send_automatically=True
        )
        (run,) = services.recurring_generate(template=tpl, today=D(2027, 1, 1))
        delivery = Delivery.objects.get()
        assert delivery.invoice == run.invoice and delivery.channel == "manual"
        run.invoice.refresh_from_db()
        assert run.invoice.sent_at is not None


def test_a_sending_problem_is_kept_on_the_run(company):
    with scope(company=company):
        client = ClientFactory(company=company, delivery_channel="email", invoice_emails="")
        tpl = template(
            company=company, client=client, start_date=D(2027, 1, 1), send_automatically=True
        )
        (run,) = services.recurring_generate(template=tpl, today=D(2027, 1, 1))
        assert run.status == RecurringRun.Status.ISSUED
        assert "e-post" in run.send_error


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"interval_months": 0}, "interval_months"),
        ({"interval_months": 61}, "interval_months"),
        ({"end_date": D(2026, 12, 1)}, "end_date"),
        ({"max_count": 0}, "max_count"),
        ({"mode": "draft", "send_automatically": True}, "send_automatically"),
    ],
)
def test_bad_template_input_is_refused(company, change, field):
    with scope(company=company), pytest.raises(ValidationError) as exc:
        template(company=company, **change)
    assert field in exc.value.message_dict
    with scope(company=company):
        assert not RecurringInvoice.objects.exists()


def test_another_companys_client_is_refused(company, other_company):
    with scope(company=other_company):
        foreign = ClientFactory(company=other_company)
    with scope(company=company), pytest.raises(ValidationError) as exc:
        template(company=company, client=foreign)
    assert "client" in exc.value.message_dict


def test_start_and_interval_are_fixed_after_the_first_invoice(company):
    with scope(company=company):
        tpl = template(company=company, start_date=D(2027, 1, 1))
        services.recurring_generate(template=tpl, today=D(2027, 1, 1))
        data = services.TemplateData(
            name="Ny", client=tpl.client, start_date=D(2027, 1, 15), interval_months=1
        )
        with pytest.raises(ValidationError):
            services.recurring_update(
                template=tpl, actor=SYSTEM, data=data, lines=[line(unit_price="5.00")]
            )
        data = services.TemplateData(
            name="Ny", client=tpl.client, start_date=D(2027, 1, 1), end_date=D(2027, 6, 30)
        )
        updated = services.recurring_update(
            template=tpl, actor=SYSTEM, data=data, lines=[line(unit_price="5.00")]
        )
        assert updated.name == "Ny" and updated.lines.get().unit_price == Decimal("5.00")


def test_the_daily_job_issues_a_companys_periods_together_and_reports_each_failure(company):
    with scope(company=company):
        homeless = ClientFactory(company=company, organization_number="", address_line="")
        first = template(company=company, start_date=D(2027, 1, 1))
        failing = template(company=company, client=homeless, start_date=D(2027, 1, 1))
        last = template(company=company, start_date=D(2027, 1, 1))

    summary = services.recurring_run_due(today=D(2027, 2, 1))

    assert (summary.created, summary.failed) == (4, 2)
    with scope(company=company):
        runs = list(RecurringRun.objects.order_by("template_id", "sequence"))
        assert [(run.template_id, run.status) for run in runs] == [
            (first.pk, "issued"),
            (first.pk, "issued"),
            (failing.pk, "failed"),
            (failing.pk, "failed"),
            (last.pk, "issued"),
            (last.pk, "issued"),
        ]
        assert all("mangler adresse" in run.error for run in runs[2:4])
        assert [run.invoice.number for run in runs if run.invoice] == [1, 2, 3, 4]
        # The refused periods leave no draft and no draft entry behind.
        assert Invoice.objects.count() == 4
        assert not Invoice.objects.filter(client=homeless).exists()
        assert AuditEntry.objects.filter(action="invoicing.invoice.draft_created").count() == 4
        assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 4
