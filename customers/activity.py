"""The client audit codes in words, with links to the clients (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.activity import (
    COUNT_KEY,
    ObjectLink,
    object_pks,
    register_object,
    register_sentences,
)
from customers.models import Client

register_sentences(
    {
        "customers.client.created": _("%(Object)s opprettet"),
        "customers.client.updated": _("%(Object)s endret"),
        "customers.client.archived": _("%(Object)s arkivert"),
        "customers.client.activated": _("%(Object)s tatt i bruk igjen"),
        "customers.client.imported": ngettext_lazy(
            "%(count)s kunde importert", "%(count)s kunder importert", COUNT_KEY
        ),
    }
)


def _clients(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = Client.objects.filter(pk__in=object_pks(ids)).values_list("pk", "name")
    return {
        str(pk): ObjectLink(
            label=gettext("kunde %(name)s") % {"name": name},
            url=reverse("customers:detail", args=[pk]),
        )
        for pk, name in rows
    }


register_object("customers.client", noun=_("kunde"), resolve=_clients)
