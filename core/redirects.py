"""Where to go after a form: the one check of a ``next`` parameter."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str, *, prefix: str = "/") -> str:
    """The request's ``next`` (POST, then GET) if it is a path on this site, else ``default``.

    Only a path starting with ``prefix`` (``/`` by default) is taken: ``next=evil.com``,
    ``//evil.com`` or ``next=³`` (which ``redirect()`` would try to resolve as a view name,
    a 500) give ``default``.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith(prefix)
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
