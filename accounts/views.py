from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.forms import LoginForm
from accounts.permissions import user_view

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()


@user_view
def no_company(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_company.html")


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    # Placeholder while the accounts flows are being written in this session.
    raise Http404


signup = verify_email = verify_email_resend = password_reset = _not_built_yet
password_reset_confirm = password_change = reauthenticate = _not_built_yet
two_factor_setup = otp_verify = profile = company_switch = company_settings = _not_built_yet
