"""backoffice_setup's administrator: a password from the command line, or a one-time link;
"forgot password" for a user who has no password yet; 403 pages that name the roles."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from accounts.services import user_send_password_reset

pytestmark = pytest.mark.django_db


def test_admin_password_from_the_command_line():
    out = StringIO()
    call_command(
        "backoffice_setup",
        "--admin-email",
        "admin@invoiceclub.no",
        "--admin-password",
        "Nordlys-Konsoll-2026",
        stdout=out,
    )
    assert User.objects.get(email="admin@invoiceclub.no").check_password("Nordlys-Konsoll-2026")
    assert "/account/password/reset/" not in out.getvalue()


def test_a_weak_admin_password_is_refused_with_a_message():
    with pytest.raises(CommandError):
        call_command(
            "backoffice_setup",
            "--admin-email",
            "admin@invoiceclub.no",
            "--admin-password",
            "123",
            stdout=StringIO(),
        )


def test_without_a_password_the_link_is_printed_until_one_is_chosen():
    out = StringIO()
    call_command("backoffice_setup", "--admin-email", "admin@invoiceclub.no", stdout=out)
    assert "/account/password/reset/" in out.getvalue()
    user = User.objects.get(email="admin@invoiceclub.no")
    assert not user.has_usable_password()
    user.set_password("Nordlys-Konsoll-2026")
    user.save()
    again = StringIO()
    call_command("backoffice_setup", "--admin-email", "admin@invoiceclub.no", stdout=again)
    assert "/account/password/reset/" not in again.getvalue()


def test_forgot_password_reaches_a_user_without_a_password(django_capture_on_commit_callbacks):
    call_command("backoffice_setup", "--admin-email", "admin@invoiceclub.no", stdout=StringIO())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert user_send_password_reset(email="admin@invoiceclub.no") is True
    assert len(mail.outbox) == 1 and "/account/password/reset/" in mail.outbox[0].body


def test_company_403_names_the_roles_that_may(member_client):
    response = member_client.get(reverse("company:members"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "Dette krever rollen eier eller administrator i firmaet" in text
    assert "din rolle er medlem (kun lesetilgang)" in text
