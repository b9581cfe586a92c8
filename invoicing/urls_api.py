"""/api/v1/invoices/ and /api/v1/credit-notes/: included from ``fakturanett/urls.py`` under
/api/v1/, before ``api.urls`` (whose catch-all 404 comes last)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from invoicing.api import CreditNoteViewSet, InvoiceViewSet

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")

# The documents of an invoice or credit note: .../{id}/pdf and .../{id}/ehf (no slash).
documents = [
    path(f"{prefix}/<int:pk>/{kind}", viewset.as_view({"get": kind}), name=f"{name}-{kind}")
    for prefix, viewset, name in [
        ("invoices", InvoiceViewSet, "invoice"),
        ("credit-notes", CreditNoteViewSet, "credit-note"),
    ]
    for kind in ("pdf", "ehf")
]

urlpatterns = [*router.urls, *documents]
