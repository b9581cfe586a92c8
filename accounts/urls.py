from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("signup/lookup/", views.signup_lookup, name="signup_lookup"),
    path("verify/<str:uidb64>/<str:token>/", views.verify_email, name="verify_email"),
    path("verify/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/change/", views.password_change, name="password_change"),
    path("unlock/<str:token>/", views.unlock, name="unlock"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/", views.email_change, name="email_change"),
    path("companies/", views.company_switch, name="company_switch"),
    path("no-company/", views.no_company, name="no_company"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
