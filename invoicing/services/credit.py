"""Credit notes: credit an issued invoice wholly or in part."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.units import Unit
from core.audit import Actor, audit_log
from core.money import ZERO, format_nok
from invoicing.calculation import (
    CreditedGroup,
    CreditExceedsInvoice,
    CreditLineFigures,
    Totals,
    compute_credit_totals,
    credit_line_net,
)
from invoicing.models import ClientBalanceEntry, Invoice, InvoiceLine
from invoicing.selectors import credited_vat_groups, invoice_creditable_lines
from invoicing.services.balance import _credit_balance_entry, _save_balance
from invoicing.services.common import _atomic_in_scope, _decimal_places
from invoicing.services.issue import _issue
from invoicing.services.summary import month_summary_add, open_part


@dataclass(frozen=True)
class CreditLine:
    """Credit part of one line of the original invoice, by quantity or by amount.

    By quantity (returned goods, hours not worked): ``quantity`` units at the line's price
    and discount, with the sign of the original line; ``None`` credits all that remains.
    By amount (a price reduction, a goodwill credit): ``amount`` is the net amount
    excl. VAT to credit, with the sign of the line's net amount; the credit-note line
    says 1 "rs" × that amount, at the line's VAT code and rate. Give one of the two.
    """

    original_line: InvoiceLine
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class _PlannedCreditLine:
    line: InvoiceLine
    quantity: Decimal
    net: Decimal
    by_amount: bool


def _plan_credit_lines(
    original: Invoice, lines: Sequence[CreditLine] | None
) -> list[_PlannedCreditLine]:
    """The credit-note lines for ``lines`` (None: all that remains); ValidationError if not."""
    creditable = {item.line.pk: item for item in invoice_creditable_lines(invoice=original)}
    planned: list[_PlannedCreditLine] = []
    if lines is None:
        for remaining in creditable.values():
            if not remaining.is_open:
                continue
            if remaining.by_amount_only or remaining.remaining_quantity == 0:
                planned.append(
                    _PlannedCreditLine(remaining.line, ZERO, remaining.remaining_net, True)
                )
            else:
                planned.append(
                    _PlannedCreditLine(
                        remaining.line, remaining.remaining_quantity, remaining.remaining_net, False
                    )
                )
        return planned

    errors: list[str] = []
    seen: set[int] = set()
    for credit_line in lines:
        item = creditable.get(credit_line.original_line.pk)
        if item is None:
            errors.append(_("Linjen hører ikke til fakturaen som krediteres."))
            continue
        line, n = item.line, item.line.position
        if line.pk in seen:
            errors.append(_("Linje %(n)s er oppgitt to ganger.") % {"n": n})
            continue
        seen.add(line.pk)
        if credit_line.amount is not None and credit_line.quantity is not None:
            errors.append(
                _("Linje %(n)s: krediter enten antall eller beløp, ikke begge.") % {"n": n}
            )
            continue
        if not item.is_open:
            errors.append(_("Linje %(n)s er allerede kreditert fullt ut.") % {"n": n})
            continue
        if credit_line.amount is not None:
            amount = credit_line.amount
            same_sign = (amount > 0) == (item.remaining_net > 0)
            if amount == 0 or not same_sign or _decimal_places(amount) > 2:
                errors.append(_("Linje %(n)s: ugyldig beløp å kreditere.") % {"n": n})
            elif abs(amount) > abs(item.remaining_net):
                errors.append(
                    _(
                        "Linje %(n)s: du kan ikke kreditere mer enn det som gjenstår "
                        "(%(left)s eks. MVA)."
                    )
                    % {"n": n, "left": format_nok(item.remaining_net)}
                )
            else:
                planned.append(_PlannedCreditLine(line, ZERO, amount, True))
            continue
        if item.by_amount_only:
            errors.append(
                _(
                    "Linje %(n)s er delvis kreditert som beløp; krediter resten som beløp "
                    "(høyst %(left)s eks. MVA)."
                )
                % {"n": n, "left": format_nok(item.remaining_net)}
            )
            continue
        left = item.remaining_quantity
        quantity = left if credit_line.quantity is None else credit_line.quantity
        same_sign = (quantity > 0) == (line.quantity > 0)
        if quantity == 0 or not same_sign or _decimal_places(quantity) > 4:
            errors.append(_("Linje %(n)s: ugyldig antall å kreditere.") % {"n": n})
            continue
        if abs(quantity) > abs(left):
            errors.append(
                _("Linje %(n)s: du kan ikke kreditere mer enn det som gjenstår (%(left)s).")
                % {"n": n, "left": left.normalize()}
            )
            continue
        net = credit_line_net(
            quantity=quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            line_quantity=line.quantity,
            line_net=line.net_amount,
            credited_quantity=item.credited_quantity,
            credited_net=item.credited_net,
        )
        if net == 0:
            errors.append(
                _("Linje %(n)s: %(q)s gir 0,00 å kreditere; krediter et større antall.")
                % {"n": n, "q": quantity.normalize()}
            )
            continue
        planned.append(_PlannedCreditLine(line, quantity, net, False))
    if errors:
        raise ValidationError({"lines": errors})
    return planned


def _refuse_not_positive(total: Decimal) -> None:
    raise ValidationError(
        {
            "lines": [
                _(
                    "Kreditnotaen ville bli på %(total)s. En kreditnota må kreditere et beløp "
                    "over 0,00; et fradrag alene krediteres ikke."
                )
                % {"total": format_nok(total)}
            ]
        },
        code="credit_not_positive",
    )


def _credit_totals(original: Invoice, planned: list[_PlannedCreditLine]) -> Totals:
    """The credit note's totals; ValidationError where it would exceed the invoice."""
    net = sum((item.net for item in planned), ZERO)
    if net <= 0:
        _refuse_not_positive(net)
    credited = credited_vat_groups(invoice=original)
    groups = {}
    for vat_line in original.vat_lines.all():
        key = (vat_line.vat_category, Decimal(vat_line.vat_rate).quantize(Decimal("0.01")))
        basis, vat, vat_nok = credited.get(key, (ZERO, ZERO, ZERO))
        groups[key] = CreditedGroup(
            basis=vat_line.basis,
            vat=vat_line.vat,
            vat_nok=vat_line.vat_nok,
            credited_basis=basis,
            credited_vat=vat,
            credited_vat_nok=vat_nok,
        )
    try:
        totals = compute_credit_totals(
            [
                CreditLineFigures(
                    net=item.net,
                    vat_category=item.line.vat_category,
                    vat_rate=item.line.vat_rate or ZERO,
                )
                for item in planned
            ],
            groups=groups,
            exchange_rate=original.exchange_rate,
        )
    except CreditExceedsInvoice as exc:
        raise ValidationError(
            {
                "lines": [
                    _(
                        "MVA-gruppen %(category)s %(rate)s %% kan ikke krediteres for mer enn "
                        "det som gjenstår av den på fakturaen (%(left)s eks. MVA). Krediter "
                        "også fradragslinjene i gruppen."
                    )
                    % {
                        "category": exc.category,
                        "rate": exc.rate.normalize(),
                        "left": format_nok(exc.remaining),
                    }
                ]
            },
            code="credit_exceeds_invoice",
        ) from exc
    if totals.total_incl_vat <= 0:
        _refuse_not_positive(totals.total_incl_vat)
    already = sum((group.credited_basis for group in groups.values()), ZERO)
    if already + totals.total_excl_vat > original.total_excl_vat:
        raise ValidationError(
            {
                "lines": [
                    _(
                        "Kreditnotaene kan til sammen ikke kreditere mer enn fakturaen "
                        "(%(left)s eks. MVA gjenstår). Krediter også fradragslinjene."
                    )
                    % {"left": format_nok(original.total_excl_vat - already)}
                ]
            },
            code="credit_exceeds_invoice",
        )
    return totals


