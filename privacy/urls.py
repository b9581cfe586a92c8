"""Public privacy pages under /personvern/ and a person's own under /account/privacy/."""

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("personvern/informasjonskapsler/", views.cookie_settings, name="cookies"),
    path("personvern/kontakt/", views.contact, name="contact"),
    path("personvern/kontakt/bekreft/<str:token>/", views.contact_verify, name="contact_verify"),
    path("personvern/avmelding/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("personvern/eksport/skjema.json", views.export_schema, name="export_schema"),
    path("account/privacy/", views.overview, name="overview"),
    path("account/privacy/consents/", views.consents, name="consents"),
    path("account/privacy/objection/", views.marketing_object, name="object"),
    path("account/privacy/data/", views.access, name="access"),
    path("account/privacy/export/", views.export, name="export"),
    path(
        "account/privacy/export/<uuid:export_id>/",
        views.export_download,
        name="export_download",
    ),
    path("account/privacy/erase/", views.erase, name="erase"),
    path("account/privacy/rectification/", views.rectification, name="rectification"),
    path("account/privacy/profiling/", views.profiling, name="profiling"),
    path(
        "account/privacy/statement/read/",
        views.statement_acknowledge,
        name="statement_acknowledge",
    ),
]
