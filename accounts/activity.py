"""The account audit codes in words (``core.activity``). People are named by the e-mail
address kept in the entry; their pages are not linked (members and invitations are one
settings page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.activity import register_object, register_sentences, register_values

register_sentences(
    {
        "accounts.user.registered": _("Bruker registrert"),
        "accounts.user.created": _("Bruker opprettet"),
        "accounts.user.email_verified": _("E-postadresse bekreftet"),
        "accounts.user.email_changed": _("E-postadresse endret fra %(old)s til %(new)s"),
        "accounts.user.password_changed": _("Passord endret"),
        "accounts.user.locked_out": _("Bruker sperret etter for mange feil passord"),
        "accounts.user.unlocked": _("Sperren av brukeren opphevet"),
        "accounts.two_factor.enabled": _("Totrinnsbekreftelse slått på"),
        "accounts.two_factor.disabled": _("Totrinnsbekreftelse slått av"),
        "accounts.two_factor.recovery_codes_regenerated": _("Nye reservekoder laget"),
        "accounts.company.created": _("Firmaet %(name)s opprettet"),
        "accounts.company.updated": _("Firmaopplysningene endret"),
        "accounts.company.closed": _("Firmaet avsluttet"),
        "accounts.member.added": _("%(user)s lagt til som medlem (%(role)s)"),
        "accounts.member.removed": _("%(user)s fjernet som medlem"),
        "accounts.member.role_changed": _(
            "Rollen til %(user)s endret fra %(old_role)s til %(new_role)s"
        ),
        "accounts.invitation.sent": _("Invitasjon sendt til %(email)s (%(role)s)"),
        "accounts.invitation.revoked": _("Invitasjonen til %(email)s trukket tilbake"),
        "accounts.invitation.accepted": _("%(email)s godtok invitasjonen"),
    }
)
register_object("accounts.user", noun=_("bruker"))
register_object("accounts.company", noun=_("firma"))
register_values("role", dict(Role.choices))
register_values("old_role", dict(Role.choices))
register_values("new_role", dict(Role.choices))
