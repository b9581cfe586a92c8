from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from catalog.models import Product, VatCode
from catalog.selectors import vat_codes_for
from catalog.services import ProductData
from catalog.units import Unit
from core.csvfiles import format_decimal


class AmountField(forms.DecimalField):
    """Accepts what Norwegians type: ``1 250,50`` as well as ``1250.50``, in any UI language."""

    # django-stubs gives DecimalField IntegerField's to_python (-> int | None).
    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u00a0", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class ProductForm(forms.Form):
    number = forms.CharField(label=_("Varenummer"), max_length=30)
    name = forms.CharField(label=_("Navn"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.ChoiceField(label=_("Enhet"), choices=Unit.choices, initial=Unit.PIECE)
    unit_price = AmountField(
        label=_("Enhetspris eks. MVA"),
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    vat_code: forms.ModelChoiceField[VatCode] = forms.ModelChoiceField(
        label=_("MVA-kode"), queryset=None, to_field_name="code", empty_label=None
    )

    def __init__(self, *args: object, company: Company, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        codes = vat_codes_for(vat_registered=company.vat_registered)
        cast("forms.ModelChoiceField[VatCode]", self.fields["vat_code"]).queryset = codes
        if not company.vat_registered:
            self.fields["vat_code"].help_text = _(
                "Firmaet er ikke registrert i Merverdiavgiftsregisteret: bare kode 7."
            )

    @classmethod
    def for_product(cls, product: Product, *, company: Company) -> ProductForm:
        data = ProductData.from_product(product)
        initial = {
            "number": data.number,
            "name": data.name,
            "description": data.description,
            "unit": data.unit,
            "unit_price": format_decimal(data.unit_price),
            "vat_code": data.vat_code.code if data.vat_code else None,
        }
        return cls(initial=initial, company=company)

    def to_data(self) -> ProductData:
        return ProductData(**self.cleaned_data)
