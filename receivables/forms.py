from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from invoicing.forms import DateInput, NorwegianDecimalField
from receivables.models import BankTransaction, ReminderSettings, StatutoryFigure

if TYPE_CHECKING:  # Django's ModelForm is generic in its stubs only
    _ReminderSettingsModelForm = forms.ModelForm[ReminderSettings]
else:
    _ReminderSettingsModelForm = forms.ModelForm


class ReminderSettingsForm(_ReminderSettingsModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "reminder1_days",
            "reminder2_days",
            "deadline_days",
            "charge_fee",
            "add_interest",
            "claim_compensation",
            "email_text_nb",
            "email_text_en",
        ]
        widgets = {
            "email_text_nb": forms.Textarea(attrs={"rows": 4}),
            "email_text_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "reminder1_days": _(
                "Gebyr kan bare kreves når purringen sendes minst 14 dager etter forfall."
            ),
            "reminder2_days": _("Purring 2 sendes bare når fristen i purring 1 er ute."),
            "deadline_days": _("Minst 14 dager."),
            "claim_compensation": _(
                "Forsinkelsesrenteloven § 3a: bare bedrifter, og purregebyr trekkes fra."
            ),
        }


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Hva har kunden innvendt?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Avklaring"), max_length=1000, required=False)


class LetterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("reminder", _("Purring")), ("inkassovarsel", _("Inkassovarsel"))]
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Begrunnelse"), max_length=500, required=False)


class CollectionForm(forms.Form):
    agency_name = forms.CharField(label=_("Inkassobyrå"), max_length=200)
    sent_on = forms.DateField(label=_("Oversendt dato"), widget=DateInput())


class BankFileForm(forms.Form):
    file = forms.FileField(
        label=_("Bankfil"),
        help_text=_("OCR-fil fra Nets, eller camt.054/camt.053 (XML) fra banken."),
    )


class AssignForm(forms.Form):
    invoice_number = forms.IntegerField(label=_("Fakturanummer"), min_value=1, max_value=2**31 - 1)


class SetAsideForm(forms.Form):
    reason = forms.ChoiceField(label=_("Årsak"), choices=BankTransaction.SetAsideReason.choices)
    note = forms.CharField(label=_("Merknad"), max_length=500, required=False)


class FigureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=StatutoryFigure.Kind.choices)
    valid_from = forms.DateField(label=_("Gjelder fra"), widget=DateInput())
    valid_to = forms.DateField(label=_("Gjelder til"), widget=DateInput(), required=False)
    value = NorwegianDecimalField(label=_("Verdi"), max_digits=12, decimal_places=2, min_value=0)
    source = forms.CharField(label=_("Kilde (forskrift)"), max_length=300, required=False)
