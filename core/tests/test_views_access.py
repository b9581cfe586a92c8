"""Every page of the app is behind the company gate, and none of them fails.

A structural check over the URL configuration, so a new view cannot forget its
persona rules; each app's own tests check the outsider's 404 on its objects.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

APP_PREFIX = "app/"


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def app_routes():
    return [
        (route, namespace, pattern)
        for route, namespace, pattern in _walk(get_resolver().url_patterns)
        if route.startswith(APP_PREFIX)
    ]


def parameterless_app_urls():
    urls = []
    for route, namespace, pattern in app_routes():
        if pattern.pattern.regex.groups or not pattern.name:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        urls.append(reverse(name))
    return sorted(set(urls))


def test_every_app_view_requires_a_company_membership():
    ungated = [
        route
        for route, _, pattern in app_routes()
        if not hasattr(pattern.callback, "company_roles")
    ]
    assert ungated == [], f"wrap these views in accounts.permissions.company_view: {ungated}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", parameterless_app_urls())
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", parameterless_app_urls())
def test_owner_and_member_pages_never_fail(owner_client, member_client, url):
    # 404 is allowed for content that does not exist yet (e.g. the logo image before
    # an upload); a server error or an owner refused is never.
    assert owner_client.get(url).status_code in {200, 302, 404, 405}
    assert member_client.get(url).status_code in {200, 302, 403, 404, 405}
