"""/api/v1/invoices/ and /api/v1/credit-notes/: included from ``fakturanett/urls.py`` under
/api/v1/, before ``api.urls`` (whose catch-all 404 comes last)."""

from rest_framework.routers import SimpleRouter

from invoicing.api.viewsets import CreditNoteViewSet, InvoiceViewSet

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")

urlpatterns = router.urls
