"""The site's URLs plus a bare view, for the ratio in ``bench_list_scale``: the bare view
goes through the same middleware (session, tenant scope, CSP, ...) and renders nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from fakturanett.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench-bare/", bare), *site_urlpatterns]
