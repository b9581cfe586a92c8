"""Reading a customer company's own clients for data-subject requests (GDPR art. 15-17).

For the clients a customer company invoices, the company is the controller and FakturaNett
its processor. Two readers use this module: the privacy officer, who finds a person's
client records in every company and passes the request on (``privacy.services.controllers``),
and each company's "find a person" page, which searches its own clients only.

When a client record may be anonymised is one rule, ``client_erasure_plan``: the same
condition the retention engine applies to person clients (``retention.rules``), without the
engine's wait for an untouched record, because here the person asked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import Company
from customers.models import Client
from invoicing.models import Invoice, Payment

MAX_MATCHES = 200
MIN_NAME = 3
MIN_PHONE_DIGITS = 8


@dataclass(frozen=True)
class PersonQuery:
    email: str = ""
    name: str = ""
    phone: str = ""


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def person_query_clean(*, email: str = "", name: str = "", phone: str = "") -> PersonQuery:
    """What to look for; at least one usable criterion, else a message for the form."""
    query = PersonQuery(
        email=email.strip().lower(), name=" ".join(name.split()), phone=phone.strip()
    )
    usable = (
        "@" in query.email
        or len(query.name) >= MIN_NAME
        or len(_digits(query.phone)) >= MIN_PHONE_DIGITS
    )
    if not usable:
        raise ValidationError(
            _(
                "Oppgi e-postadressen, minst %(name)s tegn av navnet eller et telefonnummer "
                "med minst %(phone)s sifre."
            )
            % {"name": MIN_NAME, "phone": MIN_PHONE_DIGITS}
        )
    return query


def _matches(client: Client, query: PersonQuery) -> list[str]:
    """Which criteria this candidate matches exactly (an address among its invoice
    addresses, the name among its name or contact person, the phone's last 8 digits)."""
    found = []
    if "@" in query.email:
        addresses = {a.strip().lower() for a in re.split(r"[,;\s]+", client.invoice_emails)}
        if query.email in addresses:
            found.append("email")
    if len(query.name) >= MIN_NAME:
        wanted = query.name.lower()
        if wanted in client.name.lower() or wanted in client.contact_person.lower():
            found.append("name")
    phone = _digits(query.phone)
    if len(phone) >= MIN_PHONE_DIGITS and _digits(client.phone)[-8:] == phone[-8:]:
        found.append("phone")
    return found


@dataclass(frozen=True)
class ClientMatch:
    client: Client
    company: Company
    matched: tuple[str, ...]


def client_records_matching(
    *, query: PersonQuery, company: Company | None = None
) -> list[ClientMatch]:
    """The client records that match ``query``: in ``company`` only, or, for the privacy
    officer, in every company. One query for the candidates; exact matching after."""
    candidates = Q(pk__in=[])
    if "@" in query.email:
        candidates |= Q(invoice_emails__icontains=query.email)
    if len(query.name) >= MIN_NAME:
        candidates |= Q(name__icontains=query.name) | Q(contact_person__icontains=query.name)
    phone = _digits(query.phone)
    if len(phone) >= MIN_PHONE_DIGITS:
        # The stored number without its usual separators ends with the same 8 digits.
        candidates |= Q(phone_digits__endswith=phone[-8:])
    stripped: F | Replace = F("phone")
    for separator in (" ", "-", ".", "(", ")", "+", "\u00a0"):
        stripped = Replace(stripped, Value(separator), Value(""))
    with scopes_disabled():
        rows: QuerySet[Client] = (
            Client._base_manager.annotate(phone_digits=stripped)
            .filter(candidates)
            .select_related("company")
        )
        if company is not None:
            rows = rows.filter(company=company)
        found = []
        for client in rows.order_by("company__name", "number")[: MAX_MATCHES * 5]:
            matched = _matches(client, query)
            if matched:
                found.append(
                    ClientMatch(client=client, company=client.company, matched=tuple(matched))
                )
            if len(found) >= MAX_MATCHES:
                break
    return found


@dataclass(frozen=True)
class ClientErasurePlan:
    """What anonymising one client record means today."""

    allowed: bool
    # Issued invoices and credit notes to the client, and the last day the law keeps them.
    documents: int
    kept_until: datetime.date | None
    drafts: int
    held: bool


def client_erasure_plan(*, client: Client, today: datetime.date | None = None) -> ClientErasurePlan:
    """Bokføringsloven § 13: issued invoices are kept 5 years after the end of their fiscal
    year, and the client record they point to with them. The record may be anonymised when
    no issued document is inside that period, no draft waits, and no legal hold is placed
    on the company."""
    from backoffice.selectors import legal_holds_for
    from core.personal_data.retention import primary_cutoff, primary_deadline

    today = today or timezone.localdate()
    with scopes_disabled():
        issued = Invoice._base_manager.filter(client=client).exclude(status=Invoice.Status.DRAFT)
        facts = issued.aggregate(latest=Max("invoice_date"))
        documents = issued.count()
        drafts = Invoice._base_manager.filter(client=client, status=Invoice.Status.DRAFT).count()
        held = legal_holds_for(customer=client.company).exists()
    latest = facts["latest"]
    kept_until = primary_deadline(latest) if latest else None
    inside = latest is not None and latest >= primary_cutoff(today)
    return ClientErasurePlan(
        allowed=not inside and not drafts and not held,
        documents=documents,
        kept_until=kept_until,
        drafts=drafts,
        held=held,
    )


def client_documents(*, client: Client) -> tuple[list[Invoice], list[Payment]]:
    """The client's issued invoices and credit notes, and the payments on them."""
    with scopes_disabled():
        invoices = list(
            Invoice._base_manager.filter(client=client)
            .exclude(status=Invoice.Status.DRAFT)
            .order_by("invoice_date", "number")
        )
        payments = list(
            Payment._base_manager.filter(invoice__client=client)
            .select_related("invoice")
            .order_by("date", "pk")
        )
    return invoices, payments
