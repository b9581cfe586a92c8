from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors, services
from accounts.forms import (
    CompanySettingsForm,
    EmailChangeForm,
    EmailForm,
    InvitationForm,
    InvitationSignupForm,
    LoginForm,
    OTPForm,
    ProfileForm,
    ReauthForm,
    RoleForm,
    SetPasswordForm,
    SignupForm,
    TwoFactorConfirmForm,
)
from accounts.middleware import SESSION_COMPANY_KEY
from accounts.models import Invitation, Membership, Role, User
from accounts.permissions import (
    check_sudo,
    confirm_sudo,
    manager_view,
    mark_reauthenticated,
    otp_verified,
    request_company,
    request_membership,
    request_user,
    user_view,
)
from accounts.permissions import verify_otp as _verify_otp
from accounts.tokens import email_verification_token, user_from_unlock_token
from core.companylookup import company_lookup_response, enable_company_lookup
from core.forms import form_add_service_errors
from core.parsing import parse_id
from core.redirects import safe_next

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    """Password step; users with a confirmed device go on to the second-factor step.

    Unverified e-mail addresses may log in: the app shows a banner until they verify.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if user.is_authenticated and user_has_device(user) and not otp_verified(user):
            return f"{reverse('accounts:otp_verify')}?{urlencode({'next': url})}"
        return url


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


# --- Helpers ------------------------------------------------------------------------


def _safe_next(request: HttpRequest, default: str) -> str:
    return safe_next(request, default)


def _form_status(form: BaseForm) -> int:
    return 400 if form.is_bound and form.errors else 200


def _link_invalid(
    request: HttpRequest, *, title: str, message: str, action_url: str, action_label: str
) -> HttpResponse:
    return render(
        request,
        "accounts/link_invalid.html",
        {
            "title": title,
            "message": message,
            "action_url": action_url,
            "action_label": action_label,
        },
        status=400,
    )


def _user_from_uid(uidb64: str) -> User | None:
    try:
        pk = parse_id(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    if pk is None:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


# --- Sign-up and verification ---------------------------------------------------------


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                company_name=data["company_name"],
                organization_number=data["organization_number"],
                vat_registered=data["vat_registered"],
                in_foretaksregisteret=data["in_foretaksregisteret"],
                address_line=data["address_line"],
                postcode=data["postcode"],
                city=data["city"],
                bank_account=data["bank_account"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, rename={"name": "company_name"})
        else:
            # The same answer whether the address was new (``user``) or already had an
            # account (``None``; its owner got an e-mail): check your e-mail, then log in.
            del user
            request.session[SESSION_SIGNUP_EMAIL] = data["email"]
            return redirect("accounts:signup_done")
    enable_company_lookup(
        form,
        url=reverse("accounts:signup_lookup"),
        fields={
            "name": "company_name",
            "address_line": "address_line",
            "postcode": "postcode",
            "city": "city",
            "vat_registered": "vat_registered",
            "in_foretaksregisteret": "in_foretaksregisteret",
        },
    )
    return render(request, "accounts/signup.html", {"form": form}, status=_form_status(form))


@require_GET
def signup_lookup(request: HttpRequest) -> HttpResponse:
    """The sign-up form's company look-up: anonymous, so throttled per address."""
    return company_lookup_response(
        request, scope="brreg_signup", rate=settings.BRREG_RATE_ANONYMOUS
    )


SESSION_SIGNUP_EMAIL = "signup_email"


def signup_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SESSION_SIGNUP_EMAIL)
    if not email:
        return redirect("accounts:signup")
    return render(request, "accounts/signup_done.html", {"email": email})


