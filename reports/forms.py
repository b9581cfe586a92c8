"""Forms of the report pages: the period, the client and currency, the settings."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Client
from customers.widgets import ClientPicker
from reports.accounts_data import REVENUE_ACCOUNTS, VAT_ACCOUNTS, account_choices
from reports.models import ReportSettings

MAX_YEARS = 20
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def year_start(day: datetime.date) -> datetime.date:
    return day.replace(month=1, day=1)


class PeriodForm(forms.Form):
    """From–to; defaults to this year so far. Refuses an inverted or absurd range."""

    date_from = forms.DateField(label=_("Fra dato"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Til dato"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or year_start(date_to)
        if date_from > date_to:
            raise forms.ValidationError(
                _("Fra-datoen må være før eller lik til-datoen."), code="order"
            )
        if date_to.year - date_from.year > MAX_YEARS or not (1970 <= date_from.year <= 2100):
            raise forms.ValidationError(
                _("Velg en periode på høyst %(years)s år.") % {"years": MAX_YEARS}, code="span"
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data


class CurrencyField(forms.ChoiceField):
    def __init__(self, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(
            label=_("Valuta"), choices=[(c, c) for c in currencies], required=False, **kwargs
        )


class LedgerForm(PeriodForm):
    client: forms.ModelChoiceField[Client] = forms.ModelChoiceField(
        label=_("Kunde"),
        queryset=Client.objects.none(),
        required=False,
        widget=ClientPicker(),
    )

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Validation looks the chosen id up in the tenant's clients; nothing lists them all.
        cast(
            "forms.ModelChoiceField[Client]", self.fields["client"]
        ).queryset = Client.objects.all()
        self.fields["currency"] = CurrencyField(currencies)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["currency"] = data.get("currency") or "NOK"
        if self.data.get("date_from") in (None, "") and not self.errors:
            data["date_from"] = None  # no start: everything up to the end date
        return data


class AgeingForm(forms.Form):
    date = forms.DateField(label=_("Per dato"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"] = CurrencyField(currencies)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["date"] = data.get("date") or timezone.localdate()
        if not (1970 <= data["date"].year <= 2100):
            raise forms.ValidationError(_("Velg en dato mellom 1970 og 2100."), code="range")
        data["currency"] = data.get("currency") or "NOK"
        return data


class VatTermForm(forms.Form):
    """A term (year + number) or, with ``custom``, any range."""

    year = forms.IntegerField(label=_("År"), min_value=1970, max_value=2100, required=False)
    term = forms.IntegerField(label=_("Termin"), min_value=1, max_value=6, required=False)


class MarkReportedForm(forms.Form):
    through = forms.DateField(widget=forms.HiddenInput)


if TYPE_CHECKING:  # Django's ModelForm is generic in its stubs only
    _ReportSettingsModelForm = forms.ModelForm[ReportSettings]
else:
    _ReportSettingsModelForm = forms.ModelForm


class ReportSettingsForm(_ReportSettingsModelForm):
    class Meta:
        model = ReportSettings
        fields = ["vat_term"]
        widgets = {"vat_term": forms.RadioSelect}


class AccountMappingForm(forms.Form):
    """One revenue account and one VAT account per VAT code."""

    def __init__(self, *args: Any, mapping: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = list(mapping.values())
        for row in self.codes:
            code = row.vat_code.code
            self.fields[f"revenue_{code}"] = forms.ChoiceField(
                label=_("Inntektskonto for kode %(code)s") % {"code": code},
                choices=account_choices(REVENUE_ACCOUNTS),
                initial=row.revenue_account,
            )
            self.fields[f"vat_{code}"] = forms.ChoiceField(
                label=_("MVA-konto for kode %(code)s") % {"code": code},
                choices=[("", "—"), *account_choices(VAT_ACCOUNTS)],
                initial=row.vat_account,
                required=False,
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (row, self[f"revenue_{row.vat_code.code}"], self[f"vat_{row.vat_code.code}"])
            for row in self.codes
        ]
