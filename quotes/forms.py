"""Forms of the quote pages: they parse; ``quotes.services`` decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Client
from customers.widgets import ClientPicker
from invoicing.forms import ClientChoiceField, DateInput, NorwegianDecimalField
from quotes.models import Quote
from quotes.services import QuoteData


class QuoteForm(forms.Form):
    # The invoice editor's type-ahead picker (customers:picker), never every client as an
    # <option>; the field checks the chosen id against the active clients.
    client = ClientChoiceField(
        label=_("Kunde"), queryset=Client.objects.none(), widget=ClientPicker(choose=True)
    )
    quote_date = forms.DateField(label=_("Tilbudsdato"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Gyldig til"),
        required=False,
        widget=DateInput(),
        help_text=_("Tom: 30 dager etter tilbudsdatoen."),
    )
    our_reference = forms.CharField(label=_("Vår referanse"), max_length=100, required=False)
    their_reference = forms.CharField(
        label=_("Deres referanse"),
        max_length=100,
        required=False,
        help_text=_("Tom: kundens faste referanse."),
    )
    currency = forms.CharField(
        label=_("Valuta"),
        max_length=3,
        required=False,  # empty: NOK
        initial="NOK",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4}),
        help_text=_("ISO 4217-kode, for eksempel NOK, EUR, SEK."),
    )
    free_text = forms.CharField(
        label=_("Tekst på tilbudet"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, current_client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = Client.objects.filter(is_active=True)
        if current_client is not None:
            clients = clients | Client.objects.filter(pk=current_client.pk)
        client_field = cast("forms.ModelChoiceField[Client]", self.fields["client"])
        client_field.queryset = clients.order_by("number")

    def quote_data(self) -> QuoteData:
        data = self.cleaned_data
        return QuoteData(
            client=data["client"],
            quote_date=data["quote_date"],
            valid_until=data["valid_until"],
            our_reference=data["our_reference"],
            their_reference=data["their_reference"].strip() or None,
            free_text=data["free_text"],
            currency=data["currency"] or "NOK",
        )


def quote_initial(quote: Quote) -> dict[str, Any]:
    return {
        "client": quote.client_id,
        "quote_date": quote.quote_date,
        "valid_until": quote.valid_until,
        "our_reference": quote.our_reference,
        "their_reference": quote.their_reference,
        "free_text": quote.free_text,
        "currency": quote.currency,
    }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Aksepter")), ("decline", _("Avslå"))],
        error_messages={
            "required": _("Velg aksepter eller avslå."),
            "invalid_choice": _("Ukjent valg."),
        },
    )
    note = forms.CharField(label=_("Kommentar (valgfritt)"), max_length=500, required=False)


class ConvertForm(forms.Form):
    """Converting a quote in another currency: the invoice needs the rate to NOK."""

    exchange_rate = NorwegianDecimalField(
        label=_("Valutakurs (NOK per enhet)"),
        max_digits=15,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        required=False,
    )
