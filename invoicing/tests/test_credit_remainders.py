"""Credit notes never credit more than the invoice, per line and VAT group, to the øre.

Crediting by quantity and by amount; the last credit of a line or VAT group takes exactly
what remains; a 0.00 credit note is never issued.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import build_ehf
from documents.ehf_rules import fatal_violations
from documents.tests.ehf_support import xsd_errors
from invoicing import selectors, services
from invoicing.calculation import (
    CreditedGroup,
    CreditExceedsInvoice,
    credit_line_net,
    credit_vat,
    line_net_amount,
    vat_amount,
)
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, issued_invoice, line

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")


def _credit(invoice, actor, **kwargs):
    return services.invoice_credit(invoice=invoice, actor=actor, **kwargs)


def _by_quantity(invoice_line, quantity):
    return services.CreditLine(original_line=invoice_line, quantity=Decimal(quantity))


def _by_amount(invoice_line, amount):
    return services.CreditLine(original_line=invoice_line, amount=Decimal(amount))


def _group_remainders(invoice: Invoice) -> dict[tuple[str, Decimal], tuple[Decimal, ...]]:
    """Per VAT group: invoice figure − Σ credit-note figures (basis, VAT, VAT in NOK)."""
    credited = selectors.credited_vat_groups(invoice=invoice)
    return {
        (v.vat_category, v.vat_rate): tuple(
            own - done
            for own, done in zip(
                (v.basis, v.vat, v.vat_nok),
                credited.get((v.vat_category, v.vat_rate), (ZERO, ZERO, ZERO)),
                strict=True,
            )
        )
        for v in invoice.vat_lines.all()
    }


def _assert_valid_ehf(note: Invoice) -> None:
    xml = build_ehf(document_from_invoice(load_for_document(note.pk)))
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []


# --- the defects of issue 9 (6) ---------------------------------------------------------------


def test_three_partial_credits_never_reverse_more_vat_than_the_invoice(company_scope, actor):
    # 3 × 0.10 at 25 %: VAT 0.08. Rounded per credit note, each 0.10 would reverse 0.03.
    invoice = issued_invoice(company=company_scope, lines=[line(quantity="3", unit_price="0.10")])
    assert invoice.total_vat == Decimal("0.08")
    original = invoice.lines.get()
    notes = [_credit(invoice, actor, lines=[_by_quantity(original, "1")]) for _ in range(3)]
    assert sum(n.total_vat for n in notes) == Decimal("0.08")
    assert sum(n.total_incl_vat for n in notes) == invoice.total_incl_vat
    assert all(r == (ZERO, ZERO, ZERO) for r in _group_remainders(invoice).values())
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED and invoice.open_balance == 0


def test_partial_credits_leave_no_ore_that_can_never_be_credited(company_scope, actor):
    # 0.3 × 3.33 = 0.999 → 1.00 + 0.25 VAT. Rounded per credit note, 0.1 × 3.33 = 0.33 + 0.08
    # three times is 0.99 + 0.24: 0.02 left that no quantity could ever credit.
    invoice = issued_invoice(company=company_scope, lines=[line(quantity="0.3", unit_price="3.33")])
    assert invoice.total_incl_vat == Decimal("1.25")
    original = invoice.lines.get()
    notes = [_credit(invoice, actor, lines=[_by_quantity(original, "0.1")]) for _ in range(3)]
    assert sum(n.total_excl_vat for n in notes) == Decimal("1.00")
    assert sum(n.total_incl_vat for n in notes) == Decimal("1.25")
    invoice.refresh_from_db()
    assert invoice.open_balance == 0 and invoice.status == Invoice.Status.CREDITED
    with pytest.raises(ValidationError, match="allerede kreditert fullt ut"):
        _credit(invoice, actor)


def test_a_credit_note_of_0_00_is_never_issued(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(quantity="1", unit_price="1.00")])
    original = invoice.lines.get()
    with pytest.raises(ValidationError, match="0,00"):
        _credit(invoice, actor, lines=[_by_quantity(original, "0.001")])
    with pytest.raises(ValidationError, match="ugyldig beløp"):
        _credit(invoice, actor, lines=[_by_amount(original, "0")])
    assert not Invoice.objects.credit_notes().exists()


def test_crediting_only_a_deduction_line_is_refused(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[line(quantity="1", unit_price="500"), line(quantity="-1", unit_price="100")],
    )
    deduction = invoice.lines.get(position=2)
    with pytest.raises(ValidationError, match="over 0,00"):
        _credit(invoice, actor, lines=[_by_quantity(deduction, "-1")])


def test_a_line_without_its_deduction_cannot_exceed_the_vat_group(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[line(quantity="1", unit_price="500"), line(quantity="-1", unit_price="100")],
    )
    main = invoice.lines.get(position=1)
    with pytest.raises(ValidationError, match="fradragslinjene"):
        _credit(invoice, actor, lines=[_by_quantity(main, "1")])
    # 400 of it can be credited (as an amount); then the group is exactly zero.
    note = _credit(invoice, actor, lines=[_by_amount(main, "400")])
    assert note.total_incl_vat == invoice.total_incl_vat
    assert all(r == (ZERO, ZERO, ZERO) for r in _group_remainders(invoice).values())


# --- credit by amount -----------------------------------------------------------------------


def test_credit_by_amount_is_one_lump_sum_at_the_lines_vat(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[line(quantity="10", unit_price="100", code="31", description="Lunsj")],
        their_reference="Kari Nordmann",
    )
    original = invoice.lines.get()
    note = _credit(invoice, actor, lines=[_by_amount(original, "250")])
    credit_line = note.lines.get()
    assert credit_line.credited_by_amount and credit_line.credited_line == original
    assert (credit_line.quantity, credit_line.unit, credit_line.unit_price) == (1, "LS", 250)
    assert credit_line.description == "Kreditert beløp: Lunsj"
    assert credit_line.vat_rate == Decimal("15.00")
    assert (note.total_excl_vat, note.total_vat) == (Decimal("250.00"), Decimal("37.50"))
    _assert_valid_ehf(note)

    item = selectors.invoice_creditable_lines(invoice=invoice)[0]
    assert item.remaining_net == Decimal("750.00") and item.by_amount_only
    # The units no longer carry the invoiced price: the rest goes by amount.
    with pytest.raises(ValidationError, match="resten som beløp"):
        _credit(invoice, actor, lines=[_by_quantity(original, "1")])
    with pytest.raises(ValidationError, match="mer enn det som gjenstår"):
        _credit(invoice, actor, lines=[_by_amount(original, "750.01")])
    rest = _credit(invoice, actor)  # all that remains
    assert rest.lines.get().credited_by_amount
    assert rest.total_excl_vat == Decimal("750.00")
    assert all(r == (ZERO, ZERO, ZERO) for r in _group_remainders(invoice).values())
    _assert_valid_ehf(rest)


def test_quantity_and_amount_on_one_line_together_are_refused(company_scope, actor):
    invoice = issued_invoice(company=company_scope, lines=[line(quantity="2")])
    original = invoice.lines.get()
    with pytest.raises(ValidationError, match="enten antall eller beløp"):
        _credit(
            invoice,
            actor,
            lines=[
                services.CreditLine(
                    original_line=original, quantity=Decimal("1"), amount=Decimal("10")
                )
            ],
        )


def test_foreign_currency_remainders_close_the_vat_in_nok_too(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[line(quantity="7", unit_price="0.37"), line(quantity="3", unit_price="0.15")],
        currency="EUR",
        exchange_rate=Decimal("11.7325"),
        their_reference="Kari Nordmann",
    )
    first, second = invoice.lines.order_by("position")
    notes = [
        _credit(invoice, actor, lines=[_by_quantity(first, "2"), _by_quantity(second, "1")]),
        _credit(invoice, actor, lines=[_by_amount(first, "0.50")]),
        _credit(invoice, actor),
    ]
    assert sum(n.total_vat_nok for n in notes) == invoice.total_vat_nok
    assert all(r == (ZERO, ZERO, ZERO) for r in _group_remainders(invoice).values())
    for note in notes:
        _assert_valid_ehf(note)


# --- properties -----------------------------------------------------------------------------

PURE = settings(max_examples=400, deadline=None)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("40"), places=4)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999"), places=2)
discounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99"), places=2)
rates = st.sampled_from([Decimal("25"), Decimal("15"), Decimal("12"), Decimal("11.11")])


@PURE
@given(
    quantity=quantities,
    price=prices,
    discount=discounts,
    cuts=st.lists(st.integers(min_value=1, max_value=100), max_size=8),
)
def test_cumulative_line_nets_add_up_to_the_line(quantity, price, discount, cuts):
    line_net = line_net_amount(quantity=quantity, unit_price=price, discount_percent=discount)
    credited_quantity, credited_net = Decimal(0), Decimal("0.00")
    parts = [(quantity * c / 100).quantize(Decimal("0.0001")) for c in cuts]
    for part in [p for p in parts if p > 0]:
        if credited_quantity + part >= quantity:
            break
        net = credit_line_net(
            quantity=part,
            unit_price=price,
            discount_percent=discount,
            line_quantity=quantity,
            line_net=line_net,
            credited_quantity=credited_quantity,
            credited_net=credited_net,
        )
        own = line_net_amount(quantity=part, unit_price=price, discount_percent=discount)
        assert abs(net - own) <= Decimal("0.01")  # within Peppol R120's slack
        credited_quantity += part
        credited_net += net
        assert 0 <= credited_net <= line_net
    last = credit_line_net(
        quantity=quantity - credited_quantity,
        unit_price=price,
        discount_percent=discount,
        line_quantity=quantity,
        line_net=line_net,
        credited_quantity=credited_quantity,
        credited_net=credited_net,
    )
    assert credited_net + last == line_net


@PURE
@given(
    basis=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    rate=rates,
    exchange_rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30"), places=4),
    cuts=st.lists(st.integers(min_value=1, max_value=100), max_size=10),
)
def test_cumulative_vat_never_exceeds_and_the_rest_closes_the_group(
    basis, rate, exchange_rate, cuts
):
    vat = vat_amount(basis=basis, rate=rate)
    vat_nok = (vat * exchange_rate).quantize(Decimal("0.01"))
    group = CreditedGroup(basis=basis, vat=vat, vat_nok=vat_nok)
    for cut in cuts:
        part = (basis * cut / 100).quantize(Decimal("0.01"))
        left = group.basis - group.credited_basis
        if part <= 0 or part >= left:
            continue
        credit, credit_nok = credit_vat(
            group=group, basis=part, rate=rate, exchange_rate=exchange_rate
        )
        assert abs(credit - vat_amount(basis=part, rate=rate)) <= Decimal("0.01")
        group = CreditedGroup(
            basis=basis,
            vat=vat,
            vat_nok=vat_nok,
            credited_basis=group.credited_basis + part,
            credited_vat=group.credited_vat + credit,
            credited_vat_nok=group.credited_vat_nok + credit_nok,
        )
        assert 0 <= group.credited_vat <= vat and 0 <= group.credited_vat_nok <= vat_nok
    with pytest.raises(CreditExceedsInvoice):
        credit_vat(
            group=group,
            basis=basis - group.credited_basis + Decimal("0.01"),
            rate=rate,
            exchange_rate=exchange_rate,
        )
    last, last_nok = credit_vat(
        group=group, basis=basis - group.credited_basis, rate=rate, exchange_rate=exchange_rate
    )
    assert group.credited_vat + last == vat
    assert group.credited_vat_nok + last_nok == vat_nok


DB_EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
credit_steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which line
        st.booleans(),  # by amount?
        st.integers(min_value=1, max_value=100),  # percent of what remains
    ),
    max_size=6,
)
invoice_lines = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal("9"), places=1),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=1),
        st.sampled_from(["3", "31", "33", "5", "3"]),
    ),
    min_size=1,
    max_size=4,
)


@DB_EXAMPLES
@given(specs=invoice_lines, steps=credit_steps)
def test_any_partial_credits_never_exceed_and_the_rest_closes_every_group(
    company_scope, actor, specs, steps
):
    invoice = issued_invoice(
        company=company_scope,
        client=ClientFactory(company=company_scope),
        invoice_date=None,  # today, like its credit notes: numbers follow dates
        lines=[line(quantity=q, unit_price=p, discount=d, code=c) for q, p, d, c in specs],
    )
    originals = list(invoice.lines.order_by("position"))
    for which, by_amount, percent in steps:
        item = selectors.invoice_creditable_lines(invoice=invoice)[which % len(originals)]
        if by_amount or item.by_amount_only:
            part = (item.remaining_net * percent / 100).quantize(Decimal("0.01"))
            wanted = _by_amount(item.line, part)
        else:
            part = (item.remaining_quantity * percent / 100).quantize(Decimal("0.0001"))
            wanted = _by_quantity(item.line, part)
        # 0.00, or nothing left on the line: refused, nothing saved.
        with contextlib.suppress(ValidationError):
            _credit(invoice, actor, lines=[wanted])
        for basis, vat, vat_nok in _group_remainders(invoice).values():
            assert basis >= 0 and vat >= 0 and vat_nok >= 0
        for item in selectors.invoice_creditable_lines(invoice=invoice):
            assert 0 <= item.remaining_net <= item.line.net_amount
    invoice.refresh_from_db()
    if invoice.open_balance + invoice.paid_amount == 0:
        with pytest.raises(ValidationError):
            _credit(invoice, actor)
    else:
        _credit(invoice, actor)  # all that remains
    assert all(r == (ZERO, ZERO, ZERO) for r in _group_remainders(invoice).values())
    invoice.refresh_from_db()
    credited = sum(
        (n.total_incl_vat for n in selectors.credit_notes_of(invoice=invoice)), Decimal(0)
    )
    assert credited == invoice.total_incl_vat
    assert invoice.open_balance == 0
