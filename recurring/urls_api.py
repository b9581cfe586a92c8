"""/api/v1/recurring-invoices/: included from fakturanett.urls before ``api/`` (whose
catch-all 404 must come last)."""

from rest_framework.routers import SimpleRouter

from recurring.api import RecurringInvoiceViewSet

router = SimpleRouter(use_regex_path=False)
router.register("recurring-invoices", RecurringInvoiceViewSet, basename="recurring-invoice")

urlpatterns = router.urls
