import pytest
from django.conf import settings
from django.test import override_settings

from api.tests.fixtures import client_with_key, make_token

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _rates(sustained="1000/hour", burst="3/minute"):
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_sustained": sustained, "api_burst": burst},
    }


def test_default_rates_are_configured():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert isinstance(rates, dict)
    assert set(rates) == {"api_sustained", "api_burst"}


def test_burst_limit_gives_429_with_retry_after(api_client):
    with override_settings(REST_FRAMEWORK=_rates(burst="3/minute")):
        statuses = [api_client.get(CLIENTS).status_code for _ in range(4)]
        response = api_client.get(CLIENTS)
    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"]


def test_sustained_limit_applies_too(api_client):
    with override_settings(REST_FRAMEWORK=_rates(sustained="2/hour", burst="100/minute")):
        statuses = [api_client.get(CLIENTS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_limits_are_per_token(company, api_client):
    other = client_with_key(make_token(company, label="Annen").key)
    with override_settings(REST_FRAMEWORK=_rates(burst="2/minute")):
        assert [api_client.get(CLIENTS).status_code for _ in range(3)] == [200, 200, 429]
        assert other.get(CLIENTS).status_code == 200


def test_limits_apply_to_sessions_per_user(owner_api_client, member_api_client):
    with override_settings(REST_FRAMEWORK=_rates(burst="1/minute")):
        assert owner_api_client.get(CLIENTS).status_code == 200
        assert owner_api_client.get(CLIENTS).status_code == 429
        assert member_api_client.get(CLIENTS).status_code == 200
