"""Every personal page of accounts needs a login; the public ones do not."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAL = [
    "accounts:password_change",
    "accounts:reauthenticate",
    "accounts:two_factor_setup",
    "accounts:two_factor_recovery_codes",
    "accounts:two_factor_disable",
    "accounts:otp_verify",
    "accounts:profile",
    "accounts:email_change",
    "accounts:company_switch",
    "accounts:no_company",
]
PUBLIC = [
    "accounts:login",
    "accounts:signup",
    "accounts:password_reset",
    "accounts:verify_email_resend",
]


@pytest.mark.parametrize("name", PERSONAL)
def test_anonymous_is_sent_to_login(client, name):
    for response in (client.get(reverse(name)), client.post(reverse(name))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_open_for_anyone(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PERSONAL)
def test_personal_pages_never_fail_for_a_member(member_client, name):
    assert member_client.get(reverse(name)).status_code in {200, 302}
