"""The client's link to accept or decline a quote, signed with ``django.core.signing``.

The token carries the quote and company ids, signed with the site's secret and a salt of
its own. It is valid while the quote is: on or before its valid-until date and while it is
open (the decision service checks both). No login is needed; nothing else can be reached
with it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from quotes.models import Quote

SALT = "quotes.decision"


def token_for(quote: Quote) -> str:
    return signing.dumps({"q": quote.pk, "c": quote.company_id, "n": quote.number}, salt=SALT)


def url_for(quote: Quote) -> str:
    return settings.SITE_URL + reverse("quote_public", args=[token_for(quote)])


def read_token(token: str) -> tuple[int, int, int] | None:
    """(quote id, company id, number), or None for a token that was not made by us."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return int(data["q"]), int(data["c"]), int(data["n"])
    except (KeyError, TypeError, ValueError):
        return None
