"""/api/v1/quotes/: included from fakturanett.urls before ``api/`` (whose catch-all 404
must come last)."""

from rest_framework.routers import SimpleRouter

from quotes.api import QuoteViewSet

router = SimpleRouter(use_regex_path=False)
router.register("quotes", QuoteViewSet, basename="quote")

urlpatterns = router.urls
