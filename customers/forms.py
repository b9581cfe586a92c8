from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect
from customers.countries import NORWAY, country_choices
from customers.models import Client
from customers.services import ClientData


class ClientForm(forms.Form):
    """Types and lengths; the service checks the rest and its errors land on these fields."""

    kind = forms.ChoiceField(label=_("Type"), choices=Client.Kind.choices, initial="company")
    # The org.nr before the name: the look-up (core/companylookup.py) fills in the name and
    # the address of a new client.
    organization_number = forms.CharField(
        label=_("Organisasjonsnummer"),
        max_length=20,
        required=False,
        help_text=_("9 siffer. Bør fylles ut for norske bedrifter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Navn"), max_length=200)
    vat_number = forms.CharField(
        label=_("Utenlandsk MVA-nummer"),
        max_length=30,
        required=False,
        help_text=_(
            "For kunder i utlandet: MVA-nummeret med landkode, for eksempel SE556677889901, "
            "DK13585628 eller DE136695976. Står på fakturaen og i EHF."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address_line = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Adresselinje 2"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Poststed"), max_length=100, required=False)
    country = forms.ChoiceField(
        label=_("Land"), choices=country_choices, initial=NORWAY, widget=QuickSelect
    )
    invoice_emails = forms.CharField(
        label=_("E-post for faktura"),
        max_length=500,
        required=False,
        help_text=_("Flere adresser skilles med komma."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    contact_person = forms.CharField(label=_("Kontaktperson"), max_length=150, required=False)
    their_reference = forms.CharField(label=_("Deres referanse"), max_length=100, required=False)
    payment_terms_days = forms.IntegerField(
        label=_("Betalingsfrist (dager)"), min_value=0, max_value=365, initial=14
    )
    language = forms.ChoiceField(
        label=_("Språk på faktura"), choices=Client.Language.choices, initial="nb"
    )
    delivery_channel = forms.ChoiceField(
        label=_("Utsendelse"), choices=Client.DeliveryChannel.choices, initial="email"
    )
    price_display = forms.TypedChoiceField(
        label=_("Priser på fakturaen"),
        choices=Client.PriceDisplay.choices,
        initial=Client.PriceDisplay.AUTO,
        required=False,
        empty_value=Client.PriceDisplay.AUTO,
        help_text=_(
            "Forbrukere skal se priser inkludert mva. MVA-spesifikasjonen står på "
            "fakturaen uansett."
        ),
    )
    peppol_id = forms.CharField(
        label=_("Peppol-ID"),
        max_length=64,
        required=False,
        help_text=_("Fylles ut automatisk som 0192:<org.nr> for norske bedrifter."),
    )
    notes = forms.CharField(
        label=_("Notater"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_client(cls, client: Client, **kwargs: Any) -> ClientForm:
        return cls(initial=dataclasses.asdict(ClientData.from_client(client)), **kwargs)

    def to_data(self) -> ClientData:
        return ClientData(**self.cleaned_data)
