from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.parsing import is_id
from delivery.models import Channel


class SendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Kanal"), choices=Channel.choices, widget=forms.RadioSelect)
    attach_ehf = forms.BooleanField(label=_("Legg ved EHF-filen i e-posten"), required=False)


class ResendForm(forms.Form):
    attach_ehf = forms.BooleanField(required=False)


class BatchForm(forms.Form):
    """The invoices to send: ``invoice`` checkboxes (ids), as the list page posts them."""

    invoice = forms.TypedMultipleChoiceField(
        label=_("Fakturaer"),
        coerce=int,
        error_messages={
            "required": _("Velg minst én faktura."),
            "invalid_choice": _("Ugyldig faktura: %(value)s."),
        },
    )
    attach_ehf = forms.BooleanField(label=_("Legg ved EHF-filen i e-postene"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service decides (another company's id is unknown).
        self.fields["invoice"].valid_value = self._is_id  # type: ignore[attr-defined]

    @staticmethod
    def _is_id(value: object) -> bool:
        return is_id(str(value))


class EmailTextsForm(forms.Form):
    """One kind of e-mail's subject and body per language; placeholders are checked by
    ``delivery.services.email_texts_check``."""

    subject_nb = forms.CharField(label=_("Emne på norsk"), max_length=200, required=False)
    body_nb = forms.CharField(
        label=_("Tekst på norsk"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 13}),
    )
    subject_en = forms.CharField(label=_("Emne på engelsk"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Tekst på engelsk"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 13}),
    )
