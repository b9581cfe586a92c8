from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.models import Product, VatCode, VatRate


def vat_codes_for(*, vat_registered: bool) -> QuerySet[VatCode]:
    """The codes a seller may use: only 'outside scope' without VAT registration."""
    codes = VatCode.objects.all()
    if not vat_registered:
        codes = codes.filter(allowed_without_vat_registration=True)
    return codes


def vat_rate_on(*, vat_code: VatCode, on: datetime.date) -> Decimal:
    """The rate of ``vat_code`` in force on ``on`` (the delivery date)."""
    rate = (
        VatRate.objects.filter(vat_code=vat_code, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise _no_rate(vat_code, on)
    return rate


def _no_rate(vat_code: VatCode, on: datetime.date) -> ValidationError:
    return ValidationError(
        _("Ingen MVA-sats for kode %(code)s gjelder på %(date)s."),
        code="no_vat_rate",
        params={"code": vat_code.code, "date": on.isoformat()},
    )


class VatRateTable:
    """``vat_rate_on`` for many lines from one query: the rates of the given codes, read
    once (the set-based issue freezes hundreds of lines with a handful of codes)."""

    def __init__(self, *, vat_codes: list[VatCode]) -> None:
        self._by_code: dict[int, list[tuple[datetime.date, Decimal]]] = {}
        rows = VatRate.objects.filter(vat_code__in={code.pk for code in vat_codes})
        for code_id, valid_from, rate in rows.order_by("vat_code", "-valid_from").values_list(
            "vat_code_id", "valid_from", "rate"
        ):
            self._by_code.setdefault(code_id, []).append((valid_from, rate))

    def rate_on(self, *, vat_code: VatCode, on: datetime.date) -> Decimal:
        """The same answer (and the same error) as ``vat_rate_on``."""
        for valid_from, rate in self._by_code.get(vat_code.pk, []):
            if valid_from <= on:
                return rate
        raise _no_rate(vat_code, on)


SORTS = {
    "number": ("number",),
    "-number": ("-number",),
    "name": ("name", "number"),
    "-name": ("-name", "number"),
    "price": ("unit_price", "number"),
    "-price": ("-unit_price", "number"),
    "created": ("created_at", "number"),
    "-created": ("-created_at", "number"),
}
STATUSES = ("active", "inactive", "all")


def product_list(
    *, search: str = "", status: str = "active", sort: str = "number"
) -> QuerySet[Product]:
    """The active tenant's products, searched by number, name or description."""
    products = Product.objects.select_related("vat_code")
    if status == "active":
        products = products.filter(is_active=True)
    elif status == "inactive":
        products = products.filter(is_active=False)
    search = search.strip()
    if search:
        products = products.filter(
            Q(number__istartswith=search)
            | Q(name__icontains=search)
            | Q(description__icontains=search)
        )
    return products.order_by(*SORTS.get(sort, SORTS["number"]))


PICKER_PAGE_SIZE = 20


def product_label(product: Product) -> str:
    """A product as an invoice line's picker shows it (``product_picker_page`` finds it
    by it)."""
    return f"{product.number} {product.name}"


def product_picker_page(*, search: str, page: int = 1) -> tuple[list[Product], bool]:
    """One page of an invoice line's type-ahead product picker: the active tenant's active
    products by number, and whether there is a next page. Text matches part of the label
    (number and name). Never more than a page is read: a line never renders the
    whole catalog (2,000 products on 20 lines were 40,000 options and ~3 MB; issue 15)."""
    products = active_products().select_related(None)
    search = search.strip()
    if search:
        # The label as ``product_label`` writes it ("P-2 Reisetid"): a line's box holds
        # its product's label, and focusing it again lists that product.
        label = Concat("number", Value(" "), "name", output_field=CharField())
        products = products.alias(label=label).filter(label__icontains=search)
    start = (max(page, 1) - 1) * PICKER_PAGE_SIZE
    rows = list(
        products.only("pk", "number", "name", "unit", "unit_price")[
            start : start + PICKER_PAGE_SIZE + 1
        ]
    )
    return rows[:PICKER_PAGE_SIZE], len(rows) > PICKER_PAGE_SIZE


def active_products() -> QuerySet[Product]:
    """Products that may be chosen on a new invoice line."""
    return Product.objects.filter(is_active=True).select_related("vat_code").order_by("number")


class NumberAllocator:
    """Hands out product numbers not in ``taken``: the highest all-digit number + 1 and up,
    keeping its zero padding ("0042" → "0043"). One pass over ``taken``, then O(1) each."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        digit_numbers = [n for n in self.taken if n.isascii() and n.isdigit()]
        if digit_numbers:
            highest = max(digit_numbers, key=int)
            self.next, self.width = int(highest) + 1, len(highest)
        else:
            self.next, self.width = 1, 1

    def __call__(self) -> str:
        while (candidate := f"{self.next:0{self.width}d}") in self.taken:
            self.next += 1
        self.taken.add(candidate)
        self.next += 1
        return candidate


def product_numbers(*, company: Company) -> set[str]:
    return set(Product.objects.filter(company=company).values_list("number", flat=True))


def suggest_product_number(*, company: Company) -> str:
    """What the form proposes for a new product."""
    return NumberAllocator(product_numbers(company=company))()


@dataclass(frozen=True)
class VatCodeRow:
    code: VatCode
    current_rate: Decimal | None
    history: list[VatRate]


def vat_code_table(*, on: datetime.date) -> list[VatCodeRow]:
    """Every VAT code with the rate in force on ``on`` and its full rate history."""
    rows = []
    for code in VatCode.objects.prefetch_related("rates"):
        history = sorted(code.rates.all(), key=lambda rate: rate.valid_from, reverse=True)
        current = next((rate.rate for rate in history if rate.valid_from <= on), None)
        rows.append(VatCodeRow(code=code, current_rate=current, history=history))
    return rows
