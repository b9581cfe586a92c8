"""The pages every user of a company sees: the landing page, the dashboard, the company's
activity log and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, owner_view, request_company
from accounts.selectors import audit_entries_for_company
from accounts.services import user_set_language
from core.activity import activity_lines
from core.middleware import SESSION_LANGUAGE_KEY
from core.redirects import safe_next


@company_view
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html")


@owner_view
def activity(request: HttpRequest) -> HttpResponse:
    entries = audit_entries_for_company(company=request_company(request))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    lines = activity_lines(page.object_list, request=request)
    return render(request, "core/activity.html", {"page": page, "lines": lines})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: stored on the user when logged in, else in the session."""
    language = request.POST.get("language", "")
    next_url = safe_next(request, "/")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse(status=400, content=b"Unknown language.")
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    else:
        request.session[SESSION_LANGUAGE_KEY] = language
    return HttpResponseRedirect(next_url)
