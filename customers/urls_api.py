"""/api/v1/clients/: included from ``fakturanett/urls.py`` under /api/v1/, before ``api.urls``
(whose catch-all 404 comes last)."""

from rest_framework.routers import SimpleRouter

from customers.api import ClientViewSet

router = SimpleRouter(use_regex_path=False)
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls
