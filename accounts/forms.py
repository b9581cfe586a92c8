from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from accounts.models import Company, Role, User
from accounts.services import email_in_use, orgnr_in_use
from core.forms import FormMixin
from core.identifiers import clean_kontonr, clean_orgnr
from core.parsing import is_digits
from core.validators import validate_single_line

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Addresses are stored in lower case; the lockout counts them the same way.
        return self.cleaned_data["username"].strip().lower()


def _password_field(label: StrOrPromise, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordMixin(FormMixin):
    """Two password fields that must match and pass the password validators."""

    def _clean_new_password(self, user: User) -> None:
        cleaned = self.cleaned_data
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Passordene er ikke like."))
            return
        if first:
            try:
                password_validation.validate_password(first, user)
            except ValidationError as exc:
                self.add_error("password1", exc)


class CompanyIdentifiersMixin(FormMixin):
    """Organisasjonsnummer and kontonummer as people type them: spaces and dots allowed."""

    def clean_organization_number(self) -> str:
        return clean_orgnr(self.cleaned_data["organization_number"])

    def clean_bank_account(self) -> str:
        return clean_kontonr(self.cleaned_data["bank_account"])

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if not (is_digits(value) and len(value) == 4):
            raise ValidationError(_("Postnummeret må ha fire siffer."))
        return value


def _orgnr_field() -> forms.CharField:
    return forms.CharField(
        label=_("Organisasjonsnummer"),
        max_length=20,
        help_text=_("Ni siffer, for eksempel 999 999 999."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _kontonr_field() -> forms.CharField:
    return forms.CharField(
        label=_("Kontonummer"),
        max_length=20,
        help_text=_("Elleve siffer, for eksempel 8601.11.17947."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SignupForm(CompanyIdentifiersMixin, NewPasswordMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Fullt navn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = _password_field(_("Passord"))
    password2 = _password_field(_("Gjenta passordet"))
    # The org.nr first: the look-up (core/companylookup.py) fills in the fields below it.
    organization_number = _orgnr_field()
    company_name = forms.CharField(
        label=_("Firmanavn"),
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    vat_registered = forms.BooleanField(
        label=_("Firmaet er registrert i Merverdiavgiftsregisteret (MVA)"), required=False
    )
    in_foretaksregisteret = forms.BooleanField(
        label=_("Firmaet er registrert i Foretaksregisteret"), required=False
    )
    address_line = forms.CharField(
        label=_("Adresse"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postnummer"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Poststed"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    bank_account = _kontonr_field()
    accept_terms = forms.BooleanField(
        label=_("Jeg godtar vilkårene for bruk og har lest personvernerklæringen"),
        required=True,
        error_messages={
            "required": _("Du må godta vilkårene og personvernerklæringen for å registrere deg.")
        },
    )

    def clean_email(self) -> str:
        # Whether the address has an account is not revealed here: the sign-up answers the
        # same either way and the existing owner gets an e-mail (services.user_register).
        return self.cleaned_data["email"].strip().lower()

    def clean_organization_number(self) -> str:
        value = super().clean_organization_number()
        if orgnr_in_use(organization_number=value):
            raise ValidationError(
                _(
                    "Dette organisasjonsnummeret er allerede registrert hos oss. Be firmaets "
                    "eier om en invitasjon i stedet for å registrere firmaet på nytt."
                )
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._clean_new_password(
            User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
        )
        return cleaned


class SudoFieldsMixin(FormMixin):
    """Optional password (and code) fields for forms that change payment details.

    ``accounts.permissions.confirm_sudo`` checks them only when sudo mode has lapsed.
    """

    def add_sudo_fields(self, *, with_otp: bool) -> None:
        self.fields["sudo_password"] = forms.CharField(
            label=_("Passordet ditt"),
            required=False,
            strip=False,
            help_text=_(
                "Kreves for å endre kontonummer, IBAN, BIC, KID eller e-post for faktura, "
                "med mindre du nylig har bekreftet passordet."
            ),
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )
        if with_otp:
            self.fields["sudo_code"] = forms.CharField(
                label=_("Kode fra autentiseringsappen eller en gjenopprettingskode"),
                required=False,
                max_length=16,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
            )


class CompanySettingsForm(SudoFieldsMixin, CompanyIdentifiersMixin, forms.ModelForm):
    organization_number = _orgnr_field()
    bank_account = _kontonr_field()
    website = forms.URLField(
        label=_("Nettside"),
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "organization_number",
            "vat_registered",
            "in_foretaksregisteret",
            "address_line",
            "postcode",
            "city",
            "bank_account",
            "iban",
            "bic",
            "email",
            "phone",
            "website",
            "require_two_factor",
        ]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "address_line": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(
        self,
        *args: Any,
        can_require_two_factor: bool = False,
        with_otp: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.add_sudo_fields(with_otp=with_otp)
        if not can_require_two_factor:
            self.fields["require_two_factor"].disabled = True
            self.fields["require_two_factor"].help_text = _("Bare en eier kan endre dette.")
        self.fields["organization_number"].initial = self.instance.organization_number
        self.fields["bank_account"].initial = self.instance.bank_account

    def clean_organization_number(self) -> str:
        value = super().clean_organization_number()
        if orgnr_in_use(organization_number=value, exclude_company=self.instance):
            raise ValidationError(_("Et annet firma er allerede registrert med dette nummeret."))
        return value

    def clean_iban(self) -> str:
        value = self.cleaned_data["iban"].strip()
        if not value:
            return ""
        try:
            return stdnum_iban.validate(value)
        except StdnumError as exc:
            raise ValidationError(_("Dette er ikke et gyldig IBAN-nummer.")) from exc

    def clean_bic(self) -> str:
        value = self.cleaned_data["bic"].strip()
        if not value:
            return ""
        try:
            return stdnum_bic.validate(value)
        except StdnumError as exc:
            raise ValidationError(_("Dette er ikke en gyldig BIC/SWIFT-kode.")) from exc

    def _post_clean(self) -> None:
        # The service validates and saves; don't write form data into the instance.
        pass


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def _post_clean(self) -> None:
        pass


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("Ny e-postadresse"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise ValidationError(_("Dette er allerede e-postadressen din."))
        if email_in_use(email=email, exclude_user=self.user):
            raise ValidationError(_("Det finnes allerede en bruker med denne e-postadressen."))
        return email


class SetPasswordForm(NewPasswordMixin, forms.Form):
    password1 = _password_field(_("Nytt passord"))
    password2 = _password_field(_("Gjenta det nye passordet"))

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        self._clean_new_password(self.user)
        return self.cleaned_data


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


def _otp_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class OTPForm(forms.Form):
    code = _otp_field(_("Kode fra autentiseringsappen eller en gjenopprettingskode"))


class TwoFactorConfirmForm(forms.Form):
    code = _otp_field(_("Sekssifret kode fra appen"))


class ReauthForm(forms.Form):
    password = _password_field(_("Passord"), autocomplete="current-password")

    def __init__(self, *args: Any, with_otp: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autofocus"] = True
        if with_otp:
            self.fields["code"] = forms.CharField(
                label=_("Kode fra autentiseringsappen eller en gjenopprettingskode"),
                max_length=16,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
            )


def _role_choices(*, can_make_owner: bool) -> list[tuple[str, StrOrPromise]]:
    return [
        (value, label) for value, label in Role.choices if can_make_owner or value != Role.OWNER
    ]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args: Any, can_make_owner: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = _role_choices(can_make_owner=can_make_owner)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)

    def __init__(self, *args: Any, can_make_owner: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = _role_choices(can_make_owner=can_make_owner)


class InvitationSignupForm(NewPasswordMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Fullt navn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    password1 = _password_field(_("Passord"))
    password2 = _password_field(_("Gjenta passordet"))
    accept_terms = forms.BooleanField(
        label=_("Jeg godtar vilkårene for bruk og har lest personvernerklæringen"),
        required=True,
        error_messages={
            "required": _("Du må godta vilkårene og personvernerklæringen for å fortsette.")
        },
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._clean_new_password(User(email=self.email, full_name=cleaned.get("full_name", "")))
        return cleaned
