from typing import Any

from django.http import HttpRequest


def active_company(request: HttpRequest) -> dict[str, Any]:
    return {
        "company": getattr(request, "company", None),
        "membership": getattr(request, "membership", None),
    }
