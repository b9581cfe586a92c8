"""/api/v1/{invoices,credit-notes}/{id}/{pdf,ehf}: included from ``fakturanett/urls.py``
under /api/v1/, before ``api.urls`` (whose catch-all 404 comes last)."""

from django.urls import path

from documents.api import CreditNoteFilesViewSet, InvoiceFilesViewSet

urlpatterns = [
    path(f"{prefix}/<int:pk>/{kind}", viewset.as_view({"get": kind}), name=f"{name}-{kind}")
    for prefix, viewset, name in [
        ("invoices", InvoiceFilesViewSet, "invoice"),
        ("credit-notes", CreditNoteFilesViewSet, "credit-note"),
    ]
    for kind in ("pdf", "ehf")
]
