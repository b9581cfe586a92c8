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
    # Payload (4 digits) for client 1 and invoice 9: "1009" gives check value 10.
    NumberSeries.objects.create(
        company=company_scope, kind="invoice", first_number=9, next_number=9
    )
    client = ClientFactory(company=company_scope, number=1)
    invoice = issued_invoice(company=company_scope, client=client)
    assert invoice.number == 9
    assert invoice.kid == kid_mod11("1109")  # variant digit 1 after the client number
    assert kid_is_valid(invoice.kid, "mod11")


def test_kid_unique_among_open_invoices(company_scope, actor):
    _kid_settings(company_scope, actor, "mod10", 7)
    # Client 12 + invoice 34 → payload "120034"; client 1 + invoice 20034 → "120034" too.
    series = NumberSeries.objects.create(
        company=company_scope, kind="invoice", first_number=34, next_number=34
    )
    first = issued_invoice(
        company=company_scope, client=ClientFactory(company=company_scope, number=12)
    )
    assert first.kid == kid_mod10("120034")
    NumberSeries.objects.filter(pk=series.pk).update(next_number=20034)
    draft = draft_invoice(
        company=company_scope, client=ClientFactory(company=company_scope, number=1)
    )
    # The payload fills the KID, so there is no other candidate: refused, not duplicated.
    with pytest.raises(ValidationError, match="KID-lengden"):
        services.invoice_issue(invoice=draft, actor=actor)
    open_kids = list(
        Invoice.objects.filter(status__in=["issued", "sent", "partially_paid"]).values_list(
            "kid", flat=True
        )
    )
    assert open_kids == [first.kid]


def test_kid_of_a_paid_invoice_may_be_reused(company_scope, actor):
    _kid_settings(company_scope, actor, "mod10", 7)
    series = NumberSeries.objects.create(
        company=company_scope, kind="invoice", first_number=34, next_number=34
    )
    first = issued_invoice(
        company=company_scope, client=ClientFactory(company=company_scope, number=12)
    )
    services.payment_register(
        invoice=first, actor=actor, amount=first.total_incl_vat, date=first.invoice_date
    )
    NumberSeries.objects.filter(pk=series.pk).update(next_number=20034)
    second = issued_invoice(
        company=company_scope, client=ClientFactory(company=company_scope, number=1)
    )
    assert second.kid == first.kid == kid_mod10("120034")


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
