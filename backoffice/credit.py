"""Credit checks (kredittsjekk) from a configured provider, or entered by hand.

``CreditCheckProvider`` is the interface; ``HttpCreditCheckProvider`` is the one
implementation: it calls a configured HTTP service (env ``CREDIT_CHECK_URL``, optional
``CREDIT_CHECK_KEY``, ``CREDIT_CHECK_PROVIDER_NAME``). Without a URL, ``configured_provider()``
is None and staff enter credit checks by hand (``services.credit_check_record``).

The provider protocol: ``GET <url>?organization_number=<orgnr>`` with
``Authorization: Bearer <key>``, answering JSON ``{"result": "...", "score": 0-100 or
null, "reference": "..."}``. Anything else is a ``CreditCheckError``.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from core.http import HttpError, http_request


class CreditCheckError(Exception):
    pass


@dataclass(frozen=True)
class CreditCheckAnswer:
    result: str
    score: int | None
    reference: str


class CreditCheckProvider(Protocol):
    name: str

    def check(self, *, organization_number: str) -> CreditCheckAnswer: ...


class HttpCreditCheckProvider:
    def __init__(self, *, url: str, key: str = "", name: str = "", timeout: float = 15.0):
        self.url = url
        self.key = key
        self.name = name or urllib.parse.urlsplit(url).hostname or url
        self.timeout = timeout

    def check(self, *, organization_number: str) -> CreditCheckAnswer:
        query = urllib.parse.urlencode({"organization_number": organization_number})
        separator = "&" if "?" in self.url else "?"
        headers = {"Accept": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        try:
            answer = http_request(
                "GET",
                f"{self.url}{separator}{query}",
                headers=headers,
                timeout=self.timeout,
                retries=2,
                max_bytes=64 * 1024,
            )
            data = answer.json()
        except (HttpError, ValueError) as exc:
            raise CreditCheckError(str(exc)) from exc
        if not isinstance(data, dict) or not isinstance(data.get("result"), str):
            raise CreditCheckError("unexpected answer")
        score = data.get("score")
        if score is not None and (
            not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100
        ):
            raise CreditCheckError("score out of range")
        result = data["result"].strip()[:200]
        if not result:
            raise CreditCheckError("empty result")
        return CreditCheckAnswer(
            result=result, score=score, reference=str(data.get("reference", ""))[:100]
        )


def configured_provider() -> HttpCreditCheckProvider | None:
    url = getattr(settings, "CREDIT_CHECK_URL", "")
    if not url:
        return None
    return HttpCreditCheckProvider(
        url=url,
        key=getattr(settings, "CREDIT_CHECK_KEY", ""),
        name=getattr(settings, "CREDIT_CHECK_PROVIDER_NAME", ""),
        timeout=getattr(settings, "CREDIT_CHECK_TIMEOUT", 15.0),
    )
