import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.tasks import send_email
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_page_in_english_keeps_the_privacy_link(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("accounts:signup")).content.decode()
    assert f'Read <a href="{reverse("privacy_statement")}">the privacy statement</a>' in body
    assert "Organisation number" in body


def test_resend_page_for_a_logged_in_unverified_user(client):
    user = UserFactory(email="venter@example.no", email_verified_at=None)
    client.force_login(user)
    response = client.get(reverse("accounts:verify_email_resend"))
    assert response.status_code == 200
    assert "venter@example.no" in response.content.decode()


def test_no_company_page_for_a_user_without_memberships(client):
    client.force_login(UserFactory())
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:no_company")
    assert response.status_code == 200


def test_send_email_task_sends_text_and_html():
    send_email(to="a@example.no", subject="Emne", text="Tekst", html="<p>Tekst</p>")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.subject, message.body, message.to) == ("Emne", "Tekst", ["a@example.no"])
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
