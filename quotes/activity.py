"""The quote audit codes in words, with links to the quotes (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.activity import ObjectLink, object_pks, register_object, register_sentences
from quotes.models import Quote

register_sentences(
    {
        "quotes.quote.created": _("%(Object)s opprettet (%(total_incl_vat)s)"),
        "quotes.quote.updated": _("%(Object)s endret (%(total_incl_vat)s)"),
        "quotes.quote.email_requested": _("%(Object)s lagt i kø for e-post"),
        "quotes.quote.emailed": _("%(Object)s sendt på e-post"),
        "quotes.quote.email_failed": _("E-posten med %(object)s feilet"),
        "quotes.quote.sent": _("%(Object)s markert som sendt"),
        "quotes.quote.accepted": _("%(Object)s akseptert"),
        "quotes.quote.declined": _("%(Object)s avslått"),
        "quotes.quote.invoiced": _("%(Object)s gjort om til faktura"),
    }
)


def _quotes(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = Quote.objects.filter(pk__in=object_pks(ids)).values_list("pk", "number")
    return {
        str(pk): ObjectLink(
            label=gettext("tilbud %(n)s") % {"n": number},
            url=reverse("quotes:detail", args=[pk]),
        )
        for pk, number in rows
    }


register_object("quotes.quote", noun=_("tilbud"), resolve=_quotes)
