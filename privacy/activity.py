"""The privacy audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "privacy.consent.given": _("Samtykke gitt (%(purpose)s)"),
        "privacy.consent.withdrawn": _("Samtykke trukket tilbake (%(purpose)s)"),
        "privacy.marketing.objected": _("Reservert mot markedsføring"),
        "privacy.statement.acknowledged": _("Personvernerklæringen (versjon %(version)s) lest"),
        "privacy.erasure.started": _("Sletting av personopplysninger startet"),
        "privacy.erasure.completed": _("Personopplysninger slettet"),
        "privacy.export.requested": _("Innsyn i egne opplysninger bestilt"),
        "privacy.export.built": _("Innsynsfil laget"),
        "privacy.export.downloaded": _("Innsynsfil lastet ned"),
        "privacy.request.received": _("Henvendelse om personvern mottatt"),
        "privacy.request.registered": _("Henvendelse om personvern registrert"),
        "privacy.request.verified": _("Identiteten bak henvendelsen bekreftet"),
        "privacy.request.assigned": _("Henvendelse om personvern tildelt"),
        "privacy.request.extended": _("Fristen for henvendelsen forlenget"),
        "privacy.request.erasure_run": _("Sletting etter henvendelse utført"),
        "privacy.request.closed": _("Henvendelse om personvern avsluttet"),
        "privacy.subprocessor.created": _("Underleverandør %(name)s lagt til"),
        "privacy.subprocessor.changed": _("Underleverandør %(name)s endret"),
        "privacy.risk.created": _("Risiko «%(title)s» registrert"),
        "privacy.risk.changed": _("Risiko «%(title)s» endret"),
        "privacy.referral.sent": _("Henvendelse om personvern sendt videre til firmaet"),
        "privacy.referral.answered": _("Videresendt henvendelse om personvern besvart"),
        "privacy.client.exported": _("Opplysningene om kunde %(number)s lastet ned"),
        "privacy.client.anonymised": _("Kunde %(number)s anonymisert"),
    }
)
