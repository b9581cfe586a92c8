"""What the console's tables show beside each row: the names of the data categories (access
log, pending grants), the fees derived from the inkassosats, and one close form per open
case on the customer page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AccessLogEntry, Complaint, StaffGrantRequest, StaffRole
from backoffice.permissions import category_label
from backoffice.tests.conftest import client_for, customer_with_owner, make_staff

pytestmark = pytest.mark.django_db


def test_the_access_log_names_the_categories_each_view_showed(privacy_officer):
    customer, _owner = customer_with_owner()
    support = make_staff(StaffRole.SUPPORT)
    assert client_for(support).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    entry = AccessLogEntry.objects.get()
    page = client_for(privacy_officer).get(reverse("backoffice:access_log")).content.decode()
    assert ", ".join(category_label(c) for c in entry.categories) in page


def test_a_pending_grant_names_the_categories_it_would_open(administrator):
    adviser = make_staff(StaffRole.SUPPORT, is_active=False)
    StaffGrantRequest.objects.create(
        profile=adviser,
        roles=[StaffRole.FINANCE],
        opens=["payment_history", "credit_check"],
        reason="Ny i økonomi",
        requested_by=administrator.user,
    )
    page = client_for(administrator).get(reverse("backoffice:staff_list")).content.decode()
    expected = f"{category_label('payment_history')}, {category_label('credit_check')}"
    assert expected in page


def test_the_inkassosats_shows_the_fees_derived_from_it():
    finance = client_for(make_staff(StaffRole.FINANCE))
    page = finance.get(reverse("figures:list")).content.decode()
    rows = re.findall(r"<tr><td>(.*?)</tr>", page, flags=re.S)
    derived = [row for row in rows if "betalingsoppfordring" in row]
    # The seeded inkassosats rows (700 and 750 kroner): purregebyr 1/20, betalingsoppfordring
    # 3/20; no other kind of figure has fees derived from it.
    assert len(derived) == 2 and all(row.startswith("Inkassosats") for row in derived), rows
    assert re.search(r"gebyr 35\b[^<]*betalingsoppfordring 105\b", derived[0] + derived[1])
    assert sum(row.startswith("Inkassosats") for row in rows) == 2


def test_each_open_case_has_its_own_close_form_and_a_refused_close_keeps_its_errors():
    support = make_staff(StaffRole.SUPPORT)
    customer, _owner = customer_with_owner()
    cases = [
        Complaint.objects.create(
            customer=customer,
            kind="complaint",
            subject=f"Sak {n}",
            description="D",
            opened_on=timezone.localdate(),
            staff=support.user,
        )
        for n in (1, 2)
    ]
    client = client_for(support)
    page = client.get(reverse("backoffice:customer_detail", args=[customer.pk])).content.decode()
    for case in cases:
        assert f'id="close{case.pk}_resolution"' in page
    first, second = cases
    response = client.post(
        reverse("backoffice:complaint_close", args=[second.pk]),
        {"status": "resolved", "resolution": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The refused case's form is the bound one (open, with its error); the other is fresh.
    assert f'id="close{second.pk}_resolution_error"' in page
    assert f'id="close{first.pk}_resolution_error"' not in page
    assert f'id="close{first.pk}_resolution"' in page
