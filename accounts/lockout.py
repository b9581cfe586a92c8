"""Log-in lockout rules on top of django-axes: per address and account, and per account.

django-axes records every failed log-in as an ``AccessAttempt`` (username, IP address).
It compares the largest failure count of its lockout parameters with one limit; we need
three limits, so ``AXES_FAILURE_LIMIT`` is ``failure_limit`` below, which decides from the
counts itself and returns 1 (locked: at least one failure exists) or a limit that cannot be
reached. The rules, each over the cool-off window (``AXES_COOLOFF_TIME``):

- one account from one address: ``AXES_FAILURE_LIMIT_ADDRESS`` (5) failures;
- one account from any number of addresses: ``AXES_FAILURE_LIMIT_ACCOUNT`` (40), so a
  botnet spreading guesses over many addresses still locks the account;
- one address across accounts: ``AXES_FAILURE_LIMIT_IP`` (100), password spraying.

When an account is locked its owner gets an e-mail with a signed, expiring unlock link
(``services.user_lockout_notify``).
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

UNREACHABLE = 10**9


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The log-in name as axes counts it: e-mail addresses are case-insensitive here."""
    source = credentials or {}
    value = source.get(settings.AXES_USERNAME_FORM_FIELD) or source.get("username")
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value or "").strip().lower()


def _failures(**filters: Any) -> int:
    return (
        AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0
    )


def lock_reason(*, username: str, ip_address: str | None) -> str | None:
    """Which rule locks this log-in now: "address", "account", "ip", or None."""
    limit = settings.AXES_FAILURE_LIMIT_ADDRESS
    if username and ip_address and _failures(username=username, ip_address=ip_address) >= limit:
        return "address"
    if username and _failures(username=username) >= settings.AXES_FAILURE_LIMIT_ACCOUNT:
        return "account"
    if ip_address and _failures(ip_address=ip_address) >= settings.AXES_FAILURE_LIMIT_IP:
        return "ip"
    return None


def failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """``AXES_FAILURE_LIMIT``: 1 when a rule above locks this log-in, else unreachable."""
    username = axes_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None)
    return 1 if lock_reason(username=username, ip_address=ip_address) else UNREACHABLE