def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_uid(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        return _link_invalid(
            request,
            title=_("Lenken virker ikke"),
            message=_(
                "Bekreftelseslenken er ugyldig, utløpt eller allerede brukt. "
                "Har du allerede bekreftet adressen, kan du bare logge inn."
            ),
            action_url=reverse("accounts:verify_email_resend"),
            action_label=_("Send en ny bekreftelseslenke"),
        )
    services.user_verify_email(user=user)
    if request.user.is_authenticated and request.user.pk == user.pk:
        # The session's user was loaded before the verification: without this the success
        # page would still ask them to confirm their e-mail.
        request.user.email_verified_at = user.email_verified_at
    return render(request, "accounts/verify_email_done.html", {"verified_user": user})


def verify_email_resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            if user.is_email_verified:
                messages.info(request, _("E-postadressen din er allerede bekreftet."))
            else:
                with transaction.atomic():
                    services.user_send_verification(user=user)
                messages.success(
                    request, _("Vi har sendt en ny bekreftelseslenke til %s.") % user.email
                )
            return redirect(_safe_next(request, reverse("accounts:profile")))
        return render(request, "accounts/verify_email_resend.html", {"form": None})
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unverified = User.objects.filter(
            email__iexact=form.cleaned_data["email"], is_active=True, email_verified_at=None
        ).first()
        if unverified is not None:
            with transaction.atomic():
                services.user_send_verification(user=unverified)
        return render(request, "accounts/verify_email_resend.html", {"form": None, "sent": True})
    return render(
        request, "accounts/verify_email_resend.html", {"form": form}, status=_form_status(form)
    )


# --- Passwords ----------------------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.user_request_password_reset(email=form.cleaned_data["email"])
        # The same answer whether or not the address has an account.
        return render(request, "accounts/password_reset_done.html")
    return render(
        request, "accounts/password_reset.html", {"form": form}, status=_form_status(form)
    )


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return _link_invalid(
            request,
            title=_("Lenken virker ikke"),
            message=_(
                "Lenken for å lage nytt passord er ugyldig, utløpt eller allerede brukt. "
                "Be om en ny lenke."
            ),
            action_url=reverse("accounts:password_reset"),
            action_label=_("Be om en ny lenke"),
        )
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(
            user=user, password=form.cleaned_data["password1"], via="reset"
        )
        messages.success(request, _("Passordet er endret. Logg inn med det nye passordet."))
        return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form}, status=_form_status(form)
    )


