"""Privacy inventory for the catalog app: products and VAT codes hold no personal data."""

from __future__ import annotations

from core.personal_data.inventory import register

register(
    "catalog.Product",
    personal={},
    non_personal=[
        "company",
        "number",
        "name",
        "description",
        "unit",
        "unit_price",
        "vat_code",
        "is_active",
        "created_at",
        "updated_at",
    ],
)
register(
    "catalog.VatCode",
    personal={},
    non_personal=[
        "code",
        "name_nb",
        "name_en",
        "ubl_category",
        "exemption_reason_code",
        "exemption_reason",
        "invoice_text",
        "allowed_without_vat_registration",
        "sort_order",
    ],
)
register("catalog.VatRate", personal={}, non_personal=["vat_code", "valid_from", "rate"])
