"""The product audit codes in words, with links to the products (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from core.activity import (
    COUNT_KEY,
    ObjectLink,
    object_pks,
    register_object,
    register_sentences,
)

register_sentences(
    {
        "catalog.product.created": _("%(Object)s opprettet"),
        "catalog.product.updated": _("%(Object)s endret"),
        "catalog.product.deactivated": _("%(Object)s tatt ut av bruk"),
        "catalog.product.activated": _("%(Object)s tatt i bruk igjen"),
        "catalog.product.imported": ngettext_lazy(
            "%(count)s produkt importert", "%(count)s produkter importert", COUNT_KEY
        ),
    }
)


def _products(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = Product.objects.filter(pk__in=object_pks(ids)).values_list("pk", "name")
    # The product form changes bookkeeping data: only editors get the link.
    can_edit = bool(getattr(getattr(request, "membership", None), "can_edit", False))
    return {
        str(pk): ObjectLink(
            label=gettext("produkt %(name)s") % {"name": name},
            url=reverse("catalog:edit", args=[pk]) if can_edit else "",
        )
        for pk, name in rows
    }


register_object("catalog.product", noun=_("produkt"), resolve=_products)
