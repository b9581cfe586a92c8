"""Rate limits per caller (token or user), configured in REST_FRAMEWORK's rates.

``api_sustained`` (e.g. 1000/hour) and ``api_burst`` (e.g. 60/minute) both apply.
The counts live in the default cache, which settings.py makes shared by every process (Redis
with ``REDIS_URL``/``CACHE_URL``, else a database table), so the limits hold however many
web workers run.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.auth import api_caller


class _CallerRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time (not import time), so settings overrides take effect.
        try:
            rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope or ""]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}") from exc
        # A rate is a string such as "100/min" (DRF's stubs type the dict's values as numbers).
        return None if rate is None else str(rate)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        caller = api_caller(request) if request.user.is_authenticated else None
        ident = caller.ident if caller is not None else f"anon:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SustainedRateThrottle(_CallerRateThrottle):
    scope = "api_sustained"


class BurstRateThrottle(_CallerRateThrottle):
    scope = "api_burst"
