from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken


class ApiTokenForm(forms.Form):
    label = forms.CharField(
        label=_("Navn"),
        max_length=ApiToken._meta.get_field("label").max_length,
        help_text=_("Hva nøkkelen brukes til, for eksempel «Nettbutikk» eller «Regnskapssystem»."),
    )
