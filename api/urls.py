"""Routes under /api/: version 1 of the REST API, and JSON 404s for everything else."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api.exceptions import api_not_found
from api.views import api_docs
from catalog.api import ProductViewSet, VatCodeViewSet
from customers.api import ClientViewSet
from invoicing.api import CreditNoteViewSet, InvoiceViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("clients", ClientViewSet, basename="client")
router.register("products", ProductViewSet, basename="product")
router.register("vat-codes", VatCodeViewSet, basename="vat-code")
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

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    *router.urls,
    *documents,
]

urlpatterns = [
    path("v1/", include(v1)),
    # (?s): a path with an encoded newline (%0A) is an unknown route too, not the HTML 404.
    re_path(r"^[\s\S]*$", api_not_found, name="not_found"),
]
