"""What a signed-in user is served is never kept by the browser or a proxy."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NO_STORE = {"private", "no-store"}


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize(
    "url_name",
    ["dashboard", "invoicing:list", "customers:export", "privacy:access", "accounts:profile"],
)
def test_pages_and_files_of_a_signed_in_user_are_not_stored(owner_client, url_name):
    response = owner_client.get(reverse(url_name))
    assert response.status_code == 200
    assert _directives(response) >= NO_STORE


def test_an_api_answer_to_a_token_is_not_stored(api_client):
    response = api_client.get("/api/v1/clients/")
    assert response.status_code == 200
    assert _directives(response) >= NO_STORE


def test_a_view_that_chose_its_own_caching_keeps_it(owner_client, owner, company):
    from core.audit import Actor
    from documents import services
    from documents.tests import images

    services.logo_upload(company=company, actor=Actor.user(owner), data=images.png())
    response = owner_client.get(reverse("documents:logo_image"))
    assert response.status_code == 200
    # Revalidated, not "no-store": the logo shows on every page that has it.
    assert _directives(response) == {"private", "no-cache"}


def test_public_pages_are_left_to_the_default(client):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")
