"""The batch form takes any text as an invoice id: a message, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from delivery.models import Batch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("odd", ["³", "²", "1²", "١٢", "9" * 30, "-1", "0", ""])
def test_batch_form_refuses_an_id_that_is_not_one(owner_client, company, odd):
    response = owner_client.post(reverse("delivery:batch_new"), {"invoice": [odd]})
    assert response.status_code in (200, 400)
    with scopes_disabled():
        assert not Batch.objects.filter(company=company).exists()
