"""The statutory figures page: finance staff edit, others don't, overlaps are refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from backoffice.models import StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.models import AuditEntry
from receivables import selectors
from receivables.models import StatutoryFigure

pytestmark = pytest.mark.django_db


def test_finance_adds_the_next_half_year(owner_client):
    finance = client_for(make_staff(StaffRole.FINANCE))
    page = finance.get(reverse("figures:list")).content.decode()
    assert "Forsinkelsesrente" in page and "12,25" in page
    assert f'href="{reverse("figures:list")}"' in page  # in the back-office menu
    assert f'href="{reverse("figures:new")}"' in page
    data = {
        "kind": "late_interest",
        "valid_from": "2027-01-01",
        "valid_to": "2027-06-30",
        "value": "11,75",
        "source": "FOR-2026-12-xx",
    }
    assert finance.post(reverse("figures:new"), data).status_code == 302
    assert selectors.interest_rate_on(datetime.date(2027, 2, 1)) == Decimal("11.75")
    assert AuditEntry.objects.filter(action="receivables.figure.saved").count() == 1
    # Overlapping period: refused with a message, nothing saved.
    overlap = dict(data, valid_from="2026-12-01", value="10")
    response = finance.post(reverse("figures:new"), overlap)
    assert response.status_code == 400 and "overlapper" in response.content.decode()
    assert StatutoryFigure.objects.filter(kind="late_interest").count() == 5
    # Edit an existing row.
    row = StatutoryFigure.objects.get(kind="late_interest", valid_from="2027-01-01")
    edit = dict(data, value="11.50")
    assert finance.post(reverse("figures:edit", args=[row.pk]), edit).status_code == 302
    row.refresh_from_db()
    assert row.value == Decimal("11.50")


def test_others_cannot(owner_client):
    support = client_for(make_staff(StaffRole.SUPPORT))
    assert support.get(reverse("figures:list")).status_code == 403
    officer = client_for(make_staff(StaffRole.PRIVACY_OFFICER))
    page = officer.get(reverse("figures:list")).content.decode()
    # The officer reads the figures; no button or link offers a change refused to them.
    assert "Forsinkelsesrente" in page
    assert reverse("figures:new") not in page and "Endre" not in page
    assert officer.post(reverse("figures:new"), {}).status_code == 403
    assert owner_client.get(reverse("figures:list")).status_code == 404  # not staff
    assert Client().get(reverse("figures:list")).status_code == 404
