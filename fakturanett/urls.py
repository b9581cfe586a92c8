from django.urls import include, path

from accounts import views_app
from backoffice import views_public as backoffice_public
from privacy import views as privacy_views
from quotes import public as quotes_public

urlpatterns = [
    path("", backoffice_public.home, name="home"),
    path("app/", views_app.dashboard, name="dashboard"),
    path("app/activity/", views_app.activity, name="activity"),
    path("app/", include("documents.urls")),  # before accounts' /app/company/
    path("app/company/", include("accounts.urls_company")),
    path("app/clients/", include("customers.urls")),
    path("app/", include("catalog.urls")),  # /app/products/ and /app/vat-codes/
    path("app/", include("invoicing.urls")),  # /app/invoices/ and /app/credit-notes/
    path("app/delivery/", include("delivery.urls")),
    path("app/recurring/", include("recurring.urls")),
    path("app/reports/", include("reports.urls")),
    path("app/quotes/", include("quotes.urls")),
    path("tilbud/<str:token>/", quotes_public.quote_public, name="quote_public"),
    path("app/api-tokens/", include("api.urls_app")),
    path("app/receivables/", include("receivables.urls")),
    # Each app's REST endpoints, before api.urls: its catch-all answers 404 for the rest.
    *[
        path("api/v1/", include(f"{app}.urls_api"))
        for app in (
            "customers",
            "catalog",
            "invoicing",
            "documents",
            "recurring",
            "quotes",
            "receivables",
            "reports",
        )
    ],
    path("api/", include("api.urls")),
    path("account/", include("accounts.urls")),
    path("backoffice/privacy-requests/", include("privacy.urls_staff")),
    path("backoffice/registers/", include("retention.urls_staff")),
    path("backoffice/marketing/", include("marketing.urls")),
    path("backoffice/figures/", include("backoffice.urls_figures")),
    path("backoffice/", include("backoffice.urls")),
    path("", include("backoffice.urls_public")),  # /plans/ and /survey/
    path("language/", views_app.set_language, name="set_language"),
    path("personvern/", privacy_views.statement, name="privacy_statement"),
    path("en/privacy/", privacy_views.statement_en, name="privacy_statement_en"),
    path("personvern/lagring-og-sletting/", include("retention.urls")),
    path("", include("privacy.urls")),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
