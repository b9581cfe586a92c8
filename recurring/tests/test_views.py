"""Pages of recurring invoices: personas, creating a template, failures shown, retry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from recurring import services
from recurring.models import RecurringInvoice, RecurringRun
from recurring.tests.factories import template

pytestmark = pytest.mark.django_db


@pytest.fixture
def tpl(company):
    with scope(company=company):
        return template(company=company, start_date=datetime.date(2027, 1, 1))


def _post_data(client_pk: int, **extra) -> dict:
    data = {
        "name": "Husleie",
        "client": str(client_pk),
        "interval": "3",
        "every_months": "",
        "start_date": "2027-01-31",
        "end_date": "",
        "max_count": "4",
        "mode": "issue",
        "our_reference": "Olga",
        "free_text": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": "",
        "lines-0-description": "Leie av kontor",
        "lines-0-quantity": "1",
        "lines-0-unit": "EA",
        "lines-0-unit_price": "12 500,00",
        "lines-0-discount_percent": "",
        "lines-0-vat_code": "3",
        "lines-1-product": "",
        "lines-1-description": "",
        "lines-1-quantity": "1",
        "lines-1-unit": "EA",
        "lines-1-unit_price": "",
        "lines-1-discount_percent": "",
        "lines-1-vat_code": "3",
    }
    data.update(extra)
    return data


def test_anonymous_is_sent_to_login(client, tpl):
    for url in (reverse("recurring:list"), reverse("recurring:detail", args=[tpl.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response["Location"]


def test_owner_creates_a_template(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
    response = owner_client.post(reverse("recurring:create"), _post_data(client.pk))
    assert response.status_code == 302
    with scope(company=company):
        saved = RecurringInvoice.objects.get()
        assert (saved.interval_months, saved.max_count) == (3, 4)
        assert saved.lines.get().unit_price == Decimal("12500.00")
        assert saved.next_period_start == datetime.date(2027, 1, 31)
    page = owner_client.get(response["Location"])
    assert "Leie av kontor" in page.content.decode()


def test_bad_input_is_a_400_with_messages_and_saves_nothing(owner_client, company):
    with scope(company=company):
        client = ClientFactory(company=company)
    response = owner_client.post(
        reverse("recurring:create"),
        _post_data(client.pk, interval="custom", every_months="", start_date="31.02.2027"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Oppgi hvor mange måneder" in body
    response = owner_client.post(
        reverse("recurring:create"),
        _post_data(client.pk, **{"lines-0-description": "", "lines-0-unit_price": ""}),
    )
    assert response.status_code == 400
    assert "minst én linje" in response.content.decode()
    response = owner_client.post(
        reverse("recurring:create"), _post_data(client.pk, end_date="2026-01-01")
    )
    assert response.status_code == 400 and "Sluttdatoen" in response.content.decode()
    with scope(company=company):
        assert not RecurringInvoice.objects.exists()


def test_member_reads_but_cannot_change(member_client, tpl, company):
    assert member_client.get(reverse("recurring:list")).status_code == 200
    assert member_client.get(reverse("recurring:detail", args=[tpl.pk])).status_code == 200
    assert member_client.get(reverse("recurring:create")).status_code == 403
    assert member_client.get(reverse("recurring:edit", args=[tpl.pk])).status_code == 403
    for name in ("toggle", "run"):
        assert member_client.post(reverse(f"recurring:{name}", args=[tpl.pk])).status_code == 403
    with scope(company=company):
        tpl.refresh_from_db()
        assert tpl.is_active and not RecurringRun.objects.exists()


def test_outsider_gets_404(outsider_client, tpl):
    assert outsider_client.get(reverse("recurring:detail", args=[tpl.pk])).status_code == 404
    assert outsider_client.get(reverse("recurring:edit", args=[tpl.pk])).status_code == 404
    for name in ("toggle", "run"):
        assert outsider_client.post(reverse(f"recurring:{name}", args=[tpl.pk])).status_code == 404
    assert "Månedlig support" not in outsider_client.get(reverse("recurring:list")).content.decode()


def test_owner_edits_pauses_and_runs(owner_client, tpl, company):
    data = _post_data(
        tpl.client_id, interval="1", start_date="2026-11-01", max_count="2", name="Endret"
    )
    data.update({"lines-INITIAL_FORMS": "0"})
    assert owner_client.post(reverse("recurring:edit", args=[tpl.pk]), data).status_code == 302
    owner_client.post(reverse("recurring:toggle", args=[tpl.pk]))
    with scope(company=company):
        tpl.refresh_from_db()
        assert tpl.name == "Endret" and not tpl.is_active
    owner_client.post(reverse("recurring:toggle", args=[tpl.pk]))
    # two monthly periods from 1 Nov 2026 have started (the test clock is after that)
    response = owner_client.post(reverse("recurring:run", args=[tpl.pk]), follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "2 fakturaer laget" in body, body[
        body.find("messages") :
    ][:600]
    with scope(company=company):
        assert Invoice.objects.count() == RecurringRun.objects.count() == 2


def test_failed_runs_are_shown_and_can_be_retried(owner_client, tpl, company):
    company.bank_account = ""
    company.save()
    services.recurring_run_due(today=datetime.date(2027, 1, 1))
    listing = owner_client.get(reverse("recurring:list")).content.decode()
    assert "kunne ikke faktureres" in listing and "kontonummer" in listing.lower()
    detail = owner_client.get(reverse("recurring:detail", args=[tpl.pk])).content.decode()
    assert "Prøv igjen" in detail
    company.bank_account = "86011117947"
    company.save()
    with scope(company=company):
        run = RecurringRun.objects.get()
    response = owner_client.post(reverse("recurring:retry", args=[tpl.pk, run.pk]))
    assert response.status_code == 302
    with scope(company=company):
        run.refresh_from_db()
        assert run.invoice is not None
        assert run.status == RecurringRun.Status.ISSUED and run.invoice.number == 1


def test_retry_of_another_templates_run_is_404(owner_client, tpl, company):
    with scope(company=company):
        other = template(company=company, name="Annen")
        run = RecurringRun.objects.create(
            company=company,
            template=other,
            sequence=0,
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 1, 31),
            status="failed",
        )
    response = owner_client.post(reverse("recurring:retry", args=[tpl.pk, run.pk]))
    assert response.status_code == 404


def test_failed_periods_are_shown_on_the_dashboard(owner_client, tpl, company):
    assert "Repeterende fakturaer som feilet" not in owner_client.get("/app/").content.decode()
    company.bank_account = ""
    company.save()
    services.recurring_run_due(today=datetime.date(2027, 1, 1))
    page = owner_client.get("/app/").content.decode()
    assert "Repeterende fakturaer som feilet" in page and "Månedlig support" in page
    assert reverse("recurring:detail", args=[tpl.pk]) in page


def test_a_paused_template_in_english_offers_resume(owner, owner_client, tpl):
    # "Fortsett" is "Continue" on the re-authentication page; here it resumes the series.
    owner_client.post(reverse("recurring:toggle", args=[tpl.pk]))
    owner.language = "en"
    owner.save()
    body = owner_client.get(reverse("recurring:detail", args=[tpl.pk])).content.decode()
    assert ">Resume</button>" in body and "Continue" not in body
