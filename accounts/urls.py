from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("verify/<str:uidb64>/<str:token>/", views.verify_email, name="verify_email"),
    path("verify/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/change/", views.password_change, name="password_change"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("profile/", views.profile, name="profile"),
    path("companies/", views.company_switch, name="company_switch"),
    path("no-company/", views.no_company, name="no_company"),
]
