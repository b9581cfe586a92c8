"""Forms of the invoicing pages: they parse and type-check; the services decide the rest.

The editor is one ``InvoiceForm`` (the header) and a ``LineFormSet`` (prefix ``lines``).
Every re-render (the "Beregn" button, adding or removing a line, choosing a product or a
client) works on the posted rows as plain dicts (``rows_from_data`` / ``data_from_rows``),
so it works the same with and without JavaScript.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from accounts.forms import SudoFieldsMixin
from accounts.models import Company
from catalog.models import Product, VatCode
from catalog.selectors import active_products, product_label, vat_codes_for
from catalog.units import Unit
from catalog.widgets import ProductLabels, ProductPicker
from core.currencies import clean_currency
from core.identifiers import KID_MAX_LENGTH, KID_MIN_LENGTH, KidMethod
from core.parsing import ID_MAX, is_digits, parse_id, parse_int
from core.widgets import QuickSelect
from customers.models import Client
from customers.widgets import ClientPicker
from invoicing.models import MAX_DAYS_AHEAD_LIMIT, Invoice, InvoicingSettings, Payment
from invoicing.services import MAX_AMOUNT, CreditLine, InvoiceHeader, LineData

LINES_PREFIX = "lines"
MAX_LINES = 100  # 7 fields a line: stays under DATA_UPLOAD_MAX_NUMBER_FIELDS (1000)
# Early feedback in the editor and the live totals, from the services' one limit
# (``services.MAX_AMOUNT``, what the database stores exactly): a line amount from
# 10^13 up is refused. The sum bound only keeps the live preview within Decimal's
# 28-digit context; the document's own cap is checked by the services at issue.
MAX_LINE_AMOUNT = MAX_AMOUNT + Decimal("0.01")
MAX_TOTAL_AMOUNT = Decimal(10) ** 14
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount_percent",
               "vat_code")  # fmt: skip


def normalise_number(value: str) -> str:
    """What Norwegians type, as a plain decimal string: ``1 234,50`` → ``1234.50``.

    Spaces (also no-break and thin spaces) group thousands; a comma is the decimal mark.
    With both a dot and a comma, the last one is the decimal mark (``1.234,50``,
    ``1,234.50``). A leading ``−`` (minus sign) counts as ``-``.
    """
    text = "".join(value.split()).replace("\u2212", "-")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return text


class NorwegianDecimalField(forms.DecimalField):
    """A DecimalField that accepts ``1 234,50`` as well as ``1234.50`` (any UI language)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault("localize", False)
        super().__init__(*args, **kwargs)

    # Django's DecimalField.to_python returns a Decimal; the stubs keep IntegerField's int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = normalise_number(value)
            if len(value) > 40:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text input (not type=number), so "1 234,50" can be typed; no step/min attrs.
        return {}


def format_number(value: Decimal | None, places: int | None = None) -> str:
    """A Decimal as the editor shows it: ``1234,5`` (no grouping, decimal comma)."""
    if value is None:
        return ""
    value = value.normalize() if places is None else value.quantize(Decimal(1).scaleb(-places))
    return f"{value:f}".replace(".", ",")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def live_attrs(totals_url: str, trigger: str = "input changed delay:300ms") -> dict[str, str]:
    """HTMX attributes: post the form to the totals endpoint when this field changes."""
    return {
        "hx-post": totals_url,
        "hx-trigger": trigger,
        "hx-target": "#totals",
        "hx-swap": "innerHTML",
    }


def swap_attrs(editor_url: str, *, action: str, section: str) -> dict[str, str]:
    """HTMX attributes: re-render ``section`` of the editor with ``action`` (and the totals)."""
    return {
        "hx-post": editor_url,
        "hx-trigger": "change",
        "hx-vals": json.dumps({"action": action}),
        "hx-target": section,
        "hx-select": section,
        "hx-swap": "outerHTML",
        "hx-select-oob": "#totals",
    }


if TYPE_CHECKING:
    # Django's form classes are generic in the stubs only (no __class_getitem__ at run time).
    _ClientField = forms.ModelChoiceField[Client]
    _ProductField = forms.ModelChoiceField[Product]
    _VatCodeField = forms.ModelChoiceField[VatCode]
