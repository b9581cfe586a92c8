"""KID: check digits (norway.md §4.1), the company's format, uniqueness among open invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from core.identifiers import (
    UnusableKidPayload,
    clean_kid,
    kid_is_valid,
    kid_mod10,
    kid_mod11,
)
from invoicing import services
from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice


def test_mod10_vector():
    assert kid_mod10("1234") == "12344"
    assert kid_is_valid("12344", "mod10")
    assert not kid_is_valid("12345", "mod10")


def test_mod11_vector():
    assert kid_mod11("1234567890") == "12345678903"
    assert kid_is_valid("12345678903", "mod11")
    assert not kid_is_valid("12345678904", "mod11")


def test_mod11_check_11_becomes_0():
    # 7×2 + 1×3 = 17; 17 mod 11 = 6 → 5. Find a payload with remainder 0 → check 0.
    payload = next(p for p in (f"{n:04d}" for n in range(10000)) if kid_mod11_ok(p, "0"))
    assert kid_mod11(payload).endswith("0")
    assert kid_is_valid(kid_mod11(payload), "mod11")


def kid_mod11_ok(payload: str, digit: str) -> bool:
    try:
        return kid_mod11(payload)[-1] == digit
    except UnusableKidPayload:
        return False


def test_mod11_payload_giving_10_is_unusable():
    # 1009: 9×2 + 0×3 + 0×4 + 1×5 = 23; 23 mod 11 = 1; 11 − 1 = 10 → "-": unusable
    with pytest.raises(UnusableKidPayload):
        kid_mod11("1009")
    assert not kid_is_valid("1009-", "mod11")


def test_kid_validation():
    assert clean_kid("1234 4", "mod10") == "12344"
    with pytest.raises(ValidationError):
        clean_kid("12a44", "mod10")
    with pytest.raises(ValidationError):
        clean_kid("123", "mod10")  # shorter than 4 digits
    with pytest.raises(ValueError):
        kid_mod10("12-4")


def _kid_settings(company, actor, method, length=10):
    services.invoicing_settings_update(
        company=company, actor=actor, kid_method=method, kid_length=length
    )


def test_issued_invoice_gets_kid_from_client_and_invoice_number(company_scope, actor):
    _kid_settings(company_scope, actor, "mod10", 10)
    client = ClientFactory(company=company_scope, number=42)
    invoice = issued_invoice(company=company_scope, client=client)
    assert invoice.number == 1
    assert invoice.kid == kid_mod10("420000001")
    assert len(invoice.kid) == 10
    assert luhn.is_valid(invoice.kid)


def test_no_kid_by_default(company_scope):
    assert issued_invoice(company=company_scope).kid == ""


def test_mod11_unusable_payload_takes_the_next_candidate(company_scope, actor):
    _kid_settings(company_scope, actor, "mod11", 5)
    services.invoicing_settings_update(company=company_scope, actor=actor, first_invoice_number=9)
    # Payload (4 digits) for client 1 and invoice 9: "1009" gives check value 10.
    client = ClientFactory(company=company_scope, number=1)
    invoice = issued_invoice(company=company_scope, client=client)
    assert invoice.number == 9
    assert invoice.kid == kid_mod11("1109")  # variant digit 1 after the client number
    assert kid_is_valid(invoice.kid, "mod11")


def _first_and_clashing_draft(company, actor):
    """KID length 4 (payload 3): client 12 + invoice 3 → "123"; client 1 + invoice 23 → "123".

    Issues invoice 3 (client 12) and invoices 4..22 (client 9: "904".."922"), and returns
    invoice 3 and a draft for client 1 that will get number 23.
    """
    _kid_settings(company, actor, "mod10", 4)
    services.invoicing_settings_update(company=company, actor=actor, first_invoice_number=3)
    first = issued_invoice(company=company, client=ClientFactory(company=company, number=12))
    assert first.kid == kid_mod10("123")
    filler_client = ClientFactory(company=company, number=9)
    for _ in range(4, 23):
        issued_invoice(company=company, client=filler_client)
    return first, draft_invoice(company=company, client=ClientFactory(company=company, number=1))


def test_kid_unique_among_open_invoices(company_scope, actor):
    _first, clashing = _first_and_clashing_draft(company_scope, actor)
    # The payload fills the KID, so there is no other candidate: refused, not duplicated.
    with pytest.raises(ValidationError, match="KID-lengden"):
        services.invoice_issue(invoice=clashing, actor=actor)
    open_kids = list(
        Invoice.objects.filter(status__in=["issued", "sent", "partially_paid"]).values_list(
            "kid", flat=True
        )
    )
    assert len(open_kids) == 20
    assert len(set(open_kids)) == 20
    assert all(kid_is_valid(kid, "mod10") for kid in open_kids)


def test_kid_of_a_paid_invoice_may_be_reused(company_scope, actor):
    first, clashing = _first_and_clashing_draft(company_scope, actor)
    services.payment_register(
        invoice=first, actor=actor, amount=first.total_incl_vat, date=first.invoice_date
    )
    second = services.invoice_issue(invoice=clashing, actor=actor)
    assert second.number == 23
    assert second.kid == first.kid == kid_mod10("123")


def test_kid_too_short_fails_the_issue_without_using_a_number(company_scope, actor):
    _kid_settings(company_scope, actor, "mod10", 4)
    services.invoicing_settings_update(company=company_scope, actor=actor, first_invoice_number=1)
    client = ClientFactory(company=company_scope, number=123456)
    draft = services.invoice_create_draft(
        company=company_scope,
        actor=actor,
        header=services.InvoiceHeader(client=client),
        lines=[
            services.LineData(
                quantity=Decimal(1), description="x", unit_price=Decimal(1), vat_code=_code("3")
            )
        ],
    )
    with pytest.raises(ValidationError, match="KID-lengden"):
        services.invoice_issue(invoice=draft, actor=actor)
    draft.refresh_from_db()
    assert draft.number is None and draft.status == "draft"
    assert NumberSeries.objects.get(kind="invoice").next_number == 1


def _code(code):
    from catalog.models import VatCode

    return VatCode.objects.get(code=code)


def test_kid_settings_validated(company_scope, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.invoicing_settings_update(company=company_scope, actor=actor, kid_length=3)
    assert "kid_length" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.invoicing_settings_update(company=company_scope, actor=actor, kid_method="x")
    assert "kid_method" in excinfo.value.message_dict
