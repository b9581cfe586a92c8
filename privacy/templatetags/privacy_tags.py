from __future__ import annotations

from typing import Any

from django import template

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
        "statement_update": isinstance(user, User)
        and selectors.statement_update_pending_in_session(
            user=user, session=getattr(request, "session", None)
        ),
    }
