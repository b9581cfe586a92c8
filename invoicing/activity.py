"""The invoicing audit codes in words, with links to the invoices (``core.activity``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.activity import ObjectLink, object_pks, register_object, register_sentences
from invoicing.models import Invoice, Payment

register_sentences(
    {
        "invoicing.invoice.draft_created": _("Utkast til %(object)s opprettet"),
        "invoicing.invoice.draft_updated": _("Utkast til %(object)s endret"),
        "invoicing.invoice.draft_deleted": _("Utkast til %(object)s slettet"),
        "invoicing.invoice.duplicated": _(
            "%(Object)s opprettet som kopi av faktura %(source_number)s"
        ),
        "invoicing.invoice.issued": _("%(Object)s utstedt (%(total_incl_vat)s %(currency)s)"),
        "invoicing.invoice.sent": _("%(Object)s markert som sendt"),
        "invoicing.credit_note.issued": _(
            "%(Object)s utstedt for faktura %(credits_invoice)s (%(total_incl_vat)s)"
        ),
        "invoicing.payment.registered": _(
            "Betaling %(amount)s %(currency)s registrert på %(object)s"
        ),
        "invoicing.payment.reversed": _(
            "Betaling %(amount)s %(currency)s tilbakeført på %(object)s"
        ),
        "invoicing.settings.updated": _("Fakturainnstillingene endret"),
        "invoicing.texts.updated": _("Betalingsmerknaden på fakturaene endret"),
        "invoicing.vat_term.reported": _("MVA-termin markert som rapportert"),
        "invoicing.vat_term.reopened": _("MVA-termin åpnet igjen"),
    }
)


def invoice_label(*, kind: str, number: int | None) -> str:
    if kind == Invoice.Kind.CREDIT_NOTE:
        return gettext("kreditnota %(n)s") % {"n": number} if number else gettext("kreditnota")
    return gettext("faktura %(n)s") % {"n": number} if number else gettext("faktura")


def _invoices(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = Invoice.objects.filter(pk__in=object_pks(ids)).values_list("pk", "kind", "number")
    return {
        str(pk): ObjectLink(
            label=invoice_label(kind=kind, number=number),
            url=reverse("invoicing:detail", args=[pk]),
        )
        for pk, kind, number in rows
    }


def invoice_links(queryset: QuerySet[Any], *, ids: set[str]) -> dict[str, ObjectLink]:
    """For rows that belong to an invoice (a delivery, a fee): the invoice, linked."""
    rows = queryset.filter(pk__in=object_pks(ids)).values_list(
        "pk", "invoice_id", "invoice__kind", "invoice__number"
    )
    return {
        str(pk): ObjectLink(
            label=invoice_label(kind=kind, number=number),
            url=reverse("invoicing:detail", args=[invoice_id]),
        )
        for pk, invoice_id, kind, number in rows
    }


def _payments(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    rows = Payment.objects.filter(pk__in=object_pks(ids)).values_list(
        "pk", "invoice_id", "invoice__kind", "invoice__number", "invoice__currency"
    )
    return {
        str(pk): ObjectLink(
            label=invoice_label(kind=kind, number=number),
            url=reverse("invoicing:detail", args=[invoice_id]),
            params={"currency": currency},
        )
        for pk, invoice_id, kind, number, currency in rows
    }


register_object("invoicing.invoice", noun=_("faktura"), resolve=_invoices)
register_object("invoicing.payment", noun=_("faktura"), number_key="invoice", resolve=_payments)
