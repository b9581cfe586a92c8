"""The sending audit codes in words, with links to the invoices (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.activity import (
    ObjectLink,
    object_pks,
    register_object,
    register_sentences,
    register_values,
)
from delivery.models import Batch, Channel, Delivery
from invoicing.activity import invoice_links

register_sentences(
    {
        "delivery.requested": _("Sending av %(object)s bestilt (%(channel)s)"),
        "delivery.sent": _("%(Object)s sendt (%(channel)s)"),
        "delivery.failed": _("Sending av %(object)s feilet (%(channel)s, forsøk %(attempt)s)"),
        "delivery.resumed": _("Sending av %(object)s gjenopptatt (%(channel)s)"),
        "delivery.batch.created": _("%(Object)s startet"),
        "delivery.email_texts.updated": _("E-posttekstene endret (%(email_kind)s)"),
        "delivery.email_texts.reset": _(
            "E-posttekstene satt tilbake til standard (%(email_kind)s)"
        ),
        "delivery.batch.finished": _("%(Object)s ferdig: %(sent)s sendt, %(failed)s feilet"),
    }
)


def _deliveries(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    return invoice_links(Delivery.objects.all(), ids=ids)


def _batches(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    return {
        str(pk): ObjectLink(
            label=gettext("samlesending %(n)s") % {"n": pk},
            url=reverse("delivery:batch", args=[pk]),
        )
        for pk in Batch.objects.filter(pk__in=object_pks(ids)).values_list("pk", flat=True)
    }


register_object("delivery.delivery", noun=_("faktura"), number_key="invoice", resolve=_deliveries)
register_object("delivery.batch", noun=_("samlesending"), resolve=_batches)
register_values("channel", dict(Channel.choices))
