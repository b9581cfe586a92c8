from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("PNG eller JPEG, høyst 1 MB og 2000 × 2000 piksler."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
