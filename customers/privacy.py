"""Privacy inventory for the customers app (autodiscovered by ``privacy``).

A client may be a private person, so its name, address and contact details are personal
data. FakturaNett processes them for the company that invoices the client (that company
is the controller); they are not about a FakturaNett user, hence ``subject=None``, and
they are kept because issued invoices refer to them (bokføringsloven § 13).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register


def _f(category: str) -> PersonalField:
    return PersonalField(category, purpose="invoicing", source="staff", retention="bookkeeping")


register(
    "customers.Client",
    personal={
        "name": _f(C.NAME),
        "contact_person": _f(C.NAME),
        "their_reference": _f(C.NAME),
        "address_line": _f(C.ADDRESS),
        "address_line2": _f(C.ADDRESS),
        "postcode": _f(C.ADDRESS),
        "city": _f(C.ADDRESS),
        "country": _f(C.ADDRESS),
        "invoice_emails": _f(C.CONTACT),
        "phone": _f(C.CONTACT),
        "notes": _f(C.CORRESPONDENCE),
    },
    non_personal=[
        "company",
        "number",
        "kind",
        "organization_number",
        "vat_number",  # a business identifier, like the orgnr
        "payment_terms_days",
        "language",
        "peppol_id",
        "delivery_channel",
        "price_display",
        "is_active",
        "created_at",
        "updated_at",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_(
        "Opplysningene om kundenes egne kunder behandles på vegne av kunden, og utstedte "
        "fakturaer viser til dem; de oppbevares så lenge bokføringsloven krever."
    ),
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import chain
    from customers import retention

    register_handler(
        Handler(
            key="bookkeeping_clients",
            title=_("Privatpersoner i kunderegistrene"),
            data=_("Navn, adresse og kontaktinformasjon til privatpersoner som er fakturert"),
            models=("customers.Client",),
            categories=(
                C.NAME,
                C.ADDRESS,
                C.CONTACT,
            ),
            retention="bookkeeping",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=chain(retention.person_client_targets, retention.left_client_targets),
            order=130,
        )
    )


_register_handlers()
