from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backoffice.models import Complaint, Interaction, StaffRole
from backoffice.permissions import CATEGORIES, category_label
from core.forms import FormMixin
from core.parsing import parse_id

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Company


class DateInput(forms.DateInput):
    input_type = "date"


def _date_field(
    label: StrOrPromise, *, required: bool = True, initial_today: bool = False
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(format="%Y-%m-%d"),
        initial=timezone.localdate if initial_today else None,
    )


class PersonChoiceMixin(FormMixin):
    def set_people(self, customer: Company) -> None:
        people = [(m.user_id, m.user.full_name or m.user.email) for m in customer.memberships.all()]
        person = cast(forms.ChoiceField, self.fields["person"])
        person.choices = [("", "—"), *people]

    def clean_person(self) -> int | None:
        return parse_id(self.cleaned_data.get("person"))


class InteractionForm(PersonChoiceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Interaction.Kind.choices)
    occurred_on = _date_field(_("Dato"), initial_today=True)
    person = forms.ChoiceField(label=_("Kontaktperson"), required=False)
    summary = forms.CharField(
        label=_("Sammendrag"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class ComplaintForm(PersonChoiceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Complaint.Kind.choices)
    subject = forms.CharField(label=pgettext_lazy("complaint", "Gjelder"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    opened_on = _date_field(_("Mottatt"), initial_today=True)
    person = forms.ChoiceField(label=_("Kontaktperson"), required=False)


class ComplaintCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Utfall"),
        choices=[
            (Complaint.Status.RESOLVED, Complaint.Status.RESOLVED.label),
            (Complaint.Status.REJECTED, Complaint.Status.REJECTED.label),
        ],
    )
    resolution = forms.CharField(
        label=_("Begrunnelse og løsning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class CreditCheckForm(forms.Form):
    provider = forms.CharField(label=_("Leverandør"), max_length=100)
    checked_on = _date_field(_("Dato"), initial_today=True)
    result = forms.CharField(label=_("Resultat"), max_length=200)
    score = forms.IntegerField(label=_("Score (0–100)"), required=False, min_value=0, max_value=100)
    reference = forms.CharField(label=_("Referanse"), max_length=100, required=False)


class FinancingForm(forms.Form):
    partner = forms.CharField(label=_("Finansieringspartner"), max_length=150)
    arrangement = forms.CharField(label=_("Ordning"), max_length=200)
    started_on = _date_field(_("Fra"), initial_today=True)
    ended_on = _date_field(_("Til"), required=False)


class DeliveryForm(forms.Form):
    description = forms.CharField(label=_("Hva ble levert"), max_length=300)
    delivered_on = _date_field(_("Levert"), initial_today=True)
    period_end = _date_field(_("Til og med (for perioder)"), required=False)


class ElevationForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor trenger du tilgang til personopplysninger?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StaffForm(forms.Form):
    email = forms.EmailField(label=_("E-post"))
    full_name = forms.CharField(label=_("Navn"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roller"), choices=StaffRole.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_until = _date_field(
        _("Tilgang til og med (påkrevd for eksterne rådgivere)"), required=False
    )
    granted_categories = forms.MultipleChoiceField(
        label=_("Kategorier for eksterne rådgivere"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        granted = cast(forms.MultipleChoiceField, self.fields["granted_categories"])
        granted.choices = [(c, category_label(c)) for c in CATEGORIES]
        if editing:
            del self.fields["email"]
            del self.fields["full_name"]
        else:
            del self.fields["is_active"]


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Hvor sannsynlig er det at du vil anbefale FakturaNett til en kollega?"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Vil du fortelle oss hvorfor? (valgfritt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrderForm(forms.Form):
    accept = forms.BooleanField(
        label=_("Jeg bestiller abonnementet for firmaet og godtar at det faktureres"),
        required=True,
    )
