"""API rate limits are counted in a cache shared by every process, not per process."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from rest_framework.settings import api_settings

from api.throttling import BurstRateThrottle
from fakturanett import settings as base_settings

pytestmark = pytest.mark.django_db


def test_the_configured_cache_is_shared_not_per_process():
    """settings.py: Redis with REDIS_URL/CACHE_URL, else the database table (never locmem)."""
    backend = base_settings.CACHES["default"]["BACKEND"]
    if base_settings.CACHE_URL:
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert backend == "django.core.cache.backends.db.DatabaseCache"


def test_two_cache_clients_share_one_count(rf, monkeypatch):
    """Two independent connections to the cache (as two web workers have) see one history."""
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "api_burst", "3/minute")
    with override_settings(CACHES=base_settings.CACHES):
        call_command("createcachetable", verbosity=0)  # what core's migration 0003 does
        worker_a = caches.create_connection("default")
        worker_b = caches.create_connection("default")
    assert worker_a is not worker_b
    worker_a.clear()

    def throttle_on(cache):
        throttle = BurstRateThrottle()
        throttle.cache = cache
        return throttle

    request = rf.get("/api/v1/clients/", REMOTE_ADDR="198.51.100.7")
    request.user = type("Anon", (), {"is_authenticated": False})()
    allowed = [
        throttle_on(cache).allow_request(request, None)
        for cache in (worker_a, worker_b, worker_a, worker_b)
    ]
    assert allowed == [True, True, True, False]  # the fourth is over 3/minute in total
    worker_a.clear()
