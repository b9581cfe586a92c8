"""The recurring-invoice audit codes in words, with links (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.activity import ObjectLink, object_pks, register_object, register_sentences
from recurring.models import RecurringInvoice, RecurringRun

register_sentences(
    {
        "recurring.template.created": _("%(Object)s opprettet"),
        "recurring.template.updated": _("%(Object)s endret"),
        "recurring.template.paused": _("%(Object)s satt på pause"),
        "recurring.template.resumed": _("%(Object)s startet igjen"),
        "recurring.run.created": _(
            "Faktura laget fra %(object)s for perioden fra %(period_start)s"
        ),
        "recurring.run.failed": _("%(Object)s feilet for perioden fra %(period_start)s"),
    }
)


def _label(name: str) -> str:
    return gettext("repeterende faktura %(name)s") % {"name": name}


def _templates(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = RecurringInvoice.objects.filter(pk__in=object_pks(ids)).values_list("pk", "name")
    return {
        str(pk): ObjectLink(label=_label(name), url=reverse("recurring:detail", args=[pk]))
        for pk, name in rows
    }


def _runs(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = RecurringRun.objects.filter(pk__in=object_pks(ids)).values_list(
        "pk", "template_id", "template__name"
    )
    return {
        str(pk): ObjectLink(label=_label(name), url=reverse("recurring:detail", args=[template]))
        for pk, template, name in rows
    }


register_object("recurring.recurringinvoice", noun=_("repeterende faktura"), resolve=_templates)
register_object("recurring.recurringrun", noun=_("repeterende faktura"), resolve=_runs)
