"""The receivables audit codes in words, with links to the invoices (``core.activity``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.activity import ObjectLink, register_object, register_sentences
from invoicing.activity import invoice_links
from receivables.models import ReceivableItem

register_sentences(
    {
        "receivables.figure.saved": _("Lovfastsatt sats lagret (%(kind)s fra %(valid_from)s)"),
        "receivables.settings.updated": _("Purreinnstillingene endret"),
        "receivables.invoice.disputed": _("%(Object)s bestridt av kunden"),
        "receivables.invoice.dispute_resolved": _("Innsigelsen mot %(object)s avsluttet"),
        "receivables.item.waived": _("Krav på %(amount)s frafalt på %(object)s"),
        "receivables.letter.reminder": _("Purring sendt på %(object)s"),
        "receivables.letter.inkassovarsel": _("Inkassovarsel sendt på %(object)s"),
        "receivables.reminders.run": _("Purrekjøring: %(letters)s brev"),
        "receivables.items.paid": _("Gebyrer og renter betalt på %(object)s"),
        "receivables.invoice.sent_to_collection": _("%(Object)s sendt til inkasso (%(agency)s)"),
        "receivables.bank_file.imported": _(
            "Bankfil %(file)s lest inn: %(transactions)s transaksjoner, %(matched)s koblet"
        ),
        "receivables.bank_transaction.assigned": _(
            "Innbetaling %(amount)s koblet til faktura %(invoice)s"
        ),
        "receivables.bank_transaction.set_aside": _("Innbetaling %(amount)s lagt til side"),
        "receivables.bank_transaction.reopened": _("Innbetaling %(reference)s åpnet igjen"),
    }
)


def _items(*, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]:
    return invoice_links(ReceivableItem.objects.all(), ids=ids)


register_object(
    "receivables.receivableitem", noun=_("faktura"), number_key="invoice", resolve=_items
)
register_object(
    "receivables.banktransaction",
    noun=pgettext_lazy("bank transaction", "innbetaling"),
    number_key="reference",
)
register_object("receivables.bankimport", noun=_("bankfil"), number_key="file")
