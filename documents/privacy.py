"""Privacy inventory for the documents app (autodiscovered by ``privacy``).

The logo is the company's, not a person's. An archived invoice PDF/EHF names the buyer,
who may be a private person, with address and contact details: it is accounting material
processed for the invoicing company (the controller) and kept as long as bokføringsloven
§ 13 requires, like the issued invoice it renders.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register

register(
    "documents.CompanyBranding",
    personal={},
    non_personal=[
        "company",
        "logo",
        "logo_format",
        "logo_width",
        "logo_height",
        "logo_sha256",
        "updated_at",
    ],
)
register(
    "documents.StoredDocument",
    personal={
        "file": PersonalField(C.NAME, purpose="invoicing", source="staff", retention="bookkeeping"),
    },
    non_personal=["company", "invoice", "kind", "size", "sha256", "created_at"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_(
        "Arkiverte fakturaer og kreditnotaer er regnskapsmateriale; de oppbevares så lenge "
        "bokføringsloven krever og endres aldri."
    ),
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from documents import retention

    register_handler(
        Handler(
            key="bookkeeping_documents",
            title=_("Arkiverte faktura-PDF-er og EHF-filer"),
            data=_("Filene som viser kjøperens navn og adresse (fakturaen selv beholdes)"),
            models=("documents.StoredDocument",),
            categories=(
                C.NAME,
                C.ADDRESS,
            ),
            retention="bookkeeping",
            action=Action.DELETE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=retention.document_targets,
            order=100,
        )
    )


_register_handlers()
