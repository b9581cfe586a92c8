"""Fixtures for delivery: a real SMTP peer, a local access point, issued invoices."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django_scopes import scope
from huey.contrib.djhuey import HUEY

from customers.tests.factories import ClientFactory
from delivery import files
from invoicing.tests.factories import issued_invoice


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Archived documents go to a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path


@pytest.fixture(autouse=True)
def clean_queue():
    """Tasks run immediately; retries with a delay wait in Huey's in-memory schedule."""
    HUEY.flush()
    yield
    HUEY.flush()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- SMTP ----------------------------------------------------------------------------------


class Collector:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class SmtpPeer:
    port: int
    collector: Collector = field(default_factory=Collector)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list:
        from email import message_from_bytes, policy

        return [
            message_from_bytes(envelope.original_content, policy=policy.default)
            for envelope in self.collector.envelopes
        ]


@pytest.fixture
def smtp_peer(settings):
    """An SMTP server on 127.0.0.1 (not started yet: call ``start()``), Django pointed at it."""
    peer = SmtpPeer(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = peer.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield peer
    peer.stop()


@pytest.fixture
def smtp_server(smtp_peer):
    smtp_peer.start()
    return smtp_peer


# --- Peppol access point -------------------------------------------------------------------


@dataclass
class AccessPoint:
    url: str
    requests: list = field(default_factory=list)
    # What the next answers are: (status, JSON body) or "hang" to never answer in time.
    answers: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler_for(ap: AccessPoint):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            ap.requests.append({"headers": dict(self.headers), "body": body})
            answer = ap.answers.pop(0) if ap.answers else (202, {"id": "AP-MSG-1"})
            if answer == "hang":
                ap.release.wait(10)
                return
            status, payload = answer
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def access_point(settings):
    """A local HTTP access point; PEPPOL_AP_URL points at it."""
    # The handler needs the URL, which needs the port: a stand-in handler until both exist.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    ap = AccessPoint(url=f"http://127.0.0.1:{server.server_address[1]}/outbox")
    server.RequestHandlerClass = _handler_for(ap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PEPPOL_AP_URL = ap.url
    settings.PEPPOL_AP_KEY = "test-key"
    settings.PEPPOL_AP_TIMEOUT = 0.5
    yield ap
    ap.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


# --- Invoices ------------------------------------------------------------------------------


def make_client(company, **kwargs):
    return ClientFactory(company=company, **kwargs)


def issue_for(company, client=None, **client_kwargs):
    """An issued invoice of ``company`` with its documents archived (as after issue)."""
    with scope(company=company):
        client = client or make_client(company, **client_kwargs)
        # An EHF needs the buyer's reference or an order number (PEPPOL-EN16931-R003),
        # checked at issue.
        extra = {"order_number": "PO-1"} if client.delivery_channel == "ehf" else {}
        invoice = issued_invoice(company=company, client=client, **extra)
        files.store_issued_documents(invoice.pk)
        return invoice


@pytest.fixture
def email_client(company):
    with scope(company=company):
        return make_client(
            company,
            delivery_channel="email",
            invoice_emails="faktura@kunde.no, regnskap@kunde.no",
            language="nb",
        )


@pytest.fixture
def ehf_client(company):
    with scope(company=company):
        # An EHF buyer gives its own reference (BT-10, Peppol R003).
        return make_client(company, delivery_channel="ehf", their_reference="Kari Nordmann")


def wait_until(condition, timeout: float = 5.0) -> bool:
    """For the threads of the test servers (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
