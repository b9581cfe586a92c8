"""What the retention run reads from the back office: relationship status and legal holds.

The back office owns both (``backoffice.selectors``); this module only turns them into the
sets of ids a run decides by, once per run.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.personal_data.retention import INACTIVE_ACCOUNT_DAYS, Context, primary_cutoff


def build_context(*, today: datetime.date, now: datetime.datetime | None = None) -> Context:
    from backoffice.models import CustomerAccount
    from backoffice.selectors import active_customers, legal_holds_for

    if now is None:
        now = timezone.now()
        if today != timezone.localdate(now):
            # A run "as if today were" another day moves the whole clock: exports,
            # requests, invitations, log-ins and holds are judged at that day's time.
            now = timezone.make_aware(
                datetime.datetime.combine(today, timezone.localtime(now).time())
            )
    active = frozenset(active_customers(on=today).values_list("pk", flat=True))
    holds = list(legal_holds_for(on=now).values("customer_id", "person_id"))
    held_companies = frozenset(h["customer_id"] for h in holds)
    membership = apps.get_model("accounts.Membership")._base_manager
    held_users = frozenset(h["person_id"] for h in holds if h["person_id"]) | frozenset(
        membership.filter(company_id__in=held_companies).values_list("user_id", flat=True)
    )
    # The operator's own invoices to a held customer are held too.
    held_clients = frozenset(
        CustomerAccount.objects.filter(customer_id__in=held_companies).values_list(
            "client_id", flat=True
        )
    )
    left = _left_companies(today=today, now=now, active=active, held=held_companies)
    left_clients = frozenset(
        CustomerAccount.objects.filter(customer_id__in=left).values_list("client_id", flat=True)
    )
    return Context(
        today=today,
        now=now,
        active_company_ids=active,
        held_company_ids=held_companies,
        held_client_ids=held_clients,
        held_user_ids=held_users,
        left_company_ids=left,
        left_client_ids=left_clients,
    )


def _left_companies(
    *, today: datetime.date, now: datetime.datetime, active: frozenset[int], held: frozenset[int]
) -> frozenset[int]:
    """Customers that left: closed by their last owner, or with no active relationship
    (statement clause 8) and registered and unused (no member logged in) for 3 years; in
    both cases without a legal hold and with no document of theirs or ours to them younger
    than the bookkeeping deadline (so their accounting records were kept for as long as the
    law requires)."""
    from backoffice.selectors import customers

    since = now - datetime.timedelta(days=INACTIVE_ACCOUNT_DAYS)
    cutoff = primary_cutoff(today)
    invoice = apps.get_model("invoicing.Invoice")._base_manager
    young = Q(invoice_date__gte=cutoff) | Q(status="draft", created_at__gte=since)
    recent_login = apps.get_model("accounts.Membership")._base_manager.filter(
        company_id=OuterRef("pk"), user__last_login__gte=since
    )
    own_documents = invoice.filter(young, company_id=OuterRef("pk"))
    # Our own invoices to the customer (its record in our books, ``CustomerAccount``).
    our_documents = invoice.filter(young, client_id=OuterRef("customer_account__client_id"))
    unused = Q(created_at__lt=since) & ~Q(pk__in=active) & ~Exists(recent_login)
    # A company its last owner closed has left whatever its relationship status says.
    rows = (
        customers()
        .exclude(pk__in=held)
        .filter(Q(closed_at__isnull=False) | unused)
        .filter(~Exists(own_documents), ~Exists(our_documents))
    )
    return frozenset(rows.values_list("pk", flat=True))