def invoice_credit(
    *,
    invoice: Invoice,
    actor: Actor,
    lines: Sequence[CreditLine] | None = None,
    credit_date: datetime.date | None = None,
    free_text: str = "",
) -> Invoice:
    """Issue a credit note for ``invoice`` at once, with its own number.

    Without ``lines``, everything not yet credited is credited (a full credit note).
    With lines, each credits part of an original line by quantity (at that line's price
    and discount) or by amount, at the line's VAT code and rate. Nobody can credit more
    than remains, per line, per VAT group or in total, and a credit note is never 0.00.
    The figures are cumulative (``invoicing.calculation.credit_line_net``/``credit_vat``):
    the credit notes of an invoice add up to at most the invoice, and crediting all that
    remains leaves every VAT group at exactly zero. The number comes from the invoice
    series or the separate credit-note series, as configured. What the credit note takes
    off the open balance reduces it; what exceeds the open balance (the invoice was
    already paid) goes to the client's credit balance.
    """
    company = invoice.company
    with _atomic_in_scope(company):
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        before = open_part(original)
        if original.is_credit_note:
            raise ValidationError(_("En kreditnota kan ikke krediteres."), code="credit_of_credit")
        if original.is_draft:
            raise ValidationError(
                _("Et utkast krediteres ikke; det kan endres eller slettes."), code="draft"
            )
        planned = _plan_credit_lines(original, lines)
        if not planned:
            raise ValidationError(
                _("Fakturaen er allerede kreditert fullt ut."), code="nothing_to_credit"
            )
        totals = _credit_totals(original, planned)

        credit_date = credit_date or timezone.localdate()
        if credit_date < original.invoice_date:
            raise ValidationError(
                {"credit_date": _("Kreditnotaen kan ikke dateres før fakturaen den krediterer.")}
            )
        credit_note = Invoice.objects.create(
            company=company,
            kind=Invoice.Kind.CREDIT_NOTE,
            client=original.client,
            credited_invoice=original,
            invoice_date=credit_date,
            due_date=credit_date,
            delivery_date=original.delivery_date,
            delivery_period_start=original.delivery_period_start,
            delivery_period_end=original.delivery_period_end,
            our_reference=original.our_reference,
            their_reference=original.their_reference,
            buyer_reference=original.buyer_reference,
            order_number=original.order_number,
            currency=original.currency,
            exchange_rate=original.exchange_rate,
            free_text=free_text.strip(),
        )
        language = original.buyer_snapshot.get("language") or "nb"
        InvoiceLine.objects.bulk_create(
            [
                _credit_note_line(credit_note, position, item, language)
                for position, item in enumerate(
                    sorted(planned, key=lambda item: (item.line.position, item.by_amount)),
                    start=1,
                )
            ]
        )
        credit_note = _issue(credit_note, actor, totals=totals)

        # Against the original: the open balance first, then what was paid.
        amount = credit_note.total_incl_vat
        open_balance = original.total_incl_vat - original.paid_amount - original.credited_amount
        to_open = min(amount, max(open_balance, ZERO))
        beyond = amount - to_open
        from_paid = min(beyond, original.paid_amount)
        original.paid_amount -= from_paid
        original.credited_amount += to_open + from_paid
        _save_balance(original)
        # After the credit note's own summary rows (``_issue``): the writers' lock order.
        month_summary_add(company_id=company.pk, balances=[(before, original)])
        # Paid money now owed back to the client.
        _credit_balance_entry(
            original,
            amount=beyond,
            kind=ClientBalanceEntry.Kind.CREDIT_NOTE,
            date=credit_date,
            credit_note=credit_note,
        )
        audit_log(
            action="invoicing.credit_note.issued",
            actor=actor,
            company=company,
            target=credit_note,
            data={
                "number": credit_note.number,
                "credits_invoice": original.number,
                "total_incl_vat": str(amount),
                "to_client_credit": str(beyond),
                "full": lines is None,
                "by_amount": [item.line.position for item in planned if item.by_amount],
            },
        )
        return credit_note


def _credit_note_line(
    credit_note: Invoice, position: int, item: _PlannedCreditLine, language: str
) -> InvoiceLine:
    line = item.line
    common = {
        "company": credit_note.company,
        "invoice": credit_note,
        "position": position,
        "product": line.product,
        "item_number": line.item_number,
        "vat_code": line.vat_code,
        "vat_rate": line.vat_rate,
        "period_start": line.period_start,
        "period_end": line.period_end,
        "credited_line": line,
        "net_amount": item.net,
    }
    if not item.by_amount:
        return InvoiceLine(
            **common,
            description=line.description,
            quantity=item.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
        )
    with translation.override(language):
        label = _("Kreditert beløp")
    return InvoiceLine(
        **common,
        description=f"{label}: {line.description}"[:500],
        quantity=Decimal(1) if item.net > 0 else Decimal(-1),
        unit=Unit.LUMP_SUM,
        unit_price=abs(item.net),
        discount_percent=ZERO,
        credited_by_amount=True,
    )
