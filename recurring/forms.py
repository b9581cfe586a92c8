"""Forms of the recurring-invoice pages: they parse; ``recurring.services`` decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Client
from customers.widgets import ClientPicker
from invoicing.forms import ClientChoiceField, DateInput, simple_line_formset
from recurring.models import MAX_INTERVAL_MONTHS, RecurringInvoice
from recurring.services import TemplateData

INTERVALS = [
    ("1", _("Hver måned")),
    ("3", _("Hvert kvartal (3 måneder)")),
    ("12", _("Hvert år")),
    ("custom", _("Hver N. måned")),
]


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Navn på malen"), max_length=200)
    # The invoice editor's type-ahead picker (customers:picker), never every client as an
    # <option>; the field checks the chosen id against the active clients.
    client = ClientChoiceField(
        label=_("Kunde"), queryset=Client.objects.none(), widget=ClientPicker(choose=True)
    )
    interval = forms.ChoiceField(label=_("Intervall"), choices=INTERVALS, initial="1")
    every_months = forms.IntegerField(
        label=_("Antall måneder (for «hver N. måned»)"),
        required=False,
        min_value=1,
        max_value=MAX_INTERVAL_MONTHS,
    )
    start_date = forms.DateField(
        label=_("Startdato"),
        widget=DateInput(),
        help_text=_("Første periode begynner denne dagen; senere perioder regnes fra den."),
    )
    end_date = forms.DateField(
        label=_("Sluttdato"),
        required=False,
        widget=DateInput(),
        help_text=_("Perioder som begynner etter denne datoen faktureres ikke. Tom: ingen slutt."),
    )
    max_count = forms.IntegerField(
        label=_("Antall fakturaer"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("Tom: ingen grense."),
    )
    mode = forms.ChoiceField(
        label=_("Ved hver periode"),
        choices=RecurringInvoice.Mode.choices,
        initial=RecurringInvoice.Mode.ISSUE,
    )
    send_automatically = forms.BooleanField(
        label=_("Send fakturaen automatisk på kundens utsendelseskanal"), required=False
    )
    our_reference = forms.CharField(label=_("Vår referanse"), max_length=100, required=False)
    free_text = forms.CharField(
        label=_("Fritekst på fakturaene"),
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("interval") == "custom" and not data.get("every_months"):
            self.add_error(
                "every_months", _("Oppgi hvor mange måneder det skal gå mellom fakturaene.")
            )
        return data

    def template_data(self) -> TemplateData:
        data = self.cleaned_data
        months = data["every_months"] if data["interval"] == "custom" else int(data["interval"])
        return TemplateData(
            name=data["name"],
            client=data["client"],
            start_date=data["start_date"],
            interval_months=months,
            end_date=data["end_date"],
            max_count=data["max_count"],
            mode=data["mode"],
            send_automatically=data["send_automatically"],
            our_reference=data["our_reference"],
            free_text=data["free_text"],
        )


def template_initial(template: RecurringInvoice) -> dict[str, Any]:
    months = template.interval_months
    preset = str(months) if str(months) in {"1", "3", "12"} else "custom"
    return {
        "name": template.name,
        "client": template.client_id,
        "interval": preset,
        "every_months": months if preset == "custom" else None,
        "start_date": template.start_date,
        "end_date": template.end_date,
        "max_count": template.max_count,
        "mode": template.mode,
        "send_automatically": template.send_automatically,
        "our_reference": template.our_reference,
        "free_text": template.free_text,
    }


def line_formset(*, company: Any, data: Any = None, lines: list[Any] | None = None) -> Any:
    return simple_line_formset(company=company, data=data, lines=lines)
