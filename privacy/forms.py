from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.personal_data import inventory
from privacy.models import PrivacyRequest
from privacy.services.requests import MAX_MESSAGE_LENGTH, clean_message

if TYPE_CHECKING:
    from accounts.models import User


class CookieChoiceForm(forms.Form):
    ACCEPT_ALL = "accept_all"
    REJECT_ALL = "reject_all"
    SAVE = "save"

    action = forms.ChoiceField(
        choices=[(ACCEPT_ALL, ACCEPT_ALL), (REJECT_ALL, REJECT_ALL), (SAVE, SAVE)]
    )
    functional = forms.BooleanField(
        required=False,
        label=_("Funksjonelle informasjonskapsler"),
        help_text=_("Husker språkvalget ditt når du ikke er logget inn."),
    )
    analytics = forms.BooleanField(
        required=False,
        label=_("Analytiske informasjonskapsler"),
        help_text=_("Lar oss telle besøkende og se hvilke sider som brukes."),
    )

    def choice(self) -> tuple[bool, bool]:
        action = self.cleaned_data["action"]
        if action == self.ACCEPT_ALL:
            return True, True
        if action == self.REJECT_ALL:
            return False, False
        return self.cleaned_data["functional"], self.cleaned_data["analytics"]


class ConsentsForm(forms.Form):
    marketing_email = forms.BooleanField(
        required=False,
        label=_("Ja, send meg tilbud og nyheter om FakturaNett på e-post"),
    )
    product_analytics = forms.BooleanField(
        required=False,
        label=_("Ja, dere kan analysere hvordan jeg bruker FakturaNett for å forbedre tjenesten"),
    )


class _MessageField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Melding"),
            widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_MESSAGE_LENGTH}),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_message(value)


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hva gjelder henvendelsen?"), choices=PrivacyRequest.Kind)
    name = forms.CharField(label=_("Navn"), max_length=150)
    email = forms.EmailField(label=_("E-post"), max_length=254)
    message = _MessageField()

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            # Identity is known from the login; the answer goes to the account's address.
            del self.fields["email"]
            self.fields["name"].initial = user.full_name

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if any(ord(ch) < 32 for ch in name):
            raise ValidationError(_("Navnet inneholder tegn som ikke er tekst."))
        return name


def _rectification_choices() -> list[tuple[str, str]]:
    """Fields a person cannot change on the profile page, by category."""
    editable = {("accounts.User", "full_name"), ("accounts.User", "phone")}
    choices = []
    for declaration in inventory.declarations():
        if declaration.subject is None:
            continue
        model = declaration.model
        for name, spec in declaration.personal.items():
            if (declaration.label, name) in editable or not spec.exportable:
                continue
            if spec.source == "system":
                continue
            field = model._meta.get_field(name)
            if not isinstance(field, models.Field):  # personal fields are the model's own
                continue
            label = f"{str(model._meta.verbose_name).capitalize()}: "
            label += str(field.verbose_name)
            choices.append((f"{declaration.label}.{name}", label))
    choices.append(("other", str(_("Annet"))))
    return choices


class RectificationForm(forms.Form):
    subject_field = forms.ChoiceField(label=_("Hvilken opplysning er feil?"), choices=())
    message = _MessageField(help_text=_("Skriv hva som er feil, og hva som er riktig."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subject_field = cast(forms.ChoiceField, self.fields["subject_field"])
        subject_field.choices = _rectification_choices()


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Jeg forstår at kontoen min slettes, og at dette ikke kan angres"),
    )
    close_companies = forms.BooleanField(
        required=False,
        label=_("Avslutt firmaene der jeg er eneste eier, som beskrevet over"),
    )

    def __init__(self, *args: Any, closing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closing = closing
        if not closing:
            del self.fields["close_companies"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.closing and not data.get("close_companies"):
            self.add_error(
                "close_companies",
                _("Du er eneste eier: kryss av for å avslutte firmaet, eller gi bort eierrollen."),
            )
        return data
