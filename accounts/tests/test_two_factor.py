import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role
from accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    otp_verified,
    recovery_codes,
    sudo,
    totp_code,
    totp_device,
)
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")


@pytest.fixture
def person(company):
    user = UserFactory(email="to@example.no")
    Membership.objects.create(user=user, company=company, role=Role.ACCOUNTANT)
    return user


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


def test_setup_needs_login_and_reauthentication(client, person_client):
    from django.test import Client

    anonymous = Client().get(SETUP)
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    response = person_client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))


def test_enrol_shows_inline_svg_qr_and_secret_then_confirms_with_a_code(person_client, person):
    sudo(person_client)
    page = person_client.get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in body.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]+=*", secret)
    # Reloading keeps the same pending secret.
    assert person_client.get(SETUP).context["secret"] == page.context["secret"]

    wrong = person_client.post(SETUP, {"code": "12345x"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()

    done = person_client.post(SETUP, {"code": f"{totp(device.bin_key):06d}"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    stored = StaticToken.objects.filter(device__user=person).values_list("token", flat=True)
    assert set(stored) == set(codes)
    assert AuditEntry.objects.filter(action="accounts.two_factor.enabled").count() == 1
    # The session counts as verified: the app stays open.
    assert person_client.get(reverse("dashboard")).status_code == 200
    # The codes are shown once: the page now shows the manage view without them.
    manage = person_client.get(SETUP)
    assert "codes" not in manage.context
    assert codes[0] not in manage.content.decode()


def test_regenerate_recovery_codes_replaces_the_old_ones(person_client, person):
    device = totp_device(person)
    recovery_codes(person, codes=["gammel1a"])
    otp_verified(person_client, device)
    sudo(person_client)
    response = person_client.post(reverse("accounts:two_factor_recovery_codes"))
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert not StaticToken.objects.filter(token="gammel1a").exists()
    assert StaticDevice.objects.filter(user=person).count() == 1


def test_disable_two_factor_needs_reauth_and_is_audited(person_client, person):
    device = totp_device(person)
    recovery_codes(person)
    otp_verified(person_client, device)
    url = reverse("accounts:two_factor_disable")
    response = person_client.post(url)
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert TOTPDevice.objects.filter(user=person).exists()

    sudo(person_client)
    response = person_client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert AuditEntry.objects.filter(action="accounts.two_factor.disabled").count() == 1


def test_cannot_disable_while_a_company_requires_it(person_client, person, company):
    company.require_two_factor = True
    company.save()
    device = totp_device(person)
    otp_verified(person_client, device)
    sudo(person_client)
    person_client.post(reverse("accounts:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=person).exists()


def test_company_requiring_two_factor_sends_members_without_device_to_setup(person_client, company):
    company.require_two_factor = True
    company.save()
    response = person_client.get(reverse("dashboard"))
    assert response["Location"].startswith(SETUP)


def test_reauth_with_a_device_needs_password_and_code(person_client, person):
    device = totp_device(person)
    otp_verified(person_client, device)
    url = reverse("accounts:reauthenticate") + "?next=/account/password/change/"
    no_code = person_client.post(url, {"password": PASSWORD, "code": ""})
    assert no_code.status_code == 400
    ok = person_client.post(
        url, {"password": PASSWORD, "code": totp_code(device), "next": "/account/password/change/"}
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/account/password/change/"
    assert person_client.get("/account/password/change/").status_code == 200


def test_has_second_factor_counts_confirmed_devices_of_every_kind(person):
    from django.contrib.auth.models import AnonymousUser
    from django_otp import user_has_device

    from accounts.permissions import has_second_factor

    def both():
        person.refresh_from_db()
        return has_second_factor(person), user_has_device(person)

    assert has_second_factor(AnonymousUser()) is False
    assert both() == (False, False)
    TOTPDevice.objects.create(user=person, name="app", confirmed=False)
    assert both() == (False, False)  # an unconfirmed set-up is no second factor
    static = StaticDevice.objects.create(user=person, name="backup", confirmed=True)
    assert both() == (True, True)
    static.delete()
    assert both() == (False, False)
    TOTPDevice.objects.filter(user=person).update(confirmed=True)
    assert both() == (True, True)


def test_an_app_page_knows_the_second_factor_from_the_membership_query(person_client, person):
    """The login gate of an app page reads "has a second factor" from the active
    membership's query (no device query of its own), and a device added since the session
    began still sends the session to the code prompt on its next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert person_client.get("/app/invoices/").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT 1 FROM "otp_')]
    assert any("user_has_second_factor" in q["sql"] for q in queries.captured_queries)
    StaticDevice.objects.create(user=person, name="backup", confirmed=True)
    response = person_client.get("/app/invoices/")
    assert response.status_code == 302 and "/verify/" in response["Location"]
