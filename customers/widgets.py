"""The type-ahead client picker: a search box that asks ``customers:picker`` (HTMX) for a
page of matching clients, and a hidden field with the chosen client's id.

Used wherever a filter or form chooses one client among possibly thousands, instead of a
``<select>`` with every client as an ``<option>`` (which grew the page with the client
count and was most of the invoice list's CPU time).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from core.parsing import parse_id
from core.widgets import TypeAheadPicker
from customers.models import Client


class ClientPicker(TypeAheadPicker):
    """``choose=True``: a form field that must name one active client (the invoice editor):
    no "all clients" entry and no archived clients among the options (the invoice editor's
    ``hx-*`` attributes swap in the chosen client's defaults)."""

    template_name = "customers/widgets/client_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, choose: bool = False) -> None:
        super().__init__(attrs)
        self.choose = choose

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["choose"] = self.choose
        url = reverse("customers:picker")
        context["picker_url"] = f"{url}?active=1" if self.choose else url
        if isinstance(value, Client):
            client: Client | None = value
        else:
            pk = parse_id(str(value)) if value not in (None, "") else None
            # Tenant-scoped manager: another company's id shows as "all clients".
            client = Client.objects.filter(pk=pk).only("pk", "name").first() if pk else None
        context["client"] = client
        return context
