from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from accounts.models import User
from privacy import selectors

register = template.Library()


@register.inclusion_tag("privacy/_notices.html", takes_context=True)
def privacy_notices(context: template.Context) -> dict[str, Any]:
    """The cookie banner (until the visitor has chosen) and the statement-update notice."""
    request = context.get("request")
    if request is None:
        return {"show_banner": False, "statement_update": False}
    consent = getattr(request, "cookie_consent", None)
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    on_cookie_page = match is not None and match.view_name == "privacy:cookies"
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        # The cookie page is the banner's long form; it does not repeat the banner.
        "show_banner": consent is not None and not consent.decided and not on_cookie_page,
        "statement_update": isinstance(user, User) and _statement_update_pending(request, user),
    }


# The statement version for which this session's user is known to have no update pending.
SESSION_STATEMENT_KEY = "privacy_statement_read"


def _statement_update_pending(request: HttpRequest, user: User) -> bool:
    """``selectors.statement_update_pending``, asked once per session and statement version
    while the answer is no: it was a query on every page (issue 15).

    Why "no" cannot go stale within a version: the answer is yes only while the user's
    latest accepted terms are older than the current statement and no acknowledgement of
    the current one exists. Acceptances are recorded at the current version and
    acknowledgements only added, so neither can turn a no into a yes; a new version
    (``TERMS_VERSION``, a deploy) is a new key and asks again. Those rows are removed only
    with the account's erasure, which ends its sessions (unusable password, inactive). A
    "yes" is asked again on every page, so reading the statement hides the notice at once.
    """
    current = selectors.statement_version()
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_STATEMENT_KEY) == current:
        return False
    pending = selectors.statement_update_pending(user=user)
    if session is not None and not pending:
        session[SESSION_STATEMENT_KEY] = current
    return pending
