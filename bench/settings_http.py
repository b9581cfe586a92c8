"""Settings of the gunicorn that ``bench_list_scale`` measures over HTTP: the site's own
settings (``DATABASE_URL`` from the environment), plus the bare view's URL
(``bench.scale_urls``), static files without a collectstatic manifest, and no API rate
limits (the rounds would be refused with 429s; the bench measures the reads)."""

from __future__ import annotations

from fakturanett.settings import *  # noqa: F403
from fakturanett.settings import REST_FRAMEWORK, STORAGES

ROOT_URLCONF = "bench.scale_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"api_sustained": None, "api_burst": None},
}
