import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from accounts.models import Membership, Role
from accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    recovery_codes,
    totp_code,
    totp_device,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
OTP = reverse("accounts:otp_verify")


@pytest.fixture
def person(company):
    user = UserFactory(email="person@example.no")
    Membership.objects.create(user=user, company=company, role=Role.ADMIN)
    return user


def test_login_with_email_in_any_case(client, person):
    response = client.post(LOGIN, {"username": "Person@Example.no", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_is_refused(client, person):
    response = client.post(LOGIN, {"username": person.email, "password": "feil"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("dashboard")).status_code == 302


def test_lockout_after_five_failed_logins(client, person):
    for _ in range(4):
        response = client.post(LOGIN, {"username": person.email, "password": "feil"})
        assert response.status_code == 200
    fifth = client.post(LOGIN, {"username": person.email, "password": "feil"})
    assert fifth.status_code == 429
    # Even the right password is refused now, with the lockout page.
    locked = client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "For mange mislykkede forsøk" in body
    assert reverse("accounts:password_reset") in body
    assert client.get(reverse("dashboard")).status_code == 302


def test_logout_ends_the_session(owner_client):
    response = owner_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("dashboard")).status_code == 302


def test_login_with_totp_requires_the_second_step(client, person):
    device = totp_device(person)
    response = client.post(LOGIN, {"username": person.email, "password": PASSWORD, "next": "/"})
    assert response["Location"] == f"{OTP}?next=%2F"
    # Already logged in, the login page sends the session on to the second step too.
    assert client.get(LOGIN)["Location"].startswith(OTP)
    # The password alone does not open the app.
    assert client.get(reverse("dashboard"))["Location"].startswith(OTP)

    bad = client.post(OTP, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert bad.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the failed attempt would otherwise throttle
    device.throttling_failure_timestamp = None
    device.save()

    ok = client.post(OTP, {"code": totp_code(device), "next": reverse("dashboard")})
    assert ok.status_code == 302
    assert ok["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_login_with_a_recovery_code_which_then_stops_working(client, person):
    totp_device(person)
    recovery_codes(person, codes=["abcd2345", "efgh6789"])
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    ok = client.post(OTP, {"code": "abcd 2345"})
    assert ok.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert not StaticToken.objects.filter(token="abcd2345").exists()

    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    reused = client.post(OTP, {"code": "ABCD2345"})
    assert reused.status_code == 400
    assert "allerede brukt" in reused.content.decode()
    assert client.get(reverse("dashboard"))["Location"].startswith(OTP)


def test_otp_page_needs_a_logged_in_user(client):
    response = client.get(OTP)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_otp_page_ignores_an_offsite_next(client, person):
    device = totp_device(person)
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    response = client.post(OTP, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_lockout_counts_the_address_in_any_case(client, person):
    for variant in ["person@example.no", "PERSON@example.no", "Person@Example.no", "x", "y"]:
        username = person.email.upper() if variant in {"x", "y"} else variant
        client.post(LOGIN, {"username": username, "password": "feil"})
    response = client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert response.status_code == 429
