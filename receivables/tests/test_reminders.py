"""Reminders, inkassovarsel, disputes, fees and interest as claims, waiving, collection."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.audit import Actor
from core.models import AuditEntry
from invoicing.tests.factories import ClientFactory
from receivables import selectors, services
from receivables.models import Letter, ReceivableItem
from receivables.pdf import render_letter_pdf
from receivables.tests.factories import overdue_invoice, use_kid

D = datetime.date
DUE = D(2026, 3, 2)
SYSTEM = Actor.system("tests")


@pytest.fixture
def setup(company_scope):
    use_kid(company_scope)
    services.reminder_settings_update(
        company=company_scope,
        actor=SYSTEM,
        enabled=True,
        reminder1_days=14,
        reminder2_days=35,
        charge_fee=True,
        add_interest=True,
    )
    return company_scope


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_daily_run_sends_reminder_1_with_fee_and_interest(
    setup, django_capture_on_commit_callbacks
):
    invoice = overdue_invoice(company=setup, due_date=DUE, amount="10000.00")
    assert services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=13)) == []
    with django_capture_on_commit_callbacks(execute=True):
        letters = services.reminders_run(
            company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14)
        )
    assert len(letters) == 1
    letter = letters[0]
    assert letter.fee_bearing and letter.deadline == DUE + datetime.timedelta(days=28)
    items = {i.kind: i for i in ReceivableItem.objects.filter(invoice=invoice)}
    assert items["reminder_fee"].amount == Decimal("38.00")  # 750 / 20 rounded
    # 10 000 × 12 % × 14 / 365 = 46.027 → 46.03
    assert items["interest"].amount == Decimal("46.03")
    assert items["interest"].interest_to == DUE + datetime.timedelta(days=14)
    letter.refresh_from_db()
    assert letter.delivery == Letter.Delivery.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["post@kunde.example"]
    text = pdf_text(mail.outbox[0].attachments[0][1])
    for expected in (
        "Purring nr. 1",
        str(invoice.number),
        "10 000,00",
        "Purregebyr",
        "38,00",
        "Forsinkelsesrente",
        "46,03",
        "16.03.2026",
        invoice.kid,
        "8601.11.17947",
    ):
        assert expected.replace(" ", "") in text.replace(" ", "").replace("\xa0", ""), expected
    # The e-mail names the sum to pay as people read it: grouped thousands, decimal comma.
    assert "NOK 10\u00a0084,03" in mail.outbox[0].body
    # Idempotent: a second run the same day sends nothing.
    assert (
        services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
        == []
    )


def test_second_reminder_after_deadline_and_interest_continues(setup):
    invoice = overdue_invoice(company=setup, due_date=DUE, amount="10000.00")
    services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    assert services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=28)) == []
    letters = services.reminders_run(
        company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=35)
    )
    assert len(letters) == 1 and letters[0].fee_bearing
    interest = ReceivableItem.objects.filter(invoice=invoice, kind="interest").order_by("date")
    # second period: days 15..35 = 21 days: 10 000 × 12 % × 21 / 365 = 69.04
    assert [i.amount for i in interest] == [Decimal("46.03"), Decimal("69.04")]
    assert letters[0].content["earlier_open"] == "84.03"
    # No third automatic reminder.
    assert services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=80)) == []


def test_disputed_invoice_gets_nothing(setup):
    invoice = overdue_invoice(company=setup, due_date=DUE)
    services.invoice_dispute(invoice=invoice, actor=SYSTEM, reason="Varen kom aldri")
    assert services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=20)) == []
    with pytest.raises(ValidationError) as exc:
        services.letter_send(
            invoice=invoice, actor=SYSTEM, send_on=DUE + datetime.timedelta(days=20)
        )
    assert exc.value.code == "disputed"
    with pytest.raises(ValidationError):
        services.invoice_dispute(invoice=invoice, actor=SYSTEM, reason="igjen")
    assert selectors.invoice_receivables(invoice=invoice, today=DUE).disputed
    services.dispute_resolve(invoice=invoice, actor=SYSTEM, resolution="Levert")
    assert len(services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=20))) == 1
    assert AuditEntry.objects.filter(action="receivables.invoice.disputed").count() == 1


def test_dispute_needs_a_reason(setup):
    invoice = overdue_invoice(company=setup, due_date=DUE)
    with pytest.raises(ValidationError) as exc:
        services.invoice_dispute(invoice=invoice, actor=SYSTEM, reason="  ")
    assert "reason" in exc.value.message_dict


def test_early_manual_reminder_has_no_fee(setup):
    invoice = overdue_invoice(company=setup, due_date=DUE)
    letter = services.letter_send(
        invoice=invoice, actor=SYSTEM, send_on=DUE + datetime.timedelta(days=3)
    )
    assert not letter.fee_bearing
    assert not ReceivableItem.objects.filter(invoice=invoice, kind="reminder_fee").exists()


def test_business_debtor_gets_compensation_net_of_fee_consumer_does_not(setup):
    services.reminder_settings_update(company=setup, actor=SYSTEM, claim_compensation=True)
    business = overdue_invoice(company=setup, due_date=DUE)
    person = overdue_invoice(
        company=setup,
        due_date=DUE,
        client=ClientFactory(company=setup, kind="person", organization_number=""),
    )
    services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    kinds = dict(
        ReceivableItem.objects.filter(invoice=business)
        .exclude(kind="interest")
        .values_list("kind", "amount")
    )
    assert kinds == {"reminder_fee": Decimal("38.00"), "compensation": Decimal("422.00")}
    kinds = dict(
        ReceivableItem.objects.filter(invoice=person)
        .exclude(kind="interest")
        .values_list("kind", "amount")
    )
    assert kinds == {"reminder_fee": Decimal("38.00")}
    # The second reminder's fee is absorbed by the compensation already claimed.
    services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=35))
    fees = ReceivableItem.objects.filter(invoice=business, kind="reminder_fee").order_by("date")
    assert [f.amount for f in fees] == [Decimal("38.00"), Decimal("0.00")]


def test_waive_is_logged_and_stops_the_claim(setup):
    invoice = overdue_invoice(company=setup, due_date=DUE)
    services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    fee = ReceivableItem.objects.get(invoice=invoice, kind="reminder_fee")
    services.item_waive(item=fee, actor=SYSTEM, reason="God kunde")
    fee.refresh_from_db()
    assert fee.is_waived and fee.open_amount == 0
    assert AuditEntry.objects.filter(action="receivables.item.waived").exists()
    with pytest.raises(ValidationError):
        services.item_waive(item=fee, actor=SYSTEM)


def test_inkassovarsel_then_collection_and_csv(setup):
    from receivables.exports import collection_csv

    invoice = overdue_invoice(company=setup, due_date=DUE, amount="2000.00")
    services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    with pytest.raises(ValidationError) as exc:
        services.collection_mark(
            invoice=invoice,
            actor=SYSTEM,
            agency_name="Inkasso AS",
            sent_on=DUE + datetime.timedelta(days=40),
        )
    assert exc.value.code == "no_notice"
    notice = services.letter_send(
        invoice=invoice,
        actor=SYSTEM,
        kind="inkassovarsel",
        send_on=DUE + datetime.timedelta(days=29),
    )
    assert notice.fee_bearing  # the second fee-bearing letter: first deadline passed
    text = pdf_text(render_letter_pdf(notice.content))
    assert "Inkassovarsel" in text and "inkasso" in text.lower()
    assert notice.deadline == DUE + datetime.timedelta(days=43)
    with pytest.raises(ValidationError):
        services.collection_mark(
            invoice=invoice, actor=SYSTEM, agency_name="Inkasso AS", sent_on=notice.deadline
        )
    case = services.collection_mark(
        invoice=invoice,
        actor=SYSTEM,
        agency_name="Inkasso AS",
        sent_on=notice.deadline + datetime.timedelta(days=1),
    )
    assert case.agency_name == "Inkasso AS"
    rows = list(
        csv.DictReader(
            io.StringIO(collection_csv(invoice=invoice, today=case.sent_on)), delimiter=";"
        )
    )
    assert rows[0]["invoice_number"] == str(invoice.number)
    assert rows[0]["principal_open"] == "2000.00"
    assert rows[0]["fees_open"] == "76.00"
    # Collection stops reminders.
    assert services.reminders_due(company=setup, today=DUE + datetime.timedelta(days=90)) == []


def test_missing_figure_is_a_clear_error(setup):
    invoice = overdue_invoice(company=setup, due_date=D(2026, 12, 1))
    with pytest.raises(ValidationError) as exc:
        services.letter_send(invoice=invoice, actor=SYSTEM, send_on=D(2027, 1, 5))
    assert exc.value.code == "figure_missing"
    assert "backoffice" in exc.value.messages[0]


def test_an_invoice_due_before_the_first_rate_is_held_and_the_others_are_sent(
    setup, django_capture_on_commit_callbacks, caplog
):
    # Late-interest rates start on 1 January 2025 (migration 0002): a claim due in 2024
    # cannot get its interest and waits until staff enter the rate. It used to stop the
    # whole run, for every client of the company.
    old = overdue_invoice(company=setup, due_date=D(2024, 6, 3), amount="5000.00")
    recent = overdue_invoice(company=setup, due_date=DUE, amount="10000.00")
    today = DUE + datetime.timedelta(days=14)

    first = services.reminders_due_first(company=setup, today=today, limit=200)

    assert [plan.invoice.pk for plan in first.letters] == [recent.pk]
    [held] = first.held
    assert (held.kind, held.on, held.count, held.numbers) == (
        "late_interest",
        D(2024, 6, 4),
        1,
        [old.number],
    )
    assert "04.06.2024" in held.message() and "1 faktura purres ikke" in held.message()
    with django_capture_on_commit_callbacks(execute=True):
        letters = services.reminders_run(company=setup, actor=SYSTEM, today=today)
    assert [letter.invoice_id for letter in letters] == [recent.pk]
    assert not Letter.objects.filter(invoice=old).exists()
    assert "held 1 invoices: no figure late_interest for 2024-06-04" in caplog.text


def test_an_invoice_whose_interest_needs_a_missing_half_year_is_held(setup):
    # A gap in the table (the second half of 2025 removed): the invoice due in the first
    # half needs that rate for its interest; the one due after the gap does not.
    from receivables.models import StatutoryFigure

    StatutoryFigure.objects.filter(
        kind=StatutoryFigure.Kind.LATE_INTEREST, valid_from=D(2025, 7, 1)
    ).delete()
    before_gap = overdue_invoice(company=setup, due_date=D(2025, 3, 3))
    after_gap = overdue_invoice(company=setup, due_date=DUE)

    first = services.reminders_due_first(
        company=setup, today=DUE + datetime.timedelta(days=14), limit=200
    )

    assert [plan.invoice.pk for plan in first.letters] == [after_gap.pk]
    [held] = first.held
    assert (held.on, held.count, held.numbers) == (D(2025, 7, 1), 1, [before_gap.number])


def test_without_interest_an_old_invoice_is_reminded(setup):
    services.reminder_settings_update(company=setup, actor=SYSTEM, add_interest=False)
    old = overdue_invoice(company=setup, due_date=D(2024, 6, 3))

    first = services.reminders_due_first(
        company=setup, today=DUE + datetime.timedelta(days=14), limit=200
    )

    assert [plan.invoice.pk for plan in first.letters] == [old.pk] and first.held == []


def test_without_todays_fee_the_run_is_an_error(setup):
    # A figure every letter needs: no letter can be planned, and the run says why.
    from receivables.models import StatutoryFigure

    overdue_invoice(company=setup, due_date=DUE)
    StatutoryFigure.objects.filter(kind=StatutoryFigure.Kind.INKASSOSATS).delete()
    with pytest.raises(ValidationError) as exc:
        services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    assert exc.value.code == "figure_missing"


def test_an_english_reminder_writes_amounts_the_english_way(
    setup, django_capture_on_commit_callbacks
):
    client = ClientFactory(company=setup, language="en")
    overdue_invoice(company=setup, due_date=DUE, amount="10000.00", client=client)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(company=setup, actor=SYSTEM, today=DUE + datetime.timedelta(days=14))
    message = mail.outbox[-1]
    assert "NOK 10,084.03" in message.body
    text = pdf_text(message.attachments[0][1])
    assert "10,000.00" in text and "10,084.03" in text
    assert "10 000,00" not in text.replace("\xa0", " ")


def test_run_letters_freeze_what_one_letter_plans_and_reference_the_parties(setup):
    """The daily run reads only parts of the invoices' snapshots (language, account) and
    stores no copy of the seller and buyer: its content equals what ``letter_plan`` gives
    for the same invoice one at a time, and the PDF shows both parties from the invoice."""
    invoice = overdue_invoice(company=setup, due_date=DUE, amount="10000.00")
    day = DUE + datetime.timedelta(days=14)
    one_by_one = services.letter_content(
        services.letter_plan(invoice=invoice, kind=Letter.Kind.REMINDER, send_on=day)
    )
    (letter,) = services.reminders_run(company=setup, actor=SYSTEM, today=day)
    stored = Letter.objects.get(pk=letter.pk).content
    assert stored == one_by_one
    assert "seller" not in stored and "buyer" not in stored
    assert stored["bank_account"] == invoice.seller_snapshot["bank_account"]
    document = selectors.letter_document(content=stored, invoice=invoice)
    text = pdf_text(render_letter_pdf(document))
    for expected in (invoice.seller_snapshot["name"], invoice.buyer_snapshot["name"]):
        assert expected in text, expected


@pytest.mark.parametrize("chunk", [1, 50])
@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_the_first_reminders_due_are_those_the_whole_list_starts_with(
    setup, monkeypatch, limit, chunk
):
    # Planned only as far as the page lists them (a few invoices at a time, or more than
    # it lists); what is not listed is said as a number, "up to n more".
    monkeypatch.setattr(services, "REMINDER_FIRST_CHUNK", chunk)
    invoices = [
        overdue_invoice(company=setup, due_date=DUE + datetime.timedelta(days=n), amount="900.00")
        for n in range(3)
    ]
    today = DUE + datetime.timedelta(days=20)
    whole = services.reminders_due(company=setup, today=today)
    assert [plan.invoice.pk for plan in whole] == [invoice.pk for invoice in invoices]

    first = services.reminders_due_first(company=setup, today=today, limit=limit)

    assert [plan.invoice.pk for plan in first.letters] == [p.invoice.pk for p in whole[:limit]]
    assert [plan.total for plan in first.letters] == [plan.total for plan in whole[:limit]]
    assert first.waiting == max(3 - limit, 0)
