"""``/healthz``: can this instance serve? Database, task queue and file storage.

Answered by a middleware before sessions, authentication and the company lookup, so it
needs no log-in and touches nothing but the three checks. The database or the storage
failing is 503 (this instance cannot serve); the task queue failing is 200 with
``"status": "degraded"``: pages keep working and the outbox (``core.outbox``) keeps the
work until the queue is back, so a load balancer must not take every instance out
because Redis is down — monitors alert on ``status`` instead. Error details go to the
log, not to the (anonymous) caller.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    from core.outbox import outbox_backlog

    return {"outbox": outbox_backlog()}


def check_queue() -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    return {"pending": HUEY.pending_count()}


def check_storage() -> dict[str, Any]:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                raise OSError("the storage gave back other bytes")
    finally:
        default_storage.delete(name)
    return {}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "queue": check_queue,
    "storage": check_storage,
}
CRITICAL = {"database", "storage"}


def health() -> tuple[int, dict[str, Any]]:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, **check()}
        except Exception:
            logger.error("Health check %s failed", name, exc_info=True)
            results[name] = {"ok": False}
    failed = {name for name, result in results.items() if not result["ok"]}
    if failed & CRITICAL:
        return 503, {"status": "unavailable", "checks": results}
    if failed:
        return 200, {"status": "degraded", "checks": results}
    return 200, {"status": "ok", "checks": results}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "GET only"}, status=405, headers={"Allow": "GET"})
        status, body = health()
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        if status == 503:
            response["Retry-After"] = "30"
        return response
