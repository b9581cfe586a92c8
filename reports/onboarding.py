"""The getting-started checklist of a new company, computed from what is really there.

It lives in reports (a layer above customers, invoicing and documents) because it reads
all three; the dashboard shows it until every step is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.models import Company, Membership
from core.identifiers import KidMethod
from customers.models import Client
from documents.models import CompanyBranding
from invoicing.models import Invoice, InvoicingSettings

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Step:
    key: str
    title: StrOrPromise
    help: StrOrPromise
    url_name: str
    done: bool
    # The step's page is a manager's (company details, logo, invoice settings); the others
    # an editor's. A member who may not open it sees the step without a link.
    for_managers: bool = False

    def may_open(self, membership: Membership | None) -> bool:
        if membership is None:
            return False
        return membership.can_manage if self.for_managers else membership.can_edit


def getting_started_steps(*, company: Company) -> list[Step]:
    """The six steps in the order a newcomer takes them (one query each, all cheap)."""
    kid_method = (
        InvoicingSettings.objects.filter(company=company).values_list("kid_method", flat=True)
    ).first()
    return [
        Step(
            "details",
            _("Firmaopplysninger"),
            _("E-post og telefon som står på fakturaen."),
            "company:settings",
            bool(company.email and company.phone),
            for_managers=True,
        ),
        Step(
            "logo",
            _("Logo"),
            _("Logoen din øverst på fakturaen."),
            "documents:logo",
            CompanyBranding.objects.filter(company=company).exists(),
            for_managers=True,
        ),
        Step(
            "bank_account",
            _("Kontonummer"),
            _("Kundene betaler til dette kontoet."),
            "company:settings",
            bool(company.bank_account),
            for_managers=True,
        ),
        Step(
            "kid",
            _("KID"),
            _("Med KID kobles innbetalinger fra banken til riktig faktura av seg selv."),
            "invoicing:settings",
            bool(kid_method) and kid_method != KidMethod.NONE,
            for_managers=True,
        ),
        Step(
            "client",
            _("Første kunde"),
            _("Legg inn en kunde, eller importer kundelisten fra en CSV-fil."),
            "customers:create",
            Client.objects.filter(company=company).exists(),
        ),
        Step(
            "invoice",
            _("Første faktura"),
            _("Lag et utkast, se på det og utsted det."),
            "invoicing:create",
            Invoice.objects.filter(company=company, kind=Invoice.Kind.INVOICE)
            .exclude(status=Invoice.Status.DRAFT)
            .exists(),
        ),
    ]
