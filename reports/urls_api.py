"""The reports' REST endpoints, included from ``fakturanett/urls.py`` before ``api/``."""

from django.urls import path

from reports import api

urlpatterns = [
    path("reports/ledger/", api.LedgerApi.as_view(), name="api-reports-ledger"),
    path("reports/ageing/", api.AgeingApi.as_view(), name="api-reports-ageing"),
    path("reports/vat/", api.VatApi.as_view(), name="api-reports-vat"),
    path("exports/saft/", api.SaftApi.as_view(), name="api-exports-saft"),
]
