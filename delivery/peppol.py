"""Sending an EHF document into the Peppol network through an access point provider.

``PeppolTransport`` is the one interface the sender uses; ``HttpAccessPoint`` is the
implementation for a provider with a plain HTTP API, configured in settings:

- ``PEPPOL_AP_URL``: the provider's endpoint that accepts one UBL document per POST;
- ``PEPPOL_AP_KEY``: the API key, sent as ``Authorization: Bearer <key>``;
- ``PEPPOL_AP_TIMEOUT``: seconds before the call is given up (a temporary failure).

The request carries the XML as the body (``application/xml``) and the Peppol routing
data as headers (``X-Peppol-Sender``, ``X-Peppol-Receiver``, ``X-Peppol-Document-Type``,
participant ids as ``scheme:value``). A 2xx answer with a JSON ``id`` (or ``messageId``)
is the receipt. A 4xx answer is a rejection: permanent, with the provider's message
(except 408 and 429, which ask us to come back later). 5xx answers, timeouts and
connection errors are temporary and the sender retries them.

Without ``PEPPOL_AP_URL`` there is no transport: the EHF file is produced and offered
for download, and nothing is transmitted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from lxml import etree

from core.http import HttpError, http_request
from documents.ehf import CUSTOMIZATION_ID, NS_CAC, NS_CBC, NS_CREDIT_NOTE, NS_INVOICE

MAX_ERROR_LENGTH = 1000


@dataclass(frozen=True)
class TransportReceipt:
    """The access point took the document: its message id for the send log."""

    message_id: str
    provider: str = ""


class TransportError(Exception):
    """The document was not taken. ``permanent`` failures are not retried."""

    permanent = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message[:MAX_ERROR_LENGTH])
        self.status = status


class PermanentTransportError(TransportError):
    permanent = True


class TemporaryTransportError(TransportError):
    permanent = False


class PeppolTransport(Protocol):
    def send(
        self, *, xml: bytes, sender_id: str, receiver_id: str, document_type: str
    ) -> TransportReceipt: ...


class HttpAccessPoint:
    """An access point provider with an HTTP API (``core.http``)."""

    name = "http"

    def __init__(self, *, url: str, key: str, timeout: float) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("PEPPOL_AP_URL must be an http(s) URL.")
        self.url = url
        self.key = key
        self.timeout = timeout

    def send(
        self, *, xml: bytes, sender_id: str, receiver_id: str, document_type: str
    ) -> TransportReceipt:
        headers = {
            "Content-Type": "application/xml; charset=utf-8",
            "Accept": "application/json",
            "X-Peppol-Sender": sender_id,
            "X-Peppol-Receiver": receiver_id,
            "X-Peppol-Document-Type": document_type,
        }
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        try:
            body = http_request(
                "POST", self.url, body=xml, headers=headers, timeout=self.timeout
            ).body
        except HttpError as exc:
            if exc.status is None:
                raise TemporaryTransportError(str(exc)) from exc
            text = f"HTTP {exc.status}: {_provider_message(exc.body, exc)}"
            error = PermanentTransportError if exc.permanent else TemporaryTransportError
            raise error(text, status=exc.status) from exc
        message_id = _receipt_id(body)
        if not message_id:
            # Taken (2xx) but without an id: keep what it said, so the log shows it.
            message_id = body[:200].decode("utf-8", "replace").strip() or "(no id)"
        return TransportReceipt(message_id=message_id, provider=self.name)


def _provider_message(body: bytes, reason: object) -> str:
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "title"):
            if isinstance(data.get(key), str) and data[key]:
                return data[key]
    return text or str(reason)


def _receipt_id(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("id", "messageId", "message_id"):
            if data.get(key):
                return str(data[key])
    return ""


def configured_transport() -> PeppolTransport | None:
    """The transport from settings, or None when no access point is configured."""
    url = getattr(settings, "PEPPOL_AP_URL", "")
    if not url:
        return None
    return HttpAccessPoint(
        url=url,
        key=getattr(settings, "PEPPOL_AP_KEY", ""),
        timeout=float(getattr(settings, "PEPPOL_AP_TIMEOUT", 30)),
    )


# --- Routing data read from the document itself ------------------------------------------

_NS = {"cac": NS_CAC, "cbc": NS_CBC}


@dataclass(frozen=True)
class Routing:
    sender_id: str
    receiver_id: str
    document_type: str


def routing_of(xml: bytes) -> Routing:
    """Sender, receiver and Peppol document type id as the EHF file states them."""
    root = etree.fromstring(xml)

    def participant(party: str) -> str:
        found = root.find(f"cac:{party}/cac:Party/cbc:EndpointID", _NS)
        endpoint = (found.text or "").strip() if found is not None else ""
        if found is None or not endpoint:
            return ""
        return f"{found.get('schemeID', '')}:{endpoint}"

    if root.tag == f"{{{NS_CREDIT_NOTE}}}CreditNote":
        syntax = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote"
    elif root.tag == f"{{{NS_INVOICE}}}Invoice":
        syntax = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
    else:
        syntax = ""
    return Routing(
        sender_id=participant("AccountingSupplierParty"),
        receiver_id=participant("AccountingCustomerParty"),
        document_type=f"{syntax}##{CUSTOMIZATION_ID}::2.1" if syntax else "",
    )
