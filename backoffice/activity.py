"""The back-office audit codes in words (``core.activity``). Staff objects are not linked:
company users do not see the back office."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "backoffice.access_log.exported": _("Tilgangsloggen eksportert"),
        "backoffice.complaint.opened": _("Klage registrert"),
        "backoffice.complaint.closed": _("Klage avsluttet"),
        "backoffice.credit_check.recorded": _("Kredittsjekk registrert (%(provider)s)"),
        "backoffice.delivery.recorded": _("Levering registrert %(delivered_on)s"),
        "backoffice.elevation.started": _("Utvidet tilgang startet: %(reason)s"),
        "backoffice.elevation.ended": _("Utvidet tilgang avsluttet"),
        "backoffice.financing.added": _("Finansiering registrert (%(partner)s)"),
        "backoffice.interaction.added": _("Kundekontakt registrert"),
        "backoffice.operator.created": _("Driftsfirma opprettet"),
        "backoffice.operator.set": _("Driftsfirma valgt"),
        "backoffice.order.placed": _("Abonnement %(plan)s bestilt (faktura %(invoice)s)"),
        "backoffice.payment_history.exported": _("Betalingshistorikken eksportert"),
        "backoffice.plan.created": _("Abonnement opprettet"),
        "backoffice.staff.created": _("Ansatt lagt til i kundestøtten"),
        "backoffice.staff.updated": _("Ansatt i kundestøtten endret"),
        "backoffice.staff.grant_requested": _("Rolle bedt om"),
        "backoffice.staff.grant_approved": _("Rolle godkjent"),
        "backoffice.staff.grant_rejected": _("Rolle avslått"),
        "backoffice.survey.sent": _("Kundeundersøkelse sendt"),
        "backoffice.survey.answered": _("Kundeundersøkelse besvart"),
    }
)
