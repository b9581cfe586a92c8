"""The one HTTP client for the outside services (Peppol access point, credit checks,
company look-up): a timeout on every call, retries with backoff for reads, and one
classification of failures.

- ``HttpError.permanent`` is True for answers that will not change on a retry (4xx other
  than 408 and 429); timeouts, refused connections, 5xx, 408 and 429 are temporary.
- Only idempotent methods (GET, HEAD) are retried here (``retries``, backoff, honouring
  ``Retry-After``). A POST is never repeated by this module: whoever sends it (the task
  queue) decides whether it is safe to send again.
- Answers larger than ``max_bytes`` are refused, so a misbehaving service cannot fill memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

TEMPORARY_CLIENT_ERRORS = frozenset({408, 429})
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_MAX_BYTES = 1024 * 1024
BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 5.0

_pool = urllib3.PoolManager(num_pools=10, maxsize=4, retries=False)


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        """The body as JSON; ``HttpError`` (permanent) when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise HttpError("The answer is not JSON.", permanent=True, status=self.status) from exc


class HttpError(Exception):
    def __init__(
        self, message: str, *, permanent: bool, status: int | None = None, body: bytes = b""
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.body = body


def http_request(
    method: str,
    url: str,
    *,
    timeout: float,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    retries: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> HttpAnswer:
    """Send one request; return the 2xx/3xx answer or raise ``HttpError``."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("Only http(s) URLs are called.")
    method = method.upper()
    idempotent = method in {"GET", "HEAD"}
    retry = urllib3.Retry(
        total=retries if idempotent else 0,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods={"GET", "HEAD"},
        backoff_factor=BACKOFF_SECONDS,
        backoff_max=MAX_BACKOFF_SECONDS,
        respect_retry_after_header=True,
        raise_on_status=False,
        redirect=0,
    )
    try:
        response = _pool.request(
            method,
            url,
            body=body,
            headers=dict(headers or {}),
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=retry,
            preload_content=False,
        )
    except MaxRetryError as exc:
        raise _transport_error(exc.reason or exc, timeout) from exc
    except (Urllib3Error, OSError) as exc:
        raise _transport_error(exc, timeout) from exc
    try:
        content = response.read(max_bytes + 1, decode_content=True)
    except (Urllib3Error, OSError) as exc:
        raise _transport_error(exc, timeout) from exc
    finally:
        response.release_conn()
    if len(content) > max_bytes:
        raise HttpError(f"The answer is larger than {max_bytes} bytes.", permanent=True)
    status = response.status
    if status >= 400:
        permanent = status < 500 and status not in TEMPORARY_CLIENT_ERRORS
        raise HttpError(f"HTTP {status}", permanent=permanent, status=status, body=content)
    return HttpAnswer(status=status, body=content, headers=dict(response.headers))


def _transport_error(exc: BaseException, timeout: float) -> HttpError:
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2.x: a refused connection
    # is not a timeout.
    if isinstance(exc, (Urllib3Timeout, TimeoutError)) and not isinstance(exc, NewConnectionError):
        return HttpError(f"Timeout after {timeout:g} s", permanent=False)
    return HttpError(f"Connection failed: {exc}", permanent=False)
