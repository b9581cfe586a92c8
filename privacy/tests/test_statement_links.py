"""Clause 9: the statement is linked from every page where a customer registers data.

The footer links it on every page; these pages must also link it next to the form
(inside <main>), where the data is entered.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (url name, persona fixture): every page where a person registers data about themselves.
REGISTRATION_PAGES = [
    ("accounts:signup", "client"),
    ("accounts:profile", "owner_client"),
    ("company:settings", "owner_client"),
    ("privacy:contact", "client"),
    ("privacy:contact", "owner_client"),
    ("privacy:rectification", "owner_client"),
    ("privacy:consents", "owner_client"),
]


@pytest.mark.parametrize(("name", "persona"), REGISTRATION_PAGES)
def test_registration_page_links_the_privacy_statement_next_to_the_form(request, name, persona):
    client = request.getfixturevalue(persona)
    response = client.get(reverse(name))
    assert response.status_code == 200, f"{name} does not render ({response.status_code})"
    body = response.content.decode()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" in main
    statement = reverse("privacy_statement")
    assert f'href="{statement}"' in main or f'href="{statement}#' in main, (
        f"{name} has no link to the privacy statement in its main content"
    )


def test_every_page_links_the_statement_and_cookie_settings_in_the_footer(client):
    for name in ("home", "accounts:login", "accounts:signup", "privacy:cookies"):
        footer = client.get(reverse(name)).content.decode().split("<footer", 1)[1]
        assert f'href="{reverse("privacy_statement")}"' in footer
        assert f'href="{reverse("privacy:cookies")}"' in footer


def test_logged_in_people_find_their_privacy_pages_from_every_page(owner_client, client):
    link = f'href="{reverse("privacy:overview")}"'
    assert link in owner_client.get(reverse("dashboard")).content.decode()
    assert link not in client.get(reverse("home")).content.decode()
