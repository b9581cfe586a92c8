"""A ``next`` that is not a path on this site goes to the default page.

``redirect("³")`` (or any text without ``/`` or ``.``) is resolved as a view name and
raised NoReverseMatch: a 500 found by fuzzing. ``core.redirects.safe_next`` takes only
paths on this site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.redirects import safe_next

pytestmark = pytest.mark.django_db

ODD_NEXT = ["³", " 7 ", "profile", "accounts:profile", "//evil.example", "https://evil.example/"]


@pytest.mark.parametrize("target", ODD_NEXT)
def test_odd_next_after_otp_verify_resend_and_statement_is_never_a_500(owner_client, target):
    responses = [
        owner_client.get(reverse("accounts:otp_verify"), {"next": target}),
        owner_client.post(reverse("accounts:verify_email_resend"), {"next": target}),
        owner_client.post(reverse("privacy:statement_acknowledge"), {"next": target}),
        owner_client.post(reverse("set_language"), {"language": "en", "next": target}),
    ]
    for response in responses:
        assert response.status_code in (200, 302)
        assert "evil" not in response.get("Location", "")


@pytest.mark.parametrize("target", ODD_NEXT)
def test_safe_next_takes_only_paths_on_this_site(target):
    request = RequestFactory().get("/", {"next": target})
    assert safe_next(request, "/app/") == "/app/"


def test_safe_next_keeps_a_local_path_and_honours_a_prefix():
    request = RequestFactory().post("/", {"next": "/app/invoices/?page=2"})
    assert safe_next(request, "/") == "/app/invoices/?page=2"
    assert safe_next(request, "/", prefix="/backoffice/") == "/"