else:
    _ClientField = _ProductField = _VatCodeField = forms.ModelChoiceField


class ClientChoiceField(_ClientField):
    def label_from_instance(self, obj: Client) -> str:
        return f"{obj.number} {obj.name}"


class ProductChoiceField(_ProductField):
    default_error_messages = {
        "invalid_choice": _(
            "Produktet er deaktivert eller finnes ikke lenger. Velg et annet, eller tøm feltet."
        ),
    }

    def label_from_instance(self, obj: Product) -> str:
        return product_label(obj)


class VatCodeChoiceField(_VatCodeField):
    def label_from_instance(self, obj: VatCode) -> str:
        return str(obj)


class SharedChoices:
    """A model choice field's options read once for all of a formset's lines (a callable
    for ``ChoiceField.choices``): each line's ``<select>`` read the VAT codes again, 20
    queries for a 20-line draft (issue 15). The field's queryset still checks the choice."""

    def __init__(self, field: forms.ModelChoiceField[Any]) -> None:
        self.field = field
        self.options: list[tuple[Any, Any]] | None = None

    def __call__(self) -> list[tuple[Any, Any]]:
        if self.options is None:
            field = self.field
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            objects = field.queryset if field.queryset is not None else []
            self.options = [
                *empty,
                *((field.prepare_value(obj), field.label_from_instance(obj)) for obj in objects),
            ]
        return self.options


