"""Routes under /api/: the schema and docs of version 1 of the REST API, and JSON 404s for
everything else. Each app routes its own endpoints (``<app>/urls_api.py``, included from
``fakturanett/urls.py`` before this module, whose catch-all must come last)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.exceptions import api_not_found
from api.views import api_docs

app_name = "api"

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
]

urlpatterns = [
    path("v1/", include(v1)),
    # (?s): a path with an encoded newline (%0A) is an unknown route too, not the HTML 404.
    re_path(r"^[\s\S]*$", api_not_found, name="not_found"),
]
