import pytest
from django.urls import reverse

from accounts.models import TermsAcceptance
from core.personal_data import inventory
from privacy import cookies
from privacy.models import StatementAcknowledgement, SubProcessor

pytestmark = pytest.mark.django_db

COMPLAINT = "https://www.datatilsynet.no/om-datatilsynet/kontakt-oss/klage-til-datatilsynet/"


def test_statement_covers_every_clause_with_generated_parts(client, settings):
    body = client.get(reverse("privacy_statement")).content.decode()
    assert "Invoice Club AS" in body and "Trondheim" in body
    for number in range(1, 12):
        assert f">{number}. " in body
    for category in inventory.Category:
        assert str(category.label) in body
    for purpose in inventory.purposes_in_use():
        assert str(purpose.label) in body
    for rule in inventory.retention_rules_in_use():
        assert str(rule.label) in body
    for sub in SubProcessor.objects.filter(active=True):
        assert sub.name in body and sub.country in body
    assert SubProcessor.objects.count() >= 3
    for cookie in cookies.COOKIES:
        assert cookie.name in body
    assert COMPLAINT in body
    assert settings.TERMS_VERSION in body
    assert reverse("privacy:contact") in body


def test_english_statement(client):
    response = client.get(reverse("privacy_statement_en"))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert "Privacy statement" in body
    assert "Why do we process your personal data?" in body
    assert "Hvorfor behandler vi" not in body
    assert "Germany" in body and "Servers and data storage (hosting)" in body
    assert "Tyskland" not in body
    statement_part = body.split("<main", 1)[1].split('id="underleverandorer"')[0]
    assert "Customer history" in statement_part and "Member since" in statement_part


def test_user_who_accepted_an_older_version_sees_a_notice_until_read(owner_client, owner):
    TermsAcceptance.objects.create(user=owner, terms_version="2018-06-18")
    body = owner_client.get(reverse("privacy_statement")).content.decode()
    assert "Personvernerklæringen vår er endret" in body
    response = owner_client.post(reverse("privacy:statement_acknowledge"), {"next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    assert StatementAcknowledgement.objects.filter(user=owner).exists()
    body = owner_client.get(reverse("privacy_statement")).content.decode()
    assert "Personvernerklæringen vår er endret" not in body


def test_user_with_the_current_version_sees_no_notice(owner_client, owner, settings):
    TermsAcceptance.objects.create(user=owner, terms_version=settings.TERMS_VERSION)
    body = owner_client.get(reverse("privacy_statement")).content.decode()
    assert "Personvernerklæringen vår er endret" not in body


NOTICE = "Personvernerklæringen vår er endret"


@pytest.mark.parametrize("persona", ["owner", "member", "outsider"])
def test_a_new_statement_version_shows_the_notice_on_the_next_page(persona, request, settings):
    """A session remembers the statement version it has no update pending for (issue 15):
    a new version asks again on the very next page, and a pending notice is asked for on
    every page until it is read."""
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue(f"{persona}_client")
    TermsAcceptance.objects.create(user=user, terms_version=settings.TERMS_VERSION)
    dashboard = reverse("dashboard")
    for _ in range(2):
        assert NOTICE not in client.get(dashboard).content.decode()

    settings.TERMS_VERSION = "2999-01-01"
    for _ in range(2):  # still pending: shown again, not remembered
        assert NOTICE in client.get(dashboard).content.decode()
    client.post(reverse("privacy:statement_acknowledge"), {"next": dashboard})
    assert StatementAcknowledgement.objects.filter(user=user, version="2999-01-01").exists()
    for _ in range(2):
        assert NOTICE not in client.get(dashboard).content.decode()


def test_the_notice_is_per_user_not_per_browser(client, owner, member, settings):
    """What one user's session remembered does not carry over to the next user's log-in."""
    TermsAcceptance.objects.create(user=owner, terms_version=settings.TERMS_VERSION)
    TermsAcceptance.objects.create(user=member, terms_version="2018-06-18")
    dashboard = reverse("dashboard")
    client.force_login(owner)
    assert NOTICE not in client.get(dashboard).content.decode()
    client.force_login(member)
    assert NOTICE in client.get(dashboard).content.decode()


def test_the_session_remembers_no_update_but_never_a_pending_one(
    owner, settings, django_assert_num_queries
):
    """``selectors.statement_update_pending_in_session``: a "no" is asked once per session
    and statement version; a "yes" on every call, so reading the statement ends it."""
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from privacy import selectors

    TermsAcceptance.objects.create(user=owner, terms_version=settings.TERMS_VERSION)
    session = SessionStore()  # no storage of its own: the queries counted are the rule's
    assert not selectors.statement_update_pending_in_session(user=owner, session=session)
    with django_assert_num_queries(0):
        assert not selectors.statement_update_pending_in_session(user=owner, session=session)

    settings.TERMS_VERSION = "2999-01-01"
    assert selectors.statement_update_pending_in_session(user=owner, session=session)
    assert selectors.statement_update_pending_in_session(user=owner, session=session)
    StatementAcknowledgement.objects.create(user=owner, version="2999-01-01")
    assert not selectors.statement_update_pending_in_session(user=owner, session=session)
    # Without a session (no middleware) it asks every time and remembers nothing.
    assert not selectors.statement_update_pending_in_session(user=owner, session=None)
