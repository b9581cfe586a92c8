"""Receivables' API routes, included from ``fakturanett/urls.py`` before ``api.urls``
(whose catch-all 404 comes last)."""

from django.urls import path

from receivables.api import InvoiceDisputeView, PaymentImportView

app_name = "receivables_api"

urlpatterns = [
    path("payments/import/", PaymentImportView.as_view(), name="payments-import"),
    path("invoices/<int:pk>/dispute/", InvoiceDisputeView.as_view(), name="invoice-dispute"),
]
