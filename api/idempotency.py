"""``Idempotency-Key`` for POST endpoints that create things or run actions.

Decorate the handler method of an ``ApiView``/``ApiViewSet``:

    class InvoiceViewSet(ApiModelViewSet):
        @idempotent
        def create(self, request, *args, **kwargs): ...

        @idempotent
        @action(detail=True, methods=["post"])
        def issue(self, request, pk=None): ...

How it works, per (company, caller, key):

- no header: the request runs as usual;
- first use: the handler runs inside one transaction together with a new
  ``IdempotencyRecord``; a 2xx response is stored in it and commits with the work. A
  non-2xx response or an exception rolls everything back, so the key stays unused and
  the client may retry;
- the same key again, same method, path and body (compared as canonical JSON): the
  stored response comes back (header ``Idempotent-Replayed: true``) and nothing runs;
- the same key with another method, path or body: 422;
- after ``IDEMPOTENCY_KEY_LIFETIME`` (24 h) a key is forgotten and may be used again.

The work and the stored response commit together, so a crash never leaves a done but
unrecorded request, and no other request ever sees a claimed key without its response:
on PostgreSQL a concurrent duplicate waits on the unique index until the first
commits (then gets the replay) or rolls back (then runs); on SQLite writers are
serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.auth import api_caller
from api.models import IdempotencyRecord
from api.services import IDEMPOTENCY_KEY_LIFETIME

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (e.g. a UUID) per intended operation. A retry with the same key "
        "and body returns the first response without doing the work again; keys are "
        "kept for 24 hours."
    ),
)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class _FingerprintEncoder(DjangoJSONEncoder):
    """Uploaded files (a multipart import) stand for the SHA-256 of their content."""

    def default(self, o: Any) -> Any:
        if isinstance(o, UploadedFile):
            digest = hashlib.sha256()
            for chunk in o.chunks():
                digest.update(chunk)
            o.seek(0)
            return {"file": o.name, "sha256": digest.hexdigest()}
        return super().default(o)


def request_fingerprint(request: Request) -> str:
    """SHA-256 of method, path and the parsed body as canonical JSON."""
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): every value of every key
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=_FingerprintEncoder)
    material = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(material.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if record.response_location:
        headers["Location"] = record.response_location
    data = json.loads(record.response_body) if record.response_body else None
    return Response(data, status=record.response_status, headers=headers)


def _answer_existing(record: IdempotencyRecord, *, method: str, path: str, digest: str) -> Response:
    if record.method != method or record.path != path or record.request_hash != digest:
        raise IdempotencyKeyReused(
            _(
                "Idempotency-Key «%(key)s» er allerede brukt for en annen forespørsel. "
                "Bruk en ny nøkkel for en ny operasjon."
            )
            % {"key": record.key}
        )
    return _replay(record)


def _stored_or_claim(
    *, company: Any, caller: str, key: str, method: str, path: str, digest: str
) -> tuple[IdempotencyRecord | None, Response | None]:
    """Claim the key for this request (a new record), or answer from the stored one."""
    expired_before = timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    IdempotencyRecord.objects.filter(
        company=company, caller=caller, key=key, created_at__lt=expired_before
    ).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                company=company,
                caller=caller,
                key=key,
                method=method,
                path=path[:500],
                request_hash=digest,
            )
        return record, None
    except IntegrityError:
        existing = IdempotencyRecord.objects.get(company=company, caller=caller, key=key)
        return None, _answer_existing(existing, method=method, path=path[:500], digest=digest)


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Make a view handler honour the ``Idempotency-Key`` header (see the module doc)."""

    @functools.wraps(handler)
    def wrapped(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(self, request, *args, **kwargs)
        if not _KEY_PATTERN.match(key):
            raise exceptions.ValidationError(
                {HEADER: [_("Idempotency-Key må være 1–255 synlige ASCII-tegn.")]}
            )
        caller = api_caller(request)
        if caller is None:  # the permission check has already refused such requests
            raise exceptions.NotAuthenticated
        digest = request_fingerprint(request)
        with transaction.atomic():
            record, stored = _stored_or_claim(
                company=caller.company,
                caller=caller.ident,
                key=key,
                method=request.method or "",
                path=request.path,
                digest=digest,
            )
            if stored is not None:
                return stored
            assert record is not None
            response = handler(self, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = (
                JSONRenderer().render(response.data).decode() if response.data is not None else ""
            )
            record.response_location = response.get("Location", "")[:500]
            record.save(update_fields=["response_status", "response_body", "response_location"])
            return response

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapped)