class InvoiceForm(forms.Form):
    """The header of a draft invoice."""

    # A type-ahead search (customers:picker, a page at a time), never every client as an
    # <option>: the field itself checks the chosen id against the active clients.
    client = ClientChoiceField(
        label=_("Kunde"), queryset=Client.objects.none(), widget=ClientPicker(choose=True)
    )
    invoice_date = forms.DateField(label=_("Fakturadato"), widget=DateInput())
    due_date = forms.DateField(
        label=_("Forfallsdato"),
        required=False,
        widget=DateInput(),
        help_text=_("Tom: fakturadato + kundens betalingsfrist."),
    )
    delivery_date = forms.DateField(
        label=_("Leveringsdato"),
        required=False,
        widget=DateInput(),
        help_text=_("Tom: fakturadatoen, med mindre en leveringsperiode er oppgitt."),
    )
    delivery_period_start = forms.DateField(
        label=_("Leveringsperiode fra"), required=False, widget=DateInput()
    )
    delivery_period_end = forms.DateField(
        label=_("Leveringsperiode til"), required=False, widget=DateInput()
    )
    our_reference = forms.CharField(label=_("Vår referanse"), max_length=100, required=False)
    their_reference = forms.CharField(
        label=_("Deres referanse"),
        max_length=100,
        required=False,
        help_text=_("Tom: kundens faste referanse."),
    )
    buyer_reference = forms.CharField(
        label=_("Kjøpers referanse"),
        max_length=100,
        required=False,
        help_text=_("For EHF: bestillerens referanse (ofte påkrevd av offentlige kunder)."),
    )
    order_number = forms.CharField(label=_("Ordrenummer"), max_length=100, required=False)
    delivery_address = forms.CharField(
        label=_("Leveringssted: adresse"),
        max_length=200,
        required=False,
        help_text=_("Bare når varene eller tjenesten leveres et annet sted enn kundens adresse."),
    )
    delivery_postcode = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    delivery_city = forms.CharField(label=_("Poststed"), max_length=100, required=False)
    delivery_country = forms.CharField(
        label=_("Land"), max_length=2, required=False, help_text=_("Tom: NO.")
    )
    currency = forms.CharField(
        label=_("Valuta"),
        max_length=3,
        min_length=3,
        initial="NOK",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4}),
        help_text=_("ISO 4217-kode, for eksempel NOK, EUR, SEK."),
    )
    exchange_rate = NorwegianDecimalField(
        label=_("Valutakurs (NOK per enhet)"),
        required=False,
        max_digits=18,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        help_text=_("Bare for utenlandsk valuta: MVA-beløpet skal også oppgis i NOK."),
    )
    is_prepayment = forms.BooleanField(
        label=_("Forskuddsfaktura"),
        required=False,
        help_text=_(
            "Faktureres før leveringen: leveringsdatoen eller -perioden kan da være etter "
            "fakturadatoen. Dokumentet får tittelen «Forskuddsfaktura»."
        ),
    )
    free_text = forms.CharField(
        label=_("Fritekst på fakturaen"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        current_client: Client | None = None,
        editor_url: str = "",
        totals_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        clients = Client.objects.filter(is_active=True)
        if current_client is not None:
            clients = Client.objects.filter(is_active=True) | Client.objects.filter(
                pk=current_client.pk
            )
        cast(ClientChoiceField, self.fields["client"]).queryset = clients.order_by("number")
        if editor_url:
            # Choosing a client fills its payment terms and reference (HTMX; without
            # JavaScript the service applies the same defaults on save).
            self.fields["client"].widget.attrs.update(
                swap_attrs(editor_url, action="client", section="#header-section")
            )
        if totals_url:
            for name in ("invoice_date", "delivery_date", "delivery_period_end", "currency"):
                self.fields[name].widget.attrs.update(live_attrs(totals_url, "change"))
            self.fields["exchange_rate"].widget.attrs.update(live_attrs(totals_url))

    def clean_currency(self) -> str:
        return clean_currency(self.cleaned_data["currency"])

    def header(self) -> InvoiceHeader:
        data = self.cleaned_data
        their_reference = data["their_reference"].strip()
        currency = data["currency"]
        return InvoiceHeader(
            client=data["client"],
            invoice_date=data["invoice_date"],
            due_date=data["due_date"],
            delivery_date=data["delivery_date"],
            delivery_period_start=data["delivery_period_start"],
            delivery_period_end=data["delivery_period_end"],
            our_reference=data["our_reference"],
            their_reference=their_reference or None,
            buyer_reference=data["buyer_reference"],
            order_number=data["order_number"],
            currency=currency,
            exchange_rate=None if currency == "NOK" else data["exchange_rate"],
            free_text=data["free_text"],
            is_prepayment=data["is_prepayment"],
            delivery_address=data["delivery_address"],
            delivery_postcode=data["delivery_postcode"],
            delivery_city=data["delivery_city"],
            delivery_country=data["delivery_country"],
        )


class LineForm(forms.Form):
    """One line. A product fills what is left empty (the service takes its values)."""

    # A type-ahead search (catalog:picker, a page at a time), never the whole catalog as
    # <option>s on every line: 2,000 products on 20 lines were 40,000 options (issue 15).
    # The field itself checks the chosen id against the active products.
    product = ProductChoiceField(
        label=_("Produkt"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("– fritekst –"),
        widget=ProductPicker,
    )
    description = forms.CharField(label=_("Beskrivelse"), max_length=500, required=False)
    quantity = NorwegianDecimalField(
        label=_("Antall"),
        max_digits=14,
        decimal_places=4,
        error_messages={"max_decimal_places": _("Antall kan ha høyst fire desimaler.")},
    )
    # The line's selects are written in Python (``QuickSelect``): Django renders each
    # <option> through a template, and 20 lines of units and VAT codes were ~900 options.
    unit = forms.ChoiceField(
        label=_("Enhet"),
        choices=Unit.choices,
        initial=Unit.PIECE,
        required=False,
        widget=QuickSelect,
    )
    unit_price = NorwegianDecimalField(
        label=_("Enhetspris eks. MVA"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
    )
    discount_percent = NorwegianDecimalField(
        label=_("Rabatt %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    vat_code = VatCodeChoiceField(
        label=_("MVA-kode"),
        queryset=VatCode.objects.none(),
        to_field_name="code",
        required=False,
        widget=QuickSelect,
    )

    def __init__(
        self,
        *args: Any,
        company: Company,
        product_labels: ProductLabels | None = None,
        vat_code_choices: SharedChoices | None = None,
        editor_url: str = "",
        totals_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        vat_code = cast(VatCodeChoiceField, self.fields["vat_code"])
        if vat_code_choices is None:
            vat_code.queryset = vat_codes_for(vat_registered=company.vat_registered)
        else:
            vat_code.queryset = vat_code_choices.field.queryset
            vat_code.choices = vat_code_choices
        product = cast(ProductChoiceField, self.fields["product"])
        product.queryset = active_products()  # the products a line may take
        if product_labels is not None:
            # The lines' chosen products are labelled in one query for all of them.
            cast(ProductPicker, product.widget).labels = product_labels
            product_labels.want(self["product"].value())
        index = (self.prefix or "").rpartition("-")[2]
        if editor_url and is_digits(index):
            self.fields["product"].widget.attrs.update(
                swap_attrs(editor_url, action=f"product:{index}", section="#lines-section")
            )
        if totals_url:
            for name in ("description", "quantity", "unit_price", "discount_percent"):
                self.fields[name].widget.attrs.update(live_attrs(totals_url))
            self.fields["vat_code"].widget.attrs.update(live_attrs(totals_url, "change"))

    def has_changed(self) -> bool:
        """A row counts once it has a product, a description or a price (quantity and VAT
        code alone are the blank row's defaults)."""
        if not self.is_bound:
            return False
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("product", "description", "unit_price")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        quantity, price = data.get("quantity"), data.get("unit_price")
        if quantity is not None and price is not None and abs(quantity * price) >= MAX_LINE_AMOUNT:
            self.add_error("unit_price", _("Beløpet på linjen er for stort."))
        product = data.get("product")
        if product is None and not self.errors:
            if not (data.get("description") or "").strip():
                self.add_error("description", _("Skriv en beskrivelse eller velg et produkt."))
            if data.get("unit_price") is None:
                self.add_error("unit_price", _("Oppgi en enhetspris."))
            if data.get("vat_code") is None:
                self.add_error("vat_code", _("Velg en MVA-kode."))
        return data

    def line_data(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            quantity=data["quantity"],
            product=data.get("product"),
            description=data.get("description") or "",
            unit=data.get("unit") or None,
            unit_price=data.get("unit_price"),
            discount_percent=data.get("discount_percent") or Decimal("0"),
            vat_code=data.get("vat_code"),
        )


if TYPE_CHECKING:
    _LineFormSetBase = forms.BaseFormSet[LineForm]
else:
    _LineFormSetBase = forms.BaseFormSet


class BaseLineFormSet(_LineFormSetBase):
    def __init__(
        self,
        *args: Any,
        company: Company,
        editor_url: str = "",
        totals_url: str = "",
        **kwargs: Any,
    ) -> None:
        self.company = company
        self.product_labels = ProductLabels()
        vat_code = copy.deepcopy(LineForm.base_fields["vat_code"])
        cast(VatCodeChoiceField, vat_code).queryset = vat_codes_for(
            vat_registered=company.vat_registered
        )
        self.vat_code_choices = SharedChoices(cast(VatCodeChoiceField, vat_code))
        self.urls = {"editor_url": editor_url, "totals_url": totals_url}
        kwargs.setdefault("prefix", LINES_PREFIX)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {
            "company": self.company,
            "product_labels": self.product_labels,
            "vat_code_choices": self.vat_code_choices,
            **self.urls,
        }

    def clean(self) -> None:
        if any(self.errors):
            return
        total = sum(
            (
                abs(form.cleaned_data["quantity"] * (form.cleaned_data.get("unit_price") or 0))
                for form in self
                if self._counts(form)
            ),
            Decimal(0),
        )
        if total >= MAX_TOTAL_AMOUNT:
            raise ValidationError(_("Summen av linjene er for stor."), code="too_large")
        if not any(self._counts(form) for form in self):
            raise ValidationError(_("Fakturaen trenger minst én linje."), code="no_lines")

    def _counts(self, form: LineForm) -> bool:
        """A row that is a line: filled in and not marked for deletion."""
        # _should_delete_form is BaseFormSet's own (private) test; the stubs leave it out.
        deleted: bool = self._should_delete_form(form)  # type: ignore[attr-defined]
        return form.has_changed() and not deleted

    def line_data(self) -> list[LineData]:
        return [form.line_data() for form in self.forms if self._counts(form)]


def _line_formset_class(*, extra: int) -> type[BaseLineFormSet]:
    formset_class = forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=extra,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    )
    # formset_factory subclasses the formset it is given; the stubs return its base class.
    return cast("type[BaseLineFormSet]", formset_class)


LineFormSet = _line_formset_class(extra=0)


# --- Rows as plain dicts: re-rendering without saving --------------------------------------


def _total_forms(data: Mapping[str, Any]) -> int:
    total = parse_int(
        str(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0")), min_value=-ID_MAX, max_value=ID_MAX
    )
    return max(0, min(total or 0, MAX_LINES))


def rows_from_data(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The posted line rows as dicts of raw strings (at most ``MAX_LINES``)."""
    rows = []
    for index in range(_total_forms(data)):
        rows.append(
            {
                name: str(data.get(f"{LINES_PREFIX}-{index}-{name}", ""))[:600]
                for name in LINE_FIELDS
            }
        )
    return rows


def blank_row(*, vat_registered: bool) -> dict[str, str]:
    return {
        "product": "",
        "description": "",
        "quantity": "1",
        "unit": Unit.PIECE,
        "unit_price": "",
        "discount_percent": "",
        "vat_code": "3" if vat_registered else "7",
    }


def row_from_product(row: dict[str, str], product: Product) -> dict[str, str]:
    """The row with the product's description, unit, price and VAT code filled in."""
    return {
        **row,
        "product": str(product.pk),
        "description": product.name,
        "unit": product.unit,
        "unit_price": format_number(product.unit_price, 2),
        "vat_code": product.vat_code.code,
    }


def row_from_line(line: Any) -> dict[str, str]:
    return {
        "product": str(line.product_id or ""),
        "description": line.description,
        "quantity": format_number(line.quantity),
        "unit": line.unit,
        "unit_price": format_number(line.unit_price, 2),
        "discount_percent": format_number(line.discount_percent) if line.discount_percent else "",
        "vat_code": line.vat_code.code,
    }


def data_from_rows(header: Mapping[str, Any], rows: list[dict[str, str]]) -> dict[str, Any]:
    """Form data (header fields + formset) for the given header values and rows."""
    data: dict[str, Any] = {
        key: value for key, value in header.items() if not key.startswith(f"{LINES_PREFIX}-")
    }
    data[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(len(rows))
    data[f"{LINES_PREFIX}-INITIAL_FORMS"] = "0"
    data[f"{LINES_PREFIX}-MIN_NUM_FORMS"] = "0"
    data[f"{LINES_PREFIX}-MAX_NUM_FORMS"] = str(MAX_LINES)
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{LINES_PREFIX}-{index}-{name}"] = value
    return data


HEADER_FIELDS = tuple(InvoiceForm.base_fields)


def header_from_data(data: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(data.get(name, ""))[:2100] for name in HEADER_FIELDS}


def header_from_invoice(invoice: Invoice) -> dict[str, str]:
    def iso(value: datetime.date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "client": str(invoice.client_id),
        "invoice_date": iso(invoice.invoice_date),
        "due_date": iso(invoice.due_date),
        "delivery_date": iso(invoice.delivery_date),
        "delivery_period_start": iso(invoice.delivery_period_start),
        "delivery_period_end": iso(invoice.delivery_period_end),
        "our_reference": invoice.our_reference,
        "their_reference": invoice.their_reference,
        "buyer_reference": invoice.buyer_reference,
        "order_number": invoice.order_number,
        "currency": invoice.currency,
        "exchange_rate": format_number(invoice.exchange_rate) if invoice.currency != "NOK" else "",
        "free_text": invoice.free_text,
        "is_prepayment": "on" if invoice.is_prepayment else "",
        "delivery_address": invoice.delivery_address,
        "delivery_postcode": invoice.delivery_postcode,
        "delivery_city": invoice.delivery_city,
        "delivery_country": invoice.delivery_country,
    }


def parse_date(value: str) -> datetime.date | None:
    try:
        day: datetime.date | None = forms.DateField(widget=DateInput()).clean(value)
    except ValidationError:
        return None
    return day


def parse_decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(normalise_number(value)) if value.strip() else None
    except (InvalidOperation, ValueError):
        return None
    if number is not None and not number.is_finite():
        return None
    return number


# --- Issued invoices ----------------------------------------------------------------------


class PaymentForm(forms.Form):
    date = forms.DateField(label=_("Betalingsdato"), widget=DateInput())
    amount = NorwegianDecimalField(
        label=_("Beløp"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    method = forms.ChoiceField(
        label=_("Betalingsmåte"), choices=Payment.Method.choices, initial=Payment.Method.BANK
    )
    reference = forms.CharField(label=_("Referanse"), max_length=100, required=False)
    # Hidden until the service asks for them (see ``ask``): an overpayment beyond the
    # margin, or the same payment registered minutes ago.
    confirm_overpayment = forms.BooleanField(
        label=_("Ja, beløpet er riktig: registrer overbetalingen"),
        required=False,
        widget=forms.HiddenInput,
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Ja, dette er en ny innbetaling: registrer den likevel"),
        required=False,
        widget=forms.HiddenInput,
    )
    CONFIRMATIONS = ("confirm_overpayment", "confirm_duplicate")

    def ask(self, name: str) -> None:
        """Show the confirmation checkbox ``name`` (the service refused without it)."""
        field = self.fields[name]
        field.widget = forms.CheckboxInput()
        # What was posted hidden ("False") must not come back ticked.
        data = self.data.copy() if isinstance(self.data, MultiValueDict) else dict(self.data)
        data.pop(name, None)
        self.data = data


class PaymentReverseForm(forms.Form):
    date = forms.DateField(label=_("Dato for tilbakeføringen"), widget=DateInput())
    note = forms.CharField(label=_("Merknad"), max_length=200, required=False)


class CreditForm(forms.Form):
    """Full credit, or per line a quantity or an amount (``line_<pk>``/``amount_<pk>``)."""

    FULL, PARTIAL = "full", "partial"
    mode = forms.ChoiceField(
        label=_("Hva skal krediteres?"),
        choices=[(FULL, _("Hele det som gjenstår")), (PARTIAL, _("Antall eller beløp per linje"))],
        initial=FULL,
        widget=forms.RadioSelect,
    )
    credit_date = forms.DateField(label=_("Kreditnotadato"), widget=DateInput())
    free_text = forms.CharField(
        label=_("Begrunnelse / fritekst"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, creditable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creditable = creditable
        for item in creditable:
            n = item.line.position
            self.fields[f"line_{item.line.pk}"] = NorwegianDecimalField(
                label=_("Linje %(n)s: antall å kreditere") % {"n": n},
                required=False,
                max_digits=14,
                decimal_places=4,
            )
            self.fields[f"amount_{item.line.pk}"] = NorwegianDecimalField(
                label=_("Linje %(n)s: beløp eks. MVA å kreditere") % {"n": n},
                required=False,
                max_digits=18,
                decimal_places=2,
            )

    def line_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"line_{item.line.pk}"], self[f"amount_{item.line.pk}"])
            for item in self.creditable
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        wanted = False
        for item in self.creditable:
            quantity = data.get(f"line_{item.line.pk}")
            amount = data.get(f"amount_{item.line.pk}")
            if quantity and amount:
                self.add_error(
                    f"amount_{item.line.pk}",
                    _("Oppgi enten antall eller beløp på linje %(n)s, ikke begge.")
                    % {"n": item.line.position},
                )
            wanted = wanted or bool(quantity) or bool(amount)
        if data.get("mode") == self.PARTIAL and not self.errors and not wanted:
            raise ValidationError(_("Oppgi antall eller beløp på minst én linje."))
        return data

    def credit_lines(self) -> list[Any] | None:
        """The service's ``CreditLine`` list (None: credit all that remains)."""
        data = self.cleaned_data
        if data["mode"] != self.PARTIAL:
            return None
        lines = []
        for item in self.creditable:
            quantity = data.get(f"line_{item.line.pk}")
            amount = data.get(f"amount_{item.line.pk}")
            if quantity:
                lines.append(CreditLine(original_line=item.line, quantity=quantity))
            elif amount:
                lines.append(CreditLine(original_line=item.line, amount=amount))
        return lines


class SettingsForm(SudoFieldsMixin, forms.Form):
    first_invoice_number = forms.IntegerField(
        label=_("Første fakturanummer"), min_value=1, max_value=10**15, required=False
    )
    credit_note_numbering = forms.ChoiceField(
        label=_("Nummerering av kreditnotaer"),
        choices=InvoicingSettings.CreditNoteNumbering.choices,
    )
    first_credit_note_number = forms.IntegerField(
        label=_("Første kreditnotanummer (egen serie)"),
        min_value=1,
        max_value=10**15,
        required=False,
    )
    kid_method = forms.ChoiceField(label=_("KID-metode"), choices=KidMethod.choices)
    kid_length = forms.IntegerField(
        label=_("KID-lengde (med kontrollsiffer)"),
        min_value=KID_MIN_LENGTH,
        max_value=KID_MAX_LENGTH,
    )
    default_payment_terms_days = forms.IntegerField(
        label=_("Standard betalingsfrist (dager)"), min_value=0, max_value=365
    )
    max_days_ahead = forms.IntegerField(
        label=_("Fakturadato høyst så mange dager fram i tid"),
        min_value=0,
        max_value=MAX_DAYS_AHEAD_LIMIT,
        required=False,
    )

    def __init__(self, *args: Any, locked: set[str], with_otp: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_sudo_fields(with_otp=with_otp)
        for name in locked:
            self.fields[name].disabled = True


SIMPLE_BLANK_ROWS = 3


def simple_line_formset(
    *, company: Company, data: Any = None, lines: list[Any] | None = None
) -> BaseLineFormSet:
    """A plain lines editor (no HTMX) for documents built from lines (recurring templates,
    quotes): the saved ``lines`` (objects with the ``LineData`` fields) and a few blank rows."""
    formset_class = _line_formset_class(extra=SIMPLE_BLANK_ROWS)
    initial = [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": format_number(line.quantity),
            "unit": line.unit,
            "unit_price": format_number(line.unit_price, 2),
            "discount_percent": format_number(line.discount_percent)
            if line.discount_percent
            else "",
            "vat_code": line.vat_code.code,
        }
        for line in lines or []
    ]
    formset = formset_class(data, company=company, initial=initial or None)
    if data is None:
        blank = blank_row(vat_registered=company.vat_registered)
        for form in formset.extra_forms:
            form.initial = {**blank, **form.initial}
    return formset


class InvoiceTextsForm(forms.Form):
    """The payment note per document language; ``invoicing.services.invoice_texts_update``
    decides."""

    payment_note_nb = forms.CharField(
        label=_("Betalingsmerknad på norsk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    payment_note_en = forms.CharField(
        label=_("Betalingsmerknad på engelsk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvoiceIdsField(forms.Field):
    """Invoice ids posted as repeated values (the list's checkboxes, the confirmation's
    hidden fields); each must be an id (``core.parsing.parse_id``), duplicates dropped."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Velg minst ett utkast."),
        "invalid": _("Ugyldig faktura-id: «%(value)s»."),
    }

    def to_python(self, value: Any) -> list[int]:
        ids: list[int] = []
        for item in value or []:
            pk = parse_id(str(item))
            if pk is None:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": str(item)[:20]}
                )
            ids.append(pk)
        return list(dict.fromkeys(ids))


class IssueSelectedForm(forms.Form):
    """Drafts chosen on the invoice list to issue together: at most ``limit`` at a time."""

    invoice = InvoiceIdsField()

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    def clean_invoice(self) -> list[int]:
        ids: list[int] = self.cleaned_data["invoice"]
        if len(ids) > self.limit:
            raise ValidationError(
                _("Du kan utstede høyst %(max)s fakturaer om gangen; du valgte %(count)s."),
                code="too_many",
                params={"max": self.limit, "count": len(ids)},
            )
        return ids
