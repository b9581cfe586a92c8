"""Credit notes, payments, reversals and the client's credit balance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.models import AuditEntry
from invoicing import selectors, services
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

D = datetime.date(2026, 11, 20)
DB_EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _reload(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


# --- credit notes ---------------------------------------------------------------------------


def test_full_credit_note_cancels_invoice(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[
            line(quantity="3", unit_price="33.33", discount="10"),
            line(code="33"),
            line(code="5"),
            line(code="51"),
        ],
    )
    note = services.invoice_credit(invoice=invoice, actor=actor, free_text="Feil levert")
    invoice = _reload(invoice)
    assert note.kind == "credit_note" and note.status == "issued" and note.number == 2
    assert note.credited_invoice == invoice
    assert note.total_incl_vat == invoice.total_incl_vat
    assert note.total_vat == invoice.total_vat
    assert list(note.vat_lines.values_list("vat_category", "vat_rate", "basis", "vat")) == list(
        invoice.vat_lines.values_list("vat_category", "vat_rate", "basis", "vat")
    )
    assert invoice.status == "credited" and invoice.open_balance == 0
    assert list(selectors.credit_notes_of(invoice=invoice)) == [note]
    assert AuditEntry.objects.filter(action="invoicing.credit_note.issued").count() == 1
    with pytest.raises(ValidationError, match="allerede kreditert"):
        services.invoice_credit(invoice=invoice, actor=actor)


def test_partial_credit_per_line_and_too_much_refused(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope, lines=[line(quantity="10", unit_price="100.00"), line(code="31")]
    )
    first_line, second_line = invoice.lines.order_by("position")
    note = services.invoice_credit(
        invoice=invoice,
        actor=actor,
        lines=[services.CreditLine(original_line=first_line, quantity=Decimal("4"))],
    )
    assert note.total_excl_vat == Decimal("400.00") and note.total_vat == Decimal("100.00")
    invoice = _reload(invoice)
    assert invoice.status == "issued"
    assert invoice.open_balance == Decimal("1250.00") + Decimal("115.00") - Decimal("500.00")
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_credit(
            invoice=invoice,
            actor=actor,
            lines=[services.CreditLine(original_line=first_line, quantity=Decimal("6.0001"))],
        )
    assert "lines" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.invoice_credit(
            invoice=invoice,
            actor=actor,
            lines=[services.CreditLine(original_line=first_line, quantity=Decimal("-1"))],
        )
    remaining = {
        c.line.pk: c.remaining_quantity for c in selectors.invoice_creditable_lines(invoice=invoice)
    }
    assert remaining == {first_line.pk: Decimal("6"), second_line.pk: Decimal("1")}
    # The rest (no lines given) credits exactly what remains.
    rest = services.invoice_credit(invoice=invoice, actor=actor)
    assert rest.total_incl_vat == Decimal("750.00") + Decimal("115.00")
    assert _reload(invoice).status == "credited"


def test_credit_note_not_dated_before_the_invoice(company_scope, actor):
    invoice = issued_invoice(company=company_scope)  # dated 2026-11-02
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_credit(
            invoice=invoice, actor=actor, credit_date=datetime.date(2026, 11, 1)
        )
    assert "credit_date" in excinfo.value.message_dict
    note = services.invoice_credit(
        invoice=invoice, actor=actor, credit_date=datetime.date(2026, 11, 2)
    )
    assert note.invoice_date == datetime.date(2026, 11, 2)


def test_line_of_another_invoice_refused(company_scope, actor):
    invoice = issued_invoice(company=company_scope)
    other = issued_invoice(company=company_scope)
    with pytest.raises(ValidationError):
        services.invoice_credit(
            invoice=invoice,
            actor=actor,
            lines=[services.CreditLine(original_line=other.lines.get())],
        )


def test_drafts_and_credit_notes_cannot_be_credited(company_scope, actor):
    with pytest.raises(ValidationError):
        services.invoice_credit(invoice=draft_invoice(company=company_scope), actor=actor)
    note = services.invoice_credit(invoice=issued_invoice(company=company_scope), actor=actor)
    with pytest.raises(ValidationError):
        services.invoice_credit(invoice=note, actor=actor)


def test_credit_of_paid_invoice_goes_to_client_credit_balance(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="800.00")])
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("1000.00"), date=D)
    assert _reload(invoice).status == "paid"
    note = services.invoice_credit(invoice=invoice, actor=actor)
    invoice = _reload(invoice)
    assert invoice.status == "credited"
    assert invoice.paid_amount == 0 and invoice.credited_amount == Decimal("1000.00")
    assert selectors.client_credit_balance(client=invoice.client) == Decimal("1000.00")
    entry = ClientBalanceEntry.objects.get()
    assert (entry.kind, entry.credit_note_id) == ("credit_note", note.pk)


# --- payments --------------------------------------------------------------------------------


def test_partial_payments_then_paid(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="800.00")])
    services.payment_register(
        invoice=invoice, actor=actor, amount=Decimal("400.00"), date=D, reference="KID 123"
    )
    invoice = _reload(invoice)
    assert (invoice.status, invoice.open_balance) == ("partially_paid", Decimal("600.00"))
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("600.00"), date=D)
    invoice = _reload(invoice)
    assert (invoice.status, invoice.open_balance) == ("paid", Decimal("0.00"))
    assert selectors.client_credit_balance(client=invoice.client) == 0


def test_overpayment_becomes_credit_balance_and_pays_another_invoice(company_scope, actor):
    client = ClientFactory(company=company_scope)
    first = issued_invoice(company=company_scope, client=client, lines=[line(unit_price="80")])
    second = issued_invoice(company=company_scope, client=client, lines=[line(unit_price="40")])
    payment = services.payment_register(
        invoice=first, actor=actor, amount=Decimal("150.00"), date=D, confirm_overpayment=True
    )
    assert (payment.applied_amount, payment.to_credit_amount) == (
        Decimal("100.00"),
        Decimal("50.00"),
    )
    assert _reload(first).status == "paid"
    assert selectors.client_credit_balance(client=client) == Decimal("50.00")
    with pytest.raises(ValidationError):
        services.payment_register(
            invoice=second, actor=actor, amount=Decimal("50.01"), date=D, method="credit"
        )
    services.payment_register(
        invoice=second, actor=actor, amount=Decimal("50.00"), date=D, method="credit"
    )
    assert _reload(second).status == "paid"
    assert selectors.client_credit_balance(client=client) == 0


def test_reversal_instead_of_delete(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="80.00")])
    payment = services.payment_register(
        invoice=invoice, actor=actor, amount=Decimal("130.00"), date=D, confirm_overpayment=True
    )
    reversal = services.payment_reverse(payment=payment, actor=actor, note="Feil kunde")
    invoice = _reload(invoice)
    assert reversal.amount == Decimal("-130.00") and reversal.reverses == payment
    assert (invoice.paid_amount, invoice.status) == (Decimal("0.00"), "issued")
    assert selectors.client_credit_balance(client=invoice.client) == 0
    assert Payment.objects.count() == 2
    with pytest.raises(ValidationError, match="allerede tilbakeført"):
        services.payment_reverse(payment=payment, actor=actor)
    with pytest.raises(ValidationError):
        services.payment_reverse(payment=reversal, actor=actor)


def test_payment_input_validated(company_scope, actor):
    invoice = issued_invoice(company=company_scope)
    for amount in (Decimal("0"), Decimal("-5"), Decimal("1.001")):
        with pytest.raises(ValidationError) as excinfo:
            services.payment_register(invoice=invoice, actor=actor, amount=amount, date=D)
        assert "amount" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.payment_register(
            invoice=draft_invoice(company=company_scope), actor=actor, amount=Decimal(1), date=D
        )
    with pytest.raises(ValidationError):
        services.payment_register(
            invoice=invoice, actor=actor, amount=Decimal(1), date=D, method="bitcoin"
        )


def test_payment_amount_is_capped_like_every_stored_amount(company_scope, actor):
    """One limit for every stored amount (services.MAX_AMOUNT): a payment is no exception,
    confirmed or not, and the limit itself is accepted (it goes to the credit balance)."""
    invoice = issued_invoice(company=company_scope)
    for amount in (services.MAX_AMOUNT + Decimal("0.01"), Decimal("99999999999999999.99")):
        with pytest.raises(ValidationError) as excinfo:
            services.payment_register(
                invoice=invoice,
                actor=actor,
                amount=amount,
                date=D,
                confirm_overpayment=True,
                confirm_duplicate=True,
            )
        assert "9\u00a0999\u00a0999\u00a0999\u00a0999,99" in excinfo.value.message_dict["amount"][0]
    assert not Payment.objects.exists()
    payment = services.payment_register(
        invoice=invoice, actor=actor, amount=services.MAX_AMOUNT, date=D, confirm_overpayment=True
    )
    stored = Payment.objects.get(pk=payment.pk)
    assert stored.amount == services.MAX_AMOUNT
    assert stored.to_credit_amount == services.MAX_AMOUNT - invoice.total_incl_vat


def test_overdue_is_derived(company_scope, actor):
    invoice = issued_invoice(company=company_scope)  # due 2026-11-16
    assert invoice.is_overdue(today=datetime.date(2026, 11, 17))
    assert not invoice.is_overdue(today=datetime.date(2026, 11, 16))
    services.payment_register(invoice=invoice, actor=actor, amount=invoice.total_incl_vat, date=D)
    assert not _reload(invoice).is_overdue(today=datetime.date(2027, 1, 1))


def test_mark_sent(company_scope, actor):
    invoice = issued_invoice(company=company_scope)
    sent = services.invoice_mark_sent(invoice=invoice, actor=actor)
    assert sent.status == "sent" and sent.sent_at is not None
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("1.00"), date=D)
    assert _reload(invoice).status == "partially_paid"


# --- properties ------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
line_specs = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50"), places=4),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("2000"), places=2),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
        st.sampled_from(["3", "31", "33", "32", "5", "51", "52", "6"]),
    ),
    min_size=1,
    max_size=6,
)


@DB_EXAMPLES
@given(specs=line_specs)
def test_full_credit_note_cancels_to_the_ore(company_scope, actor, specs):
    # Dated today like the credit note: a series' dates follow its numbers.
    invoice = issued_invoice(
        company=company_scope,
        invoice_date=None,
        lines=[line(quantity=q, unit_price=p, discount=d, code=c) for q, p, d, c in specs],
    )
    if invoice.total_incl_vat == 0:
        # Nothing to credit: a 0.00 credit note is never issued.
        with pytest.raises(ValidationError):
            services.invoice_credit(invoice=invoice, actor=actor)
        return
    note = services.invoice_credit(invoice=invoice, actor=actor)
    invoice = _reload(invoice)
    assert note.total_excl_vat == invoice.total_excl_vat
    assert note.total_vat == invoice.total_vat
    assert note.total_incl_vat == invoice.total_incl_vat
    assert invoice.open_balance == 0
    assert invoice.credited_amount == invoice.total_incl_vat


operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), amounts),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
        st.tuples(
            st.just("credit"),
            st.integers(min_value=0, max_value=3),
            st.decimals(min_value=Decimal("0.5"), max_value=Decimal("3"), places=1),
        ),
    ),
    max_size=12,
)


@DB_EXAMPLES
@given(ops=operations)
def test_balance_invariants_under_any_sequence(company_scope, actor, ops):
    client = ClientFactory(company=company_scope)
    invoice = issued_invoice(
        company=company_scope,
        client=client,
        invoice_date=None,  # today, like the credit notes (a series' dates follow its numbers)
        lines=[
            line(quantity="3", unit_price="333.33"),
            line(quantity="2", code="31", unit_price="99.95"),
        ],
    )
    originals = list(invoice.lines.order_by("position"))
    payments: list[Payment] = []
    received = Decimal("0")
    for op in ops:
        try:
            if op[0] == "pay":
                payments.append(
                    services.payment_register(
                        invoice=invoice,
                        actor=actor,
                        amount=op[1],
                        date=D,
                        confirm_overpayment=True,
                        confirm_duplicate=True,
                    )
                )
                received += op[1]
            elif op[0] == "reverse" and payments:
                target = payments[op[1] % len(payments)]
                services.payment_reverse(payment=target, actor=actor)
                received -= target.amount
            elif op[0] == "credit":
                target_line = originals[op[1] % len(originals)]
                services.invoice_credit(
                    invoice=invoice,
                    actor=actor,
                    lines=[services.CreditLine(original_line=target_line, quantity=op[2])],
                )
        except ValidationError:
            pass  # e.g. reversing twice, crediting more than remains: refused, nothing saved
        current = _reload(invoice)
        credit_notes = sum(
            (n.total_incl_vat for n in selectors.credit_notes_of(invoice=current)),
            Decimal("0"),
        )
        from_this_invoice = sum(
            (e.amount for e in ClientBalanceEntry.objects.filter(invoice=current)), Decimal("0")
        )
        # balance = total − paid − credited, never negative: the excess is credit balance
        assert current.open_balance == (
            current.total_incl_vat - current.paid_amount - current.credited_amount
        )
        assert current.open_balance >= 0
        assert current.paid_amount >= 0
        assert current.credited_amount <= current.total_incl_vat
        # nothing lost: money received + credit notes = paid + credited + client credit
        assert received + credit_notes == (
            current.paid_amount + current.credited_amount + from_this_invoice
        )
        assert selectors.client_credit_balance(client=client) == from_this_invoice
        # received = Σ payment rows (reversals are negative rows)
        assert received == sum(
            (p.amount for p in Payment.objects.filter(invoice=current)), Decimal("0")
        )
        expected_status = (
            "credited"
            if current.credited_amount >= current.total_incl_vat
            else "paid"
            if current.open_balance == 0
            else "partially_paid"
            if current.paid_amount > 0
            else "issued"
        )
        assert current.status == expected_status


def test_reversing_a_mistaken_overpayment_keeps_the_real_payment(company_scope, actor):
    """Issue 9 defect 2: pay 2 000, pay 99 999 by mistake, reverse the mistaken one."""
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="4000.00")])
    assert invoice.total_incl_vat == Decimal("5000.00")
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("2000.00"), date=D)
    mistake = services.payment_register(
        invoice=_reload(invoice),
        actor=actor,
        amount=Decimal("99999.00"),
        date=D,
        confirm_overpayment=True,
    )
    assert (mistake.applied_amount, mistake.to_credit_amount) == (
        Decimal("3000.00"),
        Decimal("96999.00"),
    )
    reversal = services.payment_reverse(payment=mistake, actor=actor)
    invoice = _reload(invoice)
    assert (reversal.applied_amount, reversal.to_credit_amount) == (
        Decimal("-3000.00"),
        Decimal("-96999.00"),
    )
    assert invoice.paid_amount == Decimal("2000.00")
    assert invoice.open_balance == Decimal("3000.00")
    assert invoice.status == Invoice.Status.PARTIALLY_PAID
    assert selectors.client_credit_balance(client=invoice.client) == 0


def test_reversal_after_a_credit_note_takes_back_the_credit_it_left(company_scope, actor):
    """A credit note moved the paid money to the credit balance: the reversal takes it there."""
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="800.00")])
    payment = services.payment_register(
        invoice=invoice, actor=actor, amount=Decimal("1000.00"), date=D
    )
    services.invoice_credit(invoice=_reload(invoice), actor=actor)
    assert selectors.client_credit_balance(client=invoice.client) == Decimal("1000.00")
    reversal = services.payment_reverse(payment=payment, actor=actor)
    invoice = _reload(invoice)
    assert (reversal.applied_amount, reversal.to_credit_amount) == (
        Decimal("0.00"),
        Decimal("-1000.00"),
    )
    assert (invoice.paid_amount, invoice.open_balance) == (Decimal("0.00"), Decimal("0.00"))
    assert selectors.client_credit_balance(client=invoice.client) == 0


# --- reversal mirrors its payment (issue 9 defect 2), on both databases ------------------------

slip_amounts = st.one_of(
    st.sampled_from([Decimal("100.00"), Decimal("500.00"), Decimal("999.99"), Decimal("2000.00")]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1500"), places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
)
ledger_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.integers(0, 1),  # which invoice
            slip_amounts,
            st.sampled_from(["", "KID 17"]),
            st.booleans(),  # confirm_overpayment
            st.booleans(),  # confirm_duplicate
        ),
        st.tuples(st.just("pay_from_credit"), st.integers(0, 1), slip_amounts),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
        st.tuples(
            st.just("credit"),
            st.integers(0, 1),
            st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=1),
        ),
    ),
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=ledger_ops)
@example(  # the report: pay 2 000, pay 99 999 by mistake, reverse the mistake
    ops=[
        ("pay", 1, Decimal("1000.00"), "", False, False),
        ("pay", 1, Decimal("99999.00"), "", True, False),
        ("reverse", 1),
    ]
)
@example(  # a credit note between the payment and its reversal
    ops=[
        ("pay", 0, Decimal("2000.00"), "KID 17", True, False),
        ("credit", 0, Decimal("2.0")),
        ("pay", 0, Decimal("2000.00"), "KID 17", True, True),
        ("reverse", 0),
        ("pay_from_credit", 1, Decimal("100.00")),
        ("reverse", 2),
    ]
)
def test_reversals_undo_exactly_their_payment_under_any_sequence(company_scope, actor, ops):
    """Payments (overpayments, from credit), reversals and credit notes on two invoices of
    one client: paid + credited + credit balance always equals the money received net of
    reversals plus the credit notes; no balance goes negative; a reversal mirrors the split
    of its payment; and without credit notes each invoice's paid amount is exactly what its
    unreversed payments applied to it. Slips are refused exactly when the rules say."""
    client = ClientFactory(company=company_scope)
    # Dated today, like the credit notes: a series' numbers follow its dates.
    invoices = [
        issued_invoice(
            company=company_scope,
            client=client,
            invoice_date=None,
            lines=[line(quantity="3", unit_price="333.33"), line(code="31", unit_price="99.95")],
        ),
        issued_invoice(
            company=company_scope,
            client=client,
            invoice_date=None,
            lines=[line(unit_price="1600.00")],
        ),
    ]
    credited_invoices: set[int] = set()
    payments: list[Payment] = []
    reversed_ids: set[int] = set()

    def live(pay: Payment) -> bool:
        return pay.pk not in reversed_ids

    for op in ops:
        if op[0] == "pay":
            _, which, amount, reference, confirm_over, confirm_dup = op
            invoice = _reload(invoices[which])
            over = max(amount - invoice.open_balance, Decimal("0"))
            duplicate = any(
                live(p)
                and p.method != Payment.Method.CREDIT_BALANCE
                and p.invoice_id == invoice.pk
                and (p.amount, p.date, p.reference) == (amount, D, reference)
                for p in payments
            )
            try:
                payment = services.payment_register(
                    invoice=invoice,
                    actor=actor,
                    amount=amount,
                    date=D,
                    reference=reference,
                    confirm_overpayment=confirm_over,
                    confirm_duplicate=confirm_dup,
                )
            except ValidationError as exc:
                refused = set(exc.message_dict)
                expected = set()
                if over > selectors.PAYMENT_OVERPAYMENT_MARGIN and not confirm_over:
                    expected.add("confirm_overpayment")
                if duplicate and not confirm_dup:
                    expected.add("confirm_duplicate")
                assert refused == expected and expected
            else:
                assert not (over > selectors.PAYMENT_OVERPAYMENT_MARGIN and not confirm_over)
                assert not (duplicate and not confirm_dup)
                assert payment.applied_amount == amount - over
                assert payment.to_credit_amount == over
                payments.append(payment)
        elif op[0] == "pay_from_credit":
            _, which, amount = op
            invoice = _reload(invoices[which])
            available = selectors.client_credit_balance(client=client)
            try:
                payment = services.payment_register(
                    invoice=invoice, actor=actor, amount=amount, date=D, method="credit"
                )
            except ValidationError as exc:
                assert amount > invoice.open_balance or amount > available, exc
            else:
                assert (payment.applied_amount, payment.to_credit_amount) == (amount, Decimal(0))
                payments.append(payment)
        elif op[0] == "reverse" and payments:
            target = payments[op[1] % len(payments)]
            before = _reload(invoices[0] if target.invoice_id == invoices[0].pk else invoices[1])
            try:
                reversal = services.payment_reverse(payment=target, actor=actor)
            except ValidationError:
                assert not live(target)
            else:
                assert live(target)
                reversed_ids.add(target.pk)
                assert reversal.amount == -target.amount
                if before.pk not in credited_invoices:
                    assert reversal.applied_amount == -target.applied_amount
                    assert reversal.to_credit_amount == -target.to_credit_amount
                after = _reload(before)
                assert after.paid_amount == before.paid_amount + reversal.applied_amount
        elif op[0] == "credit":
            _, which, quantity = op
            original = invoices[which].lines.order_by("position").first()
            try:
                services.invoice_credit(
                    invoice=_reload(invoices[which]),
                    actor=actor,
                    lines=[services.CreditLine(original_line=original, quantity=quantity)],
                )
            except ValidationError:
                pass  # more than remains of the line: refused, nothing saved
            else:
                credited_invoices.add(invoices[which].pk)

        current = [_reload(invoice) for invoice in invoices]
        credit = selectors.client_credit_balance(client=client)
        new_money = sum(
            (p.amount for p in payments if live(p) and p.method != "credit"), Decimal("0")
        )
        credit_notes = sum(
            (
                note.total_incl_vat
                for invoice in current
                for note in selectors.credit_notes_of(invoice=invoice)
            ),
            Decimal("0"),
        )
        assert (
            sum((i.paid_amount + i.credited_amount for i in current), Decimal("0")) + credit
            == new_money + credit_notes
        )
        for invoice in current:
            assert invoice.paid_amount >= 0
            assert invoice.open_balance >= 0
            assert invoice.credited_amount <= invoice.total_incl_vat
            assert invoice.open_balance == (
                invoice.total_incl_vat - invoice.paid_amount - invoice.credited_amount
            )
            if invoice.pk not in credited_invoices:
                assert invoice.paid_amount == sum(
                    (p.applied_amount for p in payments if live(p) and p.invoice_id == invoice.pk),
                    Decimal("0"),
                )
        if not credited_invoices:
            # What was paid net of reversals is on the invoices or in the credit balance.
            assert credit == sum(
                (
                    p.to_credit_amount if p.method != "credit" else -p.amount
                    for p in payments
                    if live(p)
                ),
                Decimal("0"),
            )


def test_duplicate_payment_refused_unless_confirmed_or_reversed(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="800.00")])
    first = services.payment_register(
        invoice=invoice, actor=actor, amount=Decimal("100.00"), date=D, reference="KID 1"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.payment_register(
            invoice=_reload(invoice),
            actor=actor,
            amount=Decimal("100.00"),
            date=D,
            reference=" KID 1 ",
        )
    assert excinfo.value.error_dict["confirm_duplicate"][0].code == "duplicate"
    assert Payment.objects.count() == 1
    # Another reference, date or amount is another payment.
    services.payment_register(
        invoice=_reload(invoice), actor=actor, amount=Decimal("100.00"), date=D, reference="KID 2"
    )
    services.payment_register(
        invoice=_reload(invoice),
        actor=actor,
        amount=Decimal("100.00"),
        date=D + datetime.timedelta(days=1),
        reference="KID 1",
    )
    confirmed = services.payment_register(
        invoice=_reload(invoice),
        actor=actor,
        amount=Decimal("100.00"),
        date=D,
        reference="KID 1",
        confirm_duplicate=True,
    )
    assert confirmed.reference == "KID 1"
    entry = AuditEntry.objects.filter(action="invoicing.payment.registered").order_by("pk").last()
    assert entry is not None and entry.data["confirmed_duplicate"] is True
    # Once the earlier ones are reversed, registering the payment again is no slip.
    services.payment_reverse(payment=first, actor=actor)
    services.payment_reverse(payment=confirmed, actor=actor)
    services.payment_register(
        invoice=_reload(invoice), actor=actor, amount=Decimal("100.00"), date=D, reference="KID 1"
    )


def test_paying_from_credit_is_never_taken_for_a_duplicate_payment(company_scope, actor):
    """Hypothesis found it: 100 paid by bank, then 100 of the client's credit used on the
    same invoice the same day was refused as "the same payment registered twice"."""
    client = ClientFactory(company=company_scope)
    invoice = issued_invoice(
        company=company_scope, client=client, lines=[line(unit_price="800.00")]
    )
    other = issued_invoice(company=company_scope, client=client, lines=[line(unit_price="80.00")])
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("100.00"), date=D)
    services.payment_register(
        invoice=other, actor=actor, amount=Decimal("300.00"), date=D, confirm_overpayment=True
    )
    from_credit = [
        services.payment_register(
            invoice=_reload(invoice), actor=actor, amount=Decimal("100.00"), date=D, method="credit"
        )
        for _ in range(2)
    ]
    assert [p.applied_amount for p in from_credit] == [Decimal("100.00")] * 2
    assert selectors.client_credit_balance(client=client) == Decimal("0.00")
    # The credit is used up: a third use is refused by the balance, not as a duplicate.
    with pytest.raises(ValidationError) as excinfo:
        services.payment_register(
            invoice=_reload(invoice), actor=actor, amount=Decimal("100.00"), date=D, method="credit"
        )
    assert set(excinfo.value.message_dict) == {"amount"}
    # Money received is still checked: the bank payment again needs a confirmation.
    with pytest.raises(ValidationError) as excinfo:
        services.payment_register(
            invoice=_reload(invoice), actor=actor, amount=Decimal("100.00"), date=D
        )
    assert set(excinfo.value.message_dict) == {"confirm_duplicate"}


def test_duplicate_window_is_minutes_not_forever(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="800.00")])
    services.payment_register(invoice=invoice, actor=actor, amount=Decimal("100.00"), date=D)
    later = timezone.now() + selectors.PAYMENT_DUPLICATE_WINDOW + datetime.timedelta(seconds=1)
    assert selectors.payment_recent_duplicate_exists(
        invoice=invoice, amount=Decimal("100.00"), date=D, reference=""
    )
    assert not selectors.payment_recent_duplicate_exists(
        invoice=invoice, amount=Decimal("100.00"), date=D, reference="", now=later
    )


def test_overpayment_within_the_margin_needs_no_confirmation(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="799.20")])
    assert invoice.total_incl_vat == Decimal("999.00")
    margin = selectors.PAYMENT_OVERPAYMENT_MARGIN
    payment = services.payment_register(
        invoice=invoice, actor=actor, amount=invoice.total_incl_vat + margin, date=D
    )
    assert payment.to_credit_amount == margin
    other = issued_invoice(company=company_scope, lines=[line(unit_price="799.20")])
    with pytest.raises(ValidationError) as excinfo:
        services.payment_register(
            invoice=other,
            actor=actor,
            amount=other.total_incl_vat + margin + Decimal("0.01"),
            date=D,
        )
    assert excinfo.value.error_dict["confirm_overpayment"][0].code == "overpayment"
    assert not Payment.objects.filter(invoice=other).exists()
