"""Public privacy pages under /personvern/ and a person's own under /account/privacy/."""

from django.urls import path

from privacy import views, views_company

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
    # The company's own clients (the company is the controller).
    path("account/privacy/persons/", views_company.persons, name="persons"),
    path("account/privacy/persons/<int:pk>/", views_company.person, name="person"),
    path(
        "account/privacy/persons/<int:pk>/export/",
        views_company.person_export,
        name="person_export",
    ),
    path(
        "account/privacy/persons/<int:pk>/anonymise/",
        views_company.person_anonymise,
        name="person_anonymise",
    ),
    path(
        "account/privacy/referrals/<int:pk>/answer/",
        views_company.referral_answer,
        name="referral_answer",
    ),
    path(
        "account/privacy/statement/read/",
        views.statement_acknowledge,
        name="statement_acknowledge",
    ),
]
