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
