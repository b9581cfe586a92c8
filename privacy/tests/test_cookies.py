import pytest
from django.test import Client
from django.urls import reverse

from privacy import cookies, selectors
from privacy.models import ConsentPurpose, ConsentRecord, PageView

pytestmark = pytest.mark.django_db

NECESSARY = {"sessionid", "csrftoken", "messages", cookies.CONSENT_COOKIE}


def _set_names(response):
    return {name for name, morsel in response.cookies.items() if morsel.value != ""}


def _deleted_names(response):
    return {name for name, morsel in response.cookies.items() if morsel.value == ""}


def test_first_visit_shows_banner_and_sets_only_necessary_cookies(client):
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert 'id="cookie-banner"' in body
    assert "Godta alle" in body and "Avvis alle" in body and "Tilpass" in body
    assert _set_names(response) <= NECESSARY
    assert cookies.CONSENT_COOKIE not in response.cookies
    assert not PageView.objects.exists()


def test_accept_and_reject_buttons_have_the_same_weight(client):
    body = client.get(reverse("home")).content.decode()
    accept = body.split('value="accept_all"')[1].split(">")[0]
    reject = body.split('value="reject_all"')[1].split(">")[0]
    assert accept == reject  # same element, same classes


def test_reject_all_records_the_choice_and_sets_no_optional_cookie(client):
    response = client.post(
        reverse("privacy:cookies"), {"action": "reject_all", "next": reverse("home")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _set_names(response) <= NECESSARY
    assert cookies.CONSENT_COOKIE in response.cookies
    page = client.get(reverse("home"))
    assert 'id="cookie-banner"' not in page.content.decode()
    assert _set_names(page) <= NECESSARY
    assert not PageView.objects.exists()
    records = ConsentRecord.objects.all()
    assert {(r.purpose, r.given) for r in records} == {
        (ConsentPurpose.COOKIE_FUNCTIONAL, False),
        (ConsentPurpose.COOKIE_ANALYTICS, False),
    }
    assert all(r.visitor_id and r.user is None for r in records)
    assert all(r.text_version == cookies.COOKIE_POLICY_VERSION for r in records)


def test_accepting_analytics_sets_the_cookie_and_counts_page_views_then_withdrawal_deletes_it(
    client,
):
    response = client.post(reverse("privacy:cookies"), {"action": "save", "analytics": "on"})
    assert cookies.ANALYTICS_COOKIE in _set_names(response)
    visitor = response.cookies[cookies.ANALYTICS_COOKIE].value
    assert not PageView.objects.exists()  # the POST itself is not a page view
    assert cookies.ANALYTICS_COOKIE not in client.get(reverse("home")).cookies
    client.get(reverse("home"))
    views = list(PageView.objects.all())
    assert len(views) == 2 and {v.path for v in views} == {"/"}
    assert len({v.visitor_hash for v in views}) == 1
    assert visitor not in views[0].visitor_hash  # hashed, never the raw id
    assert client.cookies[cookies.ANALYTICS_COOKIE].value == visitor  # kept, not renewed

    response = client.post(reverse("privacy:cookies"), {"action": "reject_all"})
    assert cookies.ANALYTICS_COOKIE in _deleted_names(response)
    client.cookies.pop(cookies.ANALYTICS_COOKIE, None)
    client.get(reverse("home"))
    assert PageView.objects.count() == 2


def test_analytics_records_the_route_not_tokens_or_ids(client):
    client.post(reverse("privacy:cookies"), {"action": "accept_all"})
    client.get(reverse("privacy:contact_verify", kwargs={"token": "secret-token-123"}))
    assert PageView.objects.get().path == "/personvern/kontakt/bekreft/<str:token>/"


def test_functional_consent_remembers_language_of_anonymous_visitor(client):
    client.post(reverse("privacy:cookies"), {"action": "save", "functional": "on"})
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[cookies.LANGUAGE_COOKIE].value == "en"
    fresh = Client()
    fresh.cookies[cookies.CONSENT_COOKIE] = client.cookies[cookies.CONSENT_COOKIE].value
    fresh.cookies[cookies.LANGUAGE_COOKIE] = "en"
    assert fresh.get(reverse("home"))["Content-Language"] == "en"
    # Without functional consent the preference cookie is removed.
    response = client.post(reverse("privacy:cookies"), {"action": "reject_all"})
    assert cookies.LANGUAGE_COOKIE in _deleted_names(response)


def test_language_choice_without_functional_consent_sets_no_preference_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert cookies.LANGUAGE_COOKIE not in response.cookies


def test_forged_or_outdated_consent_cookie_counts_as_no_choice(client, settings):
    client.cookies[cookies.CONSENT_COOKIE] = "0" * 32 + ":" + cookies.COOKIE_POLICY_VERSION
    assert 'id="cookie-banner"' in client.get(reverse("home")).content.decode()
    client.post(reverse("privacy:cookies"), {"action": "accept_all"})
    assert 'id="cookie-banner"' not in client.get(reverse("home")).content.decode()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cookies, "COOKIE_POLICY_VERSION", "2099-01-01")
        response = client.get(reverse("home"))
        assert 'id="cookie-banner"' in response.content.decode()
        assert cookies.ANALYTICS_COOKIE in _deleted_names(response)


def test_logged_in_choice_is_linked_to_the_user(owner_client, owner):
    owner_client.post(reverse("privacy:cookies"), {"action": "accept_all"})
    records = ConsentRecord.objects.filter(user=owner)
    assert records.count() == 2
    first = records.first()
    assert first is not None
    visitor = first.visitor_id
    assert selectors.cookie_choices(visitor_id=visitor) == {
        ConsentPurpose.COOKIE_FUNCTIONAL: True,
        ConsentPurpose.COOKIE_ANALYTICS: True,
    }


def test_changing_the_choice_keeps_the_visitor_id(client):
    client.post(reverse("privacy:cookies"), {"action": "accept_all"})
    client.post(reverse("privacy:cookies"), {"action": "reject_all"})
    assert len(set(ConsentRecord.objects.values_list("visitor_id", flat=True))) == 1


def test_bad_choice_is_a_400_and_records_nothing(client):
    response = client.post(reverse("privacy:cookies"), {"action": "everything"})
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_next_cannot_redirect_off_site(client):
    response = client.post(
        reverse("privacy:cookies"), {"action": "reject_all", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("privacy:cookies")


def test_cookie_page_lists_every_cookie_and_footer_links_to_it_everywhere(client):
    body = client.get(reverse("privacy:cookies")).content.decode()
    for cookie in cookies.COOKIES:
        assert f"<code>{cookie.name}</code>" in body
    for name in ("home", "privacy_statement", "privacy:contact", "accounts:login"):
        page = client.get(reverse(name)).content.decode()
        assert f'href="{reverse("privacy:cookies")}">Informasjonskapsler' in page


def test_pages_load_no_third_party_resources_and_no_inline_script(client):
    import re

    for name in ("home", "privacy_statement", "privacy:cookies"):
        body = client.get(reverse(name)).content.decode()
        assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)=[\"'](https?:)?//", body)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # no inline script
        assert " onclick=" not in body


def test_cookie_page_does_not_repeat_the_banner_but_explains_necessary_cookies(client):
    body = client.get(reverse("privacy:cookies")).content.decode()
    assert 'id="cookie-banner"' not in body
    assert "Alltid på" in body
    assert "Godta alle" in body and "Avvis alle" in body