def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The self-service unlock link from the lockout e-mail: confirm with a button (POST)."""
    user = user_from_unlock_token(token)
    if user is None:
        return _link_invalid(
            request,
            title=_("Lenken virker ikke"),
            message=_(
                "Lenken for å oppheve sperren er ugyldig eller utløpt. Du kan vente et kvarter "
                "og prøve igjen, eller lage et nytt passord; det opphever også sperren."
            ),
            action_url=reverse("accounts:password_reset"),
            action_label=_("Lag nytt passord"),
        )
    if request.method == "POST":
        services.user_unlock(user=user)
        messages.success(request, _("Sperren er opphevet. Du kan logge inn igjen."))
        return redirect("accounts:login")
    return render(request, "accounts/unlock.html", {"email": user.email})


@user_view(reauth=True)
def password_change(request: HttpRequest) -> HttpResponse:
    form = SetPasswordForm(request.POST or None, user=request_user(request))
    if request.method == "POST" and form.is_valid():
        user = services.user_change_password(
            user=request_user(request), password=form.cleaned_data["password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Passordet er endret."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=_form_status(form)
    )


# --- Re-authentication and second factor ------------------------------------------------


@user_view
def reauthenticate(request: HttpRequest) -> HttpResponse:
    user = request.user
    with_otp = user_has_device(user)
    form = ReauthForm(request.POST or None, with_otp=with_otp)
    if request.method == "POST" and form.is_valid():
        errors = check_sudo(
            request, password=form.cleaned_data["password"], code=form.cleaned_data.get("code", "")
        )
        for field, message in errors.items():
            form.add_error(field, message)
        if not errors:
            mark_reauthenticated(request)
            return redirect(_safe_next(request, reverse("accounts:profile")))
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": _safe_next(request, "")},
        status=_form_status(form),
    )


def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in, for users with a confirmed device."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    next_url = _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    if not user_has_device(user) or otp_verified(user):
        return redirect(next_url)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verify_otp(user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("Koden stemmer ikke, eller den er allerede brukt."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _safe_next(request, "")},
        status=_form_status(form),
    )


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, title="QR", dark="#000", light="#fff"
    )


@user_view(reauth=True)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        remaining = StaticToken.objects.filter(device__user=user).count()
        return render(
            request,
            "accounts/two_factor_manage.html",
            {"remaining_codes": remaining},
        )
    device = services.two_factor_pending_device(user=user)
    form = TwoFactorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_enable(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            mark_reauthenticated(request)
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": _safe_next(request, reverse("accounts:profile"))},
            )
    secret = base64.b32encode(binascii.unhexlify(device.key)).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _safe_next(request, ""),
        },
        status=_form_status(form),
    )


@user_view(reauth=True)
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("accounts:two_factor_setup")
    try:
        codes = services.two_factor_regenerate_recovery_codes(user=request_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:two_factor_setup")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": reverse("accounts:two_factor_setup")},
    )


@user_view(reauth=True)
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("accounts:two_factor_setup")
    try:
        services.two_factor_disable(user=request_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tofaktorautentisering er slått av."))
    return redirect("accounts:two_factor_setup")


# --- Profile --------------------------------------------------------------------------


@user_view
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update_profile(
                user=user,
                full_name=data["full_name"],
                phone=data["phone"],
                language=data["language"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Profilen er lagret."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "has_two_factor": user_has_device(user)},
        status=_form_status(form),
    )


@user_view(reauth=True)
def email_change(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_email(user=user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("E-postadressen er endret. Vi har sendt en bekreftelseslenke til %s.")
                % user.email,
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form}, status=_form_status(form))


# --- Companies ------------------------------------------------------------------------


@user_view
def company_switch(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of(user=request_user(request))
    if request.method == "POST":
        company_id = parse_id(request.POST.get("company", ""))
        if company_id is None:
            return HttpResponse(_("Ugyldig firma."), status=400)
        chosen = memberships.filter(company_id=company_id).first()
        if chosen is None:
            raise Http404
        request.session[SESSION_COMPANY_KEY] = chosen.company_id
        messages.success(request, _("Du arbeider nå i %s.") % chosen.company.name)
        return redirect("dashboard")
    return render(request, "accounts/company_switch.html", {"memberships": memberships})


@user_view
def no_company(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        # The operator's staff work in the back office, not in a customer company.
        return redirect("backoffice:dashboard")
    return render(request, "accounts/no_company.html")


@manager_view
def company_settings(request: HttpRequest) -> HttpResponse:
    membership = request_membership(request)
    company = membership.company
    form = CompanySettingsForm(
        request.POST or None,
        instance=company,
        can_require_two_factor=membership.is_owner,
        with_otp=user_has_device(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        require_two_factor = data.pop("require_two_factor")
        data.pop("sudo_password", None)
        data.pop("sudo_code", None)
        if services.payment_details_changing(company=company, values=data) and not confirm_sudo(
            request, form
        ):
            company.refresh_from_db()
            return render(request, "accounts/company_settings.html", {"form": form}, status=400)
        try:
            services.company_update(
                company=company,
                actor_membership=membership,
                require_two_factor=require_two_factor if membership.is_owner else None,
                **data,
            )
        except ValidationError as exc:
            company.refresh_from_db()
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Firmaopplysningene er lagret."))
            return redirect("company:settings")
    return render(
        request, "accounts/company_settings.html", {"form": form}, status=_form_status(form)
    )


def _members_page(
    request: HttpRequest, *, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    membership = request_membership(request)
    company = membership.company
    can_make_owner = membership.is_owner
    members = [
        (m, RoleForm(initial={"role": m.role}, can_make_owner=can_make_owner, prefix=f"m{m.pk}"))
        for m in selectors.members_of(company=company)
    ]
    return render(
        request,
        "accounts/members.html",
        {
            "members": members,
            "invitations": selectors.open_invitations_of(company=company),
            "invite_form": invite_form or InvitationForm(can_make_owner=can_make_owner),
            "can_make_owner": can_make_owner,
            "owner_role": Role.OWNER,
        },
        status=status,
    )


@manager_view(reauth=True)
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


def _company_membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "company"),
        pk=pk,
        company=request_company(request),
    )


@manager_view(reauth=True)
def member_invite(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("company:members")
    membership = request_membership(request)
    form = InvitationForm(request.POST, can_make_owner=membership.is_owner)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.invitation_create(
                    actor_membership=membership,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitasjonen er sendt til %s.") % form.cleaned_data["email"]
            )
            return redirect("company:members")
    return _members_page(request, invite_form=form, status=400)


@manager_view(reauth=True)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _company_membership(request, pk)
    if request.method != "POST":
        return redirect("company:members")
    actor = request_membership(request)
    form = RoleForm(request.POST, can_make_owner=actor.is_owner, prefix=f"m{target.pk}")
    if not form.is_valid():
        messages.error(request, _("Velg en gyldig rolle."))
        return _members_page(request, status=400)
    try:
        services.membership_change_role(
            actor_membership=actor, membership=target, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _members_page(request, status=400)
    messages.success(request, _("Rollen til %s er endret.") % target.user)
    return redirect("company:members")


@manager_view(reauth=True)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = _company_membership(request, pk)
    if request.method != "POST":
        return redirect("company:members")
    try:
        services.membership_remove(actor_membership=request_membership(request), membership=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _members_page(request, status=400)
    messages.success(request, _("%s er fjernet fra firmaet.") % target.user)
    if target.user_id == request.user.pk:
        request.session.pop(SESSION_COMPANY_KEY, None)
        return redirect("dashboard")
    return redirect("company:members")


@manager_view(reauth=True)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.all(),
        pk=pk,
        company=request_company(request),
    )
    if request.method != "POST":
        return redirect("company:members")
    try:
        services.invitation_revoke(
            actor_membership=request_membership(request), invitation=invitation
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _members_page(request, status=400)
    messages.success(request, _("Invitasjonen til %s er trukket tilbake.") % invitation.email)
    return redirect("company:members")


# --- Accepting an invitation ----------------------------------------------------------


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    return _link_invalid(
        request,
        title=_("Invitasjonen virker ikke"),
        message=_(
            "Invitasjonen er ugyldig, allerede brukt, trukket tilbake eller utløpt. "
            "Be den som inviterte deg om å sende en ny."
        ),
        action_url=reverse("home"),
        action_label=_("Til forsiden"),
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_find_open(token=token)
    if invitation is None:
        return _invitation_invalid(request)
    user = request.user
    context: dict[str, Any] = {"invitation": invitation}
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            context["wrong_user"] = True
            return render(request, "accounts/invitation_accept.html", context, status=403)
        if user_has_device(user) and not otp_verified(user):
            return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.path})}")
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return _invitation_invalid(request)
            request.session[SESSION_COMPANY_KEY] = membership.company_id
            messages.success(request, _("Velkommen til %s.") % membership.company.name)
            return redirect("dashboard")
        return render(request, "accounts/invitation_accept.html", context)
    if services.email_in_use(email=invitation.email):
        context["login_url"] = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation_accept.html", context)
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            login(request, membership.user, backend=MODEL_BACKEND)
            request.session[SESSION_COMPANY_KEY] = membership.company_id
            messages.success(request, _("Velkommen til %s.") % membership.company.name)
            return redirect("dashboard")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context, status=_form_status(form))
