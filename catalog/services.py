"""The only code that changes a company's products.

- The product number is free text (max 30), unique per company; forms suggest the next
  all-digit number (``selectors.suggest_product_number``).
- The unit price is excl. VAT, a ``Decimal`` ≥ 0 with at most two decimals.
- The VAT code must be one the company may use: a company outside
  Merverdiavgiftsregisteret only code 7 (``selectors.vat_codes_for``).
- Products are deactivated, never deleted: invoice lines keep referring to them.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.models import Product, VatCode
from catalog.selectors import (
    NumberAllocator,
    product_numbers,
    suggest_product_number,
    vat_codes_for,
)
from catalog.units import UNIT_CODES, Unit
from core.audit import Actor, audit_log
from core.csvfiles import (
    CsvFile,
    CsvImportError,
    CsvPreview,
    RowError,
    format_bool,
    format_decimal,
    parse_bool,
    parse_decimal,
    read_csv_file,
    row_errors_from,
)

AUDIT_NUMBERS = 100  # numbers listed in the audit entry of an import
MAX_PRICE = Decimal("9999999999999999.99")  # max_digits=18, decimal_places=2


@dataclass(frozen=True, kw_only=True)
class ProductData:
    number: str
    name: str
    unit_price: Decimal
    vat_code: VatCode | None
    description: str = ""
    unit: str = Unit.PIECE

    @classmethod
    def from_product(cls, product: Product) -> ProductData:
        return cls(**{field: getattr(product, field) for field in PRODUCT_FIELDS})


PRODUCT_FIELDS: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(ProductData))


def _number_taken(*, company: Company, number: str, exclude_pk: int | None) -> bool:
    products = Product.objects.filter(company=company, number=number)
    if exclude_pk is not None:
        products = products.exclude(pk=exclude_pk)
    return products.exists()


def _apply(
    product: Product,
    company: Company,
    data: ProductData,
    *,
    taken_numbers: set[str] | None = None,
    allowed_vat_code_ids: set[int] | None = None,
) -> None:
    """Validate ``data`` onto ``product``; raise every error at once.

    A batch (the CSV import) passes the company's product numbers and allowed VAT code
    ids, read once, instead of two queries per row.
    """
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, error: ValidationError) -> None:
        errors.setdefault(field, []).append(error)

    number = data.number.strip()
    if taken_numbers is not None:
        number_taken = number in taken_numbers
    else:
        number_taken = _number_taken(company=company, number=number, exclude_pk=product.pk)
    if number and number_taken:
        fail(
            "number",
            ValidationError(
                _("Varenummer %(number)s er allerede i bruk. Neste ledige er %(next)s."),
                code="number_taken",
                params={"number": number, "next": suggest_product_number(company=company)},
            ),
        )
    price = data.unit_price
    if not isinstance(price, Decimal) or not price.is_finite():
        fail("unit_price", ValidationError(_("Ugyldig pris."), code="invalid_price"))
        price = Decimal("0")
    elif price < 0:
        fail(
            "unit_price",
            ValidationError(_("Prisen kan ikke være negativ."), code="negative_price"),
        )
    elif price > MAX_PRICE:
        fail("unit_price", ValidationError(_("Prisen er for høy."), code="price_too_high"))
    elif price != price.quantize(Decimal("0.01")):
        fail(
            "unit_price",
            ValidationError(_("Prisen kan ha høyst to desimaler."), code="price_decimals"),
        )
    if data.unit not in UNIT_CODES:
        fail(
            "unit",
            ValidationError(
                _("«%(value)s» er ikke en kjent enhet."),
                code="invalid_unit",
                params={"value": data.unit},
            ),
        )
    if allowed_vat_code_ids is None:
        allowed = vat_codes_for(vat_registered=company.vat_registered)
        allowed_vat_code_ids = set(allowed.values_list("pk", flat=True))
    if data.vat_code is None or data.vat_code.pk not in allowed_vat_code_ids:
        if company.vat_registered:
            message = _("Ukjent MVA-kode.")
        else:
            message = _(
                "Firmaet er ikke registrert i Merverdiavgiftsregisteret og kan bare bruke "
                "MVA-kode 7 (ingen merverdiavgiftsbehandling)."
            )
        fail("vat_code", ValidationError(message, code="vat_code_not_allowed"))

    description = data.description.strip()
    if len(description) > 2000:
        fail(
            "description",
            ValidationError(_("Beskrivelsen kan ha høyst 2000 tegn."), code="max_length"),
        )
    product.number = number
    product.name = data.name.strip()
    product.description = description
    product.unit = data.unit
    product.unit_price = price
    if data.vat_code is not None and "vat_code" not in errors:
        product.vat_code = data.vat_code
    try:
        # The VAT code is checked above (the foreign key check would query again).
        product.full_clean(exclude=["company", "vat_code", *errors], validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


def _save(product: Product) -> None:
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:  # a concurrent create took the number
        raise ValidationError(
            {"number": _("Varenummeret ble nettopp tatt i bruk. Velg et annet.")}
        ) from exc


@transaction.atomic
def product_create(*, company: Company, actor: Actor, data: ProductData) -> Product:
    product = Product(company=company)
    _apply(product, company, data)
    _save(product)
    audit_log(
        action="catalog.product.created",
        actor=actor,
        company=company,
        target=product,
        data={"number": product.number, "unit_price": str(product.unit_price)},
    )
    return product


@transaction.atomic
def product_update(*, product: Product, actor: Actor, data: ProductData) -> Product:
    before = {field: getattr(product, field) for field in PRODUCT_FIELDS}
    _apply(product, product.company, data)
    changed = [field for field in PRODUCT_FIELDS if getattr(product, field) != before[field]]
    if changed:
        _save(product)
        audit_log(
            action="catalog.product.updated",
            actor=actor,
            company=product.company,
            target=product,
            data={"number": product.number, "fields": changed},
        )
    return product


def _set_active(*, product: Product, actor: Actor, active: bool) -> Product:
    if product.is_active == active:
        return product
    product.is_active = active
    product.save(update_fields=["is_active", "updated_at"])
    audit_log(
        action="catalog.product.activated" if active else "catalog.product.deactivated",
        actor=actor,
        company=product.company,
        target=product,
        data={"number": product.number},
    )
    return product


@transaction.atomic
def product_deactivate(*, product: Product, actor: Actor) -> Product:
    return _set_active(product=product, actor=actor, active=False)


@transaction.atomic
def product_activate(*, product: Product, actor: Actor) -> Product:
    return _set_active(product=product, actor=actor, active=True)


# --- CSV ------------------------------------------------------------------------------

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("varenummer", "number"),
    ("navn", "name"),
    ("beskrivelse", "description"),
    ("enhet", "unit"),
    ("enhetspris eks. mva", "unit_price"),
    ("mva-kode", "vat_code"),
    ("aktiv", "is_active"),
)
_CSV_ALIASES: dict[str, str] = {
    **dict(CSV_COLUMNS),
    **{field.replace("_", " "): field for _header, field in CSV_COLUMNS},
    "varenr": "number",
    "pris": "unit_price",
    "enhetspris": "unit_price",
    "mva": "vat_code",
    "mva kode": "vat_code",
}


def product_csv_rows(products: Any) -> list[list[str]]:
    return [
        [
            product.number,
            product.name,
            product.description,
            product.unit,
            format_decimal(product.unit_price),
            product.vat_code.code,
            format_bool(product.is_active),
        ]
        for product in products
    ]


def _unit(value: str) -> str:
    """A unit by its UN/ECE code (EA) or its Norwegian label (stk), any case."""
    key = value.strip()
    if not key:
        return Unit.PIECE
    if key.upper() in UNIT_CODES:
        return key.upper()
    return _unit_labels().get(key.lower(), key)


@functools.cache
def _unit_labels() -> dict[str, str]:
    """Norwegian label → code (the source strings, whatever language is active)."""
    with translation.override("nb"):
        return {str(member.label).lower(): member.value for member in Unit}


def _product_import_plan(*, company: Company, data: bytes) -> tuple[CsvFile, list[Product]]:
    """The file and its validated, unsaved products, numbers allocated; ``CsvImportError``
    lists every row error."""
    file = read_csv_file(data, columns=_CSV_ALIASES, required=["name", "unit_price", "vat_code"])
    rows = file.rows
    labels = {field: header for header, field in CSV_COLUMNS}
    allowed = {code.code: code for code in vat_codes_for(vat_registered=company.vat_registered)}
    known = set(VatCode.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    row_errors: list[RowError] = []
    prepared: list[Product] = []
    given_numbers = {row.values.get("number", "").strip() for row in rows} - {""}
    existing_numbers = product_numbers(company=company)
    allocate = NumberAllocator(existing_numbers | given_numbers)
    allowed_ids = {code.pk for code in allowed.values()}

    for row in rows:
        values = row.values
        errors: dict[str, list[ValidationError]] = {}
        here: list[RowError] = []
        if "__extra__" in values:
            here.append(
                RowError(
                    row=row.number, field="", message=_("Raden har flere celler enn overskriften.")
                )
            )
        number = values.get("number", "").strip()
        if not number:
            number = allocate()
        if number in seen:
            here.append(
                RowError(
                    row=row.number,
                    field=labels["number"],
                    message=_("Varenummer %(number)s står også på rad %(row)s.")
                    % {"number": number, "row": seen[number]},
                )
            )
        seen.setdefault(number, row.number)
        price = Decimal("0")
        try:
            price = parse_decimal(values.get("unit_price", ""))
        except ValidationError as exc:
            errors["unit_price"] = [exc]
        code_text = values.get("vat_code", "").strip()
        vat_code = allowed.get(code_text)
        if vat_code is None:
            if code_text in known and not company.vat_registered:
                message = _(
                    "MVA-kode %(code)s kan ikke brukes: firmaet er ikke registrert i "
                    "Merverdiavgiftsregisteret (bruk kode 7)."
                ) % {"code": code_text}
            else:
                message = _("«%(code)s» er ikke en kjent MVA-kode.") % {"code": code_text}
            errors["vat_code"] = [ValidationError(message)]
        is_active = True
        try:
            is_active = parse_bool(values.get("is_active", ""), default=True)
        except ValidationError as exc:
            errors["is_active"] = [exc]
        product = Product(company=company, is_active=is_active)
        try:
            _apply(
                product,
                company,
                ProductData(
                    number=number,
                    name=values.get("name", ""),
                    description=values.get("description", ""),
                    unit=_unit(values.get("unit", "")),
                    unit_price=price,
                    vat_code=vat_code,
                ),
                taken_numbers=existing_numbers,
                allowed_vat_code_ids=allowed_ids,
            )
        except ValidationError as exc:
            for field, field_errors in exc.error_dict.items():
                if field not in errors:
                    errors[field] = field_errors
        if errors:
            here.extend(row_errors_from(row.number, ValidationError(errors), labels))
        row_errors.extend(here)
        prepared.append(product)

    if row_errors:
        raise CsvImportError(sorted(row_errors, key=lambda error: error.row))
    return file, prepared


def _product_preview(file: CsvFile, products: list[Product]) -> CsvPreview:
    return CsvPreview.of(
        file, header=[header for header, _field in CSV_COLUMNS], rows=product_csv_rows(products)
    )


def product_import_preview(*, company: Company, data: bytes) -> CsvPreview:
    """What ``product_import_csv`` would create now, numbers included; writes nothing.

    Raises what the import raises (``CsvImportError`` with every row error).
    """
    file, prepared = _product_import_plan(company=company, data=data)
    return _product_preview(file, prepared)


@transaction.atomic
def product_import_csv(
    *, company: Company, actor: Actor, data: bytes, expected_fingerprint: str | None = None
) -> list[Product]:
    """Create a product for every row, or none: every row is validated first.

    Rows without a product number get the next suggested numbers, in file order. With
    ``expected_fingerprint`` (the preview the user confirmed), the products must be
    exactly those of that preview, or nothing is imported (``preview_changed``).
    """
    file, prepared = _product_import_plan(company=company, data=data)
    _product_preview(file, prepared).check(expected_fingerprint)
    try:
        with transaction.atomic():
            Product.objects.bulk_create(prepared, batch_size=500)
    except IntegrityError as exc:  # a concurrent create took one of the numbers
        raise ValidationError(
            _("Et av varenumrene ble nettopp tatt i bruk. Prøv igjen."), code="number_taken"
        ) from exc
    audit_log(
        action="catalog.product.imported",
        actor=actor,
        company=company,
        data={
            "count": len(prepared),
            "numbers": [p.number for p in prepared[:AUDIT_NUMBERS]],
        },
    )
    return prepared
