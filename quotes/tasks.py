"""Huey tasks of quotes."""

from __future__ import annotations

from django_scopes import scope
from huey.contrib.djhuey import db_task

from accounts.models import Company
from quotes import services


@db_task()
def send_quote_email(company_id: int, quote_id: int) -> None:
    """Send the queued quote e-mail; a second run finds nothing queued and does nothing."""
    with scope(company=Company.objects.get(pk=company_id)):
        services.quote_email_execute(quote_id=quote_id)
