"""Credit checks: the HTTP provider against a local HTTP server, and manual entry."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from backoffice.credit import CreditCheckError, HttpCreditCheckProvider, configured_provider
from backoffice.models import CreditCheck, StaffRole
from backoffice.tests.conftest import client_for, customer_with_owner, make_staff


class _Handler(BaseHTTPRequestHandler):
    replies: dict[str, tuple[int, bytes]] = {}
    seen: list[dict] = []

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        orgnr = query.get("organization_number", [""])[0]
        self.seen.append({"orgnr": orgnr, "auth": self.headers.get("Authorization")})
        status, body = self.replies.get(orgnr, (404, b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def credit_server():
    _Handler.replies = {}
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Handler
    server.shutdown()
    server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/check"


def test_the_provider_returns_the_answer_and_sends_the_key(credit_server):
    server, handler = credit_server
    handler.replies["923609016"] = (
        200,
        json.dumps({"result": "A – lav risiko", "score": 87, "reference": "R-1"}).encode(),
    )
    provider = HttpCreditCheckProvider(url=_url(server), key="hemmelig", name="Byrå AS")
    answer = provider.check(organization_number="923609016")
    assert (answer.result, answer.score, answer.reference) == ("A – lav risiko", 87, "R-1")
    assert handler.seen == [{"orgnr": "923609016", "auth": "Bearer hemmelig"}]


@pytest.mark.parametrize(
    "reply",
    [
        (500, b"{}"),
        (404, b"{}"),
        (200, b"not json"),
        (200, b"[]"),
        (200, json.dumps({"result": "", "score": 5}).encode()),
        (200, json.dumps({"result": "A", "score": 500}).encode()),
        (200, json.dumps({"score": 5}).encode()),
    ],
)
def test_provider_errors_are_credit_check_errors(credit_server, reply):
    server, handler = credit_server
    handler.replies["923609016"] = reply
    provider = HttpCreditCheckProvider(url=_url(server), name="Byrå AS")
    with pytest.raises(CreditCheckError):
        provider.check(organization_number="923609016")


def test_an_unreachable_provider_is_an_error():
    provider = HttpCreditCheckProvider(url="http://127.0.0.1:9/check", timeout=2)
    with pytest.raises(CreditCheckError):
        provider.check(organization_number="923609016")


def test_without_configuration_there_is_no_provider(settings):
    settings.CREDIT_CHECK_URL = ""
    assert configured_provider() is None
    settings.CREDIT_CHECK_URL = "http://127.0.0.1:1/x"
    settings.CREDIT_CHECK_PROVIDER_NAME = "Byrå AS"
    provider = configured_provider()
    assert provider is not None and provider.name == "Byrå AS"


@pytest.mark.django_db
def test_finance_runs_a_check_from_the_customer_page(credit_server, settings):
    server, handler = credit_server
    settings.CREDIT_CHECK_URL = _url(server)
    settings.CREDIT_CHECK_PROVIDER_NAME = "Byrå AS"
    customer, _owner = customer_with_owner()
    handler.replies[customer.organization_number] = (
        200,
        json.dumps({"result": "B", "score": 55, "reference": "X9"}).encode(),
    )
    finance = make_staff(StaffRole.FINANCE)
    client = client_for(finance)
    page = client.get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert "Hent kredittsjekk fra Byrå AS" in page.content.decode()
    response = client.post(reverse("backoffice:credit_check_run", args=[customer.pk]))
    assert response.status_code == 302
    check = CreditCheck.objects.get()
    assert (check.provider, check.result, check.score, check.source) == (
        "Byrå AS",
        "B",
        55,
        "provider",
    )
    assert check.staff == finance.user
    # A provider error: a message, nothing stored.
    handler.replies[customer.organization_number] = (503, b"{}")
    response = client.post(reverse("backoffice:credit_check_run", args=[customer.pk]), follow=True)
    assert response.status_code == 200
    assert "Kredittsjekken feilet" in response.content.decode()
    assert CreditCheck.objects.count() == 1


@pytest.mark.django_db
def test_unconfigured_means_manual_entry_only(settings):
    settings.CREDIT_CHECK_URL = ""
    customer, _owner = customer_with_owner()
    client = client_for(make_staff(StaffRole.FINANCE))
    page = client.get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert "registrer kredittsjekker manuelt" in page.content.decode()
    response = client.post(reverse("backoffice:credit_check_run", args=[customer.pk]))
    assert response.status_code == 302 and not CreditCheck.objects.exists()
    response = client.post(
        reverse("backoffice:credit_check_add", args=[customer.pk]),
        {"provider": "Byrå AS", "checked_on": "2026-01-05", "result": "A", "score": "90"},
    )
    assert response.status_code == 302
    check = CreditCheck.objects.get()
    assert check.source == "staff" and check.score == 90
