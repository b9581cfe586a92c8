"""/api/v1/products/ and /api/v1/vat-codes/: included from ``fakturanett/urls.py`` under
/api/v1/, before ``api.urls`` (whose catch-all 404 comes last)."""

from rest_framework.routers import SimpleRouter

from catalog.api import ProductViewSet, VatCodeViewSet

router = SimpleRouter(use_regex_path=False)
router.register("products", ProductViewSet, basename="product")
router.register("vat-codes", VatCodeViewSet, basename="vat-code")

urlpatterns = router.urls
